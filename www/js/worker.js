// The token lives here, off the page's thread: long calls (RSA-4096 key
// generation) never freeze the page. Protocol, one message per request:
//   page -> worker { id, op: "start" | "call" | "batch" | "records" | "members" | "status" | "reset", ... }
//   worker -> page { id, ok: true, value } or { id, ok: false, error }
// and, unasked, { event: "group-status" | "group-event", value } as the
// token group changes. A Cryptoki call is { fn, args }. Handles travel as
// { $h: number } and output buffers as { $out: length }; results come back
// with handles as numbers, and each call reports its CKR_ name, duration
// and (on the group's slot) the members that served it.
import * as pkcs11js from "/pkg/browser.mjs";
import { readRecords } from "./idb-records.js";
import { GroupWatch, GROUP_DBS, groupSlot } from "./worker-group.js";

// Three slots: the first two each an IndexedDB database (the first holds
// the demo token the lessons set up, the second starts free for the lesson
// on several tokens), the third a token group of three members (lesson 11).
// With `slots` configured the module adds no free slot by itself.
const DB_NAMES = ["pkcs11-wasm-playground", "pkcs11-wasm-playground-2"];
// Low on purpose so logins are instant in the demo (the default is 600,000).
const KDF_ITERATIONS = 100000; // the least a stored token accepts
// Group members in their own Web Workers need SharedArrayBuffer: a
// cross-origin isolated page (scripts/serve.mjs sends COOP and COEP).
const THREADS = self.crossOriginIsolated === true;
const GROUPS = typeof pkcs11js.PKCS11.prototype.groupStatus === "function";
const GROUP_SLOT = DB_NAMES.length;
const CONFIG = {
  kdfIterations: KDF_ITERATIONS,
  slots: [...DB_NAMES.map((name) => ({ storage: { indexedDB: name } })), ...(GROUPS ? [groupSlot(THREADS)] : [])],
};
// Calls that never write to storage: no flush after them (a stream of
// signatures would otherwise wait for every member after each one).
const READ_ONLY = /^C_(Get|Find|Sign|Verify|Encrypt|Decrypt|Digest|GenerateRandom)|^groupStatus$/;

let p11;
let persistent = false;
let group = null; // GroupWatch of the group slot

// What each function returns, where a handle must be turned into a number.
const RESULT = {
  C_GetSlotList: "handles",
  C_FindObjects: "handles",
  C_OpenSession: "handle",
  C_CreateObject: "handle",
  C_CopyObject: "handle",
  C_GenerateKey: "handle",
  C_UnwrapKey: "handle",
  C_DeriveKey: "handle",
  C_DecapsulateKey: "handle",
  C_GenerateKeyPair: "keypair",
  C_GetSessionInfo: "sessionInfo",
  C_EncapsulateKey: "encapsulated",
};

function handleBytes(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
const handleNumber = (b) => Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));

