// Cryptographic operations of a group (PKCS#11 3.1 sections 5.8-5.15 and
// the 3.x message functions). C_XInit picks a member (the balancing
// policy, or the member holding a session object it uses, or the member
// where the session already has operations) and the operation stays
// there. A single-part call (C_Sign, C_Encrypt, ... and the one-message
// calls) whose member is lost is not lost with it: the group runs the
// Init it recorded (mechanism, parameter, key) on another live member and
// retries, so the caller sees no error while one member lives. A
// multi-part operation that has consumed data cannot move: its next call
// answers CKR_DEVICE_ERROR, the operation is over and the session usable.
import { CKR_BUFFER_TOO_SMALL, CKR_DEVICE_ERROR, CKR_DEVICE_REMOVED } from "./group.js";
import { paramHandles, withHandles } from "./calls-objects.js";
import { value } from "./calls-session.js";
import { InitTable } from "./init-table.js";

export const INIT = 1;
const SINGLE = 2; // ends the operation
const UPDATE = 3;
const FINAL = 4;
const ONE_MESSAGE = 5; // a whole message: the message process goes on
const BEGIN = 6; // a message in parts starts
const NEXT = 7; // a part; the last one ends the message
const END = 8; // the message process ends
const CKR_OPERATION_ACTIVE = 0x90;
const CKR_STATE_UNSAVEABLE = 0x180;
const CKF_FIND_OBJECTS = 0x40;
// C_SessionCancel's flag of each operation family (as the engine cancels them).
const CANCEL_FLAGS = {
  encrypt: 0x100,
  decrypt: 0x200,
  digest: 0x400,
  sign: 0x800,
  verify: 0x2000,
  verify_signature: 0x2000,
  message_encrypt: 0x2,
  message_decrypt: 0x4,
  message_sign: 0x8,
  message_verify: 0x10,
};
const CKR_OPERATION_NOT_INITIALIZED = 0x91;

const family = (name, kinds) => Object.fromEntries(Object.entries(kinds).map(([fn, kind]) => [fn, [name, kind]]));
export const OPS = {
  ...family("encrypt", { encrypt_init: INIT, encrypt: SINGLE, encrypt_update: UPDATE, encrypt_final: FINAL }),
  ...family("decrypt", { decrypt_init: INIT, decrypt: SINGLE, decrypt_update: UPDATE, decrypt_final: FINAL }),
  ...family("digest", { digest_init: INIT, digest: SINGLE, digest_update: UPDATE, digest_key: UPDATE, digest_final: FINAL }),
  ...family("sign", { sign_init: INIT, sign: SINGLE, sign_update: UPDATE, sign_final: FINAL }),
  ...family("verify", { verify_init: INIT, verify: SINGLE, verify_update: UPDATE, verify_final: FINAL }),
  ...family("verify_signature", {
    verify_signature_init: INIT,
    verify_signature: SINGLE,
    verify_signature_update: UPDATE,
    verify_signature_final: FINAL,
  }),
  ...family("message_encrypt", {
    message_encrypt_init: INIT,
    encrypt_message: ONE_MESSAGE,
    encrypt_message_begin: BEGIN,
    encrypt_message_next: NEXT,
    message_encrypt_final: END,
  }),
  ...family("message_decrypt", {
    message_decrypt_init: INIT,
    decrypt_message: ONE_MESSAGE,
    decrypt_message_begin: BEGIN,
    decrypt_message_next: NEXT,
    message_decrypt_final: END,
  }),
  ...family("message_sign", {
    message_sign_init: INIT,
    sign_message: ONE_MESSAGE,
    sign_message_begin: BEGIN,
    sign_message_next: NEXT,
    message_sign_final: END,
  }),
  ...family("message_verify", {
    message_verify_init: INIT,
    verify_message: ONE_MESSAGE,
    verify_message_begin: BEGIN,
    verify_message_next: NEXT,
    message_verify_final: END,
  }),
};

/** Whether a NEXT call with these arguments carries the message's last part. */
function lastPart(fn, args) {
  if (fn === "encrypt_message_next" || fn === "decrypt_message_next") return (args[4] & 1) !== 0; // CKF_END_OF_MESSAGE
  return args[3] !== undefined && args[3] !== null && args[3] !== false;
}

/** The object handles an Init (or C_DigestKey) names: its key, and any in its parameter. */
export function initHandles(fn, args) {
  if (fn === "digest_key") return [args[1]];
  if (fn === "digest_init") return [];
  const inParam = args[2] === undefined ? NONE : paramHandles(args[1], args[2]);
  return inParam.length === 0 ? [args[3]] : [args[3], ...inParam];
}
const NONE = [];

