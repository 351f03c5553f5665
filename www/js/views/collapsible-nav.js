// A list of links that folds away behind one button when its panel is
// narrow (a CSS container query shows the button), so the lesson or the
// form gets the room; in a wide panel the list stays a sidebar.
import { el } from "../dom.js";

export function collapsibleNav(nav, list, label) {
  const button = el("button", { type: "button", class: "nav-toggle", "aria-expanded": "true", "aria-controls": list.id }, label);
  nav.prepend(button);
  const set = (open) => {
    button.setAttribute("aria-expanded", String(open));
    nav.dataset.open = String(open);
  };
  button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
  set(true);
  return { open: () => set(true), close: () => set(false), button };
}
