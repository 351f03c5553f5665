// Object detail: every attribute the object has, by name, rendered
// usefully; secret values are shown as "sensitive" with the reason.
import { el } from "../dom.js";
import { CKA, nameOf } from "../names.js";
import { renderValue, sensitiveReason, objectTitle } from "../render-attrs.js";

export async function renderObject(root, model, handle, { onAction }) {
  if (handle === null || handle === undefined) {
    root.replaceChildren(el("p", { class: "empty" }, "Select an object in the Objects list to see all its attributes."));
    return;
  }
  const o = model.objectByHandle(handle);
  if (!o) {
    root.replaceChildren(el("p", { class: "empty" }, "That object is no longer visible."));
    return;
  }
  root.replaceChildren(el("p", { class: "muted" }, "Reading attributes…"));
  const attrs = await model.readAll(handle);
  const rows = attrs.map((a) => {
    const name = nameOf(CKA, a.type);
    if (!a.ok) {
      return el("tr", { class: "sensitive" }, el("th", { scope: "row" }, name), el("td", {}, el("strong", {}, "sensitive"), el("div", { class: "muted small" }, sensitiveReason(o))));
    }
    const r = renderValue(a.type, a.value, o);
    return el("tr", {}, el("th", { scope: "row" }, name), el("td", {}, el("code", { class: "val" }, r.text), r.detail ? el("div", { class: "muted small" }, r.detail) : null));
  });
  root.replaceChildren(
    el("div", { class: "detail-head" },
      el("h3", {}, objectTitle(o)),
      el("div", { class: "row" },
        el("button", { type: "button", class: "small", onclick: () => onAction("set-attribute", { object: handle }) }, "Change attributes"),
        el("button", { type: "button", class: "small", onclick: () => onAction("copy-object", { object: handle }) }, "Copy"),
        el("button", { type: "button", class: "small danger", onclick: () => onAction("destroy-object", { object: handle }) }, "Destroy…"),
      ),
    ),
    el("p", { class: "muted small" }, `${attrs.length} attributes, read one by one with C_GetAttributeValue (the page's inspection calls in the trace).`),
    el("table", { class: "attrs" }, el("tbody", {}, rows)),
  );
}
