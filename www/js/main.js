// Starts the playground: the token worker, the model, and the views.
import { Token, H } from "./client.js";
import { Model } from "./model.js";
import { el } from "./dom.js";
import { renderModel } from "./views/model-view.js";
import { updateMembers } from "./views/members-view.js";
import { renderObject } from "./views/object-view.js";
import { TraceView } from "./views/trace-view.js";
import { Actions, DEFAULT_PINS } from "./views/actions.js";
import { LessonView } from "./views/lesson-view.js";
import { PanelSwitcher } from "./views/panels.js";

const PINS_KEY = "pkcs11-playground.pins";
const $ = (id) => document.getElementById(id);

const token = new Token();
const model = new Model(token);
// Demo PINs of the first slot's token: remembered so forms and snippets default to the ones that work.
const pins = { ...DEFAULT_PINS, ...JSON.parse(localStorage.getItem(PINS_KEY) ?? "{}") };
const outputs = {}; // last ciphertext, signature, wrapped key... for form defaults
let setupAtStart = [];
let markReady;
const ready = new Promise((resolve) => (markReady = resolve));

// --- busy indicator: one line of fixed size, so nothing moves when it changes ---
let busyTimer = null;
let busySince = 0;
token.addEventListener("busy", ({ detail }) => {
  const box = $("busy");
  clearInterval(busyTimer);
  if (!detail.busy) {
    box.classList.remove("on");
    $("busy-text").textContent = document.body.dataset.ready === "true" ? "Ready" : "Loading the token…";
    document.body.removeAttribute("aria-busy");
    return;
  }
  busySince = performance.now();
  const label = detail.label ?? "working";
  busyTimer = setInterval(() => {
    const s = (performance.now() - busySince) / 1000;
    if (s < 0.15) return;
    box.classList.add("on");
    box.title = "The token works in a Web Worker: the page stays usable meanwhile.";
    document.body.setAttribute("aria-busy", "true");
    $("busy-text").textContent = `${label}… ${s.toFixed(1)} s`;
  }, 100);
});

// --- panels (narrow screens show one at a time) and tabs ---
const panels = new PanelSwitcher(document.querySelector("main.layout"), $("views"), token);
const tabs = ["lessons", "actions", "object"];
function showTab(name) {
  for (const t of tabs) {
    const on = t === name;
    $(`tab-${t}`).setAttribute("aria-selected", String(on));
    $(`tab-${t}`).tabIndex = on ? 0 : -1;
    $(`pane-${t}`).hidden = !on;
  }
  panels.show("work");
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

// --- after each call: remember the first token's PINs that worked, refresh the model ---
async function afterCall(rec) {
  if (rec.ok && model.slotOfCall(rec) === model.slot?.id) {
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
  token, model, pins, outputs, afterCall, showTab, ready,
  snippetContext: () => ({
    kdfIterations: token.info?.kdfIterations ?? 100000,
    slotCount: model.slots.length,
    groupSlots: (token.info?.groups ?? []).map((g) => model.slots.findIndex((s) => s.id === g.slot)),
    groupMembers: token.info?.groups?.[0]?.dbNames.length ?? 3,
    groupCall: (r) => model.isGroup(model.slotOfCall(r)),
    slotIndex: (n) => Math.max(0, model.slots.findIndex((s) => s.id === n)),
    setup: setupAtStart,
  }),
};
const actions = new Actions($("pane-actions"), ctx);
ctx.actions = actions;
ctx.selectObject = (h) => selectObject(h);
new TraceView($("trace"), token, model, ctx);
const lessons = new LessonView($("pane-lessons"), ctx);

// --- model and object views ---
function selectObject(h) {
  model.selected = h;
  renderModelNow();
  showTab("object");
}
function renderModelNow() {
  renderModel($("model-body"), model, { onSelect: selectObject, onAction: (id, prefill) => actions.open(id, prefill), onMember: memberCall, demo: { pins, kdfIterations: token.info?.kdfIterations } });
}
/** A member panel's button: unplug (disableMember) or plug back (enableMember), traced like any call. */
async function memberCall(fn, slot, index) {
  await ready;
  const rec = await token.call(fn, [H(slot), index], { origin: "member panel" });
  await afterCall(rec);
  if (!rec.ok) notice(`${fn}(member ${index}) failed: ${rec.rvName ?? rec.error}`, "bad", 8000);
}
// A group's counters change many times a second: its members card is updated in place.
model.addEventListener("group", () => {
  for (const card of document.querySelectorAll(".card.members")) updateMembers(card, model);
});
let objectRender = Promise.resolve();
function renderSelected() {
  objectRender = objectRender.then(() => renderObject($("object-pane"), model, model.selected, { onAction: (id, prefill) => actions.open(id, prefill) }));
}
model.addEventListener("change", () => {
  renderModelNow();
  if (!$("pane-object").hidden) renderSelected();
});

// --- reset (asks first): every token, and the lesson ticks with them ---
$("reset").addEventListener("click", () => $("reset-dialog").showModal());
$("reset-dialog").addEventListener("close", async () => {
  if ($("reset-dialog").returnValue !== "wipe") return;
  await ready;
  const slots = model.slots.map((s) => s.id);
  for (const slot of slots) {
    if ([...model.sessions.values()].some((s) => s.slot === slot)) await token.call("C_CloseAllSessions", [H(slot)], { origin: "reset" });
  }
  try {
    await token.reset(slots);
  } catch (e) {
    notice(`The tokens could not be wiped: ${e.message.split("\n")[0]}`, "bad");
    return;
  }
  Object.assign(pins, DEFAULT_PINS);
  localStorage.removeItem(PINS_KEY);
  lessons.resetProgress();
  model.selected = null;
  await model.refresh();
  notice("The demo tokens were wiped and the lesson ticks cleared. Lesson 1 sets the first token up again.", "info", 6000);
});

function notice(text, kind = "info", ms) {
  const n = el("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, el("span", {}, text), el("button", { type: "button", class: "icon", "aria-label": "dismiss", onclick: () => n.remove() }, "×"));
  $("notices").append(n);
  if (ms) setTimeout(() => n.remove(), ms);
}

// --- start ---
try {
  const info = await token.start();
  document.body.dataset.persistent = String(info.persistent);
  if (!info.persistent) {
    notice("This build of pkcs11-wasm keeps the tokens in memory only: they are new on every page load.", "warn");
  }
  if (!info.initialize.ok) notice(`C_Initialize failed: ${info.initialize.rvName ?? info.initialize.error}`, "bad");
  await model.load();
  // The tokens as the page found them: an exported program sets them up the same way.
  setupAtStart = model.slots.map((s, i) => ({ s, i })).filter(({ s }) => s.tokenFlags.includes("CKF_TOKEN_INITIALIZED")).map(({ s, i }) => ({
    slotIndex: i,
    label: s.label || "playground",
    soPin: i === 0 ? pins.so : DEFAULT_PINS.so,
    userPin: i === 0 ? pins.user : DEFAULT_PINS.user,
    userPinInitialized: s.tokenFlags.includes("CKF_USER_PIN_INITIALIZED"),
  }));
  renderSelected();
  document.body.dataset.ready = "true";
  $("busy-text").textContent = "Ready";
  markReady();
} catch (e) {
  notice(`The token could not start: ${e.message}`, "bad");
  console.error(e);
}
