// Object and key-management calls of a group (PKCS#11 3.1 sections 5.7,
// 5.18): they run on one member, what that member wrote is replicated to
// every other live member before the call returns, and the handles the
// member gave out become group handles. Where: a call that involves or
// makes a session object runs on the member holding session objects;
// reads and searches run there too (it holds every token object as well);
// a call that only involves and makes token objects (a key generated as a
// token object, a wrap) goes to the member the balancing policy picks. If
// the member is lost before it answers, the call is run again elsewhere.
import { CKR_DEVICE_REMOVED } from "./group.js";
import { DESC_ENCAP, DESC_LIST, DESC_ONE, DESC_PAIR, REFRESH } from "./host.js";
import { value } from "./calls-session.js";

const CKA_TOKEN = 0x1;
const CKM_CONCATENATE_BASE_AND_KEY = 0x360;
const CK_PARAMS_HKDF = 0x1004;
const CK_PARAMS_SP800_108_KDF = 0x1006;
const SP800_108_KEY_HANDLE = 5;

// Per shell function: object-handle arguments, templates (wiped after the
// call, copied for each attempt), the mechanism parameter, what the
// answer holds. `where`: "objects" (the objects' member, else the session
// member) or "balance" (token objects only: the policy's pick).
const CALLS = {
  create_object: { keys: [], tmpl: [1], desc: DESC_ONE, where: "balance" },
  copy_object: { keys: [1], tmpl: [2], desc: DESC_ONE, where: "objects" },
  generate_key: { keys: [], tmpl: [3], param: 2, desc: DESC_ONE, where: "balance" },
  generate_key_pair: { keys: [], tmpl: [3, 4], param: 2, desc: DESC_PAIR, where: "balance" },
  unwrap_key: { keys: [3], tmpl: [5], param: 2, desc: DESC_ONE, where: "balance" },
  derive_key: { keys: [3], tmpl: [4], param: 2, desc: DESC_ONE, where: "balance" },
  encapsulate_key: { keys: [3], tmpl: [4], param: 2, desc: DESC_ENCAP, where: "balance" },
  decapsulate_key: { keys: [3], tmpl: [4], param: 2, desc: DESC_ONE, where: "balance" },
  wrap_key: { keys: [3, 4], tmpl: [], param: 2, where: "balance" },
  set_attribute_value: { keys: [1], tmpl: [2], where: "objects" },
  destroy_object: { keys: [1], tmpl: [], where: "objects" },
  get_attribute_value: { keys: [1], tmpl: [], where: "objects", refresh: true },
  get_object_size: { keys: [1], tmpl: [], where: "objects", refresh: true },
  set_operation_state: { keys: [2, 3], tmpl: [], where: "objects" },
};

/** Whether an encoded template ([type u32][len u32][value]...) says CKA_TOKEN true. */
function makesTokenObject(t) {
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  let token = false;
  for (let at = 0; at + 8 <= t.length; ) {
    const type = dv.getUint32(at, true);
    const len = dv.getUint32(at + 4, true);
    if (type === CKA_TOKEN) token = len >= 1 && t[at + 8] !== 0;
    at += 8 + len;
  }
  return token;
}

/** Object handles inside a mechanism parameter (key-derivation parameters). */
export function paramHandles(kind, param) {
  if (param instanceof Uint8Array) {
    if (kind !== CKM_CONCATENATE_BASE_AND_KEY || param.length !== 8) return [];
    const dv = new DataView(param.buffer, param.byteOffset, 8);
    return [dv.getUint32(0, true) + dv.getUint32(4, true) * 4294967296];
  }
  if (!param || typeof param !== "object") return [];
  if (param.type === CK_PARAMS_HKDF) return param.saltKey === undefined ? [] : [param.saltKey];
  if (param.type === CK_PARAMS_SP800_108_KDF) {
    return (param.dataParams ?? []).filter((d) => d.type === SP800_108_KEY_HANDLE).map((d) => d.handle);
  }
  return [];
}

/** A copy of `param` with its object handles replaced by `mhs` (in paramHandles' order). */
export function withHandles(kind, param, mhs) {
  if (mhs.length === 0) return param;
  if (param instanceof Uint8Array) {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, mhs[0] % 4294967296, true);
    dv.setUint32(4, Math.floor(mhs[0] / 4294967296), true);
    return b;
  }
  if (param.type === CK_PARAMS_HKDF) return { ...param, saltKey: mhs[0] };
  let k = 0;
  const dataParams = param.dataParams.map((d) => (d.type === SP800_108_KEY_HANDLE ? { ...d, handle: mhs[k++] } : d));
  return { ...param, dataParams };
}

function handleBytesLE(h) {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, h % 4294967296, true);
  dv.setUint32(4, Math.floor(h / 4294967296), true);
  return b;
}

