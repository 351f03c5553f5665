// The call trace: every Cryptoki call the page made, in order, with each
// argument named as the PKCS#11 prototypes name it, the return code, the
// time, and (on request) the same call as C would make it. The page's own
// inspection calls are folded into one line per batch so the learner's
// calls stay readable; they can be shown.
import { el, copyText } from "../dom.js";
import { SIGNATURES } from "../signatures.js";
import { writer } from "../jsvalue.js";
import { snippet } from "../snippets.js";
import { cView } from "../c-view.js";
import { explainBox } from "./explain.js";
import { nameOf, CKM, CKA, CKS, flagNames, MECH_FLAGS, TOKEN_FLAGS, trimPad } from "../names.js";

const display = writer({ mode: "display" });
const CNAMES = { attr: (t) => nameOf(CKA, t) };

/** A <details> whose content is built the first time it opens. */
export function lazyDetails(cls, summary, build) {
  const d = el("details", { class: cls }, el("summary", {}, summary));
  d.addEventListener("toggle", () => d.open && d.children.length === 1 && d.append(build()), { once: false });
  return d;
}
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "C_EncryptInit(hSession=session#2, pMechanism={ mechanism: CKM_AES_GCM, ... }, hKey=object#5)". */
export function callText(r) {
  const sig = SIGNATURES[r.fn] ?? [];
  const args = r.args.map((a, i) => (sig[i] ? `${sig[i][0]}=${display.arg(sig[i][1], a)}` : display.arg(undefined, a)));
  return `${r.fn}(${args.join(", ")})`;
}

function resultText(r) {
  const v = r.value;
  if (!r.ok || v === undefined || v === null) return "";
  if (typeof v === "number") return `→ ${r.fn === "C_OpenSession" ? "session" : "object"}#${v}`;
  if (typeof v === "boolean") return `→ ${v}`;
  if (typeof v === "string") return `→ ${JSON.stringify(v)}`;
  if (ArrayBuffer.isView(v)) return `→ ${display.value(v)}`;
  if (Array.isArray(v) && r.fn === "C_GetMechanismList") return `→ ${v.length} mechanisms`;
  if (Array.isArray(v) && v.length === 0) return r.fn === "C_FindObjects" ? "→ [] (no more handles)" : "→ []";
  if (Array.isArray(v) && typeof v[0] === "number") return `→ [${v.map((h) => `#${h}`).join(", ")}]`;
  if (Array.isArray(v)) return `→ ${v.map((a) => `${display.value(a.value)}`).join(", ")}`;
  if (v.publicKey !== undefined) return `→ public #${v.publicKey}, private #${v.privateKey}`;
  if (r.fn === "C_GetMechanismInfo") return `→ { ulMinKeySize: ${v.minKeySize}, ulMaxKeySize: ${v.maxKeySize}, flags: ${flagNames(v.flags, MECH_FLAGS).join(" | ")} }`;
  if (r.fn === "C_GetSessionInfo") return `→ { state: ${nameOf(CKS, v.state)} }`;
  if (r.fn === "C_GetTokenInfo") return `→ { label: ${JSON.stringify(trimPad(v.label))}, flags: ${flagNames(v.flags, TOKEN_FLAGS).join(" | ")} }`;
  if (r.fn === "C_GetSlotInfo") return `→ { slotDescription: ${JSON.stringify(trimPad(v.slotDescription))} }`;
  if (r.fn === "groupStatus") return `→ { members: [${v.members.map((m) => m.state).join(", ")}], balance: ${JSON.stringify(v.balance)} }`;
  return "→ {…}";
}

/**
 * Which members of a token group served a call ("served by member 1"),
 * from the package's ongroupcall reports. An Init on a group may have
 * none yet: one known to succeed is sent with the operation's next call.
 */
function servedBy(r, model) {
  const ms = [...new Set((r.members ?? []).map((m) => m.member))].sort((a, b) => a - b);
  const chip = (i, text) => el("span", { class: `member-chip m${i}` }, text);
  if (ms.length === 1) return el("span", { class: "served" }, "served by ", chip(ms[0], `member ${ms[0]}`));
  if (ms.length > 1) return el("span", { class: "served" }, "served by members", ms.flatMap((i) => [" ", chip(i, String(i))]));
  if (r.ok && /Init$/.test(r.fn) && model.isGroup(model.slotOfCall(r))) return el("span", { class: "served muted" }, "no member yet: sent with the next call");
  return null;
}

