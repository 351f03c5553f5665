// A group's members coming and going: the start at C_Initialize (every
// member loaded, checked to be replicas, merged), rejoining after a loss
// (resync, then sessions and login restored), probes, and membership
// changes (enable/disable, reload, fault injection for tests and demos).
//
// Resync rule (README "Groups"): for every record key the copy with the
// higher record version wins; equal versions: the larger bytes. A
// destroyed object's tombstone is a record like any other, so nothing
// destroyed comes back and nothing newer is overwritten. Winners are
// pushed both ways: the rejoining member gets what it missed, the live
// members what only it had; an object record one side lacks although it
// is more than `tombstoneWrites` writes behind that side's newest record
// is dropped on both (that side may have pruned its tombstone). PIN
// counters: a rejoining member takes the live group's; at start (copies
// that may all have diverged) each role keeps the highest count.
import { counters_record } from "@gen/glue";
import { PIN } from "./host.js";
import { createMember } from "./member.js";
import { counterValues, differences, mergeRecords, recordMap, tokenIdOf } from "./records.js";

/** The counters record with each role's highest failure count. */
function maxCounters(copies) {
  const vals = copies.map(counterValues);
  const so = Math.max(...vals.map((v) => v[0]));
  const user = Math.max(...vals.map((v) => v[1]));
  const k = vals.findIndex((v) => v[0] === so && v[1] === user);
  return k >= 0 ? copies[k] : counters_record(so, user);
}

/** The writes that make `mine` hold `winners` (emptied first if it holds no token record). */
function fillOps(winners, mine) {
  if (!mine.has("meta") && mine.size > 0) return [{ op: "clear" }, ...differences(winners, new Map())];
  return differences(winners, mine);
}

