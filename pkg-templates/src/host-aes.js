// Whether bulk AES runs in the host's AES or in wasm (src/mech/aes/host.rs).
// On by default where the entry provides one (Node: node-host-aes.js);
// PKCS11_WASM_HOST_AES=0 in the environment, or hostAes({ enabled: false }),
// keeps every AES in wasm. Browsers have none: Web Crypto is asynchronous.
import { has_host_aes, set_host_aes } from "@gen/glue";
import { platform } from "./platform.js";
import { NativeError } from "./errors.js";

/** Inputs shorter than this stay in wasm, where they cost less than a call to OpenSSL (see the bench's gcm.*.1k rows). */
const DEFAULT_MIN_BYTES = 1024;

const settings = { enabled: true, minBytes: DEFAULT_MIN_BYTES, readEnv: true };

/** Hands the current settings to the core (once the module is instantiated). */
export function applyHostAes() {
  if (settings.readEnv) {
    settings.readEnv = false;
    if (platform.env?.("PKCS11_WASM_HOST_AES") === "0") settings.enabled = false;
  }
  const on = settings.enabled && platform.hostAes !== undefined;
  set_host_aes(on ? platform.hostAes : null, settings.minBytes);
}

/**
 * Reads, and with `options` changes, where bulk AES runs:
 * `{ enabled, minBytes }` -> `{ enabled, minBytes, available }`. `enabled`
 * is whether AES inputs of `minBytes` or more go to the host's AES;
 * `available` turns false if the host's AES failed its known answers at
 * its first use (node-host-aes.js), and the wasm AES does everything.
 */
export function hostAes(options) {
  if (options !== undefined) {
    if (options === null || typeof options !== "object") throw new TypeError("hostAes: options must be an object");
    const { enabled, minBytes } = options;
    if (enabled !== undefined && typeof enabled !== "boolean") throw new TypeError("hostAes: enabled must be a boolean");
    if (minBytes !== undefined && !(Number.isInteger(minBytes) && minBytes >= 0 && minBytes <= 0xffffffff))
      throw new TypeError("hostAes: minBytes must be an integer from 0 to 2^32-1");
    if (enabled && platform.hostAes === undefined) throw new NativeError("hostAes: this runtime has no host AES (Node only)");
    settings.readEnv = false;
    if (enabled !== undefined) settings.enabled = enabled;
    if (minBytes !== undefined) settings.minBytes = minBytes;
  }
  if (platform.ready) applyHostAes();
  const available = platform.hostAes?.usable() ?? false;
  return { enabled: available && (platform.ready ? has_host_aes() : false), minBytes: settings.minBytes, available };
}
