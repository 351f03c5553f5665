// Node entries and inline.mjs: the token-group machinery is in the bundle,
// evaluated at its first use (lazy.js). esbuild turns the require() below,
// of a module in the bundle, into a synchronous call of that module's
// initializer in every output format.
import { groupCode } from "./lazy.js";

groupCode.loadSync = () => require("./composite.js");
