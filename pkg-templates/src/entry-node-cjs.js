// Node, CommonJS (esbuild turns this into index.cjs): instantiate the wasm
// synchronously at require() time so the package is usable right away.
import * as fs from "node:fs";
import * as path from "node:path";
const { readFileSync } = fs;
const { join } = path;
import { initSync } from "@gen/glue";
import { platform } from "./platform.js";
import "./group/node.js"; // token groups: thread members in worker_threads

initSync({ module: readFileSync(join(__dirname, "pkcs11_wasm_bg.wasm")) });
platform.ready = true;
platform.readText = (path) => readFileSync(path, "utf8");
platform.env = (name) => process.env[name];
platform.fs = fs;
platform.path = path;

/** Already done in Node; kept so isomorphic code can always `await init()`. */
export async function init() {}

export * from "./index.js";
