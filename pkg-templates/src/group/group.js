// A token group: one virtual slot over several members, each a replica of
// the same token (same token id and master key, so their sealed records are
// interchangeable). This file holds the group's state and the machinery
// every call uses: member states, balancing, replication of writes, object
// handles, events and status. The calls themselves are in calls-*.js
// (generators run by drive.js), loading and resync in resync.js.
//
// Handles: group session and object handles come from the composite's
// range (>= 2^40), so they never collide with the core's. A token object's
// group handle stands for its CKA_UNIQUE_ID (identical on every replica)
// and each member caches uid -> its own handle. Session objects all live
// on one member, the group's "session member" (chosen when first needed,
// re-chosen when it is lost; the session objects it held are then gone).
import { platform } from "../platform.js";
import { DEFAULT_CALL_TIMEOUT } from "./config.js";
import { runAsync, runSync } from "./drive.js";
import { createMember, MemberLost } from "./member.js";
import { DEFAULT_TOMBSTONE_WRITES } from "./records.js";
import { PIN } from "./host.js";

export const CKR_SESSION_HANDLE_INVALID = 0xb3;
export const CKR_DEVICE_ERROR = 0x30;
export const CKR_DEVICE_REMOVED = 0x32;
export const CKR_TOKEN_NOT_PRESENT = 0xe0;
export const CKR_BUFFER_TOO_SMALL = 0x150;
const CKU_SO = 0;
const EVENT_LOG = 1000;

/** "sign_init" -> "C_SignInit" (the shell's names are the C names in snake case). */
export function methodName(fn) {
  return "C_" + fn.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());
}

/** A session of the group: one member session per live member. */
class GroupSession {
  constructor(handle, flags) {
    this.handle = handle;
    this.flags = flags;
    this.ms = new Map(); // member -> its session handle
    this.op = undefined; // { member, inits: InitTable (family -> init), multi: Set, failed: Set, pending: Set }
    this.fastMember = undefined; // group/fast.js: the member of its last call and
    this.fastMh = 0; // the session's handle there (reset when `ms` changes)
    this.find = undefined; // { member, tmpl, returned: Set }
  }
}

export class Group {
  /** `spec` from config.js; `composite` hands out handles and reports. */
  constructor(composite, spec, coreConfig) {
    this.composite = composite;
    this.spec = spec;
    this.slotId = spec.slot;
    this.coreConfig = coreConfig;
    this.members = spec.members.map((m) => createMember(this, m));
    /** Some member runs in a thread (calls may wait for a busy member). */
    this.threads = spec.members.some((m) => m.thread);
    this.sessions = new Map(); // group session handle -> GroupSession
    this.lastSession = undefined; // the last one group/fast.js looked up
    this.objects = new Map(); // group object handle -> { uid, priv } | { member, mh, priv, session }
    this.byUid = new Map(); // uid -> group handle (token objects)
    this.sessionMember = undefined;
    this.credentials = undefined; // { user, pin: Uint8Array }: kept to log rejoining members in
    this.rr = 0;
    /** Inits that succeeded, by mechanism, key and parameter (calls-crypto.js defers their repeats). */
    this.validInits = new Set();
    this.retired = new Set(); // token ids replaced here by C_InitToken / deleteToken
    this.tokenId = undefined;
    this.slotEvents = [];
    this.started = false;
    this.initialized = false;
    this.timer = undefined;
    this.lastMember = undefined;
    this.lastFn = undefined;
  }

  // ------------------------------------------------------------ running calls

  /** Runs generator method `fn` of this group synchronously. */
  runSync(gen) {
    return runSync(this, gen);
  }

  runAsync(gen) {
    return runAsync(this, gen);
  }

  /** What drive.js hands back for one member request (see there). */
  outcome(step, res, error) {
    const { member, req } = step;
    if (error !== undefined) {
      if (error instanceof MemberLost) {
        this.lose(member, error.message);
        return { lost: true };
      }
      return { ok: false, error };
    }
    if (req.op === "call") {
      member.served++;
      if (step.trace) this.trace(member, req, res, step.trace);
    }
    return res.rv === undefined ? { ok: true, res } : { ok: false, rv: res.rv, res };
  }

