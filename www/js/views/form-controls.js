// Form controls that know how to read and set themselves (`name` is the
// prefill key), shared by the action forms in actions/.
import { el, field, select } from "../dom.js";
import { H } from "../client.js";
import { K } from "../names.js";
import { fromHex, utf8 } from "../bytes.js";

/** Controls know how to read and set themselves; `name` is the prefill key. */
export function text(name, label, value = "", attrs = {}) {
  const input = el("input", { value, spellcheck: "false", "data-name": name, ...attrs });
  return { name, root: field(label, input), get: () => input.value, set: (v) => (input.value = v) };
}
export function choice(name, label, options, value) {
  const s = select(options, value);
  s.dataset.name = name;
  return { name, root: field(label, s), el: s, get: () => s.value, set: (v) => (s.value = String(v)) };
}
export function check(name, label, checked) {
  const c = el("input", { type: "checkbox", checked, "data-name": name });
  return { name, root: el("div", { class: "field check" }, el("label", {}, c, " ", label)), get: () => c.checked, set: (v) => (c.checked = !!v) };
}

export function parseParamField(kind, t, name) {
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

/** Adapts a data input (widgets.js) to the controls interface. */
export function wrapData(d) {
  return { root: d.root, get: d.value, set: (v) => (typeof v === "string" ? d.setBytes(utf8(v)) : d.setBytes(v)) };
}
