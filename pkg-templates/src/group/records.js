// What resync needs to know about a stored record without any key: its
// kind, version, token id (token record) or failure counts (counters), and
// the rule that picks one record out of several copies of a key. Layouts:
// src/store/format.rs (version 2) and format_v1.rs; integers big-endian.
//   header      "P11W" [4], format u8, kind u8
//   token (1)   token id [16], label [32], serial [16], version u64, ...
//   counters(2) SO failures u32, user failures u32, SHA-256 [32]
//   object (3, 4, 5) uid length u8, uid, version u64, ...
// Format 1 records carry no version: they count as version 0, older than
// any format 2 record.

export const KIND_TOKEN = 1;
export const KIND_COUNTERS = 2;
const HEADER = 6;
const TOKEN_ID = 16;
const TOKEN_VERSION_AT = HEADER + 16 + 32 + 16;

function isRecord(b) {
  return b instanceof Uint8Array && b.length >= HEADER && b[0] === 0x50 && b[1] === 0x31 && b[2] === 0x31 && b[3] === 0x57;
}

function u64(b, at) {
  if (b.length < at + 8) return 0;
  const dv = new DataView(b.buffer, b.byteOffset + at, 8);
  return dv.getUint32(0) * 4294967296 + dv.getUint32(4);
}

/** A record's version (0: format 1, or not a record we can read). */
export function recordVersion(b) {
  if (!isRecord(b) || b[4] < 2) return 0;
  if (b[5] === KIND_TOKEN) return u64(b, TOKEN_VERSION_AT);
  if (b[5] === KIND_COUNTERS) return 0;
  return u64(b, HEADER + 1 + b[HEADER]);
}

/** The token id (hex) a token record names, or undefined. */
export function tokenIdOf(meta) {
  if (!isRecord(meta) || meta[5] !== KIND_TOKEN || meta.length < HEADER + TOKEN_ID) return undefined;
  return Array.from(meta.subarray(HEADER, HEADER + TOKEN_ID), (x) => x.toString(16).padStart(2, "0")).join("");
}

/** [SO failures, user failures] of a counters record ([0, 0] if unreadable). */
export function counterValues(b) {
  if (!isRecord(b) || b[5] !== KIND_COUNTERS || b.length < HEADER + 8) return [0, 0];
  const dv = new DataView(b.buffer, b.byteOffset + HEADER, 8);
  return [dv.getUint32(0), dv.getUint32(4)];
}

function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function sameBytes(a, b) {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The conflict rule: of two copies of one record the higher version wins;
 * equal versions: the larger bytes (compared as unsigned bytes, then by
 * length), so every replica picks the same one. A tombstone is a record
 * like any other: a destruction wins over older copies of the object and
 * loses to a newer one. A missing copy loses here (C_InitToken and
 * deleteToken, which remove records, are handled apart); mergeRecords
 * then drops what aged-out tombstones may no longer show.
 */
export function winner(a, b) {
  if (!a) return b;
  if (!b) return a;
  const va = recordVersion(a);
  const vb = recordVersion(b);
  if (va !== vb) return va > vb ? a : b;
  return compareBytes(a, b) >= 0 ? a : b;
}

/** The default of `tombstoneWrites` (src/module/mod.rs). */
export const DEFAULT_TOMBSTONE_WRITES = 10000;

/** A copy's clock: the highest record version it holds. */
function clockOf(set) {
  let c = 0;
  for (const v of set.values()) c = Math.max(c, recordVersion(v));
  return c;
}

/**
 * Merges copies of a token: `sets` are Maps key -> bytes. Returns the
 * winner of every key. `counters(list)` picks the counters record from
 * the copies present (the caller's rule: the live group's, or per-role
 * maximum).
 *
 * Tombstones are deleted once `keep` (tombstoneWrites) later writes were
 * made (src/module/tombstones.rs), so a copy that lacks a key may have
 * destroyed that object and pruned its tombstone since. An object record
 * that some copy lacks although that copy's clock is more than `keep`
 * writes past the record is therefore dropped everywhere rather than
 * brought back: a member that was away for more than `keep` writes keeps
 * none of the objects the others no longer have.
 */
export function mergeRecords(sets, counters, keep = DEFAULT_TOMBSTONE_WRITES) {
  const out = new Map();
  const counterCopies = [];
  for (const set of sets) {
    for (const [key, value] of set) {
      if (key === "counters") counterCopies.push(value);
      else out.set(key, winner(out.get(key), value));
    }
  }
  if (counterCopies.length > 0) out.set("counters", counters(counterCopies));
  const clocks = sets.map(clockOf);
  for (const [key, value] of out) {
    if (key === "meta" || key === "counters") continue;
    const v = recordVersion(value);
    // (version 0: format 1, written before tombstones were ever pruned)
    if (v > 0 && sets.some((set, k) => !set.has(key) && v + keep < clocks[k])) out.delete(key);
  }
  return out;
}

/**
 * The operations that make `target` hold `wanted`: a put for each key
 * where they differ, a delete for each object record `wanted` dropped
 * (see mergeRecords).
 */
export function differences(wanted, target) {
  const ops = [];
  for (const [key, value] of wanted) if (!sameBytes(value, target.get(key))) ops.push({ op: "put", key, value });
  for (const key of target.keys()) {
    if (!wanted.has(key) && key !== "meta" && key !== "counters") ops.push({ op: "delete", key });
  }
  return ops;
}

/** [{key, value}] -> Map. */
export function recordMap(list) {
  const map = new Map();
  for (const r of list ?? []) if (r.value) map.set(r.key, r.value);
  return map;
}