  /**
   * One engine call on `member`: a step for drive.js (`trace` false: not
   * the caller's call; `init`: a deferred Init to run first, calls-crypto.js).
   */
  call(member, fn, args, mode = 0, wipe = undefined, trace = fn, init = undefined) {
    return { member, req: { op: "call", fn, args, mode, wipe, init }, trace };
  }

  request(member, op, fields) {
    return { member, req: { op, ...fields } };
  }

  /** Who served the caller's last call (groupStatus) and, if asked for, an event per call. */
  trace(member, req, res, fn) {
    this.lastMember = member;
    this.lastFn = fn;
    if (this.composite.host.wantsCalls?.()) {
      this.composite.callEvent({ slot: this.slotId, member: this.members.indexOf(member), method: methodName(fn), rv: res.rv ?? 0 });
    }
  }

  // ------------------------------------------------------------ members

  /** Writes a tombstone outlives on the members (records.js mergeRecords). */
  tombstoneWrites() {
    return this.spec.slotKeys?.tombstoneWrites ?? this.coreConfig?.tombstoneWrites ?? DEFAULT_TOMBSTONE_WRITES;
  }

  memberConfig() {
    const { slots, ...top } = this.coreConfig ?? {};
    return { ...top, slots: [{ ...this.spec.slotKeys, persistent: true }] };
  }

  get live() {
    return this.members.filter((m) => m.state === "live");
  }

  /** Members that take replicated writes (live, and those finishing a resync). */
  get receiving() {
    return this.members.filter((m) => m.receiving);
  }

  /**
   * A member for a balanced call: "least-busy" takes the one with the
   * fewest calls in flight (ties in round-robin order), "round-robin" the
   * next one. `not`: a member to avoid (the one that just failed).
   */
  pick(not) {
    const all = this.members;
    const n = all.length;
    const start = this.rr++ % n;
    const leastBusy = this.spec.balance !== "round-robin";
    let best;
    for (let k = 0; k < n; k++) {
      const m = all[(start + k) % n];
      if (m.state !== "live" || m === not) continue;
      if (!leastBusy || m.inFlight === 0) return m;
      if (!best || m.inFlight < best.inFlight) best = m;
    }
    return best;
  }

  /** The first live member, or throws `rv`. */
  first(rv = CKR_DEVICE_REMOVED) {
    const m = this.members.find((x) => x.state === "live");
    if (!m) throw rv;
    return m;
  }

  /** The member holding session objects, chosen when first needed. */
  ensureSessionMember() {
    if (this.sessionMember?.state === "live") return this.sessionMember;
    this.sessionMember = this.pick();
    if (!this.sessionMember) throw CKR_DEVICE_REMOVED;
    return this.sessionMember;
  }

  /**
   * `member` stops serving: its storage failed, its thread died, a call
   * timed out, or it answered differently from the others. It is probed
   * and rejoins after a resync.
   */
  lose(member, why, state = "lost") {
    member.lastError = why;
    member.lastErrorAt = new Date().toISOString();
    const was = member.state;
    if (was === state || was === "removed" || (was === "disabled" && state === "lost")) return;
    const hadToken = this.live.length > 0;
    member.state = state;
    member.receiving = false;
    member.loggedIn = undefined;
    member.halt();
    this.forgetMember(member);
    this.event(state === "lost" ? "lost" : state, member, why);
    if (hadToken && this.live.length === 0) this.slotEvent();
  }

  /** Drops what lived on `member` only: its sessions, its session objects. */
  forgetMember(member) {
    member.uids.clear();
    member.sessionHandles.clear();
    for (const gs of this.sessions.values()) {
      gs.ms.delete(member);
      gs.fastMember = undefined;
    }
    for (const [h, o] of this.objects) if (o.member === member) this.objects.delete(h);
    if (this.sessionMember === member) this.sessionMember = undefined;
  }