export const objectCalls = {
  /**
   * The member a call runs on: that of a session object it involves; the
   * session member when it makes a session object or reads; else the
   * balancing policy's pick (token objects only).
   */
  memberFor(d, args, handles) {
    for (const h of handles) {
      const m = this.sessionObjectMember(h);
      if (m) return m.state === "live" ? m : this.ensureSessionMember();
    }
    if (d.where === "balance" && d.tmpl.every((i) => makesTokenObject(args[i]))) {
      const m = this.pick();
      if (!m) throw CKR_DEVICE_REMOVED;
      return m;
    }
    return this.ensureSessionMember();
  },

  *objectCall(fn, args) {
    const d = CALLS[fn];
    const gs = this.session(args[0]);
    const kind = d.param === undefined ? undefined : args[1];
    const inParam = d.param === undefined ? [] : paramHandles(kind, args[d.param]);
    const handles = [...d.keys.map((i) => args[i]), ...inParam];
    if (fn === "destroy_object" || fn === "set_attribute_value") yield* this.settlePending();
    try {
      for (;;) {
        const m = this.memberFor(d, args, handles);
        const mhs = yield* this.memberHandles(m, handles);
        if (mhs === undefined) continue;
        const a = args.slice();
        a[0] = gs.ms.get(m);
        d.keys.forEach((i, k) => (a[i] = mhs[k]));
        if (inParam.length > 0) a[d.param] = withHandles(kind, args[d.param], mhs.slice(d.keys.length));
        for (const i of d.tmpl) a[i] = args[i].slice();
        const mode = (d.desc ?? 0) | (d.refresh ? REFRESH : 0);
        const o = yield this.call(m, fn, a, mode, d.tmpl);
        if (o.lost) continue;
        if (o.error) throw o.error;
        yield* this.replicate(m, o.res.writes);
        const v = value(o);
        if (fn === "destroy_object") this.forgetObject(args[1]);
        return d.desc ? this.groupAnswer(d.desc, gs, m, v, o.res.desc) : v;
      }
    } finally {
      for (const i of d.tmpl) args[i].fill(0);
    }
  },

  /** The member's answer with its handles replaced by group handles. */
  groupAnswer(desc, gs, m, v, described) {
    if (desc === DESC_ONE) return this.adopt(m, gs, v, described[0]);
    if (desc === DESC_PAIR) return [this.adopt(m, gs, v[0], described[0]), this.adopt(m, gs, v[1], described[1])];
    const dv = new DataView(v.buffer, v.byteOffset, 8);
    const mh = dv.getUint32(0, true) + dv.getUint32(4, true) * 4294967296;
    const out = v.slice();
    out.set(handleBytesLE(this.adopt(m, gs, mh, described[0])), 0);
    return out;
  },

  forgetObject(h) {
    const o = this.objects.get(h);
    if (!o) return;
    this.objects.delete(h);
    if (o.uid !== undefined) {
      this.byUid.delete(o.uid);
      for (const m of this.members) m.uids.delete(o.uid);
    }
  },

  // --- searching (5.7.7-5.7.9): on the session member; if it is lost
  // mid-search the search starts again on the next one, skipping what was
  // already returned.

  *find_objects_init(h, tmpl) {
    const gs = this.session(h);
    try {
      for (;;) {
        const m = this.ensureSessionMember();
        const o = yield this.call(m, "find_objects_init", [gs.ms.get(m), tmpl.slice()], REFRESH, [1]);
        if (o.lost) continue;
        value(o);
        gs.find = { member: m, tmpl: tmpl.slice(), returned: new Set() };
        return undefined;
      }
    } finally {
      tmpl.fill(0);
    }
  },

  *find_objects(h, max) {
    const gs = this.session(h);
    for (;;) {
      const f = gs.find;
      const m = f?.member ?? this.ensureSessionMember();
      if (f && m.state !== "live") {
        const next = this.ensureSessionMember();
        const o = yield this.call(next, "find_objects_init", [gs.ms.get(next), f.tmpl.slice()], REFRESH, [1]);
        if (!o.lost) {
          value(o);
          f.member = next;
        }
        continue;
      }
      const o = yield this.call(m, "find_objects", [gs.ms.get(m), max], DESC_LIST);
      if (o.lost) continue;
      const found = value(o);
      const out = [];
      for (let k = 0; k < found.length; k++) {
        const gh = this.adopt(m, undefined, found[k], o.res.desc[k]);
        if (f?.returned.has(gh)) continue;
        f?.returned.add(gh);
        out.push(gh);
      }
      // Skipped repeats (a restarted search) must not end the search early.
      if (out.length === 0 && found.length > 0) continue;
      return new Float64Array(out);
    }
  },

  *find_objects_final(h) {
    const gs = this.session(h);
    const f = gs.find;
    gs.find = undefined;
    for (;;) {
      const m = f?.member?.state === "live" ? f.member : this.ensureSessionMember();
      const o = yield this.call(m, "find_objects_final", [gs.ms.get(m)]);
      if (o.lost) continue;
      // A search restarted elsewhere: the new member had none to end.
      if (f && f.member !== m) return undefined;
      return value(o);
    }
  },
};

for (const fn of Object.keys(CALLS)) {
  objectCalls[fn] = function* (...args) {
    return yield* this.objectCall(fn, args);
  };
}
