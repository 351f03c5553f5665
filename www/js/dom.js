// A tiny DOM helper: el("div", { class: "x", onclick }, child, "text").
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

let uid = 0;
export const newId = (p = "f") => `${p}-${++uid}`;

/** A labelled control: <div class="field"><label>..</label>control</div>. */
export function field(label, control, hint) {
  control.id ||= newId();
  return el("div", { class: "field" }, el("label", { for: control.id }, label), control, hint ? el("small", { class: "hint" }, hint) : null);
}

export function select(options, value) {
  const s = el("select");
  for (const o of options) {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    s.append(el("option", { value: v, selected: String(v) === String(value) }, t));
  }
  return s;
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard refused (no permission, not focused): select in a prompt-free textarea.
    const t = el("textarea", { class: "offscreen" });
    t.value = text;
    document.body.append(t);
    t.select();
    const ok = document.execCommand?.("copy") ?? false;
    t.remove();
    return ok;
  }
}
