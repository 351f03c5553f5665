// The common case without the generic machinery: an Init and the
// single-part or multi-part calls after it, on an in-thread member that is
// live, with every handle already known. These calls make no storage
// writes and cannot lose a member mid-way except by its engine failing,
// which hands the call back to the generic path (calls-crypto.js) to be
// retried elsewhere. Same rules, same answers; only fewer objects made and
// fewer lookups per call (the per-call overhead target of the benchmark):
// the composite passes each call's entry of FAST_OPS, found once when its
// method was defined, and the group remembers its last session.
import { WasmModule } from "@gen/glue";
import { runSync } from "./drive.js";
import { INIT, OPS, initHandles, newOp } from "./calls-crypto.js";
import { MemberLost } from "./member.js";

/** What `fast` answers when it does not handle a call. */
export const SLOW = Symbol("slow path");
const CLASSIC = new Set(["encrypt", "decrypt", "sign", "verify", "digest"]);

/** Shell function -> [family, kind, engine method] for the calls `fast` may take (C_DigestKey never). */
export const FAST_OPS = Object.fromEntries(
  Object.entries(OPS)
    .filter(([fn, [name]]) => CLASSIC.has(name) && fn !== "digest_key")
    .map(([fn, [name, kind]]) => [fn, [name, kind, WasmModule.prototype[fn]]]),
);

export const fastCalls = {
  /** Runs shell call `fn` (its FAST_OPS entry `spec`) if it is a plain case, else returns SLOW. */
  fast(fn, args, spec) {
    if (this.threads) return SLOW;
    const h = args[0];
    let gs = this.lastSession;
    if (gs === undefined || gs.handle !== h) {
      gs = this.sessions.get(h);
      if (!gs) return SLOW;
      this.lastSession = gs;
    }
    const name = spec[0];
    const op = gs.op;
    let m;
    if (spec[1] === INIT) {
      if (op?.inits.has(name)) return SLOW;
      m = op?.member;
      const hs = initHandles(fn, args);
      if (hs.length > 1) return SLOW; // handles in the parameter
      const key = hs.length === 1 ? this.objects.get(hs[0]) : undefined;
      const owner = key?.member;
      if (owner && owner !== m) {
        if (m) return SLOW;
        m = owner;
      }
      m ??= this.pick();
      if (m === undefined || !m.local || m.state !== "live") return SLOW;
      // The key's handle there (as cachedHandles: 0, unknown to the group,
      // lets the engine answer CKR_KEY_HANDLE_INVALID).
      let mh = 0;
      if (key !== undefined) {
        mh = owner ? (owner === m ? key.mh : 0) : m.uids.get(key.uid);
        if (mh === undefined) mh = runSync(this, this.memberHandles(m, hs))?.[0];
        if (mh === undefined) return SLOW;
      }
      const a = args.slice();
      a[0] = memberSession(gs, m);
      if (fn !== "digest_init") a[3] = mh;
      const r = this.direct(m, spec[2], fn, a);
      if (r === SLOW) return SLOW;
      if (r.rv !== undefined) throw r.rv;
      const o = op ?? (gs.op = newOp(gs, m));
      // (Kept as given, not copied: only a failover between this Init and
      // the next call reads it again.)
      o.inits.set(name, { fn, args });
      return r.value;
    }
    m = stepMember(op, name);
    if (m === undefined) return SLOW;
    // (The composite made `args` for this call: the member's session
    // handle goes in place, and the group's back for the generic path.)
    args[0] = memberSession(gs, m);
    const r = this.direct(m, spec[2], fn, args);
    args[0] = h;
    return r === SLOW ? SLOW : this.stepDone(gs, spec, fn, args, r);
  },

  /**
   * C_Encrypt, C_Decrypt or an Update of them (shell function `fn`, its
   * `crypt_into` operation `code`) after an Init, written by the in-thread
   * member's engine straight into the caller's buffer `out` as a plain
   * slot's is (`crypt_into` in src/wasm.rs), else SLOW. The length written.
   */
  fastInto(fn, code, h, data, out, spec) {
    if (this.threads) return SLOW;
    const gs = this.sessions.get(h);
    const m = gs && stepMember(gs.op, spec[0]);
    if (m === undefined) return SLOW;
    const r = this.direct(m, CRYPT_INTO, fn, [code, memberSession(gs, m), data, out]);
    return r === SLOW ? SLOW : this.stepDone(gs, spec, fn, [h, data, out.byteLength], r);
  },

  /** The session's operation record after a fast call's answer `r` (then its value, or its error thrown). */
  stepDone(gs, spec, fn, args, r) {
    this.afterStep(gs, spec[0], spec[1], fn, args, r.rv === undefined ? OK : { ok: false, rv: r.rv });
    if (r.rv !== undefined) throw r.rv;
    return r.value;
  },

  /** One call (engine method `method`, shell name `fn`) on an in-thread member, with the bookkeeping drive.js does. */
  direct(m, method, fn, a) {
    let r;
    try {
      r = m.call(method, a);
    } catch (e) {
      if (!(e instanceof MemberLost)) throw e;
      this.lose(m, e.message);
      return SLOW; // the generic path retries elsewhere
    }
    if (r.writes) runSync(this, this.replicate(m, r.writes)); // (cryptographic calls do not write)
    m.served++;
    this.trace(m, undefined, r, fn);
    return r;
  },
};
const OK = { ok: true, rv: undefined };
const CRYPT_INTO = WasmModule.prototype.crypt_into;

/** The live in-thread member a step of operation `name` runs on without the generic path, if any. */
function stepMember(op, name) {
  if (!op || !op.inits.has(name) || op.pending.size > 0 || op.failed.size > 0) return undefined;
  const m = op.member;
  return m.local && m.state === "live" ? m : undefined;
}

/** The session's handle on member `m` (the last one asked for is kept on the session). */
function memberSession(gs, m) {
  if (gs.fastMember !== m) {
    gs.fastMh = gs.ms.get(m);
    gs.fastMember = m;
  }
  return gs.fastMh;
}
