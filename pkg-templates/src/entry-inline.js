// Browsers and bundlers with the wasm inlined (inline.mjs): nothing to
// copy or serve besides the script, for any bundler (esbuild, Rollup...).
// `init()` still compiles it asynchronously (browsers do not allow a large
// module to compile synchronously on the main thread).
import wasmBase64 from "@gen/wasm-inline";
import extraBase64 from "@gen/wasm-extra-inline";
import { decodeBase64 } from "./base64.js";
import { makeInit } from "./browser.js";
// Token groups: their code is in this one file too, evaluated on first use
// (synchronously: no file to fetch beside the script).
import "./group/load-sync.js";

/** Compiles the inlined wasm module (or loads the one `input` names). */
export const init = /* @__PURE__ */ makeInit(
  () => decodeBase64(wasmBase64),
  undefined,
  { bytes: () => decodeBase64(extraBase64) },
);

export * from "./index.js";
