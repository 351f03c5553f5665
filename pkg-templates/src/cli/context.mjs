// Where tokens are and how to reach them: the configuration (the same as
// the library's: $PKCS11_WASM_CONF, --config FILE, or --directory DIR for
// one token directory), the package's public API (the PKCS11 class, as any
// program uses it), slots named by id, label or serial, sessions and
// logins (with progress: a login derives a key from the PIN).
import { existsSync, readFileSync } from "node:fs";
import { CliError, UsageError } from "./errors.mjs";
import { note } from "./output.mjs";
import { getPin } from "./pins.mjs";
import { Progress } from "./progress.mjs";

function readJson(path, what) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the configuration file ${path} (${what}): ${e.code === "ENOENT" ? "no such file" : e.code ?? e.message}`);
  }
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {}
  throw new UsageError(`the configuration file ${path} (${what}) is not a JSON object`);
}

/** The effective configuration, or undefined when no storage is configured. */
export function resolveConfig(opts) {
  let config = {};
  if (process.env.PKCS11_WASM_CONF) config = readJson(process.env.PKCS11_WASM_CONF, "PKCS11_WASM_CONF");
  if (opts.config) config = { ...config, ...readJson(opts.config, "--config") };
  if (opts.directory) config.slots = [{ storage: { directory: opts.directory } }];
  return config.slots === undefined ? undefined : config;
}

export const NO_STORAGE = new UsageError("no token storage is configured", {
  hint: "pass --directory DIR (one token directory) or --config FILE, or set PKCS11_WASM_CONF to a configuration file",
});

/** A configured slot's storage; a token group is its members' stores. */
export function describeSlot(entry) {
  if (entry?.group) {
    const members = entry.group.members ?? [];
    return { kind: "group", name: null, text: `group of ${members.length}: ${members.map((m) => describeStorage(m.storage).text).join(", ")}` };
  }
  return describeStorage(entry?.storage);
}

/** "directory ./tok", "memory \"name\"", "memory (not kept)", "IndexedDB name". */
export function describeStorage(storage) {
  if (storage === undefined || storage === "memory") return { kind: "memory", name: null, text: "memory (not kept)" };
  const [kind] = Object.keys(storage);
  const name = storage[kind];
  const text = kind === "directory" ? `directory ${name}` : kind === "memory" ? `memory "${name}"` : `${kind} ${name}`;
  return { kind, name, text };
}

const handleNumber = (h) => Buffer.from(h).readUInt32LE(0);

/** An open library with the configured slots; `close()` writes what is queued. */
export class Tokens {
  constructor(lib, opts, config) {
    this.lib = lib;
    this.opts = opts;
    this.config = config;
    this.progress = Progress.from(opts);
    this.warnings = [];
    this.p = new lib.PKCS11(config ?? {});
    this.p.onstorageevent = (ev) => {
      this.warnings.push(ev);
      note(`pkcs11-wasm: warning: slot ${ev.slot}: ${ev.message}`);
    };
    this.p.C_Initialize();
  }

  /** Every slot: { id, handle, storage, token (C_GetTokenInfo or null), error }. */
  slots() {
    const C = this.lib;
    return this.p.C_GetSlotList(false).map((handle) => {
      const id = handleNumber(handle);
      const storage = describeSlot(this.config?.slots?.[id]);
      let token = null;
      let error;
      try {
        const info = this.p.C_GetTokenInfo(handle);
        if (info.flags & C.CKF_TOKEN_INITIALIZED) token = info;
      } catch (e) {
        error = e;
      }
      return { id, handle, storage, token, error };
    });
  }

  /**
   * The slot named by --slot (id, label or serial), --token or --serial.
   * want "token": an initialized token (default: the only one); "free": an
   * uninitialized one (default: the first); "any": any slot (default: the
   * first with a token).
   */
  slot(want = "token") {
    const { slot, token, serial } = this.opts;
    const all = this.slots();
    let found;
    if (slot !== undefined || token !== undefined || serial !== undefined) {
      const matches = all.filter((s) => {
        const label = s.token?.label.trimEnd();
        const sn = s.token?.serialNumber.trimEnd();
        if (slot !== undefined) return (/^\d+$/.test(slot) && s.id === Number(slot)) || label === slot || sn === slot;
        return (token === undefined || label === token) && (serial === undefined || sn === serial);
      });
      const named = slot ?? token ?? serial;
      if (matches.length === 0) throw new CliError(`no slot or token named ${JSON.stringify(named)}`, { hint: "`pkcs11-wasm slots` lists them" });
      if (matches.length > 1) {
        throw new CliError(`${matches.length} tokens match ${JSON.stringify(named)} (slots ${matches.map((s) => s.id).join(", ")})`, {
          hint: "name one by slot id or serial",
        });
      }
      found = matches[0];
    } else if (want === "any") {
      found = all.find((s) => s.token) ?? all[0];
    } else if (want === "free") {
      found = all.find((s) => !s.token && !s.error);
      if (!found) {
        throw new CliError("no free slot: every configured slot holds a token", {
          hint: "add a slot to the configuration, or name one with --slot to re-initialize it",
        });
      }
    } else {
      const tokens = all.filter((s) => s.token);
      if (tokens.length === 0) throw new CliError("no initialized token here", { hint: "create one with `pkcs11-wasm init --label NAME`" });
      if (tokens.length > 1) {
        throw new CliError(`${tokens.length} tokens are configured`, { hint: "name one with --slot ID|LABEL|SERIAL (`pkcs11-wasm slots` lists them)" });
      }
      found = tokens[0];
    }
    if (found.error) throw found.error;
    if (want === "token" && !found.token) {
      throw new CliError(`slot ${found.id} holds no initialized token`, { hint: "initialize it with `pkcs11-wasm init`" });
    }
    return found;
  }

  session(slot, { rw = false } = {}) {
    const C = this.lib;
    return this.p.C_OpenSession(slot.handle, C.CKF_SERIAL_SESSION | (rw ? C.CKF_RW_SESSION : 0));
  }

  /**
   * C_Login as `who` ("user" or "so") with `pin` or the PIN from its source; the
   * PIN key derivation shows as a progress step. A wrong PIN's error says
   * how many tries are left, from the token flags.
   */
  async login(slot, session, who = "user", pin = undefined) {
    const C = this.lib;
    pin ??= await getPin(this.opts, who);
    const userType = who === "so" ? C.CKU_SO : C.CKU_USER;
    try {
      await this.progress.step(`logging in as ${who === "so" ? "SO" : "user"} (deriving the PIN key)`, () => this.p.C_Login(session, userType, pin));
      this.loggedIn = who;
    } catch (e) {
      if (e?.message === "CKR_PIN_INCORRECT" || e?.message === "CKR_PIN_LOCKED") e.hint = this.pinState(slot, who, e.message);
      throw e;
    }
  }

  /** What the token flags say about a PIN after a failed login. */
  pinState(slot, who, code) {
    const C = this.lib;
    const name = who === "so" ? "SO PIN" : "user PIN";
    let flags = 0;
    try {
      flags = this.p.C_GetTokenInfo(slot.handle).flags;
    } catch {}
    const locked = flags & (who === "so" ? C.CKF_SO_PIN_LOCKED : C.CKF_USER_PIN_LOCKED);
    const finalTry = flags & (who === "so" ? C.CKF_SO_PIN_FINAL_TRY : C.CKF_USER_PIN_FINAL_TRY);
    const fix = who === "so" ? "the token can only be deleted now (`pkcs11-wasm delete-token`)" : "the SO can set a new one with `pkcs11-wasm unlock-pin`";
    if (locked && code === "CKR_PIN_INCORRECT") return `the ${name} is wrong, and now locked after too many wrong tries: ${fix}`;
    if (locked) return `the ${name} is locked after too many wrong tries: ${fix}`;
    if (code === "CKR_PIN_LOCKED") return `the ${name} is locked: ${fix}`;
    return `the ${name} is wrong${finalTry ? "; one try is left before it locks" : ""} (check ${who === "so" ? "PKCS11_WASM_SO_PIN" : "PKCS11_WASM_PIN"} or the --${who === "so" ? "so-" : ""}pin-fd input)`;
  }

  /** A session on the chosen token, logged in as the user when `login`. */
  async open({ rw = false, login = false, want = "token" } = {}) {
    const slot = this.slot(want);
    const session = this.session(slot, { rw });
    if (login) await this.login(slot, session, "user");
    return { slot, session };
  }

  /** Writes everything queued (durable when it returns). */
  close() {
    this.p.C_Finalize();
  }
}

/**
 * Opens the library for the configured slots (NO_STORAGE when none).
 * A --directory that does not exist is an error unless `mayCreate` (init):
 * the library would create it, and a mistyped path should not leave one.
 */
export async function openTokens(opts, { allowNoStorage = false, mayCreate = false } = {}) {
  const config = resolveConfig(opts);
  if (!config && !allowNoStorage) throw NO_STORAGE;
  if (opts.directory !== undefined && !mayCreate && !existsSync(opts.directory)) {
    throw new CliError(`${opts.directory}: no such token directory`, { hint: `\`pkcs11-wasm init --directory ${opts.directory}\` creates one` });
  }
  const lib = await import("../index.mjs"); // this package's public entry
  return new Tokens(lib, opts, config);
}
