// Node: thread members of token groups run in worker_threads workers
// (pkg/group-worker.cjs, next to the bundle that imports this).
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { platform } from "../platform.js";

// The CJS bundle has __dirname; the ESM bundle import.meta.url.
const here = typeof __dirname === "string" ? __dirname : path.dirname(fileURLToPath(import.meta.url));
const workerFile = path.join(here, "group-worker.cjs");

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
