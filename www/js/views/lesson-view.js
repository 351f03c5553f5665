// Lessons: guided steps that drive the real token. Each step can be run
// by the page or done "yourself" in the matching form; the lesson watches
// the trace for the call it expects and carries on from there. A failed
// step says which earlier step to redo when that step's result is gone; a
// lesson can ask for a page reload and carries on after it.
import { el } from "../dom.js";
import { CallFailed } from "../client.js";
import { LESSONS } from "../lessons/index.js";
import { Effects } from "../lessons/effects.js";
import { explainBox } from "./explain.js";
import { specLink } from "./widgets.js";
import { collapsibleNav } from "./collapsible-nav.js";

const DONE_KEY = "pkcs11-playground.lessons-done";
const RESUME_KEY = "pkcs11-playground.resume"; // sessionStorage: survives a reload of this tab only

/** The functions a step's call line names, as spec links. */
function stepSpecLinks(st) {
  const names = [...new Set([...(st.call ?? "").matchAll(/C_\w+/g)].map((m) => m[0]))];
  return names.map((n) => specLink(n)).filter(Boolean);
}

export class LessonView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx; // { token, model, pins, actions, afterCall, showTab, ready }
    this.list = root.querySelector("#lesson-list");
    this.pane = root.querySelector("#lesson-pane");
    this.live = root.querySelector("#lesson-live");
    this.nav = collapsibleNav(root.querySelector(".lessons-nav"), this.list, `All lessons (${LESSONS.length})`);
    this.done = new Set(JSON.parse(localStorage.getItem(DONE_KEY) ?? "[]"));
    this.lesson = null;
    this.pending = null; // a lesson asked for while the token loads
    this.waiting = null; // step index done freehand, if any
    this.ready = false;
    ctx.token.addEventListener("call", ({ detail }) => this.#watch(detail));
    ctx.ready.then(() => this.#onReady());
    this.#renderList();
    this.#renderEmpty();
  }

  #renderList() {
    this.list.replaceChildren(...LESSONS.map((l, i) => el("li", {}, el("button", {
      type: "button", class: "lesson-link", "data-lesson": l.id, "aria-current": String(this.lesson?.def === l),
      onclick: () => this.start(i),
    }, el("span", { class: "num" }, String(i + 1)), el("span", { class: "t" }, l.title, el("small", {}, l.summary)), this.done.has(l.id) ? el("span", { class: "tick", title: "completed" }, "✓", el("span", { class: "sr" }, " (completed)")) : null))));
  }

  #renderEmpty() {
    this.pane.replaceChildren(el("div", { class: "welcome" },
      el("h3", {}, "Learn PKCS#11 by using a real token"),
      el("p", {}, `Each lesson is a few steps. Every step makes real Cryptoki calls to the token running in this page; they show up in the trace with their result and time. Start with lesson 1; there are ${LESSONS.length}.`),
      el("button", { type: "button", class: "primary", onclick: () => this.start(0) }, "Start lesson 1"),
      this.ready ? null : el("p", { class: "muted small loading-note" }, "The token is still loading: a lesson you start now begins as soon as it is ready."),
    ));
  }

  #onReady() {
    this.ready = true;
    const saved = JSON.parse(sessionStorage.getItem(RESUME_KEY) ?? "null");
    sessionStorage.removeItem(RESUME_KEY);
    const i = saved ? LESSONS.findIndex((l) => l.id === saved.id) : -1;
    if (i >= 0) return this.start(i, saved);
    if (this.pending !== null) return this.start(this.pending);
    if (!this.lesson) this.#renderEmpty();
  }

  /** Starts lesson `i` (queued until the token is ready); `resume`: { step, vars } after a reload. */
  start(i, resume) {
    if (!this.ready) {
      this.pending = i;
      this.pane.replaceChildren(el("div", { class: "welcome", role: "status" },
        el("h3", { tabindex: "-1" }, `Lesson ${i + 1}: ${LESSONS[i].title}`),
        el("p", {}, el("span", { class: "spinner", "aria-hidden": "true" }), " The token is still loading; the lesson starts as soon as it is ready.")));
      this.pane.querySelector("h3").focus();
      return;
    }
    this.pending = null;
    const def = LESSONS[i];
    const ctx = this.ctx;
    const effects = new Effects();
    const origin = (k) => `lesson ${i + 1} · step ${k + 1}`;
    const L = {
      token: ctx.token, model: ctx.model, pins: ctx.pins, vars: { ...(resume?.vars ?? {}) },
      slot: ctx.model.slot.id,
      step: 0,
      call: async (fn, args) => {
        const rec = await ctx.token.call(fn, args, { origin: origin(L.step) });
        effects.note(L.step, rec, ctx.model);
        await ctx.afterCall(rec);
        return rec;
      },
      must: async (fn, args) => {
        const rec = await L.call(fn, args);
        if (!rec.ok) throw new CallFailed(rec);
        return rec.value;
      },
      /**
       * A call traced like the others, without reading the model again
       * after it: for streams of calls, several in flight at once (the
       * lesson calls `refresh` once they are done). Returns the record.
       */
      quiet: async (fn, args) => {
        const rec = await ctx.token.call(fn, args, { origin: origin(L.step), busyLabel: "a stream of calls" });
        effects.note(L.step, rec, ctx.model);
        return rec;
      },
      /** Shows `node` under the running step (live progress) until the step's outcome replaces it. */
      progress: (node) => {
        const li = this.pane.querySelector(`.step[data-step="${L.step}"]`);
        li?.querySelector(":scope > .progress")?.remove();
        const box = el("div", { class: "outcome progress" }, node);
        li?.append(box);
        box.scrollIntoView({ block: "nearest" });
      },
      /** On wide screens, scrolls the Slots and tokens panel to `selector` (a no-op where that panel is hidden). */
      showInModel: (selector) => {
        const panel = document.getElementById("model");
        const target = panel?.querySelector(selector);
        if (!target || !panel.getClientRects().length || getComputedStyle(panel).overflowY !== "auto") return;
        panel.scrollTop += target.getBoundingClientRect().top - panel.getBoundingClientRect().top - 12;
      },
      /** A call that is meant to fail with `rvName`. */
      expect: async (fn, args, rvName) => {
        const rec = await L.call(fn, args);
        if (rec.ok) throw new Error(`${fn} succeeded, but the lesson expected ${rvName}`);
        if (rec.rvName !== rvName) throw new CallFailed(rec);
        return rec;
      },
      /** Something this step relies on without having made it (a session it reused). */
      keep: (effect) => effects.keep(L.step, effect),
      explained: (rec, prefix) => el("div", {}, el("p", { class: "expected" }, prefix), explainBox(rec, ctx.model)),
      refresh: () => ctx.model.refresh(),
      /** Reloads the page; the lesson carries on at the next step with `keep` vars. */
      reload: (keep) => {
        sessionStorage.setItem(RESUME_KEY, JSON.stringify({ id: def.id, step: L.step + 1, vars: keep }));
        location.reload();
        return new Promise(() => {}); // the page goes away
      },
    };
    const step = resume?.step ?? 0;
    this.lesson = { def, index: i, L, step, outcomes: [], errors: [], effects, resumedAt: resume ? step : null };
    for (let k = 0; k < step; k++) this.lesson.outcomes[k] = el("p", { class: "muted small" }, "Done before the page reloaded.");
    this.waiting = null;
    this.#renderList();
    this.nav.close();
    this.render();
    ctx.showTab("lessons");
    this.pane.querySelector("h3")?.focus();
  }

  render() {
    const s = this.lesson;
    if (!s) return this.#renderEmpty();
    const { def } = s;
    const complete = s.step >= def.steps.length;
    const steps = def.steps.map((st, k) => {
      const state = k < s.step ? "done" : k === s.step ? "current" : "todo";
      const buttons = state === "current" ? el("div", { class: "step-buttons" },
        el("button", { type: "button", class: "primary", "data-run-step": k, onclick: () => this.run(k) }, st.runLabel ?? "Run step"),
        st.freehand ? el("button", { type: "button", onclick: () => this.freehand(k) }, "Do it yourself") : null,
      ) : null;
      const links = state === "todo" ? [] : stepSpecLinks(st);
      return el("li", { class: `step ${state}`, "data-step": k },
        el("div", { class: "step-title" }, el("span", { class: "mark", "aria-hidden": "true" }, state === "done" ? "✓" : String(k + 1)), el("h4", {}, st.title), state === "done" ? el("span", { class: "sr" }, " (done)") : null),
        el("p", {}, st.explain),
        st.call ? el("div", { class: "step-call-row" }, el("code", { class: "step-call" }, st.call), links.length ? el("span", { class: "spec-links" }, links) : null) : null,
        st.c && state !== "todo" ? el("details", { class: "c-view" }, el("summary", {}, "in C"), el("pre", {}, st.c)) : null,
        buttons,
        s.errors[k] ? el("div", { class: "step-error", tabindex: "-1" }, s.errors[k]) : null,
        s.outcomes[k] ? el("div", { class: "outcome" }, s.outcomes[k]) : null,
      );
    });
    const spec = (def.spec ?? []).map((n) => specLink(n, { long: true })).filter(Boolean);
    // Reading beyond the standard (the README's section on token groups).
    const more = (def.links ?? []).map((l) => el("a", { class: "spec", href: l.href, target: "_blank", rel: "noopener", title: l.title ?? l.text }, l.text));
    const join = (links) => links.flatMap((a, i) => (i ? [" · ", a] : [a]));
    this.pane.replaceChildren(...[
      el("div", { class: "lesson-head" }, el("span", { class: "kicker" }, `Lesson ${s.index + 1} of ${LESSONS.length}`), el("h3", { tabindex: "-1" }, def.title)),
      s.resumedAt !== null ? el("p", { class: "lesson-note" }, `The page reloaded: the lesson carried on at step ${s.resumedAt + 1}. Sessions and handles from before the reload are gone; token objects are not.`) : null,
      el("p", { class: "intro" }, def.intro),
      spec.length ? el("p", { class: "spec-line small" }, "In PKCS#11 3.1: ", join(spec), more.length ? [". Beyond the standard: ", join(more)] : null) : null,
      el("ol", { class: "steps" }, steps),
      complete
        ? el("div", { class: "complete", tabindex: "-1" }, el("strong", {}, "Lesson complete. "), def.outro, " ",
            s.index + 1 < LESSONS.length ? el("button", { type: "button", class: "primary", onclick: () => this.start(s.index + 1) }, `Next: lesson ${s.index + 2}`) : null)
        : el("div", { class: "lesson-foot" }, el("button", { type: "button", onclick: () => this.runAll() }, "Run the remaining steps"), " ",
            el("button", { type: "button", class: "link", onclick: () => this.start(s.index) }, "Restart this lesson")),
    ].filter(Boolean));
  }

  /** Puts focus where the learner goes next: the next step's button, the end, or the failure. */
  #focusNext() {
    const target = this.pane.querySelector(".step-error .redo, .step.current [data-run-step], .complete");
    target?.focus();
  }

  #announce(text) {
    // Cleared first so the same text twice is announced twice.
    this.live.textContent = "";
    setTimeout(() => (this.live.textContent = text), 50);
  }

  async run(k) {
    const s = this.lesson;
    s.L.step = k;
    s.step = k;
    s.errors[k] = null;
    s.effects.forgetFrom(k);
    const btn = this.pane.querySelector(`[data-run-step="${k}"]`);
    if (btn) btn.disabled = true;
    try {
      s.outcomes[k] = await s.def.steps[k].run(s.L);
      s.step = k + 1;
      this.#finishIfDone();
      this.render();
      const out = this.pane.querySelector(`.step[data-step="${k}"] .outcome`)?.textContent ?? "";
      this.#announce(`Step ${k + 1} done. ${out}`.slice(0, 400) + (s.step >= s.def.steps.length ? " Lesson complete." : ""));
      this.#focusNext();
      return true;
    } catch (e) {
      s.errors[k] = await this.#failure(k, e);
      this.render();
      this.#announce(`Step ${k + 1} failed: ${e instanceof CallFailed ? `${e.record.fn} returned ${e.record.rvName ?? "a TypeError"}` : e.message}. ${this.pane.querySelector(".step-error .what-now")?.textContent ?? ""}`);
      this.#focusNext();
      return false;
    }
  }

  /** The error box of a failed step: the explanation, and what to do about it. */
  async #failure(k, e) {
    const s = this.lesson;
    if (!(e instanceof CallFailed)) return el("p", {}, `This step could not finish: ${e.message}`);
    const lost = await s.effects.lostBefore(k, this.ctx.model);
    const gone = lost.map((l) => `step ${l.step + 1} (“${s.def.steps[l.step].title}”): ${l.what}`).join("; ");
    const what = lost.length
      ? el("p", { class: "what-now" }, `What earlier steps made is gone: ${gone}. Running this step again would fail the same way. `,
          el("button", { type: "button", class: "primary redo", onclick: () => this.redo(lost[0].step) }, `Redo from step ${lost[0].step + 1}`))
      : el("p", { class: "what-now" }, "Fix what the explanation says (for example with the forms) and run the step again, or restart the lesson.");
    return el("div", {}, el("p", {}, "This step's call failed."), explainBox(e.record, this.ctx.model), what);
  }

  /** Goes back to step `j`, keeping what earlier steps made. */
  redo(j) {
    const s = this.lesson;
    s.step = j;
    s.outcomes.length = j;
    s.errors = [];
    s.effects.forgetFrom(j);
    this.render();
    this.#announce(`Back at step ${j + 1}: ${s.def.steps[j].title}.`);
    this.#focusNext();
  }

  async runAll() {
    while (this.lesson && this.lesson.step < this.lesson.def.steps.length) {
      if (!(await this.run(this.lesson.step))) return;
    }
  }

  freehand(k) {
    const s = this.lesson;
    const f = s.def.steps[k].freehand;
    this.waiting = k;
    this.ctx.actions.open(f.action, f.prefill?.(s.L) ?? {}, el("span", {}, `Lesson ${s.index + 1}, step ${k + 1}: ${s.def.steps[k].title}. Submit the form; the lesson continues when the call succeeds. `,
      el("button", { type: "button", class: "link", onclick: () => this.back() }, "Back to the lesson")));
  }

  back() {
    this.ctx.showTab("lessons");
    this.pane.querySelector(".step.current button, .complete button, h3")?.focus();
  }

  #watch(rec) {
    const s = this.lesson;
    if (!s || this.waiting === null || rec.origin !== "form") return;
    const k = this.waiting;
    const f = s.def.steps[k].freehand;
    // Failed calls only count where the step is about a failure (a wrong PIN).
    if ((!rec.ok && !f.failureOk) || !f.accept(rec, s.L)) return;
    this.waiting = null;
    s.effects.note(k, rec, this.ctx.model);
    s.outcomes[k] = el("p", { class: "ok-line" }, `Done yourself: ${rec.fn} → ${rec.rvName}.`);
    s.step = k + 1;
    this.#finishIfDone();
    this.render();
    this.ctx.actions.pane.prepend(el("div", { class: "return-banner", role: "status" }, `Lesson ${s.index + 1}, step ${k + 1} done. `,
      el("button", { type: "button", class: "primary", onclick: () => this.back() }, "Back to the lesson")));
  }

  #finishIfDone() {
    const s = this.lesson;
    if (s.step >= s.def.steps.length && !this.done.has(s.def.id)) {
      this.done.add(s.def.id);
      localStorage.setItem(DONE_KEY, JSON.stringify([...this.done]));
      this.#renderList();
    }
  }

  /** Forgets completed lessons and the lesson in progress (the demo tokens were wiped). */
  resetProgress() {
    this.done.clear();
    localStorage.removeItem(DONE_KEY);
    this.lesson = null;
    this.waiting = null;
    this.#renderList();
    this.nav.open();
    this.#renderEmpty();
  }
}
