// What the Node entries share (Node, and Deno and Bun through their Node
// compatibility): file and environment access, the wasm instantiated
// synchronously on first use, and one API object per process.
import * as fs from "node:fs";
import * as path from "node:path";
import { initSync, object_cache_checksum } from "@gen/glue";
import * as api from "./api.js";
import constants from "@gen/constant-values";
import { platform, readEnv } from "./platform.js";
import { enableExtraTap, extraSource } from "./extra.js";
import { BACKENDS } from "./storage/backends.js";
import { DirectoryBackend } from "./storage/directory.js";
import { nodeHostAes } from "./node-host-aes.js";

/**
 * `wasmBytes()`, `extraBytes()`: the core's and the extra module's bytes,
 * read only when first needed (the extra one at the first call that needs
 * it, compiled synchronously).
 */
export function setUpNode(wasmBytes, extraBytes) {
  platform.instantiate = () => initSync({ module: wasmBytes() });
  extraSource.bytes = extraBytes;
  platform.readText = (file) => fs.readFileSync(file, "utf8");
  platform.env = readEnv;
  platform.fs = fs;
  platform.path = path;
  platform.checksum = object_cache_checksum;
  platform.hostAes = nodeHostAes;
  if (readEnv("PKCS11_WASM_EXTRA_TAP") === "1") enableExtraTap(); // the repository's tests only
  BACKENDS.directory = DirectoryBackend; // token directories (not in the browser bundle)
}

/**
 * Instantiates the module now (Node needs no call: the first PKCS11 call
 * does it); kept so that isomorphic code can always `await init()`.
 */
export async function init() {
  void platform.ready;
}

/**
 * The package's exports as one plain object (what `require()` returns and
 * what the ES entries export by name and as default), shared through a
 * global registry: when the CommonJS and ES entries are both loaded in one
 * process, the one loaded first serves both, so there is one PKCS11 class,
 * one Pkcs11Error (an error thrown through one entry is `instanceof` the
 * other's) and one wasm instance. Keyed by version: two versions of the
 * package stay apart. The constants and parameter tags come as one
 * generated object literal, sorted by name as an ES namespace is (so the
 * keys keep the order they had): through the namespace of index.js,
 * esbuild's CommonJS output made a getter per constant, which took a third
 * of the time `require()` took.
 */
export function sharedApi() {
  const key = Symbol.for(`pkcs11-wasm@${PKCS11_WASM_VERSION}`);
  globalThis[key] ??= { ...constants, ...api, init };
  return globalThis[key];
}
