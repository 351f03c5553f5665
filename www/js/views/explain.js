// The box that explains a failed call: its CKR_ name, what the code means,
// and (when the page can tell) why it happened here.
import { el } from "../dom.js";
import { meaning, likelyCause } from "../ckr-explain.js";

export function explainState(model) {
  return {
    loggedIn: model.loggedIn,
    tokenFlags: model.slot?.tokenFlags ?? [],
    keyFacts: (h) => {
      const o = h === undefined ? null : model.objectByHandle(h);
      return o ? `${o.keyTypeName || o.className} with usage ${o.usage.join(", ") || "none"}` : null;
    },
  };
}

export function explainBox(rec, model) {
  const cause = rec.rvName ? likelyCause(rec, explainState(model)) : null;
  return el(
    "div",
    { class: "explain", role: "note" },
    el("div", { class: "explain-code" }, el("code", {}, rec.rvName ?? "TypeError"), rec.rv !== null && rec.rv !== undefined ? el("span", { class: "muted" }, ` 0x${rec.rv.toString(16)}`) : null, " from ", el("code", {}, rec.fn)),
    el("p", { class: "meaning" }, rec.rvName ? meaning(rec.rvName) : `${meaning(null)} ${rec.error ?? ""}`),
    cause ? el("p", { class: "cause" }, el("strong", {}, "Likely cause here: "), cause) : null,
  );
}
