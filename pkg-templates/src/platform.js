// What differs between Node and browsers, filled in by the entry modules:
// how the wasm module is instantiated, and (Node only) file and
// environment access for configuration.
import { NativeError } from "./errors.js";
import { linkExtra } from "./extra.js";
import { applyHostAes } from "./host-aes.js";

let ready = false;

export const platform = {
  /**
   * Instantiates the wasm module synchronously (Node entries: on first use,
   * so that importing only constants costs nothing); browsers: undefined,
   * `await init()` does it.
   */
  instantiate: undefined,
  /**
   * True once the wasm module is instantiated (instantiating it now if the
   * entry can do that synchronously). Throws if the runtime lacks what the
   * engine needs (crypto.getRandomValues).
   */
  get ready() {
    if (!ready && this.instantiate) {
      checkRuntime();
      this.instantiate();
      linkExtra();
      ready = true;
      applyHostAes();
    }
    return ready;
  },
  set ready(value) {
    if (value) {
      checkRuntime();
      linkExtra();
    }
    ready = value;
  },
  /** Node: reads a UTF-8 file; browsers: undefined. */
  readText: undefined,
  /** Node: the checksum (XXH32, in the core) of bytes, for the token directory's object cache; browsers: undefined. */
  checksum: undefined,
  /** Node: reads an environment variable (undefined when unset or not allowed); browsers: undefined. */
  env: undefined,
  /** Node: the fs and path modules (token directories); browsers: undefined. */
  fs: undefined,
  path: undefined,
  /** Node: the host AES the core may hand bulk AES to (node-host-aes.js); browsers: undefined. */
  hostAes: undefined,
  /** True in the browser builds (IndexedDB is the default storage). */
  browser: false,
};

/**
 * Every key, IV, salt and nonce comes from crypto.getRandomValues (Web
 * Crypto): without it the engine could only answer CKR_FUNCTION_FAILED, so
 * say what is missing instead.
 */
export function checkRuntime() {
  // Node's globalThis.crypto is a getter that loads its Web Crypto on first
  // read (several ms): it counts as present unread, and is read at the first
  // call that needs random bytes (none at start-up).
  if (typeof Object.getOwnPropertyDescriptor(globalThis, "crypto")?.get === "function" && typeof process !== "undefined") return;
  if (typeof globalThis.crypto?.getRandomValues === "function") return;
  throw new NativeError(
    "pkcs11-wasm needs crypto.getRandomValues (Web Crypto), which this runtime does not provide as globalThis.crypto: " +
      "use Node.js 20 or later (on Node 18: node --experimental-global-webcrypto, or " +
      'globalThis.crypto = require("node:crypto").webcrypto before the first call), or a browser with Web Crypto',
  );
}

/**
 * Reads an environment variable, treating a read the runtime refuses
 * (Deno without --allow-env) as unset.
 */
export function readEnv(name) {
  try {
    return typeof process === "undefined" ? undefined : process.env[name];
  } catch {
    return undefined;
  }
}
