// Every action as a small form whose defaults work: pick one on the left,
// press the button, and the call (or calls) appear in the trace. Lessons
// open these forms prefilled ("do it yourself") and watch for the result.
import { el, field, select } from "../dom.js";
import { H } from "../client.js";
import { K, CKS, CKK, nameOf, STATE_TEXT } from "../names.js";
import { objectTitle } from "../render-attrs.js";
import { paramSpec, buildParam, keyTypesFor, mechanismForKey } from "../mech-defaults.js";
import { toHex } from "../bytes.js";
import { explainBox } from "./explain.js";
import { collapsibleNav } from "./collapsible-nav.js";
import { choice, parseParamField } from "./form-controls.js";
import { tokenActions } from "./actions/token.js";
import { objectsActions } from "./actions/objects.js";
import { keysActions } from "./actions/keys.js";

export const DEFAULT_PINS = { so: "so-pin-1234", user: "user-pin-1234" };

export class Actions {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx; // { token, model, pins, outputs, afterCall(rec), ready }
    this.nav = root.querySelector("#action-list");
    this.pane = root.querySelector("#action-pane");
    this.defs = this.#definitions();
    this.current = null;
    this.sessionControl = null; // the open form's session select: object lists follow its token
    this.#buildNav();
    this.fold = collapsibleNav(root.querySelector(".actions-nav"), this.nav, "All actions");
  }

  #buildNav() {
    let group = null;
    for (const d of this.defs) {
      if (d.group !== group) {
        group = d.group;
        this.nav.append(el("li", { class: "nav-group" }, group));
      }
      this.nav.append(el("li", {}, el("button", { type: "button", "data-action": d.id, onclick: () => this.open(d.id) }, d.title)));
    }
  }

  /** Opens an action's form, optionally prefilled: { fieldName: value }. */
  open(id, prefill = {}, note) {
    const d = this.defs.find((x) => x.id === id);
    this.nav.querySelectorAll("button").forEach((b) => b.setAttribute("aria-current", b.dataset.action === id ? "true" : "false"));
    this.sessionControl = null;
    // An object given without a session: a session of the object's own token.
    const slotOfObject = this.ctx.model.objectByHandle(prefill.object ?? prefill.key)?.slot;
    if (prefill.session === undefined && slotOfObject !== undefined) prefill = { ...prefill, session: this.ctx.model.defaultSession(slotOfObject) ?? undefined };
    const controls = d.controls();
    this.sessionControl = controls.find((c) => c.name === "session") ?? null;
    for (const c of controls) if (prefill[c.name] !== undefined) c.set(prefill[c.name]);
    // Objects of another token are invisible to the chosen session: list only its token's.
    const refreshObjects = () => controls.forEach((c) => c.objectList && c.refresh());
    refreshObjects();
    this.sessionControl?.el.addEventListener("change", refreshObjects);
    const result = el("div", { class: "result", "aria-live": "polite" });
    const submit = el("button", { type: "submit", class: "primary" }, d.button ?? d.title);
    const form = el(
      "form",
      { class: "action-form", "data-form": id },
      el("h3", {}, d.title, " ", el("code", { class: "fn-name" }, d.fns)),
      note ? el("p", { class: "lesson-note" }, note) : null,
      el("p", { class: "muted" }, d.help),
      controls.map((c) => c.root),
      el("div", { class: "actions-row" }, submit),
      result,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      submit.disabled = true;
      result.replaceChildren();
      try {
        if (document.body.dataset.ready !== "true") {
          result.append(el("p", { class: "muted" }, "Waiting for the token to finish loading…"));
          await this.ctx.ready;
          result.replaceChildren();
        }
        const out = await d.run(Object.fromEntries(controls.map((c) => [c.name, c])));
        result.append(...[out].flat().filter(Boolean));
      } catch (err) {
        result.append(el("div", { class: "explain" }, el("p", {}, `Not sent: ${err.message}`)));
      } finally {
        submit.disabled = false;
      }
    });
    this.pane.replaceChildren(form);
    this.current = id;
    this.fold.close();
    this.ctx.showTab("actions");
    // The whole form in view (its lesson note and help first), focus in its first field.
    form.scrollIntoView({ block: "start" });
    form.querySelector("input, select, textarea")?.focus({ preventScroll: true });
  }

  /** Runs one call, shows success or the explanation; returns [record, element]. */
  async call(fn, args, onOk) {
    const rec = await this.ctx.token.call(fn, args, { origin: "form" });
    await this.ctx.afterCall(rec);
    if (!rec.ok) return [rec, explainBox(rec, this.ctx.model)];
    return [rec, onOk ? onOk(rec) : el("p", { class: "ok-line" }, `${fn} returned CKR_OK.`)];
  }

  /** Init + one-shot operation; stops at the first failure. */
  async pair(initFn, initArgs, fn, args, onOk) {
    const [a, ea] = await this.call(initFn, initArgs, () => null);
    if (!a.ok) return ea;
    return (await this.call(fn, args, onOk))[1];
  }

  // --- controls built from the model ---
  session(name = "session") {
    const m = this.ctx.model;
    const opts = [...m.sessions.entries()].map(([h, s]) => [h, `#${h} · slot ${s.slot} · ${STATE_TEXT[nameOf(CKS, s.info?.state ?? 0)] ?? (s.rw ? "R/W" : "R/O")}`]);
    const c = choice(name, "Session", opts.length ? opts : [["", "no session open: open one first"]], m.defaultSession());
    return c;
  }
  slot() {
    return choice("slot", "Slot", this.ctx.model.slots.map((s) => [s.id, `slot ${s.id}${s.label ? ` · token “${s.label}”` : ""}`]), this.ctx.model.slot?.id);
  }
  /** An object select; `refresh()` re-filters it (when the mechanism changes). */
  object(name, label, filter = () => true, prefer) {
    const c = choice(name, label, [], "");
    c.objectList = true;
    c.refresh = () => {
      const slot = this.sessionControl ? this.ctx.model.slotOfSession(Number(this.sessionControl.get())) : null;
      const objs = this.ctx.model.objects.filter((o) => (slot === null || o.slot === slot) && filter(o));
      const sel = this.ctx.model.selected;
      const keep = c.el.value;
      const def = objs.some((o) => String(o.handle) === keep) ? Number(keep)
        : prefer?.(objs)?.handle ?? (objs.some((o) => o.handle === sel) ? sel : objs.at(-1)?.handle);
      c.el.replaceChildren(...(objs.length ? objs.map((o) => [o.handle, objectTitle(o)]) : [["", "no suitable object visible (make one, or log in as USER)"]])
        .map(([v, t]) => el("option", { value: v, selected: v === def }, t)));
    };
    c.refresh();
    return c;
  }
  /** A key that fits the mechanism chosen in `mech`, has `usage`, and passes `extra`. */
  key(name, label, mech, usage, extra = () => true, prefer) {
    const fits = (o) => {
      const types = keyTypesFor(mech.get());
      return (!usage || o.usage.includes(usage)) && extra(o) && (!types || types.some((t) => K[t] === o.keyType));
    };
    const c = this.object(name, label, fits, prefer);
    mech.el.addEventListener("change", () => c.refresh());
    return c;
  }
  /**
   * A mechanism select. With `use`, the default suits a key the learner has
   * for that use (the selected object first, then the newest), so the
   * form's defaults work with what is on the token.
   */
  mech(flag, label = "Mechanism", prefer, use, preferKey) {
    const list = this.ctx.model.mechanismsWith(flag);
    const names = new Set(list.map((m) => m.name));
    let def = null;
    if (use) {
      const m = this.ctx.model;
      const keys = m.objects.filter((o) => o.usage.includes(use)).reverse();
      const first = [m.objectByHandle(preferKey), m.objectByHandle(m.selected)].filter((o) => o && o.usage.includes(use));
      for (const o of [...first, ...keys]) {
        const name = mechanismForKey(nameOf(CKK, o.keyType ?? -1), use);
        if (name && names.has(name)) {
          def = name;
          break;
        }
      }
    }
    def ??= list.find((m) => m.name === prefer)?.name ?? list[0]?.name;
    return choice("mechanism", label, list.map((m) => [m.name, m.name]), def);
  }
  /** Parameter fields that follow the mechanism select. */
  params(mechControl, extra = {}) {
    const box = el("div", { class: "params" });
    let spec = null;
    let inputs = {};
    const render = () => {
      spec = paramSpec(mechControl.get());
      inputs = {};
      box.replaceChildren();
      if (!spec) return;
      box.append(el("div", { class: "params-title" }, "Mechanism parameter", spec.tag ? el("code", {}, ` ${spec.tag}`) : ""));
      for (const [name, kind, def] of spec.fields) {
        let input;
        if (kind === "object") {
          input = this.object(`param-${name}`, name, (o) => o.cls === K.CKO_SECRET_KEY).root.querySelector("select");
        } else {
          input = el("input", { value: extra[name] ?? def, spellcheck: "false", class: kind === "bytes" ? "mono" : "" });
        }
        inputs[name] = input;
        box.append(field(`${name} (${kind === "bytes" ? "hex" : kind})`, input));
        if (name === "publicData") this.fillPeerPoint(input);
      }
    };
    mechControl.el.addEventListener("change", render);
    render();
    return {
      name: "parameter",
      root: box,
      get: () => buildParam(spec, Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value])), parseParamField),
      set: (vals) => {
        for (const [k, v] of Object.entries(vals ?? {})) if (inputs[k]) inputs[k].value = v;
      },
      refresh: render,
    };
  }
  /** ECDH needs the other side's public point: default to an EC public key's CKA_EC_POINT. */
  async fillPeerPoint(input) {
    const m = this.ctx.model;
    const pub = m.objects.filter((o) => o.cls === K.CKO_PUBLIC_KEY && (o.keyType === K.CKK_EC || o.keyType === K.CKK_EC_MONTGOMERY)).at(-1);
    const seenBy = pub ? m.slotById(pub.slot)?.objectsSeenBy : null;
    if (seenBy === null || seenBy === undefined) return;
    const [r] = await this.ctx.token.batch([{ fn: "C_GetAttributeValue", args: [H(seenBy), H(pub.handle), [{ type: K.CKA_EC_POINT }]] }], { group: "inspect", origin: "form default" });
    if (r.ok && input.value === "") input.value = toHex(r.value[0].value);
  }
  mechArg(c) {
    const p = c.parameter?.get();
    return p === undefined ? { mechanism: K[c.mechanism.get()] } : { mechanism: K[c.mechanism.get()], parameter: p };
  }
  needSession(c) {
    if (c.session.get() === "") throw new Error("open a session first (Sessions → Open session)");
    return H(Number(c.session.get()));
  }
  needObject(c, name) {
    if (c[name].get() === "") throw new Error("no object selected");
    return H(Number(c[name].get()));
  }
  /** A whole number typed in a field, within [min, max], or an error naming the field. */
  needCount(control, label, min, max) {
    const t = String(control.get()).trim();
    if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) throw new Error(`${label}: a whole number from ${min} to ${max}, not "${t}"`);
    return Number(t);
  }

  // The forms, by group (one file each under actions/).
  #definitions() {
    return [...tokenActions(this), ...objectsActions(this), ...keysActions(this)];
  }
}
