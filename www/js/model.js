// What the page knows about the token, kept current by the page's own
// read-only calls (marked "inspect" in the trace): slots, tokens, open
// sessions (PKCS#11 cannot list them, so the page remembers the ones it
// opened), and the objects a session can see.
import { H } from "./client.js";
import { K, CKM, nameOf, flagNames, TOKEN_FLAGS, trimPad } from "./names.js";
import { SUMMARY_ATTRS, summarize } from "./render-attrs.js";

const INSPECT = { group: "inspect", origin: "model" };

export class Model extends EventTarget {
  slots = []; // { id, info, token, tokenFlags, mechanisms: [{ type, name, info }] }
  sessions = new Map(); // handle -> { slot, rw, info }
  objects = []; // summaries, see render-attrs.js
  objectsSeenBy = null; // the session used to list objects
  selected = null; // object handle shown in detail

  constructor(token) {
    super();
    this.token = token;
    token.addEventListener("call", ({ detail: r }) => this.#track(r));
  }

  /** Remembers sessions as the page opens and closes them. */
  #track(r) {
    if (!r.ok || r.group === "inspect") return;
    const h = (i) => r.args[i]?.$h ?? r.args[i];
    if (r.fn === "C_OpenSession") this.sessions.set(r.value, { slot: h(0), rw: !!(r.args[1] & K.CKF_RW_SESSION) });
    if (r.fn === "C_CloseSession") this.sessions.delete(h(0));
    if (r.fn === "C_CloseAllSessions" || r.fn === "deleteToken" || r.fn === "C_InitToken") {
      for (const [s, v] of this.sessions) if (v.slot === h(0)) this.sessions.delete(s);
    }
    if (r.fn === "C_DestroyObject" && this.selected === h(1)) this.selected = null;
  }

  /** Slot list and mechanisms: asked once (they do not change). */
  async load() {
    const [info, list] = await this.token.batch([{ fn: "C_GetInfo", args: [] }, { fn: "C_GetSlotList", args: [false] }], INSPECT);
    this.moduleInfo = info.value;
    this.slots = (list.value ?? []).map((id) => ({ id }));
    for (const slot of this.slots) {
      const [si, ml] = await this.token.batch([
        { fn: "C_GetSlotInfo", args: [H(slot.id)] },
        { fn: "C_GetMechanismList", args: [H(slot.id)] },
      ], INSPECT);
      slot.info = si.value;
      const types = ml.value ?? [];
      const infos = await this.token.batch(types.map((t) => ({ fn: "C_GetMechanismInfo", args: [H(slot.id), t] })), INSPECT);
      slot.mechanisms = types.map((type, i) => ({ type, name: nameOf(CKM, type), info: infos[i].value }));
    }
    await this.refresh();
  }

  /** Token info, session states, and the objects visible now. */
  async refresh() {
    for (const slot of this.slots) {
      const [ti] = await this.token.batch([{ fn: "C_GetTokenInfo", args: [H(slot.id)] }], INSPECT);
      slot.token = ti.ok ? ti.value : null;
      slot.tokenFlags = ti.ok ? flagNames(ti.value.flags, TOKEN_FLAGS) : [];
      slot.label = ti.ok ? trimPad(ti.value.label) : "";
    }
    const handles = [...this.sessions.keys()];
    const infos = handles.length ? await this.token.batch(handles.map((s) => ({ fn: "C_GetSessionInfo", args: [H(s)] })), INSPECT) : [];
    handles.forEach((s, i) => {
      if (infos[i].ok) this.sessions.get(s).info = infos[i].value;
      else this.sessions.delete(s); // closed behind the page's back (reset, lockout)
    });
    await this.#listObjects();
    this.dispatchEvent(new Event("change"));
  }

  /** Who is logged in on the token, from any session's state. */
  get loggedIn() {
    for (const s of this.sessions.values()) {
      const st = s.info?.state;
      if (st === K.CKS_RW_SO_FUNCTIONS) return "SO";
      if (st === K.CKS_RW_USER_FUNCTIONS || st === K.CKS_RO_USER_FUNCTIONS) return "USER";
    }
    return null;
  }

  get slot() {
    return this.slots[0];
  }

  /** A session to use for a form default: the newest, preferring read/write. */
  defaultSession() {
    const all = [...this.sessions.entries()];
    const rw = all.filter(([, v]) => v.rw);
    return (rw.at(-1) ?? all.at(-1))?.[0] ?? null;
  }

  async #listObjects() {
    const s = this.defaultSession();
    this.objectsSeenBy = s;
    if (s === null) {
      this.objects = [];
      return;
    }
    const [, found] = await this.token.batch([
      { fn: "C_FindObjectsInit", args: [H(s), []] },
      { fn: "C_FindObjects", args: [H(s), 1000] },
      { fn: "C_FindObjectsFinal", args: [H(s)] },
    ], INSPECT);
    const handles = found.ok ? found.value : [];
    const calls = [];
    for (const o of handles) for (const n of SUMMARY_ATTRS) calls.push({ fn: "C_GetAttributeValue", args: [H(s), H(o), [{ type: K[n] }]] });
    const recs = calls.length ? await this.token.batch(calls, INSPECT) : [];
    this.objects = handles.map((o, i) => summarize(o, recs.slice(i * SUMMARY_ATTRS.length, (i + 1) * SUMMARY_ATTRS.length)));
    if (this.selected !== null && !handles.includes(this.selected)) this.selected = null;
  }

  /** Every attribute of one object, one C_GetAttributeValue each (an unreadable one fails alone). */
  async readAll(handle) {
    const s = this.objectsSeenBy;
    const types = [...new Set(Object.entries(K).filter(([n, v]) => n.startsWith("CKA_") && typeof v === "number" && n !== "CKA_VENDOR_DEFINED").map(([, v]) => v))];
    const recs = await this.token.batch(types.map((t) => ({ fn: "C_GetAttributeValue", args: [H(s), H(handle), [{ type: t }]] })), { ...INSPECT, busyLabel: "reading attributes" });
    return recs
      .map((r, i) => ({ type: types[i], ok: r.ok, rvName: r.rvName, value: r.ok ? r.value[0].value : null }))
      .filter((a) => a.ok || a.rvName === "CKR_ATTRIBUTE_SENSITIVE");
  }

  objectByHandle(h) {
    return this.objects.find((o) => o.handle === h) ?? null;
  }

  mechanismsWith(flagName) {
    const bit = K[flagName];
    return (this.slot?.mechanisms ?? []).filter((m) => m.info && (m.info.flags & bit) >>> 0 === bit >>> 0);
  }
}
