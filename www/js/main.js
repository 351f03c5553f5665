// Starts the playground: the token worker, the model, and the views.
import { Token, H } from "./client.js";
import { Model } from "./model.js";
import { el } from "./dom.js";
import { renderModel } from "./views/model-view.js";
import { renderObject } from "./views/object-view.js";
import { TraceView } from "./views/trace-view.js";
import { Actions, DEFAULT_PINS } from "./views/actions.js";
import { LessonView } from "./views/lesson-view.js";

const PINS_KEY = "pkcs11-playground.pins";
const $ = (id) => document.getElementById(id);

const token = new Token();
const model = new Model(token);
// Demo PINs: remembered so forms and snippets default to the ones that work.
const pins = { ...DEFAULT_PINS, ...JSON.parse(localStorage.getItem(PINS_KEY) ?? "{}") };
const outputs = {}; // last ciphertext, signature, wrapped key... for form defaults
let setupAtStart = null;

// --- busy indicator: shown for calls that take a moment ---
let busyTimer = null;
let busySince = 0;
token.addEventListener("busy", ({ detail }) => {
  const box = $("busy");
  clearInterval(busyTimer);
  if (!detail.busy) {
    box.classList.remove("on");
    $("busy-text").textContent = "Ready";
    document.body.removeAttribute("aria-busy");
    return;
  }
  busySince = performance.now();
  const label = detail.label ?? "working";
  busyTimer = setInterval(() => {
    const s = (performance.now() - busySince) / 1000;
    if (s < 0.15) return;
    box.classList.add("on");
    document.body.setAttribute("aria-busy", "true");
    $("busy-text").textContent = `${label}… ${s.toFixed(1)} s (the token works in a Web Worker: the page stays usable)`;
  }, 100);
});

// --- tabs (arrow keys move between them, as in the ARIA pattern) ---
const tabs = ["lessons", "actions", "object"];
function showTab(name) {
  for (const t of tabs) {
    const on = t === name;
    $(`tab-${t}`).setAttribute("aria-selected", String(on));
    $(`tab-${t}`).tabIndex = on ? 0 : -1;
    $(`pane-${t}`).hidden = !on;
  }
  if (name === "object") renderSelected();
}
for (const t of tabs) {
  $(`tab-${t}`).addEventListener("click", () => showTab(t));
  $(`tab-${t}`).addEventListener("keydown", (e) => {
    const i = tabs.indexOf(t);
    const next = e.key === "ArrowRight" ? tabs[(i + 1) % 3] : e.key === "ArrowLeft" ? tabs[(i + 2) % 3] : null;
    if (next) {
      showTab(next);
      $(`tab-${next}`).focus();
    }
  });
}

// --- after each call: remember PINs that worked, refresh the model ---
async function afterCall(rec) {
  if (rec.ok) {
    const a = rec.args;
    if (rec.fn === "C_InitToken") pins.so = a[1];
    if (rec.fn === "C_InitPIN") pins.user = a[1];
    if (rec.fn === "C_Login") pins[a[1] === 0 ? "so" : "user"] = a[2];
    if (rec.fn === "C_SetPIN") pins[model.loggedIn === "SO" ? "so" : "user"] = a[2];
    localStorage.setItem(PINS_KEY, JSON.stringify(pins));
  }
  await model.refresh();
}

const ctx = {
  token, model, pins, outputs, afterCall, showTab,
  snippetContext: () => ({
    kdfIterations: token.info?.kdfIterations ?? 10000,
    slotIndex: (n) => Math.max(0, model.slots.findIndex((s) => s.id === n)),
    setup: setupAtStart,
  }),
};
const actions = new Actions($("pane-actions"), ctx);
ctx.actions = actions;
new TraceView($("trace"), token, model, ctx);
new LessonView($("pane-lessons"), ctx);

// --- model and object views ---
function selectObject(h) {
  model.selected = h;
  renderModelNow();
  showTab("object");
}
function renderModelNow() {
  renderModel($("model-body"), model, { onSelect: selectObject, onAction: (id, prefill) => actions.open(id, prefill) });
}
let objectRender = Promise.resolve();
function renderSelected() {
  objectRender = objectRender.then(() => renderObject($("object-pane"), model, model.selected, { onAction: (id, prefill) => actions.open(id, prefill) }));
}
model.addEventListener("change", () => {
  renderModelNow();
  if (!$("pane-object").hidden) renderSelected();
});

// --- reset (asks first) ---
$("reset").addEventListener("click", () => $("reset-dialog").showModal());
$("reset-dialog").addEventListener("close", async () => {
  if ($("reset-dialog").returnValue !== "wipe") return;
  const slot = model.slot.id;
  if (model.sessions.size) await token.call("C_CloseAllSessions", [H(slot)], { origin: "reset" });
  try {
    await token.reset(slot);
  } catch (e) {
    notice(`The token could not be wiped: ${e.message.split("\n")[0]}`, "bad");
    return;
  }
  Object.assign(pins, DEFAULT_PINS);
  localStorage.removeItem(PINS_KEY);
  model.selected = null;
  await model.refresh();
  notice("The demo token was wiped. Lesson 1 sets it up again.", "info", 6000);
});

function notice(text, kind = "info", ms) {
  const n = el("div", { class: `notice ${kind}`, role: "status" }, text, el("button", { type: "button", class: "icon", "aria-label": "dismiss", onclick: () => n.remove() }, "×"));
  $("notices").append(n);
  if (ms) setTimeout(() => n.remove(), ms);
}

// --- start ---
try {
  const info = await token.start();
  document.body.dataset.persistent = String(info.persistent);
  if (!info.persistent) {
    notice("This build of pkcs11-wasm keeps the token in memory only: it is new on every page load (persistence is not in the package yet).", "warn");
  }
  notice(`Demo settings: PINs are derived with ${info.kdfIterations.toLocaleString("en")} PBKDF2 iterations so logins are instant (the default is 600,000). Demo PINs: SO “${pins.so}”, user “${pins.user}”.`, "info");
  if (!info.initialize.ok) notice(`C_Initialize failed: ${info.initialize.rvName ?? info.initialize.error}`, "bad");
  await model.load();
  const f = model.slot?.tokenFlags ?? [];
  setupAtStart = {
    tokenInitialized: f.includes("CKF_TOKEN_INITIALIZED"),
    userPinInitialized: f.includes("CKF_USER_PIN_INITIALIZED"),
    label: model.slot?.label ?? "playground",
    soPin: pins.so,
    userPin: pins.user,
  };
  renderSelected();
  document.body.dataset.ready = "true";
} catch (e) {
  notice(`The token could not start: ${e.message}`, "bad");
  console.error(e);
}
