// What each lesson step left behind (sessions, logins, objects), so a
// failed step can say which earlier step to redo when its result is gone:
// a session closed, a login undone, a key destroyed by C_Logout. The
// lesson's own undoing calls (its C_Logout, C_CloseSession...) retire
// what they undo; whatever is registered and gone was lost behind the
// lesson's back.
import { H } from "../client.js";
import { K } from "../names.js";

const MAKERS = new Set(["C_GenerateKey", "C_CreateObject", "C_CopyObject", "C_UnwrapKey", "C_DeriveKey", "C_FindObjects"]);

export class Effects {
  #list = []; // { step, kind: "session" | "login" | "object", value, slot, user }

  /**
   * Notes what a lesson call at `step` made or undid. `model` has already
   * seen the call (its session list is the one after it).
   */
  note(step, rec, model) {
    if (!rec.ok) return;
    const arg = (i) => rec.args[i]?.$h ?? rec.args[i];
    const slot = model.slotOfCall(rec) ?? this.#list.find((e) => e.kind === "session" && e.value === arg(0))?.slot;
    const drop = (f) => (this.#list = this.#list.filter((e) => !f(e)));
    switch (rec.fn) {
      case "C_OpenSession":
        this.#list.push({ step, kind: "session", value: rec.value, slot });
        break;
      case "C_Login":
        this.#list.push({ step, kind: "login", slot, user: rec.args[1] === K.CKU_SO ? "SO" : "USER" });
        break;
      case "C_Logout":
        drop((e) => e.kind === "login" && e.slot === slot);
        break;
      case "C_CloseSession":
        drop((e) => e.kind === "session" && e.value === arg(0));
        // Closing a token's last session logs its user out (PKCS#11 3.1 section 5.6.2).
        if (![...model.sessions.values()].some((v) => v.slot === slot)) drop((e) => e.kind === "login" && e.slot === slot);
        break;
      case "C_CloseAllSessions":
      case "C_InitToken":
        drop((e) => e.slot === slot);
        break;
      case "C_DestroyObject":
        drop((e) => e.kind === "object" && e.value === arg(1));
        break;
      case "C_GenerateKeyPair":
        this.#list.push({ step, kind: "object", value: rec.value.publicKey, slot }, { step, kind: "object", value: rec.value.privateKey, slot });
        break;
      default:
        if (!MAKERS.has(rec.fn)) break;
        for (const h of [rec.value].flat()) this.#list.push({ step, kind: "object", value: h, slot });
    }
  }

  /** Registers something a step relies on without having made it (a session it reused). */
  keep(step, effect) {
    this.#list.push({ step, ...effect });
  }

  /** Forgets what steps `from` and later made (they are about to run again). */
  forgetFrom(from) {
    this.#list = this.#list.filter((e) => e.step < from);
  }

  /**
   * What steps before `failed` made and is gone now, earliest step first:
   * [{ step, what }] (what: a phrase). Objects are checked with a
   * read-only C_GetAttributeValue through an open session of their token.
   */
  async lostBefore(failed, model) {
    const alive = new Map();
    const objects = this.#list.filter((e) => e.kind === "object" && e.step < failed);
    const checks = objects.map((e) => ({ e, s: model.defaultSession(e.slot) })).filter((c) => c.s !== null);
    if (checks.length) {
      const recs = await model.token.batch(checks.map((c) => ({ fn: "C_GetAttributeValue", args: [H(c.s), H(c.e.value), [{ type: K.CKA_CLASS }]] })), { group: "inspect", origin: "lesson check" });
      checks.forEach((c, i) => alive.set(c.e, recs[i].ok));
    }
    const lost = [];
    for (const e of [...this.#list].sort((a, b) => a.step - b.step)) {
      if (e.step >= failed) continue;
      if (e.kind === "session" && !model.sessions.has(e.value)) lost.push({ step: e.step, what: `session #${e.value} is closed` });
      if (e.kind === "login" && model.loggedInOn(e.slot) !== e.user) lost.push({ step: e.step, what: `the ${e.user === "SO" ? "SO" : "USER"} is no longer logged in` });
      if (e.kind === "object" && !alive.get(e)) lost.push({ step: e.step, what: `object #${e.value} is gone` });
    }
    return lost;
  }
}
