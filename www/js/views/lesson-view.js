// Lessons: guided steps that drive the real token. Each step can be run
// by the page or done "yourself" in the matching form; the lesson watches
// the trace for the call it expects and carries on from there.
import { el } from "../dom.js";
import { CallFailed } from "../client.js";
import { LESSONS } from "../lessons/index.js";
import { explainBox } from "./explain.js";

const DONE_KEY = "pkcs11-playground.lessons-done";

export class LessonView {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx; // { token, model, pins, actions, afterCall, showTab }
    this.list = root.querySelector("#lesson-list");
    this.pane = root.querySelector("#lesson-pane");
    this.done = new Set(JSON.parse(localStorage.getItem(DONE_KEY) ?? "[]"));
    this.lesson = null;
    this.waiting = null; // step index done freehand, if any
    ctx.token.addEventListener("call", ({ detail }) => this.#watch(detail));
    this.#renderList();
    this.#renderEmpty();
  }

  #renderList() {
    this.list.replaceChildren(...LESSONS.map((l, i) => el("li", {}, el("button", {
      type: "button", class: "lesson-link", "data-lesson": l.id, "aria-current": String(this.lesson?.def === l),
      onclick: () => this.start(i),
    }, el("span", { class: "num" }, String(i + 1)), el("span", { class: "t" }, l.title, el("small", {}, l.summary)), this.done.has(l.id) ? el("span", { class: "tick", title: "completed" }, "✓") : null))));
  }

  #renderEmpty() {
    this.pane.replaceChildren(el("div", { class: "welcome" },
      el("h3", {}, "Learn PKCS#11 by using a real token"),
      el("p", {}, "Each lesson is a few steps. Every step makes real Cryptoki calls to the token running in this page; they show up in the trace with their result and time. Start with lesson 1."),
      el("button", { type: "button", class: "primary", onclick: () => this.start(0) }, "Start lesson 1"),
    ));
  }

  start(i) {
    const def = LESSONS[i];
    const ctx = this.ctx;
    const origin = (k) => `lesson ${i + 1} · step ${k + 1}`;
    const L = {
      token: ctx.token, model: ctx.model, pins: ctx.pins, vars: {}, slot: ctx.model.slot.id,
      step: 0,
      call: async (fn, args) => {
        const rec = await ctx.token.call(fn, args, { origin: origin(this.lesson.step) });
        await ctx.afterCall(rec);
        return rec;
      },
      must: async (fn, args) => {
        const rec = await L.call(fn, args);
        if (!rec.ok) throw new CallFailed(rec);
        return rec.value;
      },
      /** A call that is meant to fail with `rvName`. */
      expect: async (fn, args, rvName) => {
        const rec = await L.call(fn, args);
        if (rec.ok) throw new Error(`${fn} succeeded, but the lesson expected ${rvName}`);
        if (rec.rvName !== rvName) throw new CallFailed(rec);
        return rec;
      },
      explained: (rec, prefix) => el("div", {}, el("p", { class: "expected" }, prefix), explainBox(rec, ctx.model)),
      refresh: () => ctx.model.refresh(),
    };
    this.lesson = { def, index: i, L, step: 0, outcomes: [], errors: [] };
    this.waiting = null;
    this.#renderList();
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
        el("button", { type: "button", class: "primary", "data-run-step": k, onclick: () => this.run(k) }, "Run step"),
        st.freehand ? el("button", { type: "button", onclick: () => this.freehand(k) }, "Do it yourself") : null,
      ) : null;
      return el("li", { class: `step ${state}`, "data-step": k },
        el("div", { class: "step-title" }, el("span", { class: "mark", "aria-hidden": "true" }, state === "done" ? "✓" : String(k + 1)), el("h4", {}, st.title), state === "done" ? el("span", { class: "sr" }, " (done)") : null),
        el("p", {}, st.explain),
        st.call ? el("code", { class: "step-call" }, st.call) : null,
        buttons,
        s.errors[k] ? el("div", { class: "step-error" }, s.errors[k]) : null,
        s.outcomes[k] ? el("div", { class: "outcome" }, s.outcomes[k]) : null,
      );
    });
    this.pane.replaceChildren(
      el("div", { class: "lesson-head" }, el("span", { class: "kicker" }, `Lesson ${s.index + 1} of ${LESSONS.length}`), el("h3", { tabindex: "-1" }, def.title)),
      el("p", { class: "intro" }, def.intro),
      el("ol", { class: "steps" }, steps),
      complete
        ? el("div", { class: "complete", role: "status" }, el("strong", {}, "Lesson complete. "), def.outro, " ",
            s.index + 1 < LESSONS.length ? el("button", { type: "button", class: "primary", onclick: () => this.start(s.index + 1) }, `Next: lesson ${s.index + 2}`) : null)
        : el("div", { class: "lesson-foot" }, el("button", { type: "button", onclick: () => this.runAll() }, "Run the remaining steps")),
    );
  }

  async run(k) {
    const s = this.lesson;
    s.L.step = k;
    s.step = k;
    s.errors[k] = null;
    const btn = this.pane.querySelector(`[data-run-step="${k}"]`);
    if (btn) btn.disabled = true;
    try {
      s.outcomes[k] = await s.def.steps[k].run(s.L);
      s.step = k + 1;
      this.#finishIfDone();
      this.render();
      // Keep the next step (or the end) in view.
      this.pane.querySelector(".step.current, .complete")?.scrollIntoView({ block: "nearest" });
      return true;
    } catch (e) {
      s.errors[k] = e instanceof CallFailed
        ? el("div", {}, el("p", {}, "This step's call failed. Fix what the explanation says (for example with the forms) and run the step again."), explainBox(e.record, this.ctx.model))
        : el("p", {}, `This step could not finish: ${e.message}`);
      this.render();
      return false;
    }
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
}
