// Browsers (and bundlers): the wasm is fetched and compiled asynchronously,
// so call `await init()` once before using PKCS11.
import wbgInit from "@gen/glue";
import { platform } from "./platform.js";
import "./group/browser.js"; // token groups: thread members in Web Workers

platform.browser = true;

let pending;

/**
 * Loads the wasm module. `input` (optional): a URL, Response, BufferSource
 * or WebAssembly.Module; by default `pkcs11_wasm_bg.wasm` next to this file.
 */
export function init(input) {
  pending ??= wbgInit({ module_or_path: input ?? new URL("./pkcs11_wasm_bg.wasm", import.meta.url) }).then(
    () => {
      platform.ready = true;
    },
    (e) => {
      pending = undefined; // let a later call retry
      throw e;
    },
  );
  return pending;
}

export * from "./index.js";