  /** A token-removed/inserted/initialized event for C_WaitForSlotEvent (a few kept, as a device would). */
  slotEvent() {
    if (this.slotEvents.length < 16) this.slotEvents.push(this.slotId);
  }

  memberFailed(member, why) {
    this.lose(member, why);
  }

  /** A storage event from a member: forwarded; a failed store loses the member. */
  memberEvent(member, ev) {
    const index = this.members.indexOf(member);
    this.composite.storageEvent({ ...ev, slot: this.slotId, member: index });
    if (ev.kind === "write-failed" || ev.kind === "refused") this.lose(member, ev.message);
  }

  event(kind, member, message) {
    const index = member ? this.members.indexOf(member) : undefined;
    this.composite.groupEvent({
      slot: this.slotId,
      kind,
      member: index,
      storage: member?.name,
      message: message ?? "",
      time: new Date().toISOString(),
    });
  }

  // ------------------------------------------------------------ sessions and handles

  session(h) {
    const gs = this.sessions.get(h);
    if (!gs) throw CKR_SESSION_HANDLE_INVALID;
    return gs;
  }

  /** A new group session with member sessions `ms` (Map member -> handle). */
  addSession(flags, ms) {
    const gs = new GroupSession(this.composite.newHandle(this, true), flags);
    gs.ms = ms;
    this.sessions.set(gs.handle, gs);
    return gs;
  }

  dropSession(gs) {
    this.sessions.delete(gs.handle);
    if (this.lastSession === gs) this.lastSession = undefined;
    this.composite.forgetHandle(gs.handle);
    for (const [h, o] of this.objects) if (o.session === gs) this.objects.delete(h);
  }

  /** After a logout (or the last session closed): private objects and their handles are gone. */
  loggedOut() {
    this.validInits.clear();
    if (this.credentials) this.credentials.pin.fill(0);
    this.credentials = undefined;
    for (const [h, o] of this.objects) {
      if (o.priv) {
        this.objects.delete(h);
        if (o.uid !== undefined) this.byUid.delete(o.uid);
      }
    }
    for (const m of this.members) {
      m.uids.clear();
      if (m.state === "live") m.loggedIn = undefined;
    }
    for (const gs of this.sessions.values()) gs.op = gs.find = undefined;
  }

  /** Everything about the token's objects is gone (C_InitToken, deleteToken). */
  resetObjects() {
    this.validInits.clear();
    this.objects.clear();
    this.byUid.clear();
    for (const m of this.members) m.uids.clear();
    this.sessionMember = undefined;
  }

  /**
   * The group handle of an object `member` described (a new one if unseen).
   * `gs`: the session that made it (a session object dies with it), or
   * undefined for one found.
   */
  adopt(member, gs, mh, d) {
    if (d.token) {
      let h = this.byUid.get(d.uid);
      if (h === undefined) {
        h = this.composite.newHandle(this, false);
        this.byUid.set(d.uid, h);
        this.objects.set(h, { uid: d.uid, priv: d.priv });
      }
      member.uids.set(d.uid, mh);
      return h;
    }
    let h = member.sessionHandles.get(mh);
    if (h !== undefined && this.objects.has(h)) return h;
    h = this.composite.newHandle(this, false);
    this.objects.set(h, { member, mh, priv: d.priv, session: gs });
    member.sessionHandles.set(mh, h);
    return h;
  }

  /** Whether group handle `h` is a session object (it then lives on one member). */
  sessionObjectMember(h) {
    return this.objects.get(h)?.member;
  }

