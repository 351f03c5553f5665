// The extra module (pkcs11_wasm_extra_bg.wasm): the families the core
// module leaves out (ML-DSA, ML-KEM, Ed25519, X25519, ChaCha20-Poly1305,
// the curves other than P-256) run there; the core's proxies reach it
// through `callExtra`, which the core calls with a request and which
// returns the response (src/mech/proxy, src/wasm/extra_link.rs): the
// bytes go from one module's memory to the other's, no JS array between.
//
// Loading: synchronously at the first call that needs it where that is
// allowed (Node, Deno, Bun; Web Workers; the inline entries' bytes), else
// (a page's main thread) that call fails with ExtraNotLoaded, the download
// starts, and the Async forms await it and run the call again.
// `preload()` / `init({ extras: true })` load it ahead.
import { initSync as extraInitSync, default as extraInit, extra_request, extra_serve, extra_response, extra_release } from "@gen/extra-glue";
import { set_extra_hook } from "@gen/glue";
import { failHooks, pkcs11Error } from "./errors.js";

const CKR_FUNCTION_FAILED = 0x6;
const FILE = "pkcs11_wasm_extra_bg.wasm";
// Tests only (tests/js/module_split.test.mjs): sees each request (the
// core's frame and its copy in the extra module, before it is served) and
// response (in the extra module), views of the two memories, to check
// that their secret prefixes are wiped once the call returns. Views of
// the two memories are all of the keys in them: the tap is off unless a
// Node process starts with PKCS11_WASM_EXTRA_TAP=1 (`enableExtraTap`,
// node.js), so a script that sets the global symbol sees nothing.
const TAP = Symbol.for("pkcs11-wasm.extraTap");
let tap;

/** Node, with PKCS11_WASM_EXTRA_TAP=1 at load: the tests' tap on the extra module's traffic. */
export function enableExtraTap() {
  tap = (...views) => globalThis[TAP]?.(...views);
}

/**
 * Where the entry finds the module: `bytes()` (synchronous: Node's file,
 * the inline entries' base64) and/or `url()` (browsers: fetched).
 */
export const extraSource = { bytes: undefined, url: undefined };

// Built-ins taken at load: `request` is a view of the core's memory and
// the copy and response views of the extra module's, none of which may
// reach a method or getter a script could replace later (see
// scripts/harden-glue.mjs).
const apply = Reflect.apply;
const U8 = Uint8Array;
const TYPED = Object.getPrototypeOf(U8.prototype);
const setBytes = TYPED.set;
const lengthOf = Object.getOwnPropertyDescriptor(TYPED, "length").get;
const memoryBuffer = Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, "buffer").get;

let loaded = false;
let extraMemory; // the extra module's WebAssembly.Memory, once loaded
let pending; // the load in progress (a Promise)
let missed; // set when a call needed the module before it was loaded

/** Whether this thread may load the module synchronously. */
function canLoadSync() {
  if (extraSource.bytes) return true;
  // A Web Worker may block on a synchronous XMLHttpRequest and compile
  // synchronously; a page's main thread may not.
  return typeof WorkerGlobalScope !== "undefined" && globalThis instanceof WorkerGlobalScope && typeof XMLHttpRequest !== "undefined";
}

function syncBytes() {
  if (extraSource.bytes) return extraSource.bytes();
  const xhr = new XMLHttpRequest();
  xhr.open("GET", String(extraSource.url()), false);
  xhr.responseType = "arraybuffer";
  xhr.send();
  if (xhr.status !== 200 && xhr.status !== 0) throw new Error(`pkcs11-wasm: could not load ${FILE} (HTTP ${xhr.status})`);
  return new Uint8Array(xhr.response);
}

function loadSync() {
  extraMemory = extraInitSync({ module: syncBytes() }).memory;
  loaded = true;
}

/**
 * Loads the extra module (once; concurrent calls share the load).
 * `input` (optional): its URL, Response, bytes or WebAssembly.Module.
 */
export function preload(input) {
  if (loaded) return Promise.resolve();
  pending ??= (async () => {
    const from = extraSource.url ?? extraSource.bytes;
    if (!input && !from) throw new Error("call init() first (it says where the module is) or pass its URL");
    const source = input ?? from();
    extraMemory = (await extraInit({ module_or_path: source })).memory;
    loaded = true;
  })().catch((e) => {
    pending = undefined; // a later call may retry
    throw new Error(`pkcs11-wasm: could not load ${FILE} (${e?.message ?? e})`, { cause: e });
  });
  return pending;
}

/**
 * The core's hook: `request`, a view of the request frame in the core's
 * memory, is copied into the extra module's and answered there; returns a
 * view of the response frame in the extra module's memory, which the core
 * copies before it calls `releaseExtra` (undefined: not loaded).
 */
function callExtra(request) {
  if (!loaded) {
    try {
      if (!canLoadSync()) throw new Error("asynchronous only");
      loadSync();
    } catch {
      // A page's main thread (or a synchronous compile it refused).
      missed = preload();
      missed.catch(() => {}); // reported by whoever awaits it
      return undefined;
    }
  }
  const n = apply(lengthOf, request, []);
  const at = extra_request(n);
  const copy = new U8(apply(memoryBuffer, extraMemory, []), at, n);
  apply(setBytes, copy, [request]);
  tap?.(request, copy);
  const length = extra_serve(); // wipes the copy's secret prefix
  const response = new U8(apply(memoryBuffer, extraMemory, []), extra_response(), length);
  tap?.(response);
  return response;
}

/** The core has copied the response: its secret prefix is wiped. */
function releaseExtra() {
  if (loaded) extra_release();
}

/** Called once the core module is instantiated. */
export function linkExtra() {
  set_extra_hook(callExtra, releaseExtra);
}

/**
 * If the failed call was missing the extra module: the error that says so,
 * with `extraLoading` (the load's Promise) for the Async forms to await.
 */
export function extraMissing(method) {
  if (!missed) return undefined;
  const loading = missed;
  missed = undefined;
  const e = pkcs11Error(CKR_FUNCTION_FAILED, method);
  e.message =
    `CKR_FUNCTION_FAILED: ${method} needs pkcs11-wasm's extra module (${FILE}: ML-DSA, ML-KEM, Ed25519, X25519, ` +
    "ChaCha20-Poly1305, curves other than P-256), which is not loaded yet; its download has started. " +
    "On a page's main thread, `await preload()` (or `await init({ extras: true })`) before the first such call, " +
    `or use the Async form (${method}Async), which waits for it. See the package README, section "The extra module".`;
  e.extraLoading = loading;
  return e;
}

failHooks.extraMissing = extraMissing;

/**
 * Runs `f` (a call's Async form); if it failed for want of the extra
 * module, awaits its load and runs it again: the core's proxies reach the
 * extra module before the call changes any state, so the retry is safe.
 */
export async function withExtra(f) {
  try {
    return f();
  } catch (e) {
    if (!e?.extraLoading) throw e;
    await e.extraLoading;
    return f();
  }
}

/** The load `preload()` started, if any (C_InitializeAsync awaits it). */
export function preloading() {
  return pending;
}
