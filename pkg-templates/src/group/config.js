// Configuration of token groups: one entry of `slots` holding
//   { group: { members: [ { storage: {...}, thread?: true }, ... ],
//              balance?: "least-busy" | "round-robin",
//              probeInterval?: ms, callTimeout?: ms, showMembers?: false },
//     kdfIterations?, minPinLen?, maxPinLen?, maxPinTries?, tombstoneWrites? }
// The per-slot keys apply to every member (the core checks them on the
// group's placeholder slot). storage/config.js hands such entries here.
import { platform } from "../platform.js";

const GROUP_KEYS = ["members", "balance", "probeInterval", "callTimeout", "showMembers"];
const MEMBER_KEYS = ["storage", "thread"];
export const BALANCES = ["least-busy", "round-robin"];
export const DEFAULT_PROBE_INTERVAL = 5000;
export const DEFAULT_CALL_TIMEOUT = 30000;

let anonymous = 0;

function invalid(where, why) {
  return new TypeError(`pkcs11-wasm: invalid configuration: ${where} ${why}`);
}

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function unknownKeys(obj, allowed, where) {
  const bad = Object.keys(obj).filter((k) => obj[k] !== undefined && !allowed.includes(k));
  if (bad.length > 0) throw invalid(where, `has unknown key${bad.length > 1 ? "s" : ""} ${bad.join(", ")} (allowed: ${allowed.join(", ")})`);
}

function positive(v, where, dflt) {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 1) throw invalid(where, "must be a number of milliseconds >= 1");
  return Math.floor(v);
}

/**
 * A printable, comparable name of a store: two configuration entries
 * naming the same store get the same key (directories by absolute path).
 */
export function storeKey({ kind, name }) {
  if (kind === "directory") return `directory:${platform.path ? platform.path.resolve(name) : name}`;
  if (kind === "memory" && name === undefined) return undefined; // unnamed: nothing is shared
  return `${kind}:${name}`;
}

/** Why thread members cannot run here, or undefined. */
function threadsUnavailable() {
  if (!platform.memberWorker) return "needs worker threads (Node worker_threads or a browser Web Worker), which this build does not have";
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") {
    return "needs SharedArrayBuffer and Atomics (in browsers: a cross-origin isolated page, served with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  if (platform.browser && typeof globalThis.WorkerGlobalScope === "undefined") {
    return "cannot be driven from a page's main thread (it may not block): run the PKCS11 instance in a Web Worker";
  }
  return undefined;
}

/**
 * One `slots[i]` entry with a `group` key -> { core, group }: `core` is the
 * inert placeholder slot the core keeps at this index (with the per-slot
 * keys, which the core validates), `group` the parsed group.
 * `parseStorage(value, i)` is storage/config.js's parser (its messages name
 * `slots[i].storage`: rewritten here to name the member).
 */
export function parseGroupSlot(entry, i, parseStorage) {
  const where = `slots[${i}]`;
  const { group, storage, ...rest } = entry;
  if (storage !== undefined) throw invalid(where, "has both `group` and `storage`: a group has no storage of its own, give each member one");
  if (!isObject(group)) throw invalid(`${where}.group`, "must be an object such as { members: [...] }");
  unknownKeys(group, GROUP_KEYS, `${where}.group`);
  const { members, balance = "least-busy", showMembers = false } = group;
  if (!Array.isArray(members) || members.length === 0) throw invalid(`${where}.group.members`, "must be a non-empty array of { storage, thread? }");
  if (!BALANCES.includes(balance)) throw invalid(`${where}.group.balance`, `must be one of ${BALANCES.map((b) => JSON.stringify(b)).join(", ")}`);
  if (typeof showMembers !== "boolean") throw invalid(`${where}.group.showMembers`, "must be true or false");
  const probeInterval = positive(group.probeInterval, `${where}.group.probeInterval`, DEFAULT_PROBE_INTERVAL);
  const callTimeout = positive(group.callTimeout, `${where}.group.callTimeout`, DEFAULT_CALL_TIMEOUT);
  const seen = new Map();
  const parsed = members.map((m, k) => {
    const at = `${where}.group.members[${k}]`;
    if (!isObject(m)) throw invalid(at, "must be an object such as { storage: { directory: \"/path\" } }");
    unknownKeys(m, MEMBER_KEYS, at);
    if (m.storage === undefined) throw invalid(at, "needs a `storage`");
    const st = memberStorage(parseStorage, m.storage, i, at);
    if (st.kind === "directory" && platform.path) st.name = platform.path.resolve(st.name);
    // An unnamed memory member is a store of its own (it cannot be shared).
    if (st.kind === "memory" && st.name === undefined) st.name = `\u0000group-member-${++anonymous}`;
    const thread = m.thread ?? false;
    if (typeof thread !== "boolean") throw invalid(`${at}.thread`, "must be true or false");
    if (thread) {
      const why = threadsUnavailable();
      if (why) throw invalid(`${at}.thread`, why);
    }
    const key = storeKey(st);
    if (seen.has(key)) throw invalid(at, `names the same store as members[${seen.get(key)}] (${describeStore(st)}): a member may be listed only once`);
    seen.set(key, k);
    return { storage: st, thread, key };
  });
  return {
    core: { ...rest, persistent: false },
    group: { slot: i, members: parsed, balance, probeInterval, callTimeout, showMembers, slotKeys: rest },
  };
}

function memberStorage(parseStorage, value, i, at) {
  try {
    return parseStorage(value, i);
  } catch (e) {
    if (e instanceof TypeError) e.message = e.message.replace(`slots[${i}].storage`, `${at}.storage`);
    throw e;
  }
}

/** Refuses a store used by two groups, or by a group and a plain slot. */
export function checkSharedStores(storages, groups) {
  const owner = new Map();
  const claim = (key, who) => {
    if (key === undefined) return;
    const other = owner.get(key);
    if (other !== undefined && other !== who) {
      throw invalid(who, `uses the store ${key.replace(":", " ")} that ${other} also uses: a store belongs to one slot or one group`);
    }
    owner.set(key, who);
  };
  for (const s of storages) claim(storeKey(s), `slots[${s.slot}]`);
  for (const g of groups) for (const m of g.members) claim(m.key, `slots[${g.slot}] (a group)`);
}

/** "directory /var/lib/x", "IndexedDB pkcs11-a", "memory store m1". */
export function describeStore({ kind, name }) {
  if (kind === "directory") return `directory ${name}`;
  if (kind === "indexedDB") return `IndexedDB ${name}`;
  return name?.startsWith("\u0000") ? "memory (unnamed)" : `memory store ${name}`;
}
