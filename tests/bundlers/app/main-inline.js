// The inline entry (any bundler, nothing to copy: esbuild, Rollup).
import pkcs11js from "pkcs11-wasm/inline";
import { run } from "./scenario.js";

run(pkcs11js);
