// Every action as a small form whose defaults work: pick one on the left,
// press the button, and the call (or calls) appear in the trace. Lessons
// open these forms prefilled ("do it yourself") and watch for the result.
import { el, field, select } from "../dom.js";
import { H, OUT } from "../client.js";
import { K, CKS, CKK, CKA, nameOf, STATE_TEXT, flagNames, MECH_FLAGS } from "../names.js";
import { objectTitle, renderValue } from "../render-attrs.js";
import { collapsibleNav } from "./collapsible-nav.js";
import { paramSpec, buildParam, keyTemplate, pairTemplates, keyTypesFor, mechanismForKey } from "../mech-defaults.js";
import { fromHex, utf8, toHex } from "../bytes.js";
import { templateEditor, dataInput, bytesOutput } from "./widgets.js";
import { explainBox } from "./explain.js";

export const DEFAULT_PINS = { so: "so-pin-1234", user: "user-pin-1234" };

/** Controls know how to read and set themselves; `name` is the prefill key. */
function text(name, label, value = "", attrs = {}) {
  const input = el("input", { value, spellcheck: "false", "data-name": name, ...attrs });
  return { name, root: field(label, input), get: () => input.value, set: (v) => (input.value = v) };
}
function choice(name, label, options, value) {
  const s = select(options, value);
  s.dataset.name = name;
  return { name, root: field(label, s), el: s, get: () => s.value, set: (v) => (s.value = String(v)) };
}
function check(name, label, checked) {
  const c = el("input", { type: "checkbox", checked, "data-name": name });
  return { name, root: el("div", { class: "field check" }, el("label", {}, c, " ", label)), get: () => c.checked, set: (v) => (c.checked = !!v) };
}