/**
 * A session's record of its operations on `member` (undefined: Inits
 * deferred, none run yet); the session's last one is reused (they are
 * empty when an operation ends, and a session starts one per call pair).
 */
export function newOp(gs, member) {
  const op = gs.spareOp ?? { inits: new InitTable(), multi: new Set(), failed: new Set(), pending: new Set() };
  gs.spareOp = undefined;
  op.member = member;
  return op;
}

/** Bytes as a string (a Map key, not for display). */
function keyOf(b) {
  return `${b.length}:${String.fromCharCode.apply(null, b.subarray(0, 4096))}`;
}

/**
 * What identifies an Init for the cache of Inits known to succeed, or
 * undefined when it is not cached (message and signature-first Inits, and
 * parameters that hold object handles or nested structures).
 */
function initKey(fn, args) {
  if (!/^(encrypt|decrypt|sign|verify|digest)_init$/.test(fn)) return undefined;
  const p = args[2];
  let param;
  if (p === undefined || p === null) param = "-";
  else if (p instanceof Uint8Array) {
    if (p.length > 4096) return undefined;
    param = keyOf(p);
  }
  else if (typeof p === "object" && paramHandles(args[1], p).length === 0) {
    const parts = [];
    for (const k of Object.keys(p).sort()) {
      const v = p[k];
      if (v === undefined) continue;
      if (v instanceof Uint8Array && v.length <= 4096) parts.push(`${k}=${keyOf(v)}`);
      else if (typeof v === "number" || typeof v === "boolean") parts.push(`${k}=${v}`);
      else return undefined;
    }
    param = parts.join(",");
  } else return undefined;
  return `${fn}|${args[1]}|${fn === "digest_init" ? "" : args[3]}|${param}`;
}

/** An Init's arguments with its parameter's bytes copied (the caller may reuse its buffers). */
function copyInit(args) {
  const p = args[2];
  if (p instanceof Uint8Array) args[2] = p.slice();
  else if (p && typeof p === "object") {
    const c = {};
    for (const k in p) c[k] = p[k] instanceof Uint8Array ? p[k].slice() : p[k];
    args[2] = c;
  }
  return args;
}

