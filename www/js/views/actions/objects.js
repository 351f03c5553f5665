// The Objects forms. `a` is the Actions instance (../actions.js): its
// control builders (session, object, mech...), call helpers, `ctx`.
import { el } from "../../dom.js";
import { K, CKA, nameOf } from "../../names.js";
import { objectTitle, renderValue } from "../../render-attrs.js";
import { templateEditor } from "../widgets.js";
import { text } from "../form-controls.js";

export function objectsActions(a) {
  const ctx = a.ctx;
  return [
    {
      id: "create-object", group: "Objects", title: "Create an object", fns: "C_CreateObject",
      help: "Makes an object from a template. A data object is the simplest; a secret key with CKA_VALUE imports a key.",
      controls: () => {
        const t = templateEditor([["CKA_CLASS", "CKO_DATA"], ["CKA_LABEL", "a note"], ["CKA_APPLICATION", "playground"], ["CKA_VALUE", '"hello, token"'], ["CKA_TOKEN", "true"], ["CKA_PRIVATE", "false"]]);
        return [a.session(), { name: "template", root: t.root, get: t.value, set: t.set }];
      },
      run: async (c) => (await a.call("C_CreateObject", [a.needSession(c), c.template.get()], (r) => el("p", { class: "ok-line" }, `New object #${r.value}.`)))[1],
    },
    {
      id: "copy-object", group: "Objects", title: "Copy an object", fns: "C_CopyObject",
      help: "Copies an object, changing the attributes the template names (when the object allows it).",
      controls: () => {
        const t = templateEditor([["CKA_LABEL", "a copy"]]);
        return [a.session(), a.object("object", "Object"), { name: "template", root: t.root, get: t.value, set: t.set }];
      },
      run: async (c) => (await a.call("C_CopyObject", [a.needSession(c), a.needObject(c, "object"), c.template.get()], (r) => el("p", { class: "ok-line" }, `Copy: object #${r.value}.`)))[1],
    },
    {
      id: "destroy-object", group: "Objects", title: "Destroy an object", fns: "C_DestroyObject",
      help: "Deletes the object for good (token objects need a R/W session).",
      controls: () => [a.session(), a.object("object", "Object")],
      run: async (c) => (await a.call("C_DestroyObject", [a.needSession(c), a.needObject(c, "object")]))[1],
    },
    {
      id: "find-objects", group: "Objects", title: "Find objects", fns: "C_FindObjectsInit + C_FindObjects + C_FindObjectsFinal",
      help: "Lists the objects that match a template (an empty template matches every object the session may see; private ones only when the USER is logged in). Like a C program, the form calls C_FindObjects until it returns no more handles.",
      controls: () => {
        const t = templateEditor([["CKA_CLASS", "CKO_SECRET_KEY"]], "Search template");
        return [a.session(), { name: "template", root: t.root, get: t.value, set: t.set }, text("max", "Handles per C_FindObjects call (ulMaxObjectCount)", "10", { inputmode: "numeric" })];
      },
      run: async (c) => {
        const s = a.needSession(c);
        const max = a.needCount(c.max, "Handles per call", 1, 1000);
        const tmpl = c.template.get();
        const [init, initBox] = await a.call("C_FindObjectsInit", [s, tmpl], () => null);
        if (!init.ok) return initBox;
        const found = [];
        // Bounded: a search never returns more objects than the token has.
        for (let i = 0; i < 1000; i++) {
          const [r, box] = await a.call("C_FindObjects", [s, max], () => null);
          if (!r.ok) return box;
          found.push(...r.value);
          if (r.value.length === 0) break;
        }
        await a.call("C_FindObjectsFinal", [s]);
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
      // A secret key by default: its CKA_VALUE shows what CKR_ATTRIBUTE_SENSITIVE is.
      controls: () => [a.session(), a.object("object", "Object", undefined, (objs) => objs.findLast((o) => o.cls === K.CKO_SECRET_KEY)), text("attrs", "Attributes (names, separated by commas)", "CKA_LABEL, CKA_VALUE")],
      run: async (c) => {
        const s = a.needSession(c);
        const o = a.needObject(c, "object");
        const names = c.attrs.get().split(/[\s,]+/).filter(Boolean);
        const bad = names.filter((n) => !CKA.byName.has(n));
        if (!names.length || bad.length) throw new Error(bad.length ? `unknown attribute ${bad.join(", ")}` : "name at least one attribute");
        return (await a.call("C_GetAttributeValue", [s, o, names.map((n) => ({ type: K[n] }))], (r) =>
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
        return [a.session(), a.object("object", "Object"), { name: "template", root: t.root, get: t.value, set: t.set }];
      },
      run: async (c) => (await a.call("C_SetAttributeValue", [a.needSession(c), a.needObject(c, "object"), c.template.get()]))[1],
    },
  ];
}
