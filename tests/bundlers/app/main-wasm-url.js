// The main entry, the .wasm imported as an asset URL (esbuild with
// `loader: { ".wasm": "file" }`) and given to init().
import pkcs11js from "pkcs11-wasm";
import wasmUrl from "pkcs11-wasm/pkcs11_wasm_bg.wasm";
import { run } from "./scenario.js";

run(pkcs11js, wasmUrl);
