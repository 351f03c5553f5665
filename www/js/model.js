// What the page knows about the module, kept current by the page's own
// read-only calls (marked "inspect" in the trace): every slot and its
// token, open sessions (PKCS#11 cannot list them, so the page remembers
// the ones it opened), and the objects each token shows through one of
// its sessions. Login state is per token, so it is asked per slot.
import { H } from "./client.js";
import { K, CKM, nameOf, flagNames, TOKEN_FLAGS, trimPad } from "./names.js";
import { SUMMARY_ATTRS, summarize } from "./render-attrs.js";
import { SIGNATURES } from "./signatures.js";

const INSPECT = { group: "inspect", origin: "model" };
// Calls after which a group's members' records are unchanged.
const READS = /^C_(Get|Find|Sign|Verify|Encrypt|Decrypt|Digest|GenerateRandom|OpenSession|CloseSession|CloseAllSessions|Logout)|^groupStatus$/;

export class Model extends EventTarget {
  // { id, info, token, tokenFlags, label, mechanisms: [{ type, name, info }], objects, objectsSeenBy }
  slots = [];
  sessions = new Map(); // handle -> { slot, rw, info }
  selected = null; // object handle shown in detail
  // Sessions with a search of the learner's running: the page's own object
  // listing (a search too) must not end it, so it looks through another.
  searching = new Set();
  // Object summaries by handle: read once, dropped when the learner changes
  // or destroys the object (a handle never names another object).
  #summaries = new Map();
  // Token groups (lesson 11): slot id -> groupStatus, pushed by the worker
  // as members serve calls and change state ("group" events); slot id ->
  // each member's stored records, read again after a call that may write.
  groups = new Map();
  memberRecords = new Map();
  #membersStale = new Set();

  constructor(token) {
    super();
    this.token = token;
    token.addEventListener("call", ({ detail: r }) => this.#track(r));
    token.addEventListener("group-status", ({ detail }) => this.#groupStatus(detail));
  }

  #groupStatus(list) {
    // Counters only: the members card updates itself ("group"); a member
    // state changed: the slot's card may too (no token when none is live).
    const shape = (st) => `${st?.tokenPresent} ${st?.sessionMember} ${st?.members.map((m) => m.state).join()}`;
    let changed = false;
    for (const st of list) {
      changed ||= shape(this.groups.get(st.slot)) !== shape(st);
      this.groups.set(st.slot, st);
    }
    this.dispatchEvent(new Event("group"));
    if (changed && this.slot?.mechanisms) this.dispatchEvent(new Event("change"));
  }

  /** Whether slot `id` is a token group. */
  isGroup(id) {
    return this.groups.has(id);
  }

  /** Reads the members' records of every group whose token may have changed. */
  async #refreshMembers() {
    for (const slot of this.#membersStale) {
      this.#membersStale.delete(slot);
      try {
        this.memberRecords.set(slot, await this.token.memberRecords(slot));
      } catch {
        this.memberRecords.delete(slot);
      }
    }
  }

