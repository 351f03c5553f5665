// The call trace: every Cryptoki call the page made, in order, with
// arguments named, the return code, and the time. The page's own
// inspection calls are folded into one line per batch so the learner's
// calls stay readable; they can be shown.
import { el, copyText } from "../dom.js";
import { SIGNATURES } from "../signatures.js";
import { writer } from "../jsvalue.js";
import { snippet } from "../snippets.js";
import { explainBox } from "./explain.js";
import { nameOf, CKM } from "../names.js";

const short = writer({ mode: "display" });

export function callText(r) {
  const sig = SIGNATURES[r.fn] ?? [];
  const args = r.args.map((a, i) => short.arg(sig[i]?.[1], a));
  return `${r.fn}(${args.join(", ")})`;
}

function resultText(r) {
  const v = r.value;
  if (!r.ok || v === undefined || v === null) return "";
  if (typeof v === "number") return `→ ${r.fn === "C_OpenSession" ? "session" : "object"}#${v}`;
  if (typeof v === "boolean") return `→ ${v}`;
  if (ArrayBuffer.isView(v)) return `→ ${short.value(v)}`;
  if (Array.isArray(v) && r.fn === "C_GetMechanismList") return `→ ${v.length} mechanisms`;
  if (Array.isArray(v) && typeof v[0] === "number") return `→ [${v.map((h) => `#${h}`).join(", ")}]`;
  if (Array.isArray(v)) return `→ ${v.map((a) => `${short.value(a.value)}`).join(", ")}`;
  if (v.publicKey !== undefined) return `→ public #${v.publicKey}, private #${v.privateKey}`;
  return "→ {…}";
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
    this.n = 0; // the learner's calls so far
    this.showInspect.addEventListener("change", () => this.root.classList.toggle("show-inspect", this.showInspect.checked));
    root.querySelector("#trace-copy-all").addEventListener("click", (e) => this.#copy(this.token.records, null, e.currentTarget));
    token.addEventListener("call", ({ detail }) => this.add(detail));
  }

  add(r) {
    this.list.querySelector(".empty")?.remove();
    if (r.group === "inspect") return this.#addInspect(r);
    this.group = null;
    const li = el("li", { class: `call ${r.ok ? "ok" : "fail"}`, "data-fn": r.fn, "data-rv": r.rvName ?? "TypeError" });
    const head = el(
      "div",
      { class: "call-head" },
      el("span", { class: "seq", title: `call ${r.seq} counting the page's inspection calls` }, String(++this.n)),
      el("code", { class: "fn" }, callText(r)),
    );
    const foot = el(
      "div",
      { class: "call-foot" },
      el("span", { class: `rv ${r.ok ? "ok" : "fail"}` }, r.rvName ?? "TypeError"),
      el("span", { class: "res" }, resultText(r)),
      el("span", { class: "ms" }, `${r.ms.toFixed(r.ms < 10 ? 2 : 0)} ms`),
      r.origin ? el("span", { class: "origin" }, r.origin) : null,
      el("button", { type: "button", class: "small", title: "Copy a Node program that replays the calls up to this one", onclick: (e) => this.#copy(this.token.records.filter((x) => x.seq <= r.seq), r.seq, e.currentTarget) }, "copy as JS"),
    );
    li.append(head, foot);
    if (!r.ok) li.append(explainBox(r, this.model));
    this.list.append(li);
    this.#counts();
    // Scroll the trace, not the page.
    this.list.scrollTop = this.list.scrollHeight;
  }

  #addInspect(r) {
    if (!this.group) {
      const summary = el("summary", {}, "");
      const ol = el("ol", { class: "inspect-calls" });
      this.group = { li: el("li", { class: "inspect" }, el("details", {}, summary, ol)), summary, ol, n: 0, fns: new Map(), first: r.seq };
      this.list.append(this.group.li);
    }
    const g = this.group;
    g.n++;
    g.fns.set(r.fn, (g.fns.get(r.fn) ?? 0) + 1);
    const parts = [...g.fns].map(([f, n]) => (n > 1 ? `${f} ×${n}` : f)).join(", ");
    g.summary.textContent = `#${g.first}–${r.seq} · page inspection: ${g.n} call${g.n > 1 ? "s" : ""} (${parts})`;
    // A group can hold hundreds of calls: list the first 400, count the rest.
    if (g.n > 400) return this.#counts();
    g.ol.append(el("li", { class: r.ok ? "ok" : "quiet" }, el("code", {}, `${r.seq} ${r.fn === "C_GetMechanismInfo" ? `C_GetMechanismInfo(slot#${r.args[0].$h}, ${nameOf(CKM, r.args[1])})` : callText(r)}`), ` ${r.rvName ?? "TypeError"} ${r.ms.toFixed(2)} ms`));
    this.#counts();
  }

  #counts() {
    const all = this.token.records;
    const mine = all.filter((r) => r.group !== "inspect");
    this.count.textContent = `${mine.length} calls (${mine.filter((r) => !r.ok).length} failed) + ${all.length - mine.length} inspection`;
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
