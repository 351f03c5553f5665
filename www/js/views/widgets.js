// Form pieces shared by the actions and lessons: the template editor
// (attribute name/value rows), data input (text, hex, base64 or a file)
// and byte output (hex, base64, text).
import { el, field, select, newId, copyText } from "../dom.js";
import { K, CKA } from "../names.js";
import { attrKind, CURVES } from "../attr-kinds.js";
import { fromHex, fromBase64, toHex, toBase64, asText, utf8, ulongList } from "../bytes.js";
import { specRef } from "../spec.js";

/** Every attribute name, for the editor's suggestions. */
const ATTR_NAMES = [...CKA.byName.keys()].sort();
const datalistId = "attr-names";
function ensureDatalist() {
  if (document.getElementById(datalistId)) return;
  document.body.append(el("datalist", { id: datalistId }, ATTR_NAMES.map((n) => el("option", { value: n }))));
}

/** A number, or a constant name (CKO_SECRET_KEY, CKP_ML_DSA_65...). */
function ulongValue(text) {
  const t = text.trim();
  if (/^CK[A-Z]*_\w+$/.test(t)) {
    if (K[t] === undefined) throw new Error(`unknown constant ${t}`);
    return K[t];
  }
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new Error(`"${t}" is not a number or a CK* name`);
  return Number(t);
}

/** Parses one template row's value text by the attribute's kind. */
export function attrValueFromText(type, text) {
  const kind = attrKind(type);
  const t = text.trim();
  switch (kind) {
    case "bool":
      if (!/^(true|false)$/i.test(t)) throw new Error("true or false");
      return /^true$/i.test(t);
    case "class": case "keyType": case "certType": case "mechType": case "paramSet": case "ulong":
      return ulongValue(t);
    case "text":
      return text;
    case "date":
      return t.replace(/-/g, "");
    case "mechs":
      return ulongList(t ? t.split(/[\s,]+/).map(ulongValue) : []);
    case "ecParams": {
      const c = CURVES.find(([n]) => n.toLowerCase() === t.toLowerCase());
      return c ? fromHex(c[2]) : fromHex(t);
    }
    default:
      if (/^".*"$/.test(t)) return utf8(t.slice(1, -1));
      return fromHex(t);
  }
}

/** The template editor: rows of attribute name and value text. */
export function templateEditor(rows, caption = "Template") {
  ensureDatalist();
  const body = el("tbody");
  const addRow = (name = "", value = "") => {
    const n = el("input", { list: datalistId, value: name, "aria-label": "attribute", spellcheck: "false", class: "mono" });
    const v = el("input", { value, "aria-label": "value", spellcheck: "false", class: "mono" });
    const kindHint = el("span", { class: "kind" });
    const showKind = () => { kindHint.textContent = K[n.value] !== undefined ? attrKind(K[n.value]) : ""; };
    n.addEventListener("input", showKind);
    showKind();
    const tr = el("tr", {}, el("td", {}, n), el("td", {}, v, kindHint), el("td", {}, el("button", { type: "button", class: "icon", title: "remove row", "aria-label": `remove ${name || "row"}`, onclick: () => tr.remove() }, "×")));
    body.append(tr);
  };
  rows.forEach(([n, v]) => addRow(n, v));
  const root = el(
    "fieldset",
    { class: "template" },
    el("legend", {}, caption),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "attribute"), el("th", {}, "value"), el("th", {}, el("span", { class: "sr" }, "remove")))), body),
    el("button", { type: "button", class: "small", onclick: () => addRow() }, "+ attribute"),
    el("small", { class: "hint" }, "Booleans: true/false. Numbers or names (CKK_AES). Bytes: hex, or \"text\" in quotes. Curves: P-256, Ed25519, X25519."),
  );
  return {
    root,
    /** [{ type, value }] or throws with the row at fault. */
    value() {
      return [...body.rows].map((tr) => {
        const [n, v] = tr.querySelectorAll("input");
        const name = n.value.trim();
        if (K[name] === undefined || !name.startsWith("CKA_")) throw new Error(`unknown attribute "${name}"`);
        try {
          return { type: K[name], value: attrValueFromText(K[name], v.value) };
        } catch (e) {
          throw new Error(`${name}: ${e.message}`);
        }
      });
    },
    set(rows2) {
      body.replaceChildren();
      rows2.forEach(([n, v]) => addRow(n, v));
    },
  };
}

/** Data input: text, hex, base64 or a file. */
export function dataInput(label, initial = "", mode = "text") {
  const modeSel = select([["text", "text (UTF-8)"], ["hex", "hex"], ["base64", "base64"], ["file", "file"]], mode);
  modeSel.setAttribute("aria-label", `${label} format`);
  const area = el("textarea", { rows: 3, spellcheck: "false" });
  area.value = initial;
  const file = el("input", { type: "file", hidden: true, "aria-label": `${label} file` });
  let fileBytes = null;
  file.addEventListener("change", async () => {
    fileBytes = file.files[0] ? new Uint8Array(await file.files[0].arrayBuffer()) : null;
  });
  modeSel.addEventListener("change", () => {
    const isFile = modeSel.value === "file";
    file.hidden = !isFile;
    area.hidden = isFile;
  });
  area.id = newId();
  const root = el("div", { class: "field data" }, el("div", { class: "row" }, el("label", { for: area.id }, label), modeSel), area, file);
  return {
    root,
    value() {
      const t = area.value;
      switch (modeSel.value) {
        case "hex": return fromHex(t);
        case "base64": return fromBase64(t);
        case "file":
          if (!fileBytes) throw new Error("choose a file");
          return fileBytes;
        default: return utf8(t);
      }
    },
    /** Puts bytes in (as hex unless they read as text). */
    setBytes(b) {
      const t = asText(b);
      modeSel.value = t !== null && t.length > 0 ? "text" : "hex";
      area.value = t !== null && t.length > 0 ? t : toHex(b);
      file.hidden = true;
      area.hidden = false;
    },
  };
}

/** Shows bytes as hex, base64 and text, each copyable. */
export function bytesOutput(b, title = "Result") {
  const t = asText(b);
  const line = (k, v) => el("div", { class: "out-line" }, el("span", { class: "k" }, k), el("code", {}, v), el("button", { type: "button", class: "small", onclick: () => copyText(v) }, "copy"));
  return el("div", { class: "bytes-out" }, el("div", { class: "out-title" }, `${title} (${b.length} bytes)`), line("hex", toHex(b) || "(empty)"), line("base64", toBase64(b)), t !== null && t.length ? line("text", t) : null);
}

/** A link to the PKCS#11 3.1 text defining a function or topic ("§5.6.10"); null if unknown. */
export function specLink(name, { long = false } = {}) {
  const r = specRef(name);
  if (!r) return null;
  const where = r.section ? `§${r.section}` : "";
  const text = long ? `${where} ${r.title}`.trim() : where || r.title;
  return el("a", { class: "spec", href: r.href, target: "_blank", rel: "noopener", title: `PKCS#11 3.1 ${r.section ? `section ${r.section} ` : ""}${r.title} (opens the OASIS standard)` }, text);
}

export { field, select };
