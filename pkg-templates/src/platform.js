// What differs between Node and browsers, filled in by the entry modules:
// whether the wasm module is instantiated, and (Node only) file and
// environment access for configuration.
export const platform = {
  /** True once the wasm module is instantiated. */
  ready: false,
  /** Node: reads a UTF-8 file; browsers: undefined. */
  readText: undefined,
  /** Node: reads an environment variable; browsers: undefined. */
  env: undefined,
  /** Node: the fs and path modules (token directories); browsers: undefined. */
  fs: undefined,
  path: undefined,
  /** True in the browser build (IndexedDB is the default storage). */
  browser: false,
};
