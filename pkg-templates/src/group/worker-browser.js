// Entry of pkg/group-worker.mjs: a browser Web Worker hosting one thread
// member of a token group (worker.js). Loaded by group/browser.js; the
// first message carries the member's settings, later ones are requests
// (queued until the wasm module is ready).
import wbgInit from "@gen/glue";
import { platform } from "../platform.js";
import { extraSource } from "../extra.js";
import { serveMember } from "./worker.js";

platform.browser = true;
// A Worker loads the extra module synchronously at the first call that needs it.
extraSource.url = () => new URL("./pkcs11_wasm_extra_bg.wasm", import.meta.url);
const early = [];
let deliver = (msg) => early.push(msg);

self.onmessage = (e) => {
  const msg = e.data;
  if (!msg?.init) return deliver(msg);
  wbgInit({ module_or_path: new URL("./pkcs11_wasm_bg.wasm", import.meta.url) }).then(() => {
    platform.ready = true;
    serveMember(
      {
        post: (m) => self.postMessage(m),
        onmessage: (fn) => {
          deliver = fn;
          for (const m of early.splice(0)) fn(m);
        },
        exit: () => self.close(),
        onExit: () => {},
      },
      msg.init,
    );
  });
};
