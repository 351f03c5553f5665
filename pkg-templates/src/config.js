// Configuration (the core's `Config`, camelCase JSON keys such as
// kdfIterations, minPinLen, maxPinLen, maxPinTries), merged from, lowest
// precedence first:
//   1. Node: the JSON file named by the environment variable PKCS11_WASM_CONF;
//   2. the argument of `load()` / `new PKCS11(arg)`: an object, a path to a
//      `.json` file (Node), or inline JSON text; any other string (e.g. the
//      path of a native library written for pkcs11js) is accepted and ignored;
//   3. `C_Initialize({ libraryParameters: '<JSON object>' })`.
// Unknown keys and bad values are rejected by the core with a TypeError.
import { platform } from "./platform.js";

export const ENV_VAR = "PKCS11_WASM_CONF";

function parseJson(textValue, where) {
  let value;
  try {
    value = JSON.parse(textValue);
  } catch (e) {
    throw new TypeError(`pkcs11-wasm: ${where} is not valid JSON: ${e.message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`pkcs11-wasm: ${where} must be a JSON object`);
  }
  return value;
}

const warned = new Set();

/** console.warn, once per text (a loop of C_Initialize calls warns once; at most 20 texts). */
function warnOnce(text) {
  if (warned.has(text) || warned.size >= 20) return;
  warned.add(text);
  console.warn(text);
}

/** A string as it appears in a warning: quoted, at most 80 characters. */
const quote = (s) => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);

function readFile(path) {
  if (!platform.readText) throw new TypeError(`pkcs11-wasm: cannot read configuration file ${path} here (no file system)`);
  let textValue;
  try {
    textValue = platform.readText(path);
  } catch (e) {
    throw new Error(`pkcs11-wasm: cannot read configuration file ${path}: ${e.message}`);
  }
  return parseJson(textValue, `configuration file ${path}`);
}

function fromEnv() {
  const path = platform.env && platform.env(ENV_VAR);
  return path ? readFile(path) : undefined;
}

function fromArgument(arg) {
  if (arg === undefined || arg === null) return undefined;
  if (typeof arg === "object") return arg;
  if (typeof arg === "string") {
    const s = arg.trim();
    if (s.startsWith("{")) return parseJson(s, "the configuration");
    if (/\.json$/i.test(s)) return readFile(s);
  }
  // A native library path (written for pkcs11js) is ignored silently;
  // other text (NSS-style parameters...) with a warning.
  if (typeof arg === "string" && !/\.(so(\.[\d.]+)?|dylib|dll)$/i.test(arg.trim())) {
    warnOnce(`pkcs11-wasm: load(${quote(arg)}): not a configuration (JSON or a .json file): ignored`);
  }
  return undefined; // e.g. "/usr/lib/softhsm/libsofthsm2.so"
}

/** The configuration for a new module: env file + load() argument. */
export function loadConfig(arg) {
  const env = fromEnv();
  const own = fromArgument(arg);
  return env || own ? { ...env, ...own } : undefined;
}

/**
 * The configuration C_Initialize applies: `base` + libraryParameters.
 * Text that is not a JSON object (NSS's "configdir='sql:/x' ...", written
 * for another module) is ignored with a warning, as pkcs11js passes it to
 * a module that may not read it either.
 */
export function initConfig(base, libraryParameters) {
  const s = libraryParameters.trim();
  if (s === "") return base;
  if (!s.startsWith("{")) {
    warnOnce(`pkcs11-wasm: libraryParameters ${quote(s)} is not a JSON object of settings: ignored`);
    return base;
  }
  return { ...base, ...parseJson(s, "libraryParameters") };
}
