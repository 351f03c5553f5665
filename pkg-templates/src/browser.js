// What the browser entries share: the wasm is compiled asynchronously,
// so `await init()` comes before the first PKCS11 call.
import wbgInit from "@gen/glue";
import { platform } from "./platform.js";
import { extraSource, preload } from "./extra.js";
import { flushOnPageHide } from "./pagehide.js";
import { loadGroupCode } from "./group/lazy.js";

platform.browser = true;
flushOnPageHide();

/** `init({ extras: true, groups: true, module })`: options rather than the module itself. */
const isOptions = (v) =>
  v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype && ("extras" in v || "groups" in v || "module" in v);

/**
 * Makes the entry's `init(input)`: `input` (optional) is a URL, Response,
 * BufferSource or WebAssembly.Module; without it, `defaultInput()` (the
 * .wasm beside the script, or the inlined bytes). Or `input` is options:
 * `{ module, extras, groups }`, where `extras: true` also loads the extra
 * module (extra.js) and `groups: true` the token groups' code (group.mjs
 * for browser.mjs: group/lazy.js) before resolving, so that a synchronous
 * C_Initialize can use them. Concurrent and repeated calls share one
 * load; a failed load can be retried. `extra`: where the extra module is
 * ({ url() } or { bytes() }).
 */
export function makeInit(defaultInput, explainFailure, extra = {}) {
  let pending;
  return function init(input) {
    let extras = false;
    let groups = false;
    if (isOptions(input)) {
      extras = input.extras === true;
      groups = input.groups === true;
      input = input.module;
    }
    extraSource.url ??= extra.url;
    extraSource.bytes ??= extra.bytes;
    const loading = load(input);
    if (!extras && !groups) return loading;
    // group.mjs only defines classes: it may load while the wasm compiles.
    return Promise.all([extras ? loading.then(() => preload()) : loading, groups && loadGroupCode()]).then(() => {});
  };
  function load(input) {
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
  }
}
