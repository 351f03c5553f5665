// What the browser entries share: the wasm is compiled asynchronously,
// so `await init()` comes before the first PKCS11 call.
import wbgInit from "@gen/glue";
import { platform } from "./platform.js";
import { flushOnPageHide } from "./pagehide.js";

platform.browser = true;
flushOnPageHide();

/**
 * Makes the entry's `init(input)`: `input` (optional) is a URL, Response,
 * BufferSource or WebAssembly.Module; without it, `defaultInput()` (the
 * .wasm beside the script, or the inlined bytes). Concurrent and repeated
 * calls share one load; a failed load can be retried.
 */
export function makeInit(defaultInput, explainFailure) {
  let pending;
  return function init(input) {
    const given = input !== undefined && input !== null;
    pending ??= wbgInit({ module_or_path: given ? input : defaultInput() }).then(
      () => {
        platform.ready = true;
      },
      (e) => {
        pending = undefined; // let a later call retry
        throw given || !explainFailure ? e : explainFailure(e);
      },
    );
    return pending;
  };
}
