// Token lifecycle: `init` (softhsm2-util --init-token), `set-pin`
// (pkcs11-tool --change-pin), `unlock-pin` (pkcs11-tool --init-pin as SO),
// `delete-token` (softhsm2-util --delete-token).
import { openSync, readSync, writeSync } from "node:fs";
import { SLOT_OPTIONS } from "./args.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { print, printJson } from "./output.mjs";
import { getPin } from "./pins.mjs";

const SO_PIN_FD = { "so-pin-fd": { value: "N", help: "read the SO PIN from file descriptor N (else $PKCS11_WASM_SO_PIN, else a prompt)" } };
const PIN_FD = { "pin-fd": { value: "N", help: "read the user PIN from file descriptor N (else $PKCS11_WASM_PIN, else a prompt)" } };
const NEW_PIN_FD = { "new-pin-fd": { value: "N", help: "read the new user PIN from fd N (else $PKCS11_WASM_NEW_PIN, else a prompt)" } };
const NEW_SO_PIN_FD = { "new-so-pin-fd": { value: "N", help: "read the new SO PIN from fd N (else $PKCS11_WASM_NEW_SO_PIN, else a prompt)" } };

const named = (slot) => `"${slot.token.label.trimEnd()}" (slot ${slot.id}, serial ${slot.token.serialNumber.trimEnd()})`;

async function init(t) {
  const { opts, p, lib: C } = t;
  if (typeof opts.label !== "string" || opts.label === "") throw new UsageError("init needs --label NAME");
  if (Buffer.byteLength(opts.label) > 32) throw new UsageError("a token label is at most 32 bytes");
  const chosen = opts.slot !== undefined || opts.token !== undefined || opts.serial !== undefined;
  let slot;
  if (!chosen && opts.force) {
    const all = t.slots();
    if (all.length !== 1) throw new UsageError("--force needs --slot to name the token to re-initialize");
    slot = all[0];
  } else slot = t.slot(chosen ? "any" : "free");
  if (slot.storage.kind === "memory" && !slot.storage.name) {
    throw new UsageError(`slot ${slot.id} keeps nothing (storage "memory")`, { hint: "use --directory DIR or a configured slot with storage" });
  }
  if (slot.token && !opts.force) {
    throw new CliError(`slot ${slot.id} already holds the token ${named(slot)}`, {
      hint: "re-initializing deletes all its objects: add --force (its SO PIN is needed)",
    });
  }
  const soPin = await getPin(opts, "so", { confirm: !slot.token });
  const userPin = await getPin(opts, "user", { confirm: true });
  await t.progress.step("initializing the token (deriving the SO PIN key)", () => p.C_InitToken(slot.handle, soPin, opts.label));
  const session = t.session(slot, { rw: true });
  await t.login(slot, session, "so", soPin);
  await t.progress.step("setting the user PIN (deriving its key)", () => p.C_InitPIN(session, userPin));
  p.C_Logout(session);
  p.C_CloseSession(session);
  const info = p.C_GetTokenInfo(slot.handle);
  const result = { slot: slot.id, label: info.label.trimEnd(), serial: info.serialNumber.trimEnd() };
  if (opts.json) return printJson(result);
  print(`Token "${result.label}" initialized in slot ${result.slot} (serial ${result.serial}); user PIN set.`);
}

async function setPin(t) {
  const { opts, p } = t;
  const who = opts.so ? "so" : "user";
  const { slot, session } = await t.open({ rw: true });
  const oldPin = await getPin(opts, who);
  const newPin = await getPin(opts, who === "so" ? "newSo" : "newUser", { confirm: true });
  await t.login(slot, session, who, oldPin);
  await t.progress.step("changing the PIN (deriving the new PIN key)", () => p.C_SetPIN(session, oldPin, newPin));
  p.C_Logout(session);
  const result = { slot: slot.id, changed: who === "so" ? "so-pin" : "user-pin" };
  if (opts.json) return printJson(result);
  print(`${who === "so" ? "SO" : "User"} PIN of ${named(slot)} changed.`);
}

async function unlockPin(t) {
  const { opts, p, lib: C } = t;
  const { slot, session } = await t.open({ rw: true });
  const wasLocked = (slot.token.flags & C.CKF_USER_PIN_LOCKED) !== 0;
  const soPin = await getPin(opts, "so");
  const newPin = await getPin(opts, "newUser", { confirm: true });
  await t.login(slot, session, "so", soPin);
  await t.progress.step("setting the user PIN (deriving its key)", () => p.C_InitPIN(session, newPin));
  p.C_Logout(session);
  const result = { slot: slot.id, wasLocked };
  if (opts.json) return printJson(result);
  print(`New user PIN set on ${named(slot)}${wasLocked ? " (it was locked: now unlocked)" : ""}.`);
}

