// The token-group machinery (composite.js and all it imports, a quarter of
// the facade's code) is evaluated only when a configuration has groups: a
// plain configuration's start-up does not pay for it (~4 ms of require()),
// and browser.mjs does not even carry it. How it is loaded is registered
// by the entry:
//   loadSync   the Node entries and inline.mjs (load-sync.js): a require()
//              of the module in the bundle, evaluated at the first call;
//   loadAsync  browser.mjs (load-async.js): group.mjs beside it, fetched
//              by C_InitializeAsync, `init({ groups: true })`, or as soon
//              as a configuration with groups is loaded.
// Without loadSync, a synchronous call that needs it first (C_Initialize)
// throws a TypeError (GROUPS_NOT_LOADED) carrying the load's promise.
import { WasmModule } from "@gen/glue";

export const groupCode = { loadSync: undefined, loadAsync: undefined };
/** Where browsers find it (error messages). */
export const GROUP_FILE = "group.mjs";

let loaded; // composite.js's exports
let pending; // the asynchronous load in progress

/** Loads the group machinery (once; concurrent calls share the load). */
export function loadGroupCode() {
  if (loaded) return Promise.resolve();
  if (groupCode.loadSync) {
    loaded = groupCode.loadSync();
    return Promise.resolve();
  }
  pending ??= Promise.resolve()
    .then(() => groupCode.loadAsync())
    .then(
      (m) => {
        loaded = m;
      },
      (e) => {
        pending = undefined; // a later call may retry
        throw new Error(`pkcs11-wasm: could not load ${GROUP_FILE}, the token groups' code (${e?.message ?? e})`, { cause: e });
      },
    );
  return pending;
}

/** True if creating a module for `split` needs no asynchronous load first. */
function ready(split) {
  return !(split.groups?.length > 0) || loaded !== undefined || groupCode.loadSync !== undefined;
}

/**
 * Starts loading the group machinery if `split` (a configuration) needs it
 * and it cannot be loaded synchronously; false then (create the module
 * later), else true.
 */
export function canCreateModule(split) {
  if (ready(split)) return true;
  loadGroupCode().catch(() => {}); // reported by whoever awaits it
  return false;
}

/** composite.js's exports, evaluated at the first call. */
function composite() {
  if (!loaded && groupCode.loadSync) loaded = groupCode.loadSync();
  if (loaded) return loaded;
  const loading = loadGroupCode();
  loading.catch(() => {});
  const e = new TypeError(
    `pkcs11-wasm: this configuration has token groups, whose code (${GROUP_FILE}) browsers load asynchronously and is not loaded yet: ` +
      "call `await pkcs11.C_InitializeAsync()` instead of C_Initialize(), or `await init({ groups: true })` before the first call",
  );
  e.groupsLoading = loading;
  throw e;
}

/** True if `m` is a CompositeModule (no group yet: false, loading nothing). */
export function isComposite(m) {
  return loaded !== undefined && m instanceof loaded.CompositeModule;
}

/** The module for a configuration: a CompositeModule when it has groups. */
export function createModule(split, host) {
  return split.groups?.length > 0 ? new (composite().CompositeModule)(split, host) : new WasmModule(split.core);
}
