// Slot, token, session and login calls of a group (PKCS#11 3.1 sections
// 5.5, 5.6): generators over the group's members (see group.js, drive.js).
// Calls that change the token's state reach every live member: the first
// live member answers for the group and the others follow; a member that
// answers differently has drifted and is dropped (it rejoins after a
// resync). PIN checks run on one member first, under its storage's lock,
// and what they write (the failure counters too) is replicated.
import { CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT } from "./group.js";
import { PIN, REFRESH, SLOT } from "./host.js";
import { tokenIdOf } from "./records.js";

const CKU_CONTEXT_SPECIFIC = 2;
const CKR_DEVICE_ERROR = 0x30;

/** The value of an outcome, or throws what the engine (or the member) answered. */
export function value(o) {
  if (o.error) throw o.error;
  if (!o.ok) throw o.rv;
  return o.res.value;
}

function hex(rv) {
  return `0x${rv.toString(16)}`;
}

export const sessionCalls = {
  /** A read answered by any live member (the next one if it fails). */
  *onAny(fn, argsFor, mode = 0, none = CKR_TOKEN_NOT_PRESENT) {
    for (;;) {
      const m = this.first(none);
      const o = yield this.call(m, fn, argsFor(m), mode);
      if (!o.lost) return value(o);
    }
  },

  /**
   * Runs `fn` on every live member: the first one answers for the group,
   * the others must answer the same or are dropped. What each writes stays
   * its own (nothing is replicated). Returns [[member, outcome]].
   */
  *everywhere(fn, argsFor, none = CKR_DEVICE_REMOVED) {
    for (;;) {
      const m = this.first(none);
      const o = yield this.call(m, fn, argsFor(m));
      if (o.lost) continue;
      value(o);
      const others = this.live.filter((x) => x !== m);
      const outs = yield others.map((x) => this.call(x, fn, argsFor(x)));
      const done = [[m, o]];
      outs.forEach((r, k) => {
        if (r.ok) done.push([others[k], r]);
        else if (!r.lost) this.lose(others[k], `it answered ${hex(r.rv ?? 0)} to ${fn} where the group succeeded`);
      });
      return done;
    }
  },

  *get_token_info() {
    return yield* this.onAny("get_token_info", () => [SLOT], REFRESH);
  },

  *get_mechanism_list() {
    return yield* this.onAny("get_mechanism_list", () => [SLOT]);
  },

  *get_mechanism_info(slot, kind) {
    return yield* this.onAny("get_mechanism_info", () => [SLOT, kind]);
  },

  *open_session(slot, flags) {
    const done = yield* this.everywhere("open_session", () => [SLOT, flags], CKR_TOKEN_NOT_PRESENT);
    const gs = this.addSession(flags, new Map(done.map(([m, o]) => [m, o.res.value])));
    return gs.handle;
  },

  *close_session(h) {
    const gs = this.session(h);
    const on = [...gs.ms].filter(([m]) => m.state === "live");
    const outs = yield on.map(([m, mh]) => this.call(m, "close_session", [mh]));
    outs.forEach((r, k) => {
      if (!r.ok && !r.lost) this.lose(on[k][0], `it answered ${hex(r.rv ?? 0)} to C_CloseSession`);
    });
    this.dropSession(gs);
    // Closing the last session logs the user out (the members did so).
    if (this.sessions.size === 0) this.loggedOut();
  },

  *close_all_sessions() {
    const live = this.live;
    yield live.map((m) => this.call(m, "close_all_sessions", [SLOT]));
    for (const gs of [...this.sessions.values()]) this.dropSession(gs);
    this.loggedOut();
    if (live.length === 0) throw CKR_TOKEN_NOT_PRESENT;
  },

  *get_session_info(h) {
    const gs = this.session(h);
    for (;;) {
      const m = this.first();
      const mh = gs.ms.get(m);
      if (mh === undefined) throw CKR_DEVICE_REMOVED;
      const o = yield this.call(m, "get_session_info", [mh]);
      if (o.lost) continue;
      const info = value(o);
      // CK_SESSION_INFO.slotID: the group's slot, not the member's.
      new DataView(info.buffer, info.byteOffset, 8).setBigUint64(0, BigInt(this.slotId), true);
      return info;
    }
  },

  *login(h, user, pin) {
    return yield* this.logIn("login", h, user, pin, []);
  },

  *login_user(h, user, pin, name) {
    return yield* this.logIn("login_user", h, user, pin, [name]);
  },

  /**
   * C_Login: the PIN is checked on one member (counted there and the
   * counters replicated), then every other live member logs in. The PIN is
   * kept (wiped at logout, at the close of the last session and at
   * finalize) so that a member rejoining later is logged in as well.
   */
  *logIn(fn, h, user, pin, extra) {
    const gs = this.session(h);
    try {
      if (user === CKU_CONTEXT_SPECIFIC) {
        // Re-authentication for the operation: where the operation is.
        const op = gs.op?.member;
        const m = op ?? this.first();
        if (m.state !== "live") throw CKR_DEVICE_ERROR;
        const o = yield this.call(m, fn, [gs.ms.get(m), user, pin.slice(), ...extra], 0, [2]);
        if (o.lost) throw CKR_DEVICE_ERROR;
        yield* this.replicate(m, o.res?.writes);
        return value(o);
      }
      if (this.live.length === 0) throw CKR_DEVICE_REMOVED;
      const { member, o } = yield* this.pinCall(fn, (m) => [gs.ms.get(m), user, pin.slice(), ...extra], [2], fn, CKR_DEVICE_REMOVED);
      value(o);
      member.loggedIn = user;
      const others = this.live.filter((m) => m !== member);
      const outs = yield others.map((m) => this.call(m, fn, [gs.ms.get(m), user, pin.slice(), ...extra], PIN, [2]));
      for (let k = 0; k < outs.length; k++) {
        const r = outs[k];
        if (r.lost) continue;
        yield* this.replicate(others[k], r.res?.writes);
        if (r.ok) others[k].loggedIn = user;
        else this.lose(others[k], `its login failed (${hex(r.rv ?? 0)}) where member ${this.members.indexOf(member)} accepted the PIN`);
      }
      if (this.credentials) this.credentials.pin.fill(0);
      this.credentials = { user, pin: pin.slice() };
      this.validInits.clear();
    } finally {
      pin.fill(0);
    }
  },

  *logout(h) {
    const gs = this.session(h);
    yield* this.everywhere("logout", (m) => [gs.ms.get(m)]);
    this.loggedOut();
  },

  *init_pin(h, pin) {
    const gs = this.session(h);
    try {
      const { o } = yield* this.pinCall("init_pin", (m) => [gs.ms.get(m), pin.slice()], [1], "init_pin", CKR_DEVICE_REMOVED);
      return value(o);
    } finally {
      pin.fill(0);
    }
  },

  *set_pin(h, oldPin, newPin) {
    const gs = this.session(h);
    try {
      const { o } = yield* this.pinCall("set_pin", (m) => [gs.ms.get(m), oldPin.slice(), newPin.slice()], [1, 2], "set_pin", CKR_DEVICE_REMOVED);
      value(o);
      // The role logged in changed its own PIN: a rejoining member needs the new one.
      if (this.credentials) {
        this.credentials.pin.fill(0);
        this.credentials.pin = newPin.slice();
      }
    } finally {
      oldPin.fill(0);
      newPin.fill(0);
    }
  },

  /**
   * C_InitToken on a group initializes one member and replicates its
   * whole transaction (clear, token record, counters): every live member
   * becomes a replica of the new token. An initialized group may be
   * re-initialized (with its SO PIN, no session open, as a plain token);
   * members that are away then hold the replaced token and are emptied
   * and refilled when they rejoin.
   */
  *init_token(slot, pin, label) {
    try {
      const { o } = yield* this.pinCall("init_token", () => [SLOT, pin.slice(), label], [1]);
      value(o);
      this.tokenReplaced(tokenIdOf(o.res.writes?.find((w) => w.key === "meta")?.value));
    } finally {
      pin.fill(0);
    }
  },

  /** deleteToken on a group: every live member forgets the token (each clears its own store). */
  *delete_token() {
    yield* this.everywhere("delete_token", () => [SLOT], CKR_TOKEN_NOT_PRESENT);
    this.tokenReplaced(undefined);
  },

  *rekey_token(slot, soPin, userPin, hasUser) {
    try {
      const { o } = yield* this.pinCall("rekey_token", () => [SLOT, soPin.slice(), userPin.slice(), hasUser], [1, 2]);
      return value(o);
    } finally {
      soPin.fill(0);
      userPin.fill(0);
    }
  },

  tokenReplaced(newId) {
    if (this.tokenId) this.retired.add(this.tokenId);
    this.tokenId = newId;
    this.resetObjects();
    this.slotEvent();
  },
};
