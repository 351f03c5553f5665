// Child processes for what must start from a fresh process: start-up and
// memory. Prints one JSON line. Usage (run.mjs sets the environment):
//   node child.mjs startup ours|softhsm     -> { init, open? }: {wall, cpu} ms
//   node child.mjs fill ours|softhsm        -> fills the start-up token
//   node child.mjs memory ours|softhsm      -> memory after 10,000 objects
// Environment: BENCH_PKG (pkg/ directory), BENCH_PKCS11JS (resolved path
// of pkcs11js), BENCH_SOFTHSM_LIB, SOFTHSM2_CONF, BENCH_TOKEN_DIR (our
// start-up token's directory), BENCH_KDF (kdfIterations of our tokens).
// Both start-up tokens get the same 1,000 private AES-256 token objects.
import { createRequire } from "node:module";
import { join } from "node:path";
import { captureWasmInstance } from "./wasm-instance.mjs";

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const t0 = [performance.now(), cpuMs()];
/** ms since t0 on both clocks (as harness.mjs's `since`). */
const elapsed = () => ({ wall: performance.now() - t0[0], cpu: cpuMs() - t0[1] });
const require = createRequire(import.meta.url);
const [mode, who] = process.argv.slice(2);
const env = process.env;
const SO_PIN = "bench-so-5678";
const USER_PIN = "bench-user-1234";
const OBJECTS = 1000;
const MEMORY_OBJECTS = 10_000;

// The wasm instance, to read its linear memory.
const wasmInstance = mode === "memory" && who === "ours" ? captureWasmInstance() : () => undefined;

function loadOurs() {
  return require(join(env.BENCH_PKG, "index.cjs"));
}

function loadSoftHSM() {
  const pkcs11js = require(env.BENCH_PKCS11JS);
  const p11 = new pkcs11js.PKCS11();
  p11.load(env.BENCH_SOFTHSM_LIB);
  p11.C_Initialize();
  return { p11, C: pkcs11js };
}

/** Initializes our first slot's token and its user PIN, as softhsm2-util does. */
function initOurToken(p11, C, label) {
  const [slot] = p11.C_GetSlotList(true);
  p11.C_InitToken(slot, SO_PIN, label);
  const so = p11.C_OpenSession(slot, rw(C));
  p11.C_Login(so, C.CKU_SO, SO_PIN);
  p11.C_InitPIN(so, USER_PIN);
  p11.C_Logout(so);
  p11.C_CloseSession(so);
  return slot;
}

function slotByLabel(p11, label) {
  for (const slot of p11.C_GetSlotList(true)) if (p11.C_GetTokenInfo(slot).label.trim() === label) return slot;
  throw new Error(`no token labelled ${label}`);
}

function aesObject(C, label, token) {
  return [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: token },
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_SENSITIVE, value: true },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
    { type: C.CKA_LABEL, value: label },
    { type: C.CKA_VALUE, value: crypto.getRandomValues(Buffer.alloc(32)) },
  ];
}

const rw = (C) => C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION;
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

/** Our module on the start-up token directory (C_Initialize loads it). */
function loadOursToken() {
  const C = loadOurs();
  const kdfIterations = Number(env.BENCH_KDF) || env.BENCH_KDF || "insecure-test";
  const p11 = new C.PKCS11({ kdfIterations, slots: [{ storage: { directory: env.BENCH_TOKEN_DIR } }] });
  p11.C_Initialize();
  return { p11, C };
}

if (mode === "startup") {
  const { p11, C } = who === "ours" ? loadOursToken() : loadSoftHSM();
  const slot = slotByLabel(p11, "bench-startup");
  const init = elapsed();
  const s = p11.C_OpenSession(slot, rw(C));
  p11.C_Login(s, C.CKU_USER, USER_PIN);
  p11.C_FindObjectsInit(s, []);
  const found = p11.C_FindObjects(s, 10 * OBJECTS);
  p11.C_FindObjectsFinal(s);
  if (found.length !== OBJECTS) throw new Error(`found ${found.length} objects, expected ${OBJECTS}`);
  out({ init, open: elapsed() });
} else if (mode === "fill") {
  let p11;
  let C;
  let slot;
  if (who === "ours") {
    // A fresh token directory: initialize the token as softhsm2-util does.
    ({ p11, C } = loadOursToken());
    slot = initOurToken(p11, C, "bench-startup");
  } else {
    ({ p11, C } = loadSoftHSM());
    slot = slotByLabel(p11, "bench-startup");
  }
  const s = p11.C_OpenSession(slot, rw(C));
  p11.C_Login(s, C.CKU_USER, USER_PIN);
  for (let i = 0; i < OBJECTS; i++) p11.C_CreateObject(s, aesObject(C, `startup-object-${i}`, true));
  p11.C_Finalize(); // ours: writes what is queued, synchronously
  out({ filled: OBJECTS });
} else if (mode === "memory") {
  let p11;
  let C;
  let slot;
  if (who === "ours") {
    C = loadOurs();
    p11 = new C.PKCS11({ kdfIterations: Number(env.BENCH_KDF) || 1000 });
    p11.C_Initialize();
    slot = initOurToken(p11, C, "bench-memory");
  } else {
    ({ p11, C } = loadSoftHSM());
    slot = slotByLabel(p11, "bench-work");
  }
  const s = p11.C_OpenSession(slot, rw(C));
  p11.C_Login(s, C.CKU_USER, USER_PIN);
  const templates = [];
  for (let i = 0; i < MEMORY_OBJECTS; i++) templates.push(aesObject(C, `memory-object-${i}`, false));
  globalThis.gc?.();
  const wasmBefore = wasmInstance()?.exports.memory.buffer.byteLength;
  const rssBefore = process.memoryUsage().rss;
  const t = performance.now();
  for (const tmpl of templates) p11.C_CreateObject(s, tmpl);
  const createMs = performance.now() - t;
  templates.length = 0;
  globalThis.gc?.();
  out({
    objects: MEMORY_OBJECTS,
    wasmBefore,
    wasmAfter: wasmInstance()?.exports.memory.buffer.byteLength,
    rssBefore,
    rssAfter: process.memoryUsage().rss,
    createMs,
  });
} else {
  throw new Error(`unknown child mode ${mode} ${who}`);
}