  /** Member handles for `hs` when every one is known without asking (else undefined). */
  cachedHandles(member, hs) {
    const out = new Array(hs.length);
    for (let k = 0; k < hs.length; k++) {
      const o = hs[k] === undefined ? undefined : this.objects.get(hs[k]);
      if (!o) out[k] = 0;
      else if (o.member) out[k] = o.member === member ? o.mh : 0;
      else {
        const mh = member.uids.get(o.uid);
        if (mh === undefined) return undefined;
        out[k] = mh;
      }
    }
    return out;
  }

  /**
   * Member handles for group object handles `hs` on `member` (0 for a
   * handle the member does not have: the engine then answers the spec's
   * "handle invalid" for it). Token objects not cached are looked up by
   * CKA_UNIQUE_ID in one request.
   */
  *memberHandles(member, hs) {
    const out = new Array(hs.length).fill(0);
    const missing = [];
    hs.forEach((h, k) => {
      const o = h === undefined ? undefined : this.objects.get(h);
      if (!o) return;
      if (o.member) out[k] = o.member === member ? o.mh : 0;
      else if (member.uids.has(o.uid)) out[k] = member.uids.get(o.uid);
      else missing.push([k, o.uid]);
    });
    if (missing.length > 0) {
      const o = yield this.request(member, "lookup", { uids: missing.map(([, uid]) => uid) });
      if (o.lost) return undefined;
      o.res.value.forEach((mh, i) => {
        const [k, uid] = missing[i];
        out[k] = mh;
        if (mh) member.uids.set(uid, mh);
      });
    }
    return out;
  }

  // ------------------------------------------------------------ replication

  /**
   * Applies the writes one member made to every other member that takes
   * writes. The records are copied verbatim: sealed objects stay sealed.
   */
  *replicate(from, writes) {
    if (!writes || writes.length === 0) return;
    this.validInits.clear(); // an object may have changed
    const to = this.receiving.filter((m) => m !== from);
    if (to.length === 0) return;
    yield to.map((m) => this.request(m, "apply", { ops: writes }));
  }

  /**
   * Runs a PIN-checking call on one live member (under its storage's
   * lock), replicates what it wrote (the failure counters too), and
   * retries on another member if that one is lost. Returns the outcome.
   */
  *pinCall(fn, argsFor, pinArgs, trace = fn, none = CKR_TOKEN_NOT_PRESENT) {
    for (;;) {
      const m = this.first(none);
      const o = yield this.call(m, fn, argsFor(m), PIN, pinArgs, trace);
      if (o.lost) continue;
      if (o.error) throw o.error;
      yield* this.replicate(m, o.res.writes);
      return { member: m, o };
    }
  }

  /** Whether starting needs the async C_Initialize (a store or a thread that opens asynchronously). */
  needsAsync() {
    // A browser's Worker cannot start while its creator blocks; IndexedDB opens asynchronously.
    return this.members.some((m) => (m.spec.thread ? platform.browser : m.spec.storage.kind === "indexedDB"));
  }

  /** Resolves once every live member has written what is queued (a member that cannot is lost). */
  async flush() {
    await Promise.all(this.live.map((m) => this.runAsync(this.one(m, "flush"))));
  }

  // ------------------------------------------------------------ status

  status() {
    return {
      slot: this.slotId,
      balance: this.spec.balance,
      probeInterval: this.spec.probeInterval,
      callTimeout: this.spec.callTimeout ?? DEFAULT_CALL_TIMEOUT,
      tokenPresent: this.live.length > 0,
      sessionMember: this.sessionMember ? this.members.indexOf(this.sessionMember) : null,
      sessions: this.sessions.size,
      loggedIn: this.credentials ? (this.credentials.user === CKU_SO ? "so" : "user") : null,
      lastCall: this.lastMember ? { method: methodName(this.lastFn), member: this.members.indexOf(this.lastMember) } : null,
      members: this.members.map((m, index) => ({
        index,
        storage: m.name,
        thread: m.spec.thread,
        state: m.state,
        served: m.served,
        inFlight: m.inFlight,
        lastError: m.lastError ?? null,
        lastErrorAt: m.lastErrorAt ?? null,
      })),
    };
  }
}

