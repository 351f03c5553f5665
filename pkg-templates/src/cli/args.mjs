// Command-line parsing: `--name value`, `--name=value`, short aliases,
// boolean flags, positionals, `--` to end options. Each command declares
// its options; the global ones (where tokens are, output) go with all.
import { UsageError } from "./errors.mjs";

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  config: { value: "FILE", help: "configuration file (default: $PKCS11_WASM_CONF)" },
  directory: { value: "DIR", help: "one token directory instead of the configured slots" },
  json: { help: "print the result as JSON (errors too) for scripts" },
  progress: { help: "show progress of slow steps on stderr even when it is not a terminal" },
  "no-progress": { help: "never show progress" },
  help: { short: "h", help: "show this help" },
};

/** Naming a slot (softhsm2-util's --slot, --token, --serial). */
export const SLOT_OPTIONS = {
  slot: { value: "ID|LABEL|SERIAL", help: "the slot, by slot id, token label or serial (default: the only token)" },
  token: { value: "LABEL", help: "the token with this label" },
  serial: { value: "SERIAL", help: "the token with this serial number" },
};

/** Picking one object (pkcs11-tool's --label, --id, --type). */
export const OBJECT_OPTIONS = {
  label: { value: "LABEL", help: "object label (CKA_LABEL)" },
  id: { value: "HEX", help: "object id (CKA_ID), in hex" },
  uid: { value: "UID", help: "unique id (CKA_UNIQUE_ID) or a prefix of it, as `objects` shows" },
  type: { value: "CLASS", help: "privkey, pubkey, secret, cert or data" },
};

export const LOGIN_OPTIONS = {
  login: { short: "l", help: "log in as the user first (needed to see or use private objects)" },
  "pin-fd": { value: "N", help: "read the user PIN from file descriptor N (else $PKCS11_WASM_PIN, else a prompt)" },
};

/** What new keys get (generate, import). */
export const KEY_OPTIONS = {
  label: { value: "LABEL", help: "CKA_LABEL" },
  id: { value: "HEX", help: "CKA_ID (default: SHA-1 of the public key; none for secret keys)" },
  usage: { value: "LIST", help: "only these usages, e.g. sign,verify (default: the token's)" },
  extractable: { help: "allow the key to be wrapped out (CKA_EXTRACTABLE)" },
  "not-sensitive": { help: "CKA_SENSITIVE false (the value may then be read)" },
};

const REFUSED = new Set(["pin", "so-pin", "new-pin", "new-so-pin", "puk"]);

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/**
 * Parses `argv` against `options` ({ name: { value?, short?, repeat? } }).
 * Returns { opts: {camelName: value}, positionals }.
 */
export function parseArgs(argv, options, command) {
  const byShort = new Map();
  for (const [name, o] of Object.entries(options)) if (o.short) byShort.set(o.short, name);
  const opts = {};
  const positionals = [];
  const where = command ? ` for \`${command}\`` : "";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let name;
    let inline;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      name = byShort.get(arg.slice(1, 2));
      if (!name) throw new UsageError(`unknown option ${arg}${where}`, { hint: `see pkcs11-wasm ${command ?? ""} --help`.replace("  ", " ") });
      if (arg.length > 2) inline = arg.slice(2);
    }
    if (REFUSED.has(name)) {
      throw new UsageError(`--${name} is not accepted: a PIN on the command line shows up in ps and shell history`, {
        hint: "set PKCS11_WASM_PIN (PKCS11_WASM_SO_PIN, PKCS11_WASM_NEW_PIN...), pass --pin-fd N, or type it at the prompt",
      });
    }
    const spec = options[name];
    if (!spec) throw new UsageError(`unknown option --${name}${where}`, { hint: `see pkcs11-wasm ${command ?? ""} --help`.replace("  ", " ") });
    let value = true;
    if (spec.value) {
      if (inline !== undefined) value = inline;
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`--${name} needs a value (${spec.value})`);
    } else if (inline !== undefined) {
      throw new UsageError(`--${name} takes no value`);
    }
    const key = camel(name);
    if (spec.repeat) (opts[key] ??= []).push(value);
    else opts[key] = value;
  }
  return { opts, positionals };
}

function optionLines(options) {
  const rows = Object.entries(options).map(([name, o]) => {
    const left = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` ${o.value}` : ""}`;
    return [left, o.help];
  });
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`);
}

/** The --help text of a command. */
export function commandHelp(cmd) {
  const lines = [`Usage: ${cmd.usage}`, "", cmd.summary[0].toUpperCase() + cmd.summary.slice(1) + "."];
  if (cmd.description) lines.push("", ...cmd.description);
  if (cmd.aliases?.length) lines.push("", `Also called: ${cmd.aliases.join(", ")}`);
  lines.push("", "Options:", ...optionLines(cmd.options), "", "Global options:", ...optionLines(GLOBAL_OPTIONS));
  lines.push("", cmd.examples.length > 1 ? "Examples:" : "Example:", ...cmd.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}