/** Replaces { $h } and { $out } markers, recursively, with real arguments. */
function revive(v) {
  if (v === null || typeof v !== "object" || ArrayBuffer.isView(v) || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(revive);
  if ("$h" in v) return handleBytes(v.$h);
  if ("$out" in v) return new Uint8Array(v.$out);
  const o = {};
  for (const [k, x] of Object.entries(v)) o[k] = revive(x);
  return o;
}

function convert(fn, r) {
  switch (RESULT[fn]) {
    case "handles": return Array.isArray(r) ? r.map(handleNumber) : r === null ? null : handleNumber(r);
    case "handle": return handleNumber(r);
    case "keypair": return { publicKey: handleNumber(r.publicKey), privateKey: handleNumber(r.privateKey) };
    case "sessionInfo": return { ...r, slotID: handleNumber(r.slotID) };
    case "encapsulated": return { ciphertext: r.ciphertext, key: handleNumber(r.key) };
    default: return ArrayBuffer.isView(r) ? new Uint8Array(r.buffer, r.byteOffset, r.byteLength).slice() : r;
  }
}

/** Runs one Cryptoki call (awaited if it is an Async form); never throws: failures are part of the answer. */
async function call({ fn, args }) {
  const t0 = performance.now();
  let members = [];
  try {
    if (typeof p11[fn] !== "function") throw new TypeError(`${fn} is not a function of this package`);
    const invoke = () => p11[fn](...revive(args));
    const r = group ? await group.run(fn, invoke) : { value: await invoke(), members };
    members = r.members;
    const value = convert(fn, r.value);
    return { ok: true, rv: 0, rvName: "CKR_OK", value, ms: performance.now() - t0, members };
  } catch (e) {
    const ms = performance.now() - t0;
    members = e?.members ?? members;
    if (e && e.name === "Pkcs11Error") return { ok: false, rv: e.code, rvName: e.message, ms, members };
    return { ok: false, rv: null, rvName: null, error: `${e?.name ?? "Error"}: ${e?.message ?? e}`, ms, members };
  }
}

async function start() {
  await pkcs11js.init();
  const t0 = performance.now();
  // Persistence (IndexedDB) arrived with C_InitializeAsync; older builds keep
  // the token in memory only, and the page says so.
  persistent = typeof pkcs11js.PKCS11.prototype.C_InitializeAsync === "function";
  let result;
  try {
    if (persistent) {
      p11 = new pkcs11js.PKCS11(CONFIG);
      if (GROUPS) group = new GroupWatch(p11, [GROUP_SLOT], (m) => self.postMessage(m));
      await p11.C_InitializeAsync();
    } else {
      p11 = new pkcs11js.PKCS11({ ...CONFIG, slots: DB_NAMES.map(() => ({ storage: "memory" })) });
      p11.C_Initialize();
    }
    result = { ok: true, rv: 0, rvName: "CKR_OK", ms: performance.now() - t0 };
  } catch (e) {
    result = e?.name === "Pkcs11Error"
      ? { ok: false, rv: e.code, rvName: e.message, ms: performance.now() - t0 }
      : { ok: false, rv: null, rvName: null, error: String(e?.message ?? e), ms: performance.now() - t0 };
  }
  const groups = group ? [{ slot: GROUP_SLOT, dbNames: GROUP_DBS, threads: THREADS }] : [];
  return { persistent, kdfIterations: KDF_ITERATIONS, dbNames: DB_NAMES, config: CONFIG, groups, initialize: result };
}

/** Waits until written-behind changes are durable (no-op in memory). */
async function flush() {
  if (persistent && typeof p11.flush === "function") await p11.flush();
}

/** The raw IndexedDB records of a slot's token, as stored (the lesson on storage). */
async function records(slotIndex = 0) {
  const dbName = DB_NAMES[slotIndex];
  if (!persistent || !dbName) return { available: false, records: [] };
  await flush();
  return { available: true, dbName, records: await readRecords(dbName) };
}

/** Wipes the demo tokens of `slots`: their objects, PINs and stored records. */
async function reset(slots) {
  // An unplugged member would keep the old token and hand it back later.
  await group?.enableAll();
  if (persistent && typeof p11.deleteToken === "function") {
    const times = [];
    for (const slot of slots) {
      const t0 = performance.now();
      await p11.deleteToken(handleBytes(slot));
      times.push(performance.now() - t0);
    }
    await flush();
    return { ms: times, how: "deleteToken" };
  }
  // Fallback: a fresh module, and the database (if any) deleted.
  const t0 = performance.now();
  try {
    p11.C_Finalize();
  } catch {}
  p11.close();
  if (persistent) {
    for (const name of [...DB_NAMES, ...(group ? GROUP_DBS : [])]) {
      await new Promise((resolve) => {
        const req = indexedDB.deleteDatabase(name);
        req.onsuccess = req.onerror = req.onblocked = () => resolve();
      });
    }
  }
  await start();
  return { ms: performance.now() - t0, how: "new module" };
}

self.onmessage = async ({ data }) => {
  const { id, op } = data;
  try {
    let value;
    if (op === "start") value = await start();
    else if (op === "call") value = await call(data.call);
    else if (op === "batch") {
      value = [];
      for (const c of data.calls) value.push(await call(c));
    }
    else if (op === "flush") value = await flush();
    else if (op === "records") value = await records(data.slotIndex);
    else if (op === "reset") value = await reset(data.slots);
    else if (op === "members") value = await group.records(data.slot);
    else if (op === "status") value = group?.status() ?? [];
    else throw new Error(`unknown op ${op}`);
    // Writes behind each mutating call; flush so a reload right after sees it.
    if ((op === "call" && !READ_ONLY.test(data.call.fn)) || op === "batch") await flush();
    self.postMessage({ id, ok: true, value });
  } catch (e) {
    self.postMessage({ id, ok: false, error: String(e?.stack ?? e) });
  }
};
