// The wasm instance the package creates, captured as it is instantiated,
// to read its linear memory (the package does not export it). Call before
// loading the package; the returned function gives the instance.
export function captureWasmInstance() {
  let instance;
  const Original = WebAssembly.Instance;
  const Capturing = function (module, imports) {
    instance = new Original(module, imports);
    return instance;
  };
  Capturing.prototype = Original.prototype;
  WebAssembly.Instance = Capturing;
  return () => instance;
}