export const lifecycle = {
  /** C_Initialize: the first time every member is started, loaded and merged. */
  *start() {
    this.initialized = true;
    if (this.started) {
      // After C_Finalize the members kept running: their engines start again.
      const running = this.members.filter((m) => m.state === "live");
      const outs = yield running.map((m) => this.request(m, "initialize", { config: this.memberConfig() }));
      outs.forEach((o, k) => o.error && this.lose(running[k], `C_Initialize failed there: ${o.error.message}`));
      this.startProbes();
      return;
    }
    this.started = true;
    const todo = this.members.filter((m) => m.state === "stopped");
    for (const m of todo) {
      try {
        m.start(this.memberConfig());
      } catch (e) {
        if (e instanceof TypeError) throw e;
        this.lose(m, `it could not start: ${e?.message ?? e}`);
      }
    }
    const starting = todo.filter((m) => m.running);
    const outs = yield starting.map((m) => this.request(m, "load"));
    const loaded = [];
    outs.forEach((o, k) => {
      const m = starting[k];
      if (o.lost) return;
      if (o.error) return this.lose(m, `loading its storage failed: ${o.error.message}`);
      if (o.res.refused) return this.lose(m, "its storage was refused (see the storage events)");
      loaded.push({ m, tokenId: o.res.tokenId, records: recordMap(o.res.records) });
    });
    const ids = [...new Set(loaded.map((l) => l.tokenId).filter(Boolean))];
    if (ids.length > 1) {
      const [a, b] = ids.map((id) => loaded.find((l) => l.tokenId === id));
      for (const m of this.members) m.halt();
      this.started = this.initialized = false;
      throw new TypeError(
        `pkcs11-wasm: slots[${this.slotId}]: group members ${this.members.indexOf(a.m)} (${a.m.name}) and ${this.members.indexOf(b.m)} (${b.m.name}) hold different tokens (token ids ${a.tokenId} and ${b.tokenId}): they are not replicas of one token, so the group was not started and nothing was written. Remove one from the group, or make it a replica (delete its token, or copy the other's records into its storage).`,
      );
    }
    this.tokenId = ids[0];
    const winners = mergeRecords(
      loaded.map((l) => l.records),
      maxCounters,
      this.tombstoneWrites(),
    );
    const fills = loaded.map((l) => fillOps(winners, l.records));
    const steps = loaded.flatMap((l, k) => (fills[k].length > 0 ? [this.request(l.m, "apply", { ops: fills[k] })] : []));
    const applied = yield steps;
    applied.forEach((o, k) => o.error && this.lose(steps[k].member, `filling it failed: ${o.error.message}`));
    for (const { m } of loaded) {
      if (!m.running) continue;
      m.state = "live";
      m.receiving = true;
    }
    this.startProbes();
  },

  /** C_Finalize: sessions, logins and handles end; members stay up. */
  *finish() {
    this.initialized = false;
    this.stopProbes();
    const running = this.members.filter((m) => m.state === "live");
    yield running.map((m) => this.request(m, "finalize"));
    for (const gs of [...this.sessions.values()]) this.dropSession(gs);
    this.loggedOut();
    this.resetObjects();
    for (const m of running) m.loggedIn = undefined;
  },

  /** Stops every member for good (free, close, load). */
  shutdown() {
    this.stopProbes();
    this.initialized = this.started = false;
    if (this.credentials) this.credentials.pin.fill(0);
    this.credentials = undefined;
    for (const m of this.members) m.shutdown();
  },

  startProbes() {
    this.stopProbes();
    this.timer = setInterval(() => this.probe(), this.spec.probeInterval);
    this.timer.unref?.();
  },

  stopProbes() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  },

  /** Lost members are tried again; failures are recorded on them. */
  probe() {
    if (!this.initialized) return;
    for (const m of this.members) if (m.state === "lost" && !m.joining) this.rejoin(m).catch(() => {});
  },

  /** Brings `member` back: restarted, resynced, sessions and login restored. */
  rejoin(member) {
    member.joining ??= this.join(member).finally(() => (member.joining = undefined));
    return member.joining;
  },

  async join(member) {
    const tokenBefore = this.live.length > 0;
    member.state = "syncing";
    member.receiving = false;
    member.loggedIn = undefined;
    this.event("syncing", member);
    const fail = (why) => {
      this.lose(member, why);
      throw new Error(`member ${this.members.indexOf(member)} (${member.name}) did not rejoin: ${member.lastError}`);
    };
    try {
      member.start(this.memberConfig());
      const loaded = answerOf(await this.runAsync(this.one(member, "load")), member);
      if (loaded.refused) fail("its storage was refused (see the storage events)");
      // Two passes: the first may empty and refill the member; writes made
      // meanwhile reach it from then on, and the second pass catches what
      // was written between the first pass's reading and that moment.
      await this.syncPass(member, recordMap(loaded.records), fail);
      member.receiving = true;
      await this.syncPass(member, undefined, fail);
      await this.restoreSessions(member, fail);
    } catch (e) {
      if (member.state === "syncing") this.lose(member, e?.message ?? String(e));
      throw e;
    }
    if (member.state !== "syncing") throw new Error(`member ${this.members.indexOf(member)} did not rejoin: ${member.lastError}`);
    member.state = "live";
    this.event("rejoined", member);
    if (!tokenBefore) this.slotEvent();
  },

  /** A generator running one request (for runAsync). */
  *one(member, op, fields) {
    return yield this.request(member, op, fields);
  },

  async syncPass(member, mine, fail) {
    const ask = async (m) => {
      const o = await this.runAsync(this.one(m, "records"));
      return o.lost ? undefined : recordMap(answerOf(o, m).value);
    };
    mine ??= await ask(member);
    if (!mine) fail("it was lost while resyncing");
    const ref = this.live.find((m) => m !== member);
    const theirs = ref ? await ask(ref) : undefined;
    const myId = tokenIdOf(mine.get("meta"));
    const refId = tokenIdOf(theirs?.get("meta"));
    let base = mine;
    let clear = !myId && mine.size > 0;
    if (myId && refId && myId !== refId && !this.retired.has(myId)) {
      fail(`it holds another token (token id ${myId}), not a replica of the group's (${refId})`);
    }
    if (myId && myId !== refId && this.retired.has(myId)) {
      // Its token was replaced (C_InitToken, deleteToken) while it was away.
      base = new Map();
      clear = true;
    }
    if (!theirs) {
      // No member is live: this one is the token from now on, unless it
      // lost the token the group had (an emptied store): it waits for a
      // member that can fill it.
      if (this.tokenId && !this.retired.has(this.tokenId) && (!myId || base !== mine)) {
        fail("it holds no copy of the group's token and no live member can fill it; it rejoins once one is back");
      }
      if (this.tokenId && myId && myId !== this.tokenId && !this.retired.has(myId)) {
        fail(`it holds another token (token id ${myId}), not a replica of the group's (${this.tokenId})`);
      }
      if (clear) await this.push(member, [{ op: "clear" }], fail);
      this.tokenId = tokenIdOf(base.get("meta"));
      return;
    }
    const winners = mergeRecords([theirs, base], (copies) => theirs.get("counters") ?? copies[0], this.tombstoneWrites());
    const toMember = clear ? [{ op: "clear" }, ...differences(winners, new Map())] : differences(winners, base);
    const toLive = differences(winners, theirs).filter((w) => w.key !== "counters");
    await this.push(member, toMember, fail);
    for (const m of this.live) if (m !== member && toLive.length > 0) await this.push(m, toLive);
    if (refId) this.tokenId = refId;
  },

  async push(member, ops, fail) {
    if (ops.length === 0) return;
    const o = await this.runAsync(this.one(member, "apply", { ops }));
    if (o.lost && fail) fail("it was lost while resyncing");
    if (o.error && fail) fail(`applying records failed: ${o.error.message}`);
  },

  /**
   * Opens a member session for every group session and logs the member in
   * as the group is, until nothing is left to do: the member then serves
   * (the caller marks it live in the same turn, so nothing slips between).
   */
  async restoreSessions(member, fail) {
    for (let round = 0; round < 20; round++) {
      if (member.state !== "syncing") fail(member.lastError ?? "it was lost while resyncing");
      const missing = [...this.sessions.values()].filter((gs) => !gs.ms.has(member));
      const want = this.sessions.size > 0 ? this.credentials?.user : undefined;
      if (missing.length === 0 && member.loggedIn === want) return;
      for (const gs of missing) {
        const o = await this.runAsync(this.one(member, "call", { fn: "open_session", args: [0, gs.flags], mode: 0 }));
        const mh = answerOf(o, member).value;
        if (o.rv !== undefined) fail(`opening a session failed there (0x${o.rv.toString(16)})`);
        if (this.sessions.get(gs.handle) === gs) {
          gs.ms.set(member, mh);
          gs.fastMember = undefined;
        }
        else await this.runAsync(this.one(member, "call", { fn: "close_session", args: [mh], mode: 0 }));
      }
      const some = [...this.sessions.values()].find((gs) => gs.ms.has(member));
      if (want !== undefined && member.loggedIn !== want && some) {
        const pin = this.credentials.pin.slice();
        const o = await this.runAsync(
          this.one(member, "call", { fn: "login", args: [some.ms.get(member), want, pin], mode: PIN, wipe: [2] }),
        );
        answerOf(o, member);
        if (o.rv !== undefined && o.rv !== 0x100) fail(`restoring the login failed there (0x${o.rv.toString(16)})`);
        member.loggedIn = want;
      } else if (want === undefined && member.loggedIn !== undefined && some) {
        await this.runAsync(this.one(member, "call", { fn: "logout", args: [some.ms.get(member)], mode: 0 }));
        member.loggedIn = undefined;
      }
    }
    fail("the group's sessions kept changing while it rejoined");
  },

  // --- membership through the API

  /** reload(): members added join (filled from a live member), members removed stop. */
  async reconfigure(spec) {
    const before = new Map(this.members.map((m) => [m.spec.key, m]));
    const next = spec.members.map((ms) => before.get(ms.key) ?? createMember(this, ms));
    const removed = this.members.filter((m) => !next.includes(m));
    const added = next.filter((m) => !before.has(m.spec.key));
    for (const m of removed) {
      if (m.running) m.shutdown();
      this.lose(m, "removed from the configuration", "removed");
    }
    this.members = next;
    this.threads = next.some((m) => m.spec.thread);
    const { balance, probeInterval, callTimeout, showMembers } = spec;
    Object.assign(this.spec, { balance, probeInterval, callTimeout, showMembers, members: spec.members });
    for (const m of added) {
      m.state = this.started ? "lost" : "stopped";
      this.event("added", m);
    }
    if (this.initialized) {
      this.startProbes();
      await Promise.all(added.map((m) => this.rejoin(m).catch(() => {})));
    }
    return { slot: this.slotId, added: added.map((m) => this.members.indexOf(m)), removed: removed.map((m) => m.name) };
  },

  memberAt(i) {
    const m = this.members[i];
    if (!m) throw new TypeError(`pkcs11-wasm: slot ${this.slotId} has no group member ${i} (members 0..${this.members.length - 1})`);
    return m;
  },

  disable(i) {
    const m = this.memberAt(i);
    if (m.state === "live") {
      try {
        m.run({ op: "flushSync" });
      } catch {}
    }
    this.lose(m, "disabled through the API", "disabled");
  },

  async enable(i) {
    const m = this.memberAt(i);
    if (m.state === "live") return;
    if (m.state === "disabled" || m.state === "stopped") m.state = "lost";
    if (!this.initialized) return;
    await this.rejoin(m);
  },

  /** Member i's stored records (once what it has queued is written). */
  async records(i) {
    const m = this.memberAt(i);
    if (!m.running) throw new Error(`pkcs11-wasm: group member ${i} (${m.name}) is not running (${m.state})`);
    const o = await this.runAsync(this.one(m, "records"));
    return answerOf(o, m).value;
  },

  fault(i, kind, ms) {
    const m = this.memberAt(i);
    if (!["crash", "storage", "hang"].includes(kind)) throw new TypeError('pkcs11-wasm: groupFault kind must be "crash", "storage" or "hang"');
    if (kind === "hang" && !m.worker) throw new TypeError('pkcs11-wasm: groupFault "hang" needs a thread member');
    if (!m.running) return;
    if (kind === "hang") {
      // Posted, not awaited: the member's thread stops answering for `ms`.
      m.worker.post({ id: 0, req: { op: "fault", kind, ms: ms ?? 0 }, sync: false });
      return;
    }
    try {
      m.run({ op: "fault", kind });
      // A thread member's report comes by message, later: lose it now.
      this.lose(m, "writing token storage failed: injected storage failure (groupFault)");
    } catch (e) {
      this.lose(m, e.message);
    }
  },
};

/** An outcome's answer, or the reason it has none (thrown). */
function answerOf(o, member) {
  if (o.lost) throw new Error(member.lastError ?? "it was lost");
  if (o.error) throw o.error;
  return o.res;
}

