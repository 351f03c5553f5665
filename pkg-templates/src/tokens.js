// Token backup, restore and replicas (the library side of the command
// line's `backup`, `restore` and `clone`). A backup is the token's stored
// records copied verbatim: sealed as they are stored (private objects stay
// ciphertext under the token's master key), never decrypted, whatever
// their format. Restoring writes them, as one transaction, into a new,
// empty storage; the library then loads them like any token and checks
// their integrity itself. A clone is the same copy made directly, so the
// new token is a replica of the old one (same token identity, label,
// serial, PINs and master key), as members of a token group are.
//
// Backup layout (integers big-endian):
//   "P11WBKUP"            magic (8 bytes)
//   u16                   format version (1)
//   u32 n, n bytes        header, JSON (UTF-8): label, serial, model,
//                         manufacturer, created, records; for display only
//   u32                   record count, then per record:
//                         u16 key length, key (UTF-8), u32 value length, value
//   32 bytes              SHA-256 of everything before it
// The checksum only catches truncation and corruption; nothing here is
// authenticated: the records carry their own integrity protection.
import { splitStorage } from "./storage/config.js";
import { newBackend } from "./storage/backends.js";
import { platform } from "./platform.js";

const MAGIC = "P11WBKUP";
const VERSION = 1;
const DIGEST_LEN = 32;
const MAX_KEY_LEN = 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

async function sha256(bytes) {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes));
}

function backupError(why) {
  return new Error(`pkcs11-wasm: not a usable token backup: ${why}`);
}

/** Serializes a header and records into the backup layout above. */
async function encodeBackup(header, records) {
  const head = encoder.encode(JSON.stringify(header));
  const keys = records.map((r) => encoder.encode(r.key));
  let size = 8 + 2 + 4 + head.length + 4 + DIGEST_LEN;
  records.forEach((r, i) => (size += 2 + keys[i].length + 4 + r.value.length));
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let at = 0;
  out.set(encoder.encode(MAGIC), at);
  dv.setUint16((at += 8), VERSION);
  dv.setUint32((at += 2), head.length);
  out.set(head, (at += 4));
  dv.setUint32((at += head.length), records.length);
  at += 4;
  records.forEach((r, i) => {
    dv.setUint16(at, keys[i].length);
    out.set(keys[i], (at += 2));
    dv.setUint32((at += keys[i].length), r.value.length);
    out.set(r.value, (at += 4));
    at += r.value.length;
  });
  out.set(await sha256(out.subarray(0, at)), at);
  return out;
}

/**
 * Parses and checks a backup: { version, header, records: [{key, value}] }.
 * Throws an Error saying what is wrong (not a backup, newer version,
 * truncated, checksum mismatch).
 */
export async function readBackup(bytes) {
  if (!(bytes instanceof Uint8Array)) {
    if (!ArrayBuffer.isView(bytes)) throw new TypeError("pkcs11-wasm: a backup is a Uint8Array or Buffer");
    bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) throw backupError("it does not start with P11WBKUP");
  if (bytes.length < 14 + 4 + DIGEST_LEN) throw backupError("it is truncated");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint16(8);
  if (version > VERSION) throw backupError(`its format version ${version} is newer than this library reads (${VERSION})`);
  const body = bytes.length - DIGEST_LEN;
  const digest = await sha256(bytes.subarray(0, body));
  if (!digest.every((b, i) => b === bytes[body + i])) throw backupError("its checksum does not match (truncated or damaged)");
  let at = 10;
  const need = (n) => {
    if (at + n > body) throw backupError("a length runs past its end");
  };
  need(4);
  const headLen = dv.getUint32(at);
  need(4 + headLen);
  let header;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(at + 4, at + 4 + headLen)));
  } catch {
    throw backupError("its header is not JSON");
  }
  at += 4 + headLen;
  need(4);
  const count = dv.getUint32(at);
  at += 4;
  const records = [];
  for (let i = 0; i < count; i++) {
    need(2);
    const keyLen = dv.getUint16(at);
    if (keyLen === 0 || keyLen > MAX_KEY_LEN) throw backupError(`record ${i} has a bad key length`);
    need(2 + keyLen + 4);
    const key = decoder.decode(bytes.subarray(at + 2, at + 2 + keyLen));
    at += 2 + keyLen;
    const valueLen = dv.getUint32(at);
    need(4 + valueLen);
    records.push({ key, value: bytes.slice(at + 4, at + 4 + valueLen) });
    at += 4 + valueLen;
  }
  if (at !== body) throw backupError("it has bytes after its last record");
  if (records.length === 0) throw backupError("it holds no records");
  return { version, header, records };
}

/** The backend a storage configuration value names (as in `slots[i].storage`). */
function backendFor(storage, method) {
  let parsed;
  try {
    parsed = splitStorage({ slots: [{ storage }] }).storages[0];
  } catch (e) {
    throw new TypeError(`pkcs11-wasm: ${method}: ${e.message.replace(/^pkcs11-wasm: invalid configuration: slots\[0\]\./, "")}`);
  }
  if (!parsed) throw new TypeError(`pkcs11-wasm: ${method}: storage "memory" keeps nothing: name a directory, IndexedDB database or named memory store`);
  return { ...parsed, backend: newBackend(parsed.kind, parsed.name) };
}

/** Throws unless the target storage holds nothing (a directory: no file at all). */
async function assertEmpty({ kind, name, backend }, method) {
  const fs = platform.fs;
  if (kind === "directory" && fs.existsSync(name)) {
    const entries = fs.statSync(name).isDirectory() ? fs.readdirSync(name) : [null];
    if (entries.length > 0) throw new Error(`pkcs11-wasm: ${method}: ${name} is not empty (restore and clone write only into a new or empty directory)`);
  }
  if ((await backend.records()).length > 0) throw new Error(`pkcs11-wasm: ${method}: the target storage already holds a token`);
}

/**
 * The backup of the token in `slot` (Uint8Array, layout above): what is
 * queued is written first, then the stored records are copied as they are.
 */
export async function exportToken(p11, slot) {
  await p11.flush();
  const info = p11.C_GetTokenInfo(slot);
  const records = await p11.storageRecords(slot);
  if (records.length === 0) {
    throw new Error("pkcs11-wasm: exportToken: this slot has nothing stored (an uninitialized token, or storage \"memory\")");
  }
  const header = {
    label: info.label.trimEnd(),
    serial: info.serialNumber.trimEnd(),
    model: info.model.trimEnd(),
    manufacturer: info.manufacturerID.trimEnd(),
    created: new Date().toISOString(),
    records: records.length,
  };
  return encodeBackup(header, records);
}

/**
 * Writes a backup's records into `storage` (a `slots[i].storage` value),
 * which must be empty, as one transaction. Returns the backup's header.
 */
export async function importToken(storage, backup, method = "importToken") {
  const { header, records } = await readBackup(backup);
  const target = backendFor(storage, method);
  await assertEmpty(target, method);
  target.backend.enqueue(records.map(({ key, value }) => ({ op: "put", key, value })));
  await target.backend.flush();
  return { ...header, records: records.length };
}

/** Copies the token in `slot` into the empty `storage`: a replica. */
export async function cloneToken(p11, slot, storage) {
  return importToken(storage, await exportToken(p11, slot), "cloneToken");
}
