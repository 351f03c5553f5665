// The token-group machinery (composite.js and all it imports, a quarter of
// the facade's code) is evaluated only when a configuration has groups: a
// plain configuration's start-up does not pay for it (~4 ms of require()).
// esbuild turns the require() below, of a module in the bundle, into a
// synchronous call of that module's initializer in every output format.
import { WasmModule } from "@gen/glue";

let loaded;

/** composite.js's exports, evaluated at the first call. */
function composite() {
  return (loaded ??= require("./composite.js"));
}

/** True if `m` is a CompositeModule (no group yet: false, loading nothing). */
export function isComposite(m) {
  return loaded !== undefined && m instanceof loaded.CompositeModule;
}

/** The module for a configuration: a CompositeModule when it has groups. */
export function createModule(split, host) {
  return split.groups?.length > 0 ? new (composite().CompositeModule)(split, host) : new WasmModule(split.core);
}
