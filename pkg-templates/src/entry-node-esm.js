// Node, ES module: instantiate the wasm synchronously at import time so the
// package is usable right away, like pkcs11js.
import * as fs from "node:fs";
import * as path from "node:path";
const { readFileSync } = fs;
import { initSync } from "@gen/glue";
import { platform } from "./platform.js";
import "./group/node.js"; // token groups: thread members in worker_threads

initSync({ module: readFileSync(new URL("./pkcs11_wasm_bg.wasm", import.meta.url)) });
platform.ready = true;
platform.readText = (path) => readFileSync(path, "utf8");
platform.env = (name) => process.env[name];
platform.fs = fs;
platform.path = path;

/** Already done in Node; kept so isomorphic code can always `await init()`. */
export async function init() {}

export * from "./index.js";
