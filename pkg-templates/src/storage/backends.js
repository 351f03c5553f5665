// The storage backends by kind (storage/config.js names the kinds). The
// Node token directory (directory.js, lock.js) is registered by the Node
// entries with the file system it needs (node.js, group/worker-node.js),
// so that the browser bundle does not carry it: there, config.js refuses
// a `directory` storage before a backend is asked for.
import { IndexedDbBackend } from "./indexeddb.js";
import { MemoryBackend } from "./memory.js";

export const BACKENDS = { memory: MemoryBackend, indexedDB: IndexedDbBackend, directory: undefined };

/** A new backend of `kind` for the store `name`. */
export function newBackend(kind, name) {
  const Backend = BACKENDS[kind];
  if (!Backend) throw new TypeError(`pkcs11-wasm: storage "${kind}" is not available in this build`);
  return new Backend(name);
}
