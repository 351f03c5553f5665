// On narrow screens (phones, small tablets) the page shows one panel at a
// time: the lessons first, the token and the trace one tap away in a bar
// at the bottom. The trace button counts the calls made since it was last
// looked at. Wide screens show all three panels and hide the bar (CSS).
import { el } from "../dom.js";

export const NARROW = "(max-width: 1099px)";

export class PanelSwitcher {
  #unseen = 0;

  constructor(main, nav, token) {
    this.main = main;
    this.nav = nav;
    this.count = nav.querySelector("#trace-new");
    for (const b of nav.querySelectorAll("button[data-view]")) b.addEventListener("click", () => this.show(b.dataset.view, { scroll: true }));
    token.addEventListener("call", ({ detail }) => {
      if (detail.group === "inspect" || this.current === "trace" || !matchMedia(NARROW).matches) return;
      this.#unseen++;
      this.#showCount();
    });
  }

  get current() {
    return this.main.dataset.view;
  }

  /** Shows panel `view` ("work", "model" or "trace"). */
  show(view, { scroll = false } = {}) {
    const changed = this.main.dataset.view !== view;
    this.main.dataset.view = view;
    for (const b of this.nav.querySelectorAll("button[data-view]")) b.setAttribute("aria-pressed", String(b.dataset.view === view));
    if (view === "trace") {
      this.#unseen = 0;
      this.#showCount();
    }
    if (!scroll || !changed || !matchMedia(NARROW).matches) return;
    // The trace opens on its newest call; the other panels at their top.
    const last = view === "trace" ? this.main.querySelector("#trace-list > li.call:last-of-type") : null;
    if (last) last.scrollIntoView({ block: "end" });
    else window.scrollTo({ top: 0 });
  }

  #showCount() {
    this.count.hidden = this.#unseen === 0;
    this.count.replaceChildren(String(this.#unseen), el("span", { class: "sr" }, " new calls"));
  }
}
