// Browsers: thread members of token groups run in Web Workers
// (group-worker.mjs next to browser.mjs). Only from inside a Worker (a
// page's main thread may not block) in a cross-origin isolated context
// (SharedArrayBuffer): see config.js.
import { platform } from "../platform.js";

platform.memberWorker = (init) => {
  const w = new Worker(new URL("./group-worker.mjs", import.meta.url), { type: "module", name: "pkcs11-wasm group member" });
  w.postMessage({ init });
  let gone = false;
  return {
    post: (msg) => w.postMessage(msg),
    onmessage: (fn) => {
      w.onmessage = (e) => fn(e.data);
    },
    onexit: (fn) => {
      w.onerror = (e) => {
        e.preventDefault?.();
        if (!gone) fn(`: ${e.message ?? "its script failed"}`);
        gone = true;
      };
    },
    terminate: () => {
      gone = true;
      w.terminate();
    },
    ref: () => {},
    unref: () => {},
  };
};
