// Node: thread members of token groups run in worker_threads workers
// (pkg/group-worker.cjs, next to the bundle that imports this).
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { platform } from "../platform.js";

// The CJS bundle has __dirname; the ESM bundle import.meta.url.
const here = typeof __dirname === "string" ? __dirname : path.dirname(fileURLToPath(import.meta.url));

platform.memberWorker = (init) => {
  const w = new Worker(path.join(here, "group-worker.cjs"), { workerData: init });
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
