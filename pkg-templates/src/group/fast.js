// The common case without the generic machinery: an Init and the
// single-part or multi-part calls after it, on an in-thread member that is
// live, with every handle already known. These calls make no storage
// writes and cannot lose a member mid-way except by its engine failing,
// which hands the call back to the generic path (calls-crypto.js) to be
// retried elsewhere. Same rules, same answers; only fewer objects made per
// call (the per-call overhead target of the benchmark).
import { runSync } from "./drive.js";
import { INIT, OPS, initHandles, newOp } from "./calls-crypto.js";
import { LocalMember, MemberLost } from "./member.js";

/** What `fast` answers when it does not handle a call. */
export const SLOW = Symbol("slow path");
const CLASSIC = new Set(["encrypt", "decrypt", "sign", "verify", "digest"]);

export const fastCalls = {
  /** Runs shell call `fn` if it is a plain case, else returns SLOW. */
  fast(fn, args) {
    const spec = OPS[fn];
    if (!spec || this.threads || !CLASSIC.has(spec[0])) return SLOW;
    const gs = this.sessions.get(args[0]);
    if (!gs) return SLOW;
    const [name, kind] = spec;
    const op = gs.op;
    let m;
    if (kind === INIT) {
      if (op?.inits.has(name) || fn === "digest_key") return SLOW;
      m = op?.member;
      const hs = initHandles(fn, args);
      for (const h of hs) {
        const owner = this.sessionObjectMember(h);
        if (owner && owner !== m) {
          if (m) return SLOW;
          m = owner;
        }
      }
      m ??= this.pick();
      if (!(m instanceof LocalMember) || m.state !== "live") return SLOW;
      if (hs.length > 1) return SLOW; // handles in the parameter
      const mhs = this.cachedHandles(m, hs) ?? runSync(this, this.memberHandles(m, hs));
      if (!mhs) return SLOW;
      const a = args.slice();
      a[0] = gs.ms.get(m);
      if (fn !== "digest_init") a[3] = mhs[0];
      const r = this.direct(m, fn, a);
      if (r === SLOW) return SLOW;
      if (r.rv !== undefined) throw r.rv;
      const o = op ?? (gs.op = newOp(gs, m));
      // (Kept as given, not copied: only a failover between this Init and
      // the next call reads it again.)
      o.inits.set(name, { fn, args });
      return r.value;
    }
    if (fn === "digest_key" || !op || !op.inits.has(name) || op.pending.has(name) || op.failed.has(name)) return SLOW;
    m = op.member;
    if (!(m instanceof LocalMember) || m.state !== "live") return SLOW;
    const a = args.slice();
    a[0] = gs.ms.get(m);
    const r = this.direct(m, fn, a);
    if (r === SLOW) return SLOW;
    this.afterStep(gs, name, kind, fn, args, { ok: r.rv === undefined, rv: r.rv });
    if (r.rv !== undefined) throw r.rv;
    return r.value;
  },

  /** One call on an in-thread member, with the bookkeeping drive.js does. */
  direct(m, fn, a) {
    let r;
    try {
      r = m.call(fn, a);
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
