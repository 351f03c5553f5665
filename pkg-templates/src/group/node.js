// Node: thread members of token groups run in worker_threads workers
// (pkg/group-worker.cjs, next to the bundle that imports this).
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import shared from "@gen/group-shared-node";
import { platform } from "../platform.js";
import { groupCode } from "./lazy.js";

// The CJS bundle has __dirname; the ESM bundle import.meta.url.
const here = typeof __dirname === "string" ? __dirname : path.dirname(fileURLToPath(import.meta.url));
const workerFile = path.join(here, "group-worker.cjs");

// The token groups' code (composite.js and what only it needs) is
// group-node.cjs beside the bundle, required at its first use (lazy.js):
// in the bundle, its ~110 KB were parsed by every require() of the
// package (~2 ms of a start-up) though only a configuration with groups
// runs it. Like browser.mjs's group.mjs, it is a factory: the modules it
// shares with this bundle (the wasm glue, platform.js, pkcs11.js...) are
// handed over, so that both use one wasm instance and one set of classes.
const chunkFile = path.join(here, "group-node.cjs");
groupCode.loadSync = () => createRequire(chunkFile)(chunkFile)(provide);

function provide(id) {
  if (!(id in shared)) throw new Error(`group-node.cjs asks for ${id}, which this bundle does not provide (mixed versions?)`);
  return shared[id];
}

platform.memberWorker = (init) => {
  // node:worker_threads is loaded with the first thread member: loading it
  // costs ~2 ms of every start-up, and few configurations have groups.
  const { Worker } = createRequire(workerFile)("node:worker_threads");
  const w = new Worker(workerFile, { workerData: init });
  let exited = false;
  return {
    post: (msg) => w.postMessage(msg),
    onmessage: (fn) => w.on("message", fn),
    onexit: (fn) => {
      const once = (why) => {
        if (!exited) fn(why);
        exited = true;
      };
      w.on("error", (e) => once(`: ${e?.message ?? e}`));
      w.on("exit", (code) => once(` (exit code ${code})`));
    },
    terminate: () => {
      exited = true;
      w.terminate();
    },
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
};