  /** Remembers sessions as the page opens and closes them. */
  #track(r) {
    if (r.group !== "inspect" && !READS.test(r.fn)) {
      const slot = this.slotOfCall(r);
      if (this.isGroup(slot)) this.#membersStale.add(slot);
    }
    if (!r.ok || r.group === "inspect") return;
    const h = (i) => r.args[i]?.$h ?? r.args[i];
    if (r.fn === "C_FindObjectsInit") this.searching.add(h(0));
    if (r.fn === "C_FindObjectsFinal") this.searching.delete(h(0));
    if (r.fn === "C_OpenSession") this.sessions.set(r.value, { slot: h(0), rw: !!(r.args[1] & K.CKF_RW_SESSION) });
    if (r.fn === "C_CloseSession") this.sessions.delete(h(0));
    if (r.fn === "C_CloseAllSessions" || r.fn === "deleteToken" || r.fn === "C_InitToken") {
      for (const [s, v] of this.sessions) if (v.slot === h(0)) this.sessions.delete(s);
    }
    if (r.fn === "C_DestroyObject" && this.selected === h(1)) this.selected = null;
    if (r.fn === "C_SetAttributeValue" || r.fn === "C_DestroyObject") this.#summaries.delete(h(1));
    if (r.fn === "C_InitToken" || r.fn === "deleteToken" || r.fn === "C_Initialize") this.#summaries.clear();
  }

  /** Slots and their mechanisms: asked once (they do not change). */
  async load() {
    const [info, list] = await this.token.batch([{ fn: "C_GetInfo", args: [] }, { fn: "C_GetSlotList", args: [false] }], INSPECT);
    this.moduleInfo = info.value;
    this.slots = (list.value ?? []).map((id) => ({ id, objects: [], objectsSeenBy: null }));
    if (this.token.info?.groups?.length) {
      this.#groupStatus(await this.token.groupStatus());
      for (const g of this.token.info.groups) this.#membersStale.add(g.slot);
    }
    const infoByType = new Map(); // one C_GetMechanismInfo per mechanism: the slots share one engine
    for (const slot of this.slots) {
      const [si, ml] = await this.token.batch([
        { fn: "C_GetSlotInfo", args: [H(slot.id)] },
        { fn: "C_GetMechanismList", args: [H(slot.id)] },
      ], INSPECT);
      slot.info = si.value;
      const types = ml.value ?? [];
      const ask = types.filter((t) => !infoByType.has(t));
      const infos = ask.length ? await this.token.batch(ask.map((t) => ({ fn: "C_GetMechanismInfo", args: [H(slot.id), t] })), INSPECT) : [];
      ask.forEach((t, i) => infoByType.set(t, infos[i].value));
      slot.mechanisms = types.map((type) => ({ type, name: nameOf(CKM, type), info: infoByType.get(type) }));
    }
    await this.refresh();
  }

  /** Token info, session states, and the objects visible now. */
  async refresh() {
    const tis = await this.token.batch(this.slots.map((slot) => ({ fn: "C_GetTokenInfo", args: [H(slot.id)] })), INSPECT);
    this.slots.forEach((slot, i) => {
      const ti = tis[i];
      slot.token = ti.ok ? ti.value : null;
      slot.tokenFlags = ti.ok ? flagNames(ti.value.flags, TOKEN_FLAGS) : [];
      slot.label = ti.ok ? trimPad(ti.value.label) : "";
    });
    const handles = [...this.sessions.keys()];
    const infos = handles.length ? await this.token.batch(handles.map((s) => ({ fn: "C_GetSessionInfo", args: [H(s)] })), INSPECT) : [];
    handles.forEach((s, i) => {
      if (infos[i].ok) this.sessions.get(s).info = infos[i].value;
      // A group with no member live keeps its sessions for the first that comes back.
      else if (infos[i].rvName !== "CKR_DEVICE_REMOVED") this.sessions.delete(s); // closed behind the page's back (reset, lockout)
    });
    for (const s of this.searching) if (!this.sessions.has(s)) this.searching.delete(s);
    for (const slot of this.slots) await this.#listObjects(slot);
    await this.#refreshMembers();
    if (this.selected !== null && !this.objectByHandle(this.selected)) this.selected = null;
    this.dispatchEvent(new Event("change"));
  }

  /** The first slot: the one the lessons use unless they say otherwise. */
  get slot() {
    return this.slots[0];
  }

  slotById(id) {
    return this.slots.find((s) => s.id === id) ?? null;
  }

  initialized(slotId) {
    return !!this.slotById(slotId)?.tokenFlags.includes("CKF_TOKEN_INITIALIZED");
  }

  /** Who is logged in on a slot's token, from its sessions' states. */
  loggedInOn(slotId) {
    for (const s of this.sessions.values()) {
      if (s.slot !== slotId) continue;
      const st = s.info?.state;
      if (st === K.CKS_RW_SO_FUNCTIONS) return "SO";
      if (st === K.CKS_RW_USER_FUNCTIONS || st === K.CKS_RO_USER_FUNCTIONS) return "USER";
    }
    return null;
  }

  /** Who is logged in on the first slot's token. */
  get loggedIn() {
    return this.slot ? this.loggedInOn(this.slot.id) : null;
  }

  /** A session to use for a form default: the newest, preferring read/write (on `slotId` if given). */
  defaultSession(slotId) {
    const all = [...this.sessions.entries()].filter(([, v]) => slotId === undefined || v.slot === slotId);
    const rw = all.filter(([, v]) => v.rw);
    return (rw.at(-1) ?? all.at(-1))?.[0] ?? null;
  }

  /** The slot a session belongs to (null when the page does not know the session). */
  slotOfSession(h) {
    return this.sessions.get(h)?.slot ?? null;
  }

  /** The slot a call was about: its slotID argument, or its session's slot (null if unknown). */
  slotOfCall(rec) {
    const kind = SIGNATURES[rec.fn]?.[0]?.[1];
    const h = rec.args?.[0]?.$h ?? rec.args?.[0];
    if (kind === "slot") return h;
    if (kind === "session") return this.slotOfSession(h);
    return null;
  }

  /** Every visible object of every token, each with its `slot`. */
  get objects() {
    return this.slots.flatMap((s) => s.objects);
  }

  async #listObjects(slot) {
    const free = [...this.sessions.entries()].filter(([h, v]) => v.slot === slot.id && !this.searching.has(h));
    const s = (free.filter(([, v]) => v.rw).at(-1) ?? free.at(-1))?.[0] ?? null;
    if (s === null) {
      // Every session of the token is searching: keep the list as it was.
      if (this.defaultSession(slot.id) === null) slot.objects = [];
      slot.objectsSeenBy = this.defaultSession(slot.id) === null ? null : slot.objectsSeenBy;
      return;
    }
    slot.objectsSeenBy = s;
    const [, found] = await this.token.batch([
      { fn: "C_FindObjectsInit", args: [H(s), []] },
      { fn: "C_FindObjects", args: [H(s), 1000] },
      { fn: "C_FindObjectsFinal", args: [H(s)] },
    ], INSPECT);
    const handles = found.ok ? found.value : [];
    // One C_GetAttributeValue per attribute: an attribute an object lacks fails alone.
    const unread = handles.filter((o) => !this.#summaries.has(o));
    const calls = unread.flatMap((o) => SUMMARY_ATTRS.map((n) => ({ fn: "C_GetAttributeValue", args: [H(s), H(o), [{ type: K[n] }]] })));
    const recs = calls.length ? await this.token.batch(calls, INSPECT) : [];
    const n = SUMMARY_ATTRS.length;
    unread.forEach((o, i) => this.#summaries.set(o, Object.assign(summarize(o, recs.slice(i * n, (i + 1) * n)), { slot: slot.id })));
    slot.objects = handles.map((o) => this.#summaries.get(o));
  }

  /** Every attribute of one object, one C_GetAttributeValue each (an unreadable one fails alone). */
  async readAll(handle) {
    const o = this.objectByHandle(handle);
    const s = this.slotById(o?.slot)?.objectsSeenBy;
    if (s === null || s === undefined) return [];
    const types = [...new Set(Object.entries(K).filter(([n, v]) => n.startsWith("CKA_") && typeof v === "number" && n !== "CKA_VENDOR_DEFINED").map(([, v]) => v))];
    const recs = await this.token.batch(types.map((t) => ({ fn: "C_GetAttributeValue", args: [H(s), H(handle), [{ type: t }]] })), { ...INSPECT, busyLabel: "reading attributes" });
    return recs
      .map((r, i) => ({ type: types[i], ok: r.ok, rvName: r.rvName, value: r.ok ? r.value[0].value : null }))
      .filter((a) => a.ok || a.rvName === "CKR_ATTRIBUTE_SENSITIVE");
  }

  objectByHandle(h) {
    return this.objects.find((o) => o.handle === h) ?? null;
  }

  /** Mechanisms of the first slot whose info has `flagName` (every slot here has the same list). */
  mechanismsWith(flagName) {
    const bit = K[flagName];
    return (this.slot?.mechanisms ?? []).filter((m) => m.info && (m.info.flags & bit) >>> 0 === bit >>> 0);
  }

  mechanismByType(type) {
    return (this.slot?.mechanisms ?? []).find((m) => m.type === type) ?? null;
  }
}
