// The main entry with no configuration (Vite, webpack): the bundler
// copies pkcs11_wasm_bg.wasm, referenced as new URL(..., import.meta.url).
import pkcs11js from "pkcs11-wasm";
import { run } from "./scenario.js";

run(pkcs11js);
