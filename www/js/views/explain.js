// The box that explains a failed call: its CKR_ name, what the code means,
// why it happened here (when the page can tell), and the spec section of
// the function.
import { el } from "../dom.js";
import { meaning, likelyCause } from "../ckr-explain.js";
import { objectHandleStory, sessionHandleStory } from "../handle-history.js";
import { CKA, nameOf } from "../names.js";
import { specLink } from "./widgets.js";

export function explainState(model, rec) {
  const slotId = model.slotOfCall(rec) ?? model.slot?.id;
  const slot = model.slotById(slotId);
  const records = model.token.records;
  return {
    loggedIn: model.loggedInOn(slotId),
    group: model.groups?.get(slotId) ?? null,
    tokenFlags: slot?.tokenFlags ?? [],
    pinLen: slot?.token ? { min: slot.token.minPinLen, max: slot.token.maxPinLen } : null,
    attrName: (t) => nameOf(CKA, t),
    objectFacts: (h) => model.objectByHandle(h),
    keyFacts: (h) => {
      const o = h === undefined ? null : model.objectByHandle(h);
      return o ? `${o.keyTypeName || o.className} with usage ${o.usage.join(", ") || "none"}` : null;
    },
    objectStory: (h) => objectHandleStory(records, h, rec.seq ?? Infinity, slotId ?? null),
    sessionStory: (s) => sessionHandleStory(records, s, rec.seq ?? Infinity),
    mechInfo: (type) => {
      const m = model.mechanismByType(type);
      return m?.info ? { name: m.name, ...m.info } : null;
    },
  };
}

export function explainBox(rec, model) {
  const cause = rec.rvName ? likelyCause(rec, explainState(model, rec)) : null;
  return el(
    "div",
    { class: "explain", role: "note" },
    el("div", { class: "explain-code" }, el("code", {}, rec.rvName ?? "TypeError"), rec.rv !== null && rec.rv !== undefined ? el("span", { class: "muted" }, ` 0x${rec.rv.toString(16)}`) : null, " from ", el("code", {}, rec.fn), " ", specLink(rec.fn)),
    el("p", { class: "meaning" }, rec.rvName ? meaning(rec.rvName) : `${meaning(null)} ${rec.error ?? ""}`),
    cause ? el("p", { class: "cause" }, el("strong", {}, "Likely cause here: "), cause) : null,
  );
}
