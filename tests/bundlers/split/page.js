// The extra module on a page's main thread (?mode=async: no preload; the
// first sync call that needs it fails clearly, the Async form awaits it;
// ?mode=preload: init({ extras: true }) first, then sync calls just work;
// ?mode=worker: a Worker loads it synchronously).
import * as P from "/pkg/browser.mjs";
import { countObjects, openSession, pairArgs, signVerify } from "./session.js";

const mode = new URLSearchParams(location.search).get("mode");
const out = {};
try {
  if (mode === "worker") {
    const worker = new Worker("./worker.js", { type: "module" });
    out.worker = await new Promise((resolve) => (worker.onmessage = (e) => resolve(e.data)));
  } else {
    if (mode === "preload") await P.init({ extras: true });
    const { p, s, slot } = await openSession();
    out.listed = p.C_GetMechanismList(slot).includes(P.CKM_EDDSA);
    out.info = p.C_GetMechanismInfo(slot, P.CKM_EDDSA).flags;
    const before = countObjects(p, s);
    try {
      const pair = p.C_GenerateKeyPair(...pairArgs(s));
      out.sync = { ok: signVerify(p, s, pair) };
    } catch (e) {
      out.sync = { pkcs11Error: e instanceof P.Pkcs11Error, code: e.code, message: e.message };
    }
    out.objectsAdded = countObjects(p, s) - before;
    const pair = await p.C_GenerateKeyPairAsync(...pairArgs(s));
    out.async = signVerify(p, s, pair);
    p.C_Finalize();
  }
} catch (e) {
  out.error = String(e?.stack ?? e);
}
window.result = out;
