// Memory of our module, in a fresh process (node --expose-gc), printed as
// one JSON line (issue 15, item 5):
//   - state per object: wasm linear memory (and, for token objects, the JS
//     heap that holds their stored records) per object, over 10,000
//     session objects and then 10,000 token objects (AES-256 keys with
//     labels, an in-memory token: the records stay in this process);
//   - churn: 100,000 C_CreateObject + C_DestroyObject cycles of session
//     objects, then of token objects (flushed every 1,000), with wasm
//     memory, JS heap and RSS after a 1,000-cycle warm-up and at the end;
//   - stored: the same cycles of token objects on a stored token (a named
//     memory store): each destroyed object leaves its signed tombstone,
//     in the store and in the running instance, until 10,000 later writes
//     (tombstoneWrites) age it out; the warm-up (20,000 cycles, 40,000
//     writes) fills that window and lets the allocator settle (wasm memory
//     stops growing within ~16,000 cycles), and a snapshot half-way shows
//     the plateau.
// Linear memory only grows (64 KiB pages), so an allocation that is never
// freed shows as growth; equal figures mean freed memory was reused.
// Each measurement runs in its own process, so that memory one of them
// freed does not hide the next one's growth.
// Environment: BENCH_PKG (the pkg/ directory).
// Usage: node --expose-gc memory-child.mjs session|token|churn|stored
import { createRequire } from "node:module";
import { join } from "node:path";
import { aesObject } from "./pkcs11-rows.mjs";
import { captureWasmInstance } from "./wasm-instance.mjs";

const require = createRequire(import.meta.url);
const wasmInstance = captureWasmInstance();

const C = require(join(process.env.BENCH_PKG, "index.cjs"));
const OBJECTS = 10_000;
const CYCLES = 100_000;
const WARMUP = 1_000;
// Well past the default tombstoneWrites (10,000 writes, 2 per cycle).
const WARMUP_STORED = 20_000;

const mode = process.argv[2];
const storage = mode === "stored" ? { memory: "bench-churn" } : "memory";
const p11 = new C.PKCS11({ kdfIterations: mode === "stored" ? "insecure-test" : 1000, slots: [{ storage }] });
p11.C_Initialize();
const [slot] = p11.C_GetSlotList(true);
p11.C_InitToken(slot, "bench-so-5678", "bench-memory");
const s = p11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
p11.C_Login(s, C.CKU_SO, "bench-so-5678");
p11.C_InitPIN(s, "bench-user-1234");
p11.C_Logout(s);
p11.C_Login(s, C.CKU_USER, "bench-user-1234");

const key = (token, i) => aesObject(C, `memory-object-${i}`, token);

function snapshot() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { wasm: wasmInstance().exports.memory.buffer.byteLength, heap: m.heapUsed, external: m.external, rss: m.rss };
}

/** Bytes per object while `count` objects of a kind are alive. */
async function perObject(token) {
  const handles = new Array(OBJECTS);
  const before = snapshot();
  for (let i = 0; i < OBJECTS; i++) handles[i] = p11.C_CreateObject(s, key(token, i));
  await p11.flush();
  const after = snapshot();
  for (const h of handles) p11.C_DestroyObject(s, h);
  await p11.flush();
  return {
    objects: OBJECTS,
    wasmPerObject: (after.wasm - before.wasm) / OBJECTS,
    // The JS heap also holds the handles (8-byte Buffers) kept here.
    heapPerObject: (after.heap - before.heap) / OBJECTS,
  };
}

/** Create + destroy, `CYCLES` times: figures after the warm-up and at the end. */
async function churn(token, warmup = WARMUP) {
  const template = key(token, 0);
  const cycle = () => p11.C_DestroyObject(s, p11.C_CreateObject(s, template));
  for (let i = 0; i < warmup; i++) {
    cycle();
    if (token && i % 1000 === 999) await p11.flush();
  }
  await p11.flush();
  const start = snapshot();
  let mid;
  const t = performance.now();
  for (let i = 0; i < CYCLES; i++) {
    cycle();
    if (token && i % 1000 === 999) await p11.flush();
    if (i === CYCLES / 2 - 1) mid = snapshot();
  }
  await p11.flush();
  const ms = performance.now() - t;
  return { cycles: CYCLES, warmup, start, mid, end: snapshot(), usPerCycle: (ms * 1000) / CYCLES };
}

const out =
  mode === "session"
    ? await perObject(false)
    : mode === "token"
      ? await perObject(true)
      : mode === "stored"
        ? await churn(true, WARMUP_STORED)
        : { session: await churn(false), token: await churn(true) };
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
