// Entry of pkg/group-worker.cjs: a Node worker_threads worker hosting one
// thread member of a token group (worker.js). Loaded by group/node.js.
import * as fs from "node:fs";
import * as path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { initSync, object_cache_checksum } from "@gen/glue";
import { platform } from "../platform.js";
import { extraSource } from "../extra.js";
import { BACKENDS } from "../storage/backends.js";
import { DirectoryBackend } from "../storage/directory.js";
import { serveMember } from "./worker.js";

initSync({ module: fs.readFileSync(path.join(__dirname, "pkcs11_wasm_bg.wasm")) });
extraSource.bytes = () => fs.readFileSync(path.join(__dirname, "pkcs11_wasm_extra_bg.wasm"));
platform.ready = true;
platform.readText = (p) => fs.readFileSync(p, "utf8");
platform.env = (name) => process.env[name];
platform.fs = fs;
platform.path = path;
platform.checksum = object_cache_checksum;
BACKENDS.directory = DirectoryBackend;

serveMember(
  {
    post: (msg) => parentPort.postMessage(msg),
    onmessage: (fn) => parentPort.on("message", fn),
    exit: (code) => process.exit(code),
    onExit: (fn) => process.on("exit", fn),
  },
  workerData,
);
