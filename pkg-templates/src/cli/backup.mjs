// `backup`, `restore`, `clone`: the library's exportToken / importToken /
// cloneToken (src/tokens.js). A backup is the token's stored records,
// sealed as stored and never decrypted; restore and clone write them into
// a new, empty storage. Afterwards the copy is loaded by a fresh instance
// of the library, which checks every record as it loads any token.
import { existsSync, writeFileSync } from "node:fs";
import { SLOT_OPTIONS } from "./args.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { readInput } from "./input.mjs";
import { print, printJson } from "./output.mjs";

const BACKUP_MAX = 1024 * 1024 * 1024;

const TARGET_OPTIONS = {
  "to-directory": { value: "DIR", help: "a new (or empty) token directory" },
  "to-slot": { value: "ID", help: "a configured slot whose storage is empty" },
};

/** The storage to write into: --to-directory, or the storage of a configured --to-slot. */
function target(t) {
  const { opts } = t;
  if ((opts.toDirectory === undefined) === (opts.toSlot === undefined)) throw new UsageError("name the target with --to-directory DIR or --to-slot ID");
  if (opts.toDirectory !== undefined) return { storage: { directory: opts.toDirectory }, text: `directory ${opts.toDirectory}` };
  const entry = /^\d+$/.test(opts.toSlot) ? t.config?.slots?.[Number(opts.toSlot)] : undefined;
  if (!entry) throw new UsageError(`--to-slot ${opts.toSlot}: no such configured slot`, { hint: "`pkcs11-wasm slots` lists them" });
  if (entry.storage === undefined || entry.storage === "memory") throw new UsageError(`slot ${opts.toSlot} keeps nothing (storage "memory")`);
  return { storage: entry.storage, text: `slot ${opts.toSlot}` };
}

/** Loads the copy in a fresh library instance: its token info, or what failed. */
function loadCopy(t, storage) {
  const events = [];
  const { slots, ...settings } = t.config ?? {};
  const q = new t.lib.PKCS11({ ...settings, slots: [{ storage }] });
  q.onstorageevent = (ev) => events.push(ev);
  try {
    q.C_Initialize();
    const [slot] = q.C_GetSlotList(false);
    const info = q.C_GetTokenInfo(slot);
    q.C_Finalize();
    if (events.length > 0) throw new CliError(`the copy was written but does not load cleanly: ${events.map((e) => e.message).join("; ")}`);
    return info;
  } finally {
    q.close();
  }
}

function report(t, verb, header, where, info) {
  const result = { label: info.label.trimEnd(), serial: info.serialNumber.trimEnd(), records: header.records, target: where };
  if (t.opts.json) return printJson({ [verb]: true, ...result });
  const past = verb === "restored" ? "Restored" : "Cloned";
  print(`${past} token "${result.label}" (serial ${result.serial}, ${result.records} records) into ${where}; it loads and checks out.`);
}

async function backup(t) {
  const { opts, p } = t;
  if (!opts.output) throw new UsageError("backup needs -o FILE");
  if (existsSync(opts.output) && !opts.force) throw new CliError(`${opts.output} exists`, { hint: "add --force to overwrite it" });
  const slot = t.slot("token");
  const bytes = await t.progress.step("reading the token's records", () => p.exportToken(slot.handle));
  const header = await p.inspectBackup(bytes);
  try {
    writeFileSync(opts.output, bytes, { mode: 0o600 });
  } catch (e) {
    throw new CliError(`cannot write ${opts.output}: ${e.code ?? e.message}`);
  }
  const result = { label: header.label, serial: header.serial, records: header.records, bytes: bytes.length, file: opts.output };
  if (opts.json) return printJson({ backup: true, ...result });
  print(`Backed up token "${result.label}" (serial ${result.serial}): ${result.records} records, ${result.bytes} bytes, sealed as stored, to ${result.file}.`);
}

async function restore(t, positionals) {
  const { p } = t;
  if (positionals.length !== 1) throw new UsageError("restore needs one backup FILE");
  const { storage, text } = target(t);
  const bytes = readInput(positionals[0], { max: BACKUP_MAX, what: "a token backup" });
  const header = await t.progress.step("checking and writing the records", () => p.importToken(storage, bytes));
  report(t, "restored", header, text, await t.progress.step("loading the restored token", () => loadCopy(t, storage)));
}

async function clone(t) {
  const { p } = t;
  const { storage, text } = target(t);
  const slot = t.slot("token");
  const header = await t.progress.step("copying the records", () => p.cloneToken(slot.handle, storage));
  report(t, "cloned", header, text, await t.progress.step("loading the replica", () => loadCopy(t, storage)));
}

async function backupInfo(t, positionals) {
  if (positionals.length !== 1) throw new UsageError("backup-info needs one backup FILE");
  const info = await t.p.inspectBackup(readInput(positionals[0], { max: BACKUP_MAX, what: "a token backup" }));
  if (t.opts.json) return printJson(info);
  print(`Backup of token "${info.label}" (serial ${info.serial}, ${info.model}), ${info.records} records, made ${info.created}, format ${info.version}.`);
}

export default [
  {
    name: "backup",
    aliases: ["backup-token"],
    summary: "back up a token: its stored records, sealed, never decrypted",
    usage: "pkcs11-wasm backup [--slot S] -o FILE",
    description: [
      "Needs no PIN: private objects stay encrypted under the token's master key, which only",
      "the PINs unwrap. The file is as secret as the token directory itself (mode 0600).",
    ],
    options: { ...SLOT_OPTIONS, output: { short: "o", value: "FILE", help: "the backup file" }, force: { help: "overwrite FILE" } },
    examples: ["pkcs11-wasm backup --directory ./token -o token.p11wbak"],
    run: backup,
  },
  {
    name: "restore",
    aliases: ["restore-token"],
    summary: "restore a backup into a new, empty storage",
    usage: "pkcs11-wasm restore FILE (--to-directory DIR | --to-slot ID)",
    description: ["The restored token has the same label, serial, PINs and objects as when it was backed up."],
    options: { ...TARGET_OPTIONS },
    examples: ["pkcs11-wasm restore token.p11wbak --to-directory ./token-restored"],
    run: restore,
    noStorage: true,
  },
  {
    name: "clone",
    aliases: ["clone-token"],
    summary: "copy a token into a new, empty storage: a replica for a token group",
    usage: "pkcs11-wasm clone [--slot S] (--to-directory DIR | --to-slot ID)",
    description: [
      "The replica has the same token identity, label, serial, PINs, master key and objects.",
      "From then on the two are separate tokens until a token group keeps them in step.",
    ],
    options: { ...SLOT_OPTIONS, ...TARGET_OPTIONS },
    examples: ["pkcs11-wasm clone --directory ./token-a --to-directory ./token-b"],
    run: clone,
  },
  {
    name: "backup-info",
    aliases: [],
    summary: "show what a backup file holds (checks its checksum; writes nothing)",
    usage: "pkcs11-wasm backup-info FILE",
    options: {},
    examples: ["pkcs11-wasm backup-info token.p11wbak"],
    run: backupInfo,
    noStorage: true,
  },
];
