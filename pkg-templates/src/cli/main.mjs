// The `pkcs11-wasm` command: finds the command, parses its options, opens
// the configured tokens through the package's public API, runs, and turns
// any failure into one line on stderr (and a JSON error with --json) and
// an exit status: 0 success, 1 failure, 2 usage error.
import { readFileSync } from "node:fs";
import { GLOBAL_OPTIONS, commandHelp, parseArgs } from "./args.mjs";
import backup from "./backup.mjs";
import { openTokens } from "./context.mjs";
import crypto from "./crypto.mjs";
import { UsageError, describe } from "./errors.mjs";
import exporting from "./export.mjs";
import generate from "./generate.mjs";
import group from "./group.mjs";
import importing from "./import.mjs";
import objects from "./objects.mjs";
import { note, print, printJson } from "./output.mjs";
import slots from "./slots.mjs";
import token from "./token.mjs";

const SECTIONS = [
  ["Slots and tokens", [...slots, ...token]],
  ["Objects", [...objects, ...generate, ...importing, ...exporting]],
  ["Cryptography", crypto],
  ["Backup, replicas and token groups", [...backup, ...group]],
];
const COMMANDS = SECTIONS.flatMap(([, list]) => list);
// Commands that take positional arguments.
const POSITIONAL = new Set(["import", "restore", "backup-info", "group"]);

function find(name) {
  const n = name.replace(/^--/, ""); // softhsm2-util style: --show-slots, --init-token
  return COMMANDS.find((c) => c.name === n || c.aliases.includes(n));
}

function version() {
  return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
}

function mainHelp() {
  const lines = [
    "pkcs11-wasm: manage pkcs11-wasm software tokens from the shell",
    "",
    "Usage: pkcs11-wasm COMMAND [options]        (pkcs11-wasm COMMAND --help: details and an example)",
  ];
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  for (const [title, list] of SECTIONS) {
    lines.push("", `${title}:`);
    for (const c of list) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`);
  }
  lines.push(
    "",
    "Where tokens are: --directory DIR (one token directory), --config FILE, or the file",
    "named by PKCS11_WASM_CONF (the library's configuration: slots, kdfIterations...).",
    "Slots are named with --slot ID|LABEL|SERIAL (or --token LABEL, --serial S).",
    "",
    "PINs never go on the command line: PKCS11_WASM_PIN, PKCS11_WASM_SO_PIN (and",
    "PKCS11_WASM_NEW_PIN, PKCS11_WASM_NEW_SO_PIN when changing one), --pin-fd N and",
    "friends, or a prompt without echo on the terminal.",
    "",
    "--json prints results (and errors) as JSON. Exit status: 0 success, 1 failure, 2 usage error.",
    "",
    "Example:",
    "  export PKCS11_WASM_SO_PIN=... PKCS11_WASM_PIN=...",
    "  pkcs11-wasm init --directory ./token --label demo",
    "  pkcs11-wasm generate --directory ./token --key-type aes:256 --label data-key",
    "  pkcs11-wasm encrypt --directory ./token --label data-key -i notes.txt -o notes.enc",
  );
  return lines.join("\n");
}

function fail(e, json) {
  const d = describe(e);
  const debug = process.env.PKCS11_WASM_DEBUG;
  note(`pkcs11-wasm: ${d.message}${d.unexpected && !debug ? " (unexpected: PKCS11_WASM_DEBUG=1 shows where)" : ""}`);
  if (debug) note(String(e?.stack ?? e));
  if (json) printJson({ error: { code: d.code ?? null, rv: d.rv ?? null, function: d.method ?? null, message: d.message } });
  return e?.exitCode ?? (d.usage ? 2 : 1);
}

/** Runs the command line `argv`; resolves to the exit status. */
export async function main(argv) {
  const json = argv.includes("--json");
  let tokens;
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
      print(mainHelp());
      return 0;
    }
    if (name === "--version" || name === "-V" || name === "version") {
      print(version());
      return 0;
    }
    const cmd = find(name === "help" ? rest[0] : name);
    if (!cmd) throw new UsageError(`unknown command ${JSON.stringify(name === "help" ? rest[0] : name)}`, { hint: "`pkcs11-wasm --help` lists the commands" });
    if (name === "help") {
      print(commandHelp(cmd));
      return 0;
    }
    const { opts, positionals } = parseArgs(rest, { ...cmd.options, ...GLOBAL_OPTIONS }, cmd.name);
    if (opts.help) {
      print(commandHelp(cmd));
      return 0;
    }
    if (positionals.length > 0 && !POSITIONAL.has(cmd.name)) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} for \`${cmd.name}\``);
    tokens = await openTokens(opts, { allowNoStorage: cmd.noStorage || cmd.name === "digest", mayCreate: cmd.name === "init" });
    await cmd.run(tokens, positionals);
    tokens.close();
    return 0;
  } catch (e) {
    try {
      tokens?.close();
    } catch {}
    return fail(e, json);
  }
}
