// Storage configuration: each entry of `slots` names where its token lives.
//   "memory"                    nothing persisted (the Node default)
//   { memory: "name" }          a named in-process store, shared by every
//                               instance using the name (tests, demos)
//   { directory: "/path" }      a Node token directory (directory.js)
//   { indexedDB: "name" }       an IndexedDB database (indexeddb.js; the
//                               browser default, name "pkcs11-wasm")
// The core gets the slots with `storage` replaced by `persistent`.
// Entries with a `group` key are token groups (group/config.js).
import { checkSharedStores, parseGroupSlot } from "../group/config.js";
import { platform } from "../platform.js";

const KINDS = ["memory", "directory", "indexedDB"];

function invalid(i, why) {
  return new TypeError(`pkcs11-wasm: invalid configuration: slots[${i}].storage ${why}`);
}

/** { kind, name } for one slot's `storage` value. */
function parseStorage(storage, i) {
  if (storage === undefined || storage === "memory") return { kind: "memory", name: undefined };
  if (storage === null || typeof storage !== "object" || Array.isArray(storage)) {
    throw invalid(i, 'must be "memory" or an object such as { directory: "/path" }');
  }
  const keys = Object.keys(storage);
  if (keys.length !== 1 || !KINDS.includes(keys[0])) {
    throw invalid(i, `must have exactly one of the keys ${KINDS.join(", ")}`);
  }
  const kind = keys[0];
  const name = storage[kind];
  if (typeof name !== "string" || name === "") throw invalid(i, `.${kind} must be a non-empty string`);
  if (kind === "directory" && !platform.fs) throw invalid(i, "is a directory, which needs Node's file system");
  if (kind === "indexedDB" && typeof globalThis.indexedDB === "undefined") {
    throw invalid(i, "is IndexedDB, which is not available here (under Node, import fake-indexeddb/auto first)");
  }
  return { kind, name };
}

/** A copy without keys whose value is undefined (as JSON would drop them). */
function withoutUndefined(obj) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return obj;
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/**
 * Splits a configuration into what the core takes and the storage of each
 * slot: { core, storages: [{ slot, kind, name }], groups }. Browsers default to
 * one IndexedDB token (database "pkcs11-wasm") when no slots are
 * configured; without IndexedDB (the browser build under Node), memory.
 */
export function splitStorage(config) {
  config = withoutUndefined(config);
  let slots = config?.slots;
  if (slots === undefined && platform.browser && typeof globalThis.indexedDB !== "undefined") {
    slots = [{ storage: { indexedDB: "pkcs11-wasm" } }];
  }
  if (slots === undefined) return { core: config, storages: [], groups: [] };
  if (!Array.isArray(slots)) throw new TypeError("pkcs11-wasm: invalid configuration: slots must be an array");
  const storages = [];
  const groups = [];
  const coreSlots = slots.map((entry, i) => {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new TypeError(`pkcs11-wasm: invalid configuration: slots[${i}] must be an object`);
    }
    if (entry.group !== undefined) {
      const parsed = parseGroupSlot(withoutUndefined(entry), i, parseStorage);
      groups.push(parsed.group);
      return parsed.core;
    }
    const { storage, ...rest } = withoutUndefined(entry);
    const parsed = parseStorage(storage, i);
    const persistent = !(parsed.kind === "memory" && parsed.name === undefined);
    if (persistent) storages.push({ slot: i, ...parsed });
    return { ...rest, persistent };
  });
  checkSharedStores(storages, groups);
  return { core: { ...config, slots: coreSlots }, storages, groups };
}
