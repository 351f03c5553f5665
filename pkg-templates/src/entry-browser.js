// Browsers (browser.mjs), and the bundlers that copy assets referenced as
// `new URL("...", import.meta.url)` (Vite, webpack, Parcel): the wasm is
// fetched from beside this file.
import { makeInit } from "./browser.js";
import "./group/browser.js"; // token groups: thread members in Web Workers
import "./group/load-async.js"; // token groups: their code (group.mjs) imported when first needed

const WASM = "pkcs11_wasm_bg.wasm";

/** Loads the wasm module (by default pkcs11_wasm_bg.wasm beside this file). */
export const init = /* @__PURE__ */ makeInit(
  () => new URL("./pkcs11_wasm_bg.wasm", import.meta.url),
  (e) =>
    new Error(
      `pkcs11-wasm: could not load ${WASM} from beside the script (${e?.message ?? e}). ` +
        "Bundlers that do not copy it (esbuild, Rollup) need one of: " +
        'import from "pkcs11-wasm/inline" (the module inlined, nothing to copy); ' +
        `copy node_modules/pkcs11-wasm/${WASM} next to the bundle; or pass its URL to init(url). ` +
        "See the package README, section Bundlers.",
      { cause: e },
    ),
  // Fetched at the first call that needs it, or by preload().
  { url: () => new URL("./pkcs11_wasm_extra_bg.wasm", import.meta.url) },
);

export * from "./index.js";
