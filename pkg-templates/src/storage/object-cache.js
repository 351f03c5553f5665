// The token directory's object cache: <dir>/objects.cache holds a copy of
// every record of objects/ in one file, so that opening a token of many
// objects reads one file instead of one per object (a login on a token of
// 1,000 objects spent ~20 ms in open/fstat/read/close).
//
// It is only ever a copy. It is used when the directory is provably as it
// was when the copy was made: same generation file (every writer appends
// to it after a batch), same objects/ directory (inode and mtime: every
// record write is a rename into it, every deletion an unlink), the same
// file names in it, and the copy's own checksum matches. Anything else, and
// the files are read one by one as before (and a new copy is made). The
// records in it are the stored records unchanged, each checked by the core
// as a record read from its own file is (MAC or AES-GCM tag at login), so a
// forged cache can do no more than forged files could. Its checksum
// (XXH32, computed in the core: src/store/checksum.rs) is there for
// accidents (a torn or damaged copy), not for forgery: a damaged copy must
// not make good records look tampered with. Version 0.1 of the layout had
// a CRC-32 from node:zlib, whose loading cost 2-4 ms of a first login; a
// copy of that version is simply not used, and replaced.
//
// A writer deletes the copy before its first write (flushSync), so a
// destroyed object's record does not live on in it.
//
// Layout: "P11WOC" 0 2 | u32 LE n | n bytes of JSON {generation, objects,
// entries: [[name, file identity, length], ...]} | the records, in entry
// order | u32 LE XXH32 (seed 0) of all that precedes.
import { platform } from "../platform.js";

const MAGIC = [0x50, 0x31, 0x31, 0x57, 0x4f, 0x43, 0, 2]; // "P11WOC", version 0.2
const CHECK = 4;
// A token too large for one such file is read file by file.
export const MAX_CACHE = 64 * 1024 * 1024;

/** The cache's bytes for `records` ([{name, id, value}]) read while the directory was `state`. */
export function encodeCache(state, records) {
  const header = new TextEncoder().encode(
    JSON.stringify({
      generation: state.generation,
      objects: state.objects,
      entries: records.map((r) => [r.name, r.id, r.value.length]),
    }),
  );
  const size = MAGIC.length + 4 + header.length + records.reduce((n, r) => n + r.value.length, 0);
  if (size + CHECK > MAX_CACHE) return undefined;
  const out = new Uint8Array(size + CHECK);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  let at = MAGIC.length + 4 + header.length;
  for (const r of records) {
    out.set(r.value, at);
    at += r.value.length;
  }
  const sum = platform.checksum?.(out.subarray(0, size));
  if (sum === undefined) return undefined;
  new DataView(out.buffer).setUint32(size, sum, true);
  return out;
}

/**
 * The records of a cache file's `bytes` if it was made in directory state
 * `state` and lists exactly `names` (the record file names of objects/
 * now): {names, ids, lengths, body}, the values back to back in `body` (a
 * view of `bytes`, entry order); else undefined.
 */
export function decodeCache(bytes, state, names) {
  if (bytes.length < MAGIC.length + 4 + CHECK || MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
  const body = bytes.subarray(0, bytes.length - CHECK);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sum = platform.checksum?.(body);
  if (sum === undefined || sum !== view.getUint32(body.length, true)) return undefined;
  const headerLength = view.getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4 + headerLength;
  if (start > body.length) return undefined;
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(body.subarray(MAGIC.length + 4, start)));
  } catch {
    return undefined;
  }
  if (header?.generation !== state.generation || header.objects !== state.objects) return undefined;
  const entries = header.entries;
  if (!Array.isArray(entries) || entries.length !== names.length) return undefined;
  const wanted = new Set(names);
  const out = { names: [], ids: [], lengths: new Int32Array(entries.length), body: undefined };
  let at = start;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!Array.isArray(entry) || entry.length !== 3) return undefined;
    const [name, id, length] = entry;
    if (!wanted.delete(name) || typeof id !== "string" || !Number.isSafeInteger(length) || length < 0) return undefined;
    if (length > body.length - at) return undefined;
    out.names.push(name);
    out.ids.push(id);
    out.lengths[i] = length;
    at += length;
  }
  if (at !== body.length) return undefined;
  out.body = body.subarray(start);
  return out;
}