export class TraceView {
  constructor(root, token, model, ctx) {
    this.root = root;
    this.token = token;
    this.model = model;
    this.ctx = ctx;
    this.list = root.querySelector("#trace-list");
    this.showInspect = root.querySelector("#trace-inspect");
    this.count = root.querySelector("#trace-count");
    this.group = null; // the open inspection group element
    this.showInspect.addEventListener("change", () => this.root.classList.toggle("show-inspect", this.showInspect.checked));
    root.querySelector("#trace-copy-all").addEventListener("click", (e) => this.#copy(this.token.records, null, e.currentTarget));
    token.addEventListener("call", ({ detail }) => this.add(detail));
  }

  add(r) {
    this.list.querySelector(".empty")?.remove();
    if (r.group === "inspect") return this.#addInspect(r);
    this.group = null;
    const li = el("li", { class: `call ${r.ok ? "ok" : "fail"}`, "data-fn": r.fn, "data-rv": r.rvName ?? "TypeError", "data-members": [...new Set((r.members ?? []).map((m) => m.member))].join(",") });
    const head = el(
      "div",
      { class: "call-head" },
      el("span", { class: "seq", title: `call ${r.seq} counting the page's inspection calls` }, String(r.n)),
      el("code", { class: "fn" }, callText(r)),
    );
    const foot = el(
      "div",
      { class: "call-foot" },
      el("span", { class: `rv ${r.ok ? "ok" : "fail"}` }, r.rvName ?? "TypeError"),
      el("span", { class: "res" }, resultText(r)),
      el("span", { class: "ms" }, `${r.ms.toFixed(r.ms < 10 ? 2 : 0)} ms`),
      servedBy(r, this.model),
      r.origin ? el("span", { class: "origin" }, r.origin) : null,
    );
    li.append(head, foot);
    if (!r.ok) li.append(explainBox(r, this.model));
    // The C form is written when opened: a long trace stays a light page.
    li.append(el("div", { class: "call-tools" },
      cView(r, CNAMES) ? lazyDetails("c-view", "in C", () => el("pre", {}, cView(r, CNAMES))) : el("span"),
      el("button", { type: "button", class: "small", title: "Copy a Node program that replays the calls up to this one", onclick: (e) => this.#copy(this.token.records.filter((x) => x.seq <= r.seq), r.seq, e.currentTarget) }, "copy as JS"),
    ));
    this.list.append(li);
    this.#counts(r);
    // Scroll the trace, not the page.
    this.list.scrollTop = this.list.scrollHeight;
  }

  #addInspect(r) {
    if (!this.group) {
      const summary = el("summary", {}, "");
      const ol = el("ol", { class: "inspect-calls" });
      const details = el("details", {}, summary, ol);
      const g = { li: el("li", { class: "inspect" }, details), summary, ol, records: [], shown: 0, fns: new Map(), first: r.seq };
      // The calls are listed when the group is opened (there can be hundreds).
      details.addEventListener("toggle", () => details.open && this.#fillInspect(g));
      this.group = g;
      this.list.append(g.li);
    }
    const g = this.group;
    g.records.push(r);
    g.fns.set(r.fn, (g.fns.get(r.fn) ?? 0) + 1);
    const parts = [...g.fns].map(([f, n]) => (n > 1 ? `${f} ×${n}` : f)).join(", ");
    g.summary.textContent = `#${g.first}–${r.seq} · page inspection: ${plural(g.records.length, "call")} (${parts})`;
    if (g.li.querySelector("details").open) this.#fillInspect(g);
    this.#counts(r);
  }

  /** Lists a group's calls not listed yet: the first 400, then a count of the rest. */
  #fillInspect(g) {
    const upTo = Math.min(g.records.length, 400);
    for (; g.shown < upTo; g.shown++) {
      const r = g.records[g.shown];
      g.ol.append(el("li", { class: r.ok ? "ok" : "quiet" }, el("code", {}, `${r.seq} ${r.fn === "C_GetMechanismInfo" ? `C_GetMechanismInfo(slotID=slot#${r.args[0].$h}, type=${nameOf(CKM, r.args[1])})` : callText(r)}`), ` ${r.rvName ?? "TypeError"} ${r.ms.toFixed(2)} ms`));
    }
    g.ol.querySelector(".more")?.remove();
    if (g.records.length > upTo) g.ol.append(el("li", { class: "more quiet" }, `… and ${g.records.length - upTo} more`));
  }

  #tally = { mine: 0, failed: 0, inspect: 0 };
  #counts(r) {
    if (r.group === "inspect") this.#tally.inspect++;
    else {
      this.#tally.mine++;
      if (!r.ok) this.#tally.failed++;
    }
    const t = this.#tally;
    this.count.textContent = `${plural(t.mine, "call")} (${t.failed} failed) + ${t.inspect} inspection`;
  }

  async #copy(records, mark, button) {
    const text = snippet(records, { ...this.ctx.snippetContext(), mark });
    const ok = await copyText(text);
    this.lastSnippet = text;
    // Also shown in the page: clipboards can refuse (no focus, no permission).
    this.root.querySelector("#snippet-text").textContent = text;
    const old = button.textContent;
    button.textContent = ok ? "copied" : "copy failed";
    setTimeout(() => (button.textContent = old), 1500);
  }
}