function parseParamField(kind, t, name) {
  switch (kind) {
    case "bytes": return fromHex(t);
    case "text": return utf8(t);
    case "number": return Number(t);
    case "bool": return t === "true";
    case "mech": case "mgf":
      if (K[t.trim()] === undefined) throw new Error(`${name}: unknown constant ${t}`);
      return K[t.trim()];
    case "object": return H(Number(t));
    default: return t;
  }
}

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
  async #call(fn, args, onOk) {
    const rec = await this.ctx.token.call(fn, args, { origin: "form" });
    await this.ctx.afterCall(rec);
    if (!rec.ok) return [rec, explainBox(rec, this.ctx.model)];
    return [rec, onOk ? onOk(rec) : el("p", { class: "ok-line" }, `${fn} returned CKR_OK.`)];
  }

  /** Init + one-shot operation; stops at the first failure. */
  async #pair(initFn, initArgs, fn, args, onOk) {
    const [a, ea] = await this.#call(initFn, initArgs, () => null);
    if (!a.ok) return ea;
    return (await this.#call(fn, args, onOk))[1];
  }

  // --- controls built from the model ---
  #session(name = "session") {
    const m = this.ctx.model;
    const opts = [...m.sessions.entries()].map(([h, s]) => [h, `#${h} · slot ${s.slot} · ${STATE_TEXT[nameOf(CKS, s.info?.state ?? 0)] ?? (s.rw ? "R/W" : "R/O")}`]);
    const c = choice(name, "Session", opts.length ? opts : [["", "no session open: open one first"]], m.defaultSession());
    return c;
  }
  #slot() {
    return choice("slot", "Slot", this.ctx.model.slots.map((s) => [s.id, `slot ${s.id}${s.label ? ` · token “${s.label}”` : ""}`]), this.ctx.model.slot?.id);
  }
  /** An object select; `refresh()` re-filters it (when the mechanism changes). */
  #object(name, label, filter = () => true, prefer) {
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
  #key(name, label, mech, usage, extra = () => true, prefer) {
    const fits = (o) => {
      const types = keyTypesFor(mech.get());
      return (!usage || o.usage.includes(usage)) && extra(o) && (!types || types.some((t) => K[t] === o.keyType));
    };
    const c = this.#object(name, label, fits, prefer);
    mech.el.addEventListener("change", () => c.refresh());
    return c;
  }
  /**
   * A mechanism select. With `use`, the default suits a key the learner has
   * for that use (the selected object first, then the newest), so the
   * form's defaults work with what is on the token.
   */
  #mech(flag, label = "Mechanism", prefer, use, preferKey) {
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
  #params(mechControl, extra = {}) {
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
          input = this.#object(`param-${name}`, name, (o) => o.cls === K.CKO_SECRET_KEY).root.querySelector("select");
        } else {
          input = el("input", { value: extra[name] ?? def, spellcheck: "false", class: kind === "bytes" ? "mono" : "" });
        }
        inputs[name] = input;
        box.append(field(`${name} (${kind === "bytes" ? "hex" : kind})`, input));
        if (name === "publicData") this.#fillPeerPoint(input);
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
  async #fillPeerPoint(input) {
    const m = this.ctx.model;
    const pub = m.objects.filter((o) => o.cls === K.CKO_PUBLIC_KEY && (o.keyType === K.CKK_EC || o.keyType === K.CKK_EC_MONTGOMERY)).at(-1);
    const seenBy = pub ? m.slotById(pub.slot)?.objectsSeenBy : null;
    if (seenBy === null || seenBy === undefined) return;
    const [r] = await this.ctx.token.batch([{ fn: "C_GetAttributeValue", args: [H(seenBy), H(pub.handle), [{ type: K.CKA_EC_POINT }]] }], { group: "inspect", origin: "form default" });
    if (r.ok && input.value === "") input.value = toHex(r.value[0].value);
  }
  #mechArg(c) {
    const p = c.parameter?.get();
    return p === undefined ? { mechanism: K[c.mechanism.get()] } : { mechanism: K[c.mechanism.get()], parameter: p };
  }
  #needSession(c) {
    if (c.session.get() === "") throw new Error("open a session first (Sessions → Open session)");
    return H(Number(c.session.get()));
  }
  #needObject(c, name) {
    if (c[name].get() === "") throw new Error("no object selected");
    return H(Number(c[name].get()));
  }
  /** A whole number typed in a field, within [min, max], or an error naming the field. */
  #needCount(control, label, min, max) {
    const t = String(control.get()).trim();
    if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) throw new Error(`${label}: a whole number from ${min} to ${max}, not "${t}"`);
    return Number(t);
  }

  #definitions() {
    const ctx = this.ctx;
    const pins = ctx.pins;
    const out = (b, title, store) => {
      if (store) ctx.outputs[store] = b;
      return bytesOutput(b, title);
    };
    return [
      {
        id: "init-token", group: "Token", title: "Initialize token", fns: "C_InitToken",
        help: "The SO sets the token's label and SO PIN. This erases every object on the token; no session may be open.",
        controls: () => [this.#slot(), text("soPin", "SO PIN", pins.so), text("label", "Label", "playground")],
        run: async (c) => (await this.#call("C_InitToken", [H(Number(c.slot.get())), c.soPin.get(), c.label.get()], () => el("p", { class: "ok-line" }, "Token initialized. Next: open a R/W session, log in as SO and set the user PIN.")))[1],
      },
      {
        id: "init-pin", group: "Token", title: "Set the user PIN (as SO)", fns: "C_InitPIN",
        help: "Only the SO, logged in on a R/W session, can give the normal user a PIN (or reset a locked one).",
        controls: () => [this.#session(), text("pin", "New user PIN", pins.user)],
        run: async (c) => (await this.#call("C_InitPIN", [this.#needSession(c), c.pin.get()]))[1],
      },
      {
        id: "set-pin", group: "Token", title: "Change the PIN", fns: "C_SetPIN",
        help: "Changes the PIN of whoever is logged in on the session's token: the SO's when the SO is, otherwise the normal user's (also when nobody is logged in). The old PIN must be that user's current one.",
        controls: () => [this.#session(), text("oldPin", "Old PIN", pins.user), text("newPin", "New PIN", pins.user)],
        run: async (c) => (await this.#call("C_SetPIN", [this.#needSession(c), c.oldPin.get(), c.newPin.get()]))[1],
      },
      {
        id: "mechanism-info", group: "Token", title: "Mechanism info", fns: "C_GetMechanismInfo",
        help: "What a mechanism can do on this token (its CKF_ flags) and the key sizes it takes: a key outside them is refused (CKR_KEY_SIZE_RANGE).",
        controls: () => [this.#slot(), choice("type", "Mechanism", (ctx.model.slot?.mechanisms ?? []).map((m) => [m.name, m.name]), "CKM_RSA_PKCS_KEY_PAIR_GEN")],
        run: async (c) => (await this.#call("C_GetMechanismInfo", [H(Number(c.slot.get())), K[c.type.get()]], (r) =>
          el("p", { class: "ok-line" }, `${c.type.get()}: key sizes ${r.value.minKeySize} to ${r.value.maxKeySize} (bits for RSA and EC, bytes for AES and generic secrets); flags ${flagNames(r.value.flags, MECH_FLAGS).join(" | ")}.`)))[1],
      },
      {
        id: "open-session", group: "Sessions", title: "Open a session", fns: "C_OpenSession",
        help: "Every call that touches objects needs a session. Read-only sessions can read and use objects; read/write ones can also create, change and destroy token objects.",
        controls: () => [this.#slot(), check("rw", "read/write (CKF_RW_SESSION)", true)],
        run: async (c) => (await this.#call("C_OpenSession", [H(Number(c.slot.get())), K.CKF_SERIAL_SESSION | (c.rw.get() ? K.CKF_RW_SESSION : 0)], (r) => el("p", { class: "ok-line" }, `Session #${r.value} is open.`)))[1],
      },
      {
        id: "close-session", group: "Sessions", title: "Close a session", fns: "C_CloseSession",
        help: "Closing a session destroys its session objects; closing the last one logs the user out.",
        controls: () => [this.#session()],
        run: async (c) => (await this.#call("C_CloseSession", [this.#needSession(c)]))[1],
      },
      {
        id: "close-all", group: "Sessions", title: "Close all sessions", fns: "C_CloseAllSessions",
        help: "Closes every session of the slot's token (and so logs out).",
        controls: () => [this.#slot()],
        run: async (c) => (await this.#call("C_CloseAllSessions", [H(Number(c.slot.get()))]))[1],
      },
      {
        id: "login", group: "Sessions", title: "Log in", fns: "C_Login",
        help: "Logging in is per token: every session of the token changes state. SO administers the token; USER uses private objects.",
        controls: () => [this.#session(), choice("userType", "User", [[K.CKU_USER, "CKU_USER (normal user)"], [K.CKU_SO, "CKU_SO (security officer)"]], K.CKU_USER), text("pin", "PIN", pins.user, { autocomplete: "off" })],
        run: async (c) => (await this.#call("C_Login", [this.#needSession(c), Number(c.userType.get()), c.pin.get()]))[1],
      },
      {
        id: "logout", group: "Sessions", title: "Log out", fns: "C_Logout",
        help: "Back to public sessions on the whole token.",
        controls: () => [this.#session()],
        run: async (c) => (await this.#call("C_Logout", [this.#needSession(c)]))[1],
      },
      {
        id: "create-object", group: "Objects", title: "Create an object", fns: "C_CreateObject",
        help: "Makes an object from a template. A data object is the simplest; a secret key with CKA_VALUE imports a key.",
        controls: () => {
          const t = templateEditor([["CKA_CLASS", "CKO_DATA"], ["CKA_LABEL", "a note"], ["CKA_APPLICATION", "playground"], ["CKA_VALUE", '"hello, token"'], ["CKA_TOKEN", "true"], ["CKA_PRIVATE", "false"]]);
          return [this.#session(), { name: "template", root: t.root, get: t.value, set: t.set }];
        },
        run: async (c) => (await this.#call("C_CreateObject", [this.#needSession(c), c.template.get()], (r) => el("p", { class: "ok-line" }, `New object #${r.value}.`)))[1],
      },
      {
        id: "copy-object", group: "Objects", title: "Copy an object", fns: "C_CopyObject",
        help: "Copies an object, changing the attributes the template names (when the object allows it).",
        controls: () => {
          const t = templateEditor([["CKA_LABEL", "a copy"]]);
          return [this.#session(), this.#object("object", "Object"), { name: "template", root: t.root, get: t.value, set: t.set }];
        },
        run: async (c) => (await this.#call("C_CopyObject", [this.#needSession(c), this.#needObject(c, "object"), c.template.get()], (r) => el("p", { class: "ok-line" }, `Copy: object #${r.value}.`)))[1],
      },
      {
        id: "destroy-object", group: "Objects", title: "Destroy an object", fns: "C_DestroyObject",
        help: "Deletes the object for good (token objects need a R/W session).",
        controls: () => [this.#session(), this.#object("object", "Object")],
        run: async (c) => (await this.#call("C_DestroyObject", [this.#needSession(c), this.#needObject(c, "object")]))[1],
      },
      {
        id: "find-objects", group: "Objects", title: "Find objects", fns: "C_FindObjectsInit + C_FindObjects + C_FindObjectsFinal",
        help: "Lists the objects that match a template (an empty template matches every object the session may see; private ones only when the USER is logged in). Like a C program, the form calls C_FindObjects until it returns no more handles.",
        controls: () => {
          const t = templateEditor([["CKA_CLASS", "CKO_SECRET_KEY"]], "Search template");
          return [this.#session(), { name: "template", root: t.root, get: t.value, set: t.set }, text("max", "Handles per C_FindObjects call (ulMaxObjectCount)", "10", { inputmode: "numeric" })];
        },
        run: async (c) => {
          const s = this.#needSession(c);
          const max = this.#needCount(c.max, "Handles per call", 1, 1000);
          const tmpl = c.template.get();
          const [init, initBox] = await this.#call("C_FindObjectsInit", [s, tmpl], () => null);
          if (!init.ok) return initBox;
          const found = [];
          // Bounded: a search never returns more objects than the token has.
          for (let i = 0; i < 1000; i++) {
            const [r, box] = await this.#call("C_FindObjects", [s, max], () => null);
            if (!r.ok) return box;
            found.push(...r.value);
            if (r.value.length === 0) break;
          }
          await this.#call("C_FindObjectsFinal", [s]);
          if (!found.length) return el("p", { class: "ok-line" }, "No object matches (C_FindObjects returned no handle).");
          return el("div", {}, el("p", { class: "ok-line" }, `Found ${found.length} object${found.length === 1 ? "" : "s"}:`),
            el("ul", { class: "plain found" }, found.map((h) => {
              const o = ctx.model.objectByHandle(h);
              return el("li", {}, el("button", { type: "button", class: "link", onclick: () => ctx.selectObject?.(h) }, o ? objectTitle(o) : `#${h}`));
            })));
        },
      },
      {
        id: "get-attributes", group: "Objects", title: "Read attributes", fns: "C_GetAttributeValue",
        help: "Asks the token for attribute values by name. A secret one (CKA_VALUE of a sensitive or unextractable key) is refused with CKR_ATTRIBUTE_SENSITIVE: a C program still gets the others of the same call, the JavaScript call throws and returns none.",
        controls: () => [this.#session(), this.#object("object", "Object"), text("attrs", "Attributes (names, separated by commas)", "CKA_LABEL, CKA_ID, CKA_VALUE")],
        run: async (c) => {
          const s = this.#needSession(c);
          const o = this.#needObject(c, "object");
          const names = c.attrs.get().split(/[\s,]+/).filter(Boolean);
          const bad = names.filter((n) => !CKA.byName.has(n));
          if (!names.length || bad.length) throw new Error(bad.length ? `unknown attribute ${bad.join(", ")}` : "name at least one attribute");
          return (await this.#call("C_GetAttributeValue", [s, o, names.map((n) => ({ type: K[n] }))], (r) =>
            el("table", { class: "attrs" }, el("tbody", {}, r.value.map((a) => {
              const v = renderValue(a.type, a.value, ctx.model.objectByHandle(o.$h) ?? {});
              return el("tr", {}, el("th", { scope: "row" }, nameOf(CKA, a.type)), el("td", {}, el("code", { class: "val" }, v.text), v.detail ? el("div", { class: "muted small" }, v.detail) : null));
            })))))[1];
        },
      },
      {
        id: "set-attribute", group: "Objects", title: "Change attributes", fns: "C_SetAttributeValue",
        help: "Some attributes can change (label, id, usage flags), some only one way (CKA_SENSITIVE false → true, CKA_EXTRACTABLE true → false), some never (class, key type).",
        controls: () => {
          const t = templateEditor([["CKA_LABEL", "renamed"]]);
          return [this.#session(), this.#object("object", "Object"), { name: "template", root: t.root, get: t.value, set: t.set }];
        },
        run: async (c) => (await this.#call("C_SetAttributeValue", [this.#needSession(c), this.#needObject(c, "object"), c.template.get()]))[1],
      },
      {
        id: "generate-key", group: "Keys", title: "Generate a secret key", fns: "C_GenerateKey",
        help: "Every secret-key generation mechanism this token lists. Change the template rows freely.",
        controls: () => {
          const mech = this.#mech("CKF_GENERATE", "Mechanism", "CKM_AES_KEY_GEN");
          const params = this.#params(mech);
          const info = () => ctx.model.mechanismsWith("CKF_GENERATE").find((m) => m.name === mech.get())?.info;
          const t = templateEditor(keyTemplate(mech.get(), info()));
          mech.el.addEventListener("change", () => t.set(keyTemplate(mech.get(), info())));
          return [this.#session(), mech, params, { name: "template", root: t.root, get: t.value, set: t.set }];
        },
        run: async (c) => (await this.#call("C_GenerateKey", [this.#needSession(c), this.#mechArg(c), c.template.get()], (r) => el("p", { class: "ok-line" }, `New key: object #${r.value}.`)))[1],
      },
      {
        id: "generate-pair", group: "Keys", title: "Generate a key pair", fns: "C_GenerateKeyPair",
        help: "Every key-pair mechanism this token lists. RSA-4096 takes a few seconds: the token works in a Web Worker, so the page stays responsive.",
        controls: () => {
          const mech = this.#mech("CKF_GENERATE_KEY_PAIR", "Mechanism", "CKM_EC_KEY_PAIR_GEN");
          const d = pairTemplates(mech.get());
          const pub = templateEditor(d.pub, "Public key template");
          const priv = templateEditor(d.priv, "Private key template");
          mech.el.addEventListener("change", () => {
            const x = pairTemplates(mech.get());
            pub.set(x.pub);
            priv.set(x.priv);
          });
          return [this.#session(), mech, { name: "pub", root: pub.root, get: pub.value, set: pub.set }, { name: "priv", root: priv.root, get: priv.value, set: priv.set }];
        },
        run: async (c) => (await this.#call("C_GenerateKeyPair", [this.#needSession(c), this.#mechArg(c), c.pub.get(), c.priv.get()], (r) => el("p", { class: "ok-line" }, `Public key #${r.value.publicKey}, private key #${r.value.privateKey}.`)))[1],
      },
      {
        id: "wrap", group: "Keys", title: "Wrap a key", fns: "C_WrapKey",
        help: "Encrypts a key under another key so it can leave the token; works for sensitive keys as long as they are extractable.",
        controls: () => {
          const mech = this.#mech("CKF_WRAP", "Mechanism", "CKM_AES_KEY_WRAP_KWP", "wrap");
          // Only extractable secret and private keys can be wrapped.
          return [this.#session(), mech, this.#params(mech), this.#key("wrappingKey", "Wrapping key", mech, "wrap"), this.#object("key", "Key to wrap", (o) => (o.cls === K.CKO_SECRET_KEY || o.cls === K.CKO_PRIVATE_KEY) && o.extractable === true, (objs) => objs.findLast((o) => !o.usage.includes("wrap")))];
        },
        run: async (c) => (await this.#call("C_WrapKey", [this.#needSession(c), this.#mechArg(c), this.#needObject(c, "wrappingKey"), this.#needObject(c, "key"), OUT(16384)], (r) => {
          ctx.outputs.wrapMech = c.mechanism.get();
          return out(r.value, "Wrapped key", "wrapped");
        }))[1],
      },
      {
        id: "unwrap", group: "Keys", title: "Unwrap a key", fns: "C_UnwrapKey",
        help: "Decrypts a wrapped key back into a new key object, with the attributes the template gives.",
        controls: () => {
          const mech = ctx.outputs.wrapMech ? this.#mech("CKF_UNWRAP", "Mechanism", ctx.outputs.wrapMech) : this.#mech("CKF_UNWRAP", "Mechanism", "CKM_AES_KEY_WRAP_KWP", "unwrap");
          const t = templateEditor([["CKA_CLASS", "CKO_SECRET_KEY"], ["CKA_KEY_TYPE", "CKK_AES"], ["CKA_LABEL", "unwrapped key"], ["CKA_TOKEN", "false"], ["CKA_ENCRYPT", "true"], ["CKA_DECRYPT", "true"]]);
          return [this.#session(), mech, this.#params(mech), this.#key("unwrappingKey", "Unwrapping key", mech, "unwrap"), { name: "wrapped", ...wrapData(dataInput("Wrapped key", ctx.outputs.wrapped ? toHex(ctx.outputs.wrapped) : "", "hex")) }, { name: "template", root: t.root, get: t.value, set: t.set }];
        },
        run: async (c) => (await this.#call("C_UnwrapKey", [this.#needSession(c), this.#mechArg(c), this.#needObject(c, "unwrappingKey"), c.wrapped.get(), c.template.get()], (r) => el("p", { class: "ok-line" }, `Unwrapped: object #${r.value}.`)))[1],
      },
      {
        id: "derive", group: "Keys", title: "Derive a key", fns: "C_DeriveKey",
        help: "Makes a new key from a base key (HKDF, ECDH, concatenation...).",
        controls: () => {
          const mech = this.#mech("CKF_DERIVE", "Mechanism", "CKM_HKDF_DERIVE", "derive");
          const t = templateEditor([["CKA_CLASS", "CKO_SECRET_KEY"], ["CKA_KEY_TYPE", "CKK_AES"], ["CKA_VALUE_LEN", "32"], ["CKA_LABEL", "derived key"], ["CKA_TOKEN", "false"], ["CKA_ENCRYPT", "true"], ["CKA_DECRYPT", "true"]]);
          return [this.#session(), mech, this.#params(mech), this.#key("baseKey", "Base key", mech, "derive"), { name: "template", root: t.root, get: t.value, set: t.set }];
        },
        run: async (c) => (await this.#call("C_DeriveKey", [this.#needSession(c), this.#mechArg(c), this.#needObject(c, "baseKey"), c.template.get()], (r) => el("p", { class: "ok-line" }, `Derived: object #${r.value}.`)))[1],
      },
      this.#cipher("encrypt", "Encrypt", "C_EncryptInit", "C_Encrypt", "CKF_ENCRYPT", "ENCRYPT", "ciphertext"),
      this.#cipher("decrypt", "Decrypt", "C_DecryptInit", "C_Decrypt", "CKF_DECRYPT", "DECRYPT", "plaintext"),
      {
        id: "sign", group: "Crypto", title: "Sign or MAC", fns: "C_SignInit + C_Sign",
        help: "Signs the data with a private key (or MACs it with a secret key).",
        controls: () => {
          const mech = this.#mech("CKF_SIGN", "Mechanism", "CKM_ECDSA_SHA256", "sign");
          return [this.#session(), mech, this.#key("key", "Key", mech, "sign"), this.#params(mech), { name: "data", ...wrapData(dataInput("Data", "message to sign")) }];
        },
        run: async (c) => {
          const s = this.#needSession(c);
          return this.#pair("C_SignInit", [s, this.#mechArg(c), this.#needObject(c, "key")], "C_Sign", [s, c.data.get(), OUT(8192)], (r) => {
            ctx.outputs.signedData = c.data.get();
            ctx.outputs.signMech = c.mechanism.get();
            return out(r.value, "Signature", "signature");
          });
        },
      },
      {
        id: "verify", group: "Crypto", title: "Verify", fns: "C_VerifyInit + C_Verify",
        help: "Checks a signature with the public key (or the MAC with the secret key). A mismatch is CKR_SIGNATURE_INVALID.",
        controls: () => {
          const mech = ctx.outputs.signMech ? this.#mech("CKF_VERIFY", "Mechanism", ctx.outputs.signMech) : this.#mech("CKF_VERIFY", "Mechanism", "CKM_ECDSA_SHA256", "verify");
          const data = dataInput("Data", "message to sign");
          if (ctx.outputs.signedData) data.setBytes(ctx.outputs.signedData);
          const sig = dataInput("Signature", ctx.outputs.signature ? toHex(ctx.outputs.signature) : "", "hex");
          return [this.#session(), mech, this.#key("key", "Key", mech, "verify"), this.#params(mech), { name: "data", ...wrapData(data) }, { name: "signature", ...wrapData(sig) }];
        },
        run: async (c) => {
          const s = this.#needSession(c);
          return this.#pair("C_VerifyInit", [s, this.#mechArg(c), this.#needObject(c, "key")], "C_Verify", [s, c.data.get(), c.signature.get()], () => el("p", { class: "ok-line" }, "The signature is valid."));
        },
      },
      {
        id: "digest", group: "Crypto", title: "Digest (hash)", fns: "C_DigestInit + C_Digest",
        help: "Hashing needs a session but no key and no login.",
        controls: () => [this.#session(), this.#mech("CKF_DIGEST", "Mechanism", "CKM_SHA256"), { name: "data", ...wrapData(dataInput("Data", "hello")) }],
        run: async (c) => {
          const s = this.#needSession(c);
          return this.#pair("C_DigestInit", [s, this.#mechArg(c)], "C_Digest", [s, c.data.get(), OUT(128)], (r) => out(r.value, "Digest", "digest"));
        },
      },
      {
        id: "random", group: "Crypto", title: "Random bytes", fns: "C_GenerateRandom",
        help: "From the platform's CSPRNG (crypto.getRandomValues); needs only a session.",
        controls: () => [this.#session(), text("length", "Length (bytes)", "32", { inputmode: "numeric" })],
        run: async (c) => {
          const s = this.#needSession(c);
          const n = this.#needCount(c.length, "Length", 1, 65536);
          return (await this.#call("C_GenerateRandom", [s, OUT(n)], (r) => out(r.value, "Random bytes", "random")))[1];
        },
      },
    ];
  }

  #cipher(id, title, initFn, fn, flag, usage, what) {
    const ctx = this.ctx;
    return {
      id, group: "Crypto", title, fns: `${initFn} + ${fn}`,
      help: id === "encrypt" ? "Encrypts data with a key whose CKA_ENCRYPT is true. AES-GCM gets a fresh random IV by default." : "Decrypts with the same mechanism and parameter (IV) used to encrypt; the last ciphertext and IV are filled in.",
      controls: () => {
        const mech = id === "decrypt" && ctx.outputs.lastCipherMech ? this.#mech(flag, "Mechanism", ctx.outputs.lastCipherMech) : this.#mech(flag, "Mechanism", "CKM_AES_GCM", usage.toLowerCase(), ctx.outputs.lastCipherKey);
        const params = this.#params(mech);
        if (id === "decrypt" && ctx.outputs.lastParamText && mech.get() === ctx.outputs.lastCipherMech) params.set(ctx.outputs.lastParamText);
        const data = dataInput(id === "encrypt" ? "Plaintext" : "Ciphertext", id === "encrypt" ? "Hello, PKCS#11" : "", id === "encrypt" ? "text" : "hex");
        if (id === "decrypt" && ctx.outputs.ciphertext) data.setBytes(ctx.outputs.ciphertext);
        const key = this.#key("key", "Key", mech, usage.toLowerCase(), undefined, (objs) => objs.find((o) => o.handle === ctx.outputs.lastCipherKey));
        return [this.#session(), mech, key, params, { name: "data", ...wrapData(data) }];
      },
      run: async (c) => {
        const s = this.#needSession(c);
        const mech = this.#mechArg(c);
        // Remember the parameter so Decrypt can default to the same one.
        const paramText = Object.fromEntries([...c.parameter.root.querySelectorAll("input")].map((i) => [i.closest(".field").querySelector("label").textContent.replace(/ \(.*/, ""), i.value]));
        const input = c.data.get();
        return this.#pair(initFn, [s, mech, this.#needObject(c, "key")], fn, [s, input, OUT(input.length + 1024)], (r) => {
          if (id === "encrypt") Object.assign(ctx.outputs, { lastCipherMech: c.mechanism.get(), lastParamText: paramText, lastCipherKey: Number(c.key.get()) });
          ctx.outputs[what] = r.value;
          return bytesOutput(r.value, what === "ciphertext" ? "Ciphertext" : "Plaintext");
        });
      },
    };
  }
}

/** Adapts a data input to the controls interface. */
function wrapData(d) {
  return { root: d.root, get: d.value, set: (v) => (typeof v === "string" ? d.setBytes(utf8(v)) : d.setBytes(v)) };
}