/** Asks on the terminal for the label, as a confirmation. */
function confirmOnTerminal(label) {
  let fd;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch {
    return false;
  }
  writeSync(fd, `Type the token label (${label}) to delete it and all its objects: `);
  const buf = Buffer.alloc(256);
  const n = readSync(fd, buf, 0, buf.length, null);
  return buf.subarray(0, n).toString("utf8").trim() === label;
}

async function deleteToken(t) {
  const { opts, p } = t;
  const slot = t.slot("token");
  const label = slot.token.label.trimEnd();
  if (!opts.yes) {
    if (!process.stdin.isTTY) throw new UsageError(`delete-token deletes ${named(slot)} and all its objects for good: add --yes`);
    if (!confirmOnTerminal(label)) throw new CliError("not deleted: the label typed did not match");
  }
  await p.deleteToken(slot.handle);
  const result = { slot: slot.id, deleted: label, serial: slot.token.serialNumber.trimEnd() };
  if (opts.json) return printJson(result);
  print(`Token ${named(slot)} deleted, with its storage.`);
}

export default [
  {
    name: "init",
    aliases: ["init-token"],
    summary: "initialize a token (in the first free slot, or --slot) and set its SO and user PINs",
    usage: "pkcs11-wasm init --label NAME [--slot S] [--force]",
    description: [
      "PINs: the SO PIN from $PKCS11_WASM_SO_PIN or --so-pin-fd, the user PIN from",
      "$PKCS11_WASM_PIN or --pin-fd; otherwise both are asked (twice) on the terminal.",
      "Each PIN costs a PBKDF2 key derivation (kdfIterations, 600,000 by default).",
    ],
    options: {
      label: { value: "NAME", help: "the token label (at most 32 bytes)" },
      ...SLOT_OPTIONS,
      force: { help: "re-initialize a token that exists (deletes all its objects)" },
      ...SO_PIN_FD,
      ...PIN_FD,
    },
    examples: ["PKCS11_WASM_SO_PIN=... PKCS11_WASM_PIN=... pkcs11-wasm init --directory ./token --label 'my token'"],
    run: init,
  },
  {
    name: "set-pin",
    aliases: ["change-pin"],
    summary: "change the user PIN, or with --so the SO PIN",
    usage: "pkcs11-wasm set-pin [--so] [--slot S]",
    description: ["The current PIN comes from $PKCS11_WASM_PIN (SO: $PKCS11_WASM_SO_PIN), the new one", "from $PKCS11_WASM_NEW_PIN ($PKCS11_WASM_NEW_SO_PIN), their --*-fd options, or the prompt."],
    options: { so: { help: "change the SO PIN" }, ...SLOT_OPTIONS, ...PIN_FD, ...SO_PIN_FD, ...NEW_PIN_FD, ...NEW_SO_PIN_FD },
    examples: ["pkcs11-wasm set-pin --directory ./token          # asks for the current and new PIN"],
    run: setPin,
  },
  {
    name: "unlock-pin",
    aliases: ["init-pin", "reset-pin"],
    summary: "set a new user PIN as the SO (unlocks a locked user PIN)",
    usage: "pkcs11-wasm unlock-pin [--slot S]",
    description: ["The SO PIN comes from $PKCS11_WASM_SO_PIN or --so-pin-fd, the new user PIN from", "$PKCS11_WASM_NEW_PIN or --new-pin-fd, or the prompt."],
    options: { ...SLOT_OPTIONS, ...SO_PIN_FD, ...NEW_PIN_FD },
    examples: ["PKCS11_WASM_SO_PIN=... PKCS11_WASM_NEW_PIN=... pkcs11-wasm unlock-pin --slot 'my token'"],
    run: unlockPin,
  },
  {
    name: "delete-token",
    aliases: [],
    summary: "delete a token and its storage (also the way out of a locked SO PIN)",
    usage: "pkcs11-wasm delete-token [--slot S] [--yes]",
    description: ["No PIN is asked: whoever can write the storage can delete it anyway. On a terminal", "you confirm by typing the label; elsewhere --yes is required."],
    options: { ...SLOT_OPTIONS, yes: { help: "do not ask for confirmation" } },
    examples: ["pkcs11-wasm delete-token --slot 'old token' --yes"],
    run: deleteToken,
  },
];
