// A Web Worker: sync calls load the extra module synchronously.
import { openSession, pairArgs, signVerify } from "./session.js";

try {
  const { p, s } = await openSession();
  const pair = p.C_GenerateKeyPair(...pairArgs(s));
  postMessage({ ok: signVerify(p, s, pair) });
} catch (e) {
  postMessage({ error: String(e?.stack ?? e) });
}
