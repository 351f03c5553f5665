// browser.mjs: the token-group machinery is group.mjs beside it, imported
// when first needed (lazy.js). group.mjs is a factory (scripts/build.mjs):
// the modules it shares with browser.mjs (the wasm glue, platform.js,
// storage/manager.js...) are not copied into it but handed over by this
// bundle, so that both use one wasm instance, one platform, one set of
// classes, whatever URL each was loaded from.
import shared from "@gen/group-shared";
import { groupCode } from "./lazy.js";

function provide(id) {
  if (!(id in shared)) throw new Error(`group.mjs asks for ${id}, which this browser.mjs does not provide (mixed versions?)`);
  return shared[id];
}

// Found as the .wasm is (entry-browser.js): beside this script, a URL that
// Vite and webpack see (they emit group.mjs as an asset: it imports
// nothing) and that Rollup and esbuild leave alone (no second chunk: copy
// group.mjs beside the bundle, as the .wasm), never followed as an import
// (scripts/build.mjs puts back the comments saying so, which minifying drops).
const url = () => new URL("./group.mjs", import.meta.url).href;

groupCode.loadAsync = async () => (await import(/* webpackIgnore: true */ /* @vite-ignore */ url())).default(provide);