export const cryptoCalls = {
  /** Ends `name` in the session's record (and the record when nothing is left). */
  endOp(gs, name) {
    const op = gs.op;
    if (!op) return;
    op.inits.delete(name);
    op.multi.delete(name);
    op.pending.delete(name);
    if (op.inits.size === 0 && op.failed.size === 0) {
      gs.op = undefined;
      gs.spareOp = op;
    }
  },

  /** An Init's (or digest_key's) arguments for member `m`, or undefined if `m` was lost. */
  *initArgs(m, gs, fn, args) {
    const hs = initHandles(fn, args);
    const mhs = this.cachedHandles(m, hs) ?? (yield* this.memberHandles(m, hs));
    if (mhs === undefined) return undefined;
    const a = args.slice();
    a[0] = gs.ms.get(m);
    if (fn === "digest_key") a[1] = mhs[0];
    else if (fn !== "digest_init") {
      a[3] = mhs[0];
      if (hs.length > 1) a[2] = withHandles(args[1], args[2], mhs.slice(1));
    }
    return a;
  },

  /**
   * C_XInit. An Init that succeeded before on this group with the same
   * mechanism, parameter and key (and no object, login or token change
   * since) cannot fail now: it is recorded and not run, and goes with the
   * operation's next call to the member that call is dispatched to (the
   * least busy one then), in the same request. So "C_SignInit + C_SignAsync"
   * in a loop never waits for a busy member. Any other Init runs at once.
   */
  *opInit(fn, name, args) {
    const gs = this.session(args[0]);
    const ending = args[1] === undefined || args[1] === null; // C_Message*Init(NULL)
    // A deferred Init of this family is an active operation (5.2).
    if (!ending && gs.op?.pending.has(name)) throw CKR_OPERATION_ACTIVE;
    // Only with thread members (an in-thread member is never busy when we
    // call it), and only Inits of token keys (a session object's Init goes
    // to its member).
    const known =
      !this.threads || ending || gs.op?.inits.has(name) || initHandles(fn, args).some((h) => this.sessionObjectMember(h))
        ? undefined
        : initKey(fn, args);
    if (known !== undefined && this.validInits.has(known)) {
      gs.op ??= newOp(gs, undefined);
      gs.op.inits.set(name, { fn, args: copyInit(args) });
      gs.op.pending.add(name);
      return undefined;
    }
    for (;;) {
      // A session object it uses decides; else where the session's other
      // operations are; else the balancing policy.
      let needs;
      for (const h of initHandles(fn, args)) needs ??= this.sessionObjectMember(h);
      let m = gs.op?.member;
      if (m && (m.state !== "live" || (needs && needs !== m))) {
        if (!(yield* this.moveOps(gs, needs))) throw CKR_DEVICE_REMOVED;
        m = gs.op?.member;
      }
      m ??= needs ?? this.pick();
      if (!m) throw CKR_DEVICE_REMOVED;
      const a = yield* this.initArgs(m, gs, fn, args);
      if (a === undefined) continue;
      const o = yield this.call(m, fn, a);
      if (o.lost) continue;
      value(o);
      if (ending) {
        this.endOp(gs, name);
        return undefined;
      }
      if (known !== undefined) this.validInits.add(known);
      gs.op ??= newOp(gs, m);
      gs.op.member ??= m;
      gs.op.inits.set(name, { fn, args: copyInit(args) });
      gs.op.multi.delete(name);
      gs.op.failed.delete(name);
      gs.op.pending.delete(name);
      return undefined;
    }
  },

  /**
   * The deferred Init to run on `m` before a call of operation `name`
   * ({fn, args} for the member), or undefined. Several deferred Inits of
   * one session: the others follow with their own next calls.
   */
  *pendingInit(gs, m, name) {
    const op = gs.op;
    if (!op) return undefined;
    // Before another family's Init or step runs on m, the first pending
    // Init of another family is not needed yet: only this family's is.
    if (!op.pending.has(name)) return undefined;
    const rec = op.inits.get(name);
    const a = yield* this.initArgs(m, gs, rec.fn, rec.args);
    return a && { fn: rec.fn, args: a };
  },

  /**
   * Runs every deferred Init now (before an object changes or goes: an
   * operation initialized before keeps working, as the spec has it).
   */
  *settlePending() {
    for (const gs of this.sessions.values()) {
      const op = gs.op;
      for (const name of [...(op?.pending ?? [])]) {
        for (;;) {
          const m = op.member ?? this.pick();
          if (!m) return;
          const rec = op.inits.get(name);
          const a = yield* this.initArgs(m, gs, rec.fn, rec.args);
          const o = a === undefined ? { lost: true } : yield this.call(m, rec.fn, a, 0, undefined, rec.fn);
          if (o.lost) continue;
          op.pending.delete(name);
          if (o.ok) op.member ??= m;
          else {
            op.inits.delete(name);
            op.failed.add(name);
          }
          break;
        }
      }
    }
  },

  /**
   * Moves the session's operations off their member (lost, or `target`
   * is needed): each recorded Init that has consumed no data is run again
   * on another live member; those that have are over (their next call
   * answers CKR_DEVICE_ERROR). False when no member is live.
   */
  *moveOps(gs, target) {
    const op = gs.op;
    for (const name of op.multi) {
      op.inits.delete(name);
      op.failed.add(name);
    }
    op.multi.clear();
    for (;;) {
      const m = target?.state === "live" ? target : this.pick(op.member);
      target = undefined;
      if (!m) return op.member?.state === "live";
      let lost = false;
      for (const [name, rec] of [...op.inits]) {
        if (op.pending.has(name)) continue; // goes with its next call
        const a = yield* this.initArgs(m, gs, rec.fn, rec.args);
        const o = a === undefined ? { lost: true } : yield this.call(m, rec.fn, a);
        if (o.lost) {
          lost = true;
          break;
        }
        if (!o.ok) {
          op.inits.delete(name);
          op.failed.add(name);
        }
      }
      if (lost) continue;
      op.member = m;
      return true;
    }
  },

  /** A step of an operation; with no member left, the operation ends (an error ends it, 5.2). */
  *opStep(fn, name, kind, args) {
    try {
      return yield* this.opStepOn(fn, name, kind, args);
    } catch (e) {
      const gs = this.sessions.get(args[0]);
      if (e === CKR_DEVICE_REMOVED && gs) this.endOp(gs, name);
      throw e;
    }
  },

  *opStepOn(fn, name, kind, args) {
    const gs = this.session(args[0]);
    const op = gs.op;
    if (op?.failed.has(name)) {
      op.failed.delete(name);
      this.endOp(gs, name);
      throw CKR_DEVICE_ERROR;
    }
    if (!op?.inits.has(name)) {
      // Not active as far as the group knows: a member answers (the spec's
      // CKR_OPERATION_NOT_INITIALIZED, or its own check of the arguments).
      const m = op?.member?.state === "live" ? op.member : this.first();
      const a = fn === "digest_key" ? yield* this.initArgs(m, gs, fn, args) : [gs.ms.get(m), ...args.slice(1)];
      return value(yield this.call(m, fn, a ?? [0]));
    }
    for (;;) {
      let m = op.member;
      if (!m) {
        // Every Init deferred: this call goes where the policy says now.
        m = this.pick();
        if (!m) throw CKR_DEVICE_REMOVED;
      } else if (m.state !== "live") {
        if (op.multi.has(name) || kind === NEXT) {
          op.multi.add(name);
          yield* this.moveOps(gs);
          op.failed.delete(name);
          this.endOp(gs, name);
          throw CKR_DEVICE_ERROR;
        }
        if (!(yield* this.moveOps(gs))) throw CKR_DEVICE_REMOVED;
        if (!op.inits.has(name)) {
          op.failed.delete(name);
          this.endOp(gs, name);
          throw CKR_DEVICE_ERROR;
        }
        continue;
      }
      const init = yield* this.pendingInit(gs, m, name);
      if (op.pending.has(name) && !init) continue; // lost during a lookup
      const a = fn === "digest_key" ? yield* this.initArgs(m, gs, fn, args) : [gs.ms.get(m), ...args.slice(1)];
      if (a === undefined) continue;
      const o = yield this.call(m, fn, a, 0, undefined, fn, init);
      if (o.lost) continue;
      if (o.error) throw o.error;
      op.member ??= m;
      op.pending.delete(name);
      this.afterStep(gs, name, kind, fn, args, o);
      return value(o);
    }
  },

  /**
   * Keeps the session's record of its operations in step with the
   * member's: a call ends its operation when it completes or fails (5.2),
   * except CKR_BUFFER_TOO_SMALL and CKR_OPERATION_ACTIVE (a single-part
   * call during a multi-part one), which leave it as it was; a failed
   * message or part ends that message, not the message process.
   */
  afterStep(gs, name, kind, fn, args, o) {
    const op = gs.op;
    if (o.rv === CKR_BUFFER_TOO_SMALL || o.rv === CKR_OPERATION_ACTIVE) return;
    if (o.rv === CKR_OPERATION_NOT_INITIALIZED) return this.endOp(gs, name);
    switch (kind) {
      case SINGLE:
      case FINAL:
      case END:
        return this.endOp(gs, name);
      case UPDATE:
        return o.ok ? op.multi.add(name) : this.endOp(gs, name);
      case BEGIN:
        return o.ok ? op.multi.add(name) : op.multi.delete(name);
      case NEXT:
        if (!o.ok || lastPart(fn, args)) op.multi.delete(name);
        return;
      default:
        return;
    }
  },

  *generate_random(h, len) {
    const gs = this.session(h);
    for (;;) {
      const m = this.pick();
      if (!m) throw CKR_DEVICE_REMOVED;
      const o = yield this.call(m, "generate_random", [gs.ms.get(m), len]);
      if (!o.lost) return value(o);
    }
  },

  *seed_random(h, seed) {
    const gs = this.session(h);
    return yield* this.onAny("seed_random", (m) => [gs.ms.get(m), seed], 0, CKR_DEVICE_REMOVED);
  },

  *get_operation_state(h) {
    const gs = this.session(h);
    // A deferred Init is an active operation: no state can be saved.
    if (gs.op?.pending.size > 0) throw CKR_STATE_UNSAVEABLE;
    for (;;) {
      const m = gs.op?.member?.state === "live" ? gs.op.member : this.first();
      const o = yield this.call(m, "get_operation_state", [gs.ms.get(m)]);
      if (!o.lost) return value(o);
    }
  },

  *session_cancel(h, flags) {
    const gs = this.session(h);
    for (;;) {
      const m = gs.op?.member?.state === "live" ? gs.op.member : this.first();
      const o = yield this.call(m, "session_cancel", [gs.ms.get(m), flags]);
      if (o.lost) continue;
      value(o);
      // The families cancelled (deferred Inits too, which no member had seen).
      for (const name of [...(gs.op?.inits.keys() ?? [])]) if (flags & CANCEL_FLAGS[name]) this.endOp(gs, name);
      if (flags & CKF_FIND_OBJECTS) gs.find = undefined;
      return undefined;
    }
  },
};

for (const [fn, [name, kind]] of Object.entries(OPS)) {
  cryptoCalls[fn] =
    kind === INIT
      ? function* (...args) {
          return yield* this.opInit(fn, name, args);
        }
      : function* (...args) {
          return yield* this.opStep(fn, name, kind, args);
        };
}
