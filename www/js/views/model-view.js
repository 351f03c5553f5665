// The model on screen: each slot -> its token (flags by name, PIN state)
// -> sessions (with their state and slot) -> the objects each token shows
// -> mechanisms.
import { el } from "../dom.js";
import { CKS, nameOf, flagNames, SLOT_FLAGS, MECH_FLAGS, SESSION_FLAGS, STATE_TEXT, short, trimPad } from "../names.js";
import { objectTitle } from "../render-attrs.js";
import { LESSONS } from "../lessons/index.js";
import { membersCard } from "./members-view.js";

const lessonNumber = (id) => LESSONS.findIndex((l) => l.id === id) + 1;

/** PIN state from the token flags: what the counters say, in words. */
function pinState(flags, who) {
  if (flags.includes(`CKF_${who}_PIN_LOCKED`)) return ["locked", "bad"];
  if (flags.includes(`CKF_${who}_PIN_FINAL_TRY`)) return ["final try", "bad"];
  if (flags.includes(`CKF_${who}_PIN_COUNT_LOW`)) return ["wrong PIN entered since last login", "warn"];
  if (flags.includes(`CKF_${who}_PIN_TO_BE_CHANGED`)) return ["to be changed", "warn"];
  return ["set, no failed tries", "ok"];
}

const badge = (text, kind) => el("span", { class: `badge ${kind}` }, text);
const tag = (text, kind = "") => el("span", { class: `tag ${kind}` }, text);
const chips = (names) => el("ul", { class: "chips" }, names.map((n) => el("li", { title: n }, n.replace(/^CKF_/, ""))));

function slotCard(model, slot, { onAction, demo }) {
  const t = slot.token;
  const flags = slot.tokenFlags;
  const initialized = flags.includes("CKF_TOKEN_INITIALIZED");
  const userPin = flags.includes("CKF_USER_PIN_INITIALIZED");
  const first = slot === model.slot;
  const who = model.loggedInOn(slot.id);
  const group = model.groups.get(slot.id);
  const title = el("span", { class: "kicker" }, `slot ${slot.id} · ${trimPad(slot.info?.slotDescription ?? "")}`);
  const lesson = first ? "seed" : group ? "groups" : "tokens";
  const initLink = () => el("p", { class: "small" }, `Lesson ${lessonNumber(lesson)} ${first ? "initializes it for you" : group ? "sets it up" : "initializes it"}, or `,
    el("button", { type: "button", class: "link", onclick: () => onAction("init-token", { slot: slot.id }) }, "initialize it yourself"), ".");
  if (group && !group.tokenPresent) {
    // Every member unplugged or lost: the slot has no token until one comes back.
    return el("div", { class: "card token free", "data-slot": slot.id },
      el("div", { class: "card-title" }, title, el("h3", {}, "No token: no member is live")),
      el("p", { class: "small" }, "Calls on this slot's sessions answer CKR_DEVICE_REMOVED until a member is plugged back; the sessions and the login come back with it."));
  }
  if (!initialized && !first) {
    // A free slot, in short: its token has no SO, no PINs and no objects yet.
    return el("div", { class: "card token free", "data-slot": slot.id },
      el("div", { class: "card-title" }, title, el("h3", {}, "Token not initialized (a free slot)")),
      el("dl", { class: "facts" }, el("dt", {}, "SO PIN"), el("dd", {}, badge("not set yet (C_InitToken sets it)", "warn"))),
      initLink());
  }
  return el(
    "div",
    { class: `card token ${initialized ? "" : "free"}`, "data-slot": slot.id },
    el("div", { class: "card-title" },
      title,
      el("h3", {}, initialized ? `Token “${slot.label}”` : "Token not initialized (a free slot)"),
      who ? el("span", { class: `state ${who === "SO" ? "so" : "user"}` }, `${who} logged in`) : null),
    el("dl", { class: "facts" },
      el("dt", {}, "SO PIN"), el("dd", {}, initialized ? badge(...pinState(flags, "SO")) : badge("not set yet (C_InitToken sets it)", "warn")),
      el("dt", {}, "User PIN"), el("dd", {}, userPin ? badge(...pinState(flags, "USER")) : badge(`not set${initialized ? " (SO: C_InitPIN)" : ""}`, "warn")),
      el("dt", {}, "Sessions"), el("dd", {}, `${t?.sessionCount ?? 0} open, ${t?.rwSessionCount ?? 0} R/W`),
    ),
    el("details", { class: "more" }, el("summary", {}, "Slot and token details"),
      el("dl", { class: "facts" },
        el("dt", {}, "Token flags"), el("dd", {}, chips(flags)),
        el("dt", {}, "Slot flags"), el("dd", {}, chips(flagNames(slot.info?.flags ?? 0, SLOT_FLAGS))),
        el("dt", {}, "Serial"), el("dd", { class: "mono" }, trimPad(t?.serialNumber ?? "")),
        el("dt", {}, "Model"), el("dd", {}, `${trimPad(t?.manufacturerID ?? "")} · ${trimPad(t?.model ?? "")}`),
        el("dt", {}, "PIN length"), el("dd", {}, `${t?.minPinLen}–${t?.maxPinLen} bytes`),
        demo?.kdfIterations ? [el("dt", {}, "PIN KDF"), el("dd", {}, `PBKDF2, ${demo.kdfIterations.toLocaleString("en")} iterations in this demo so logins are instant (the default is 600,000)`)] : null,
      )),
    first && demo?.pins ? el("p", { class: "small muted demo" }, `Demo PINs: SO “${demo.pins.so}”, user “${demo.pins.user}”.`) : null,
    !initialized ? initLink() : null,
  );
}

/** The sessions the page opened on a slot's token. */
function sessionsCard(model, slot, onAction) {
  const sessions = [...model.sessions.entries()].filter(([, s]) => s.slot === slot.id);
  return el(
    "div",
    { class: "card sessions", "data-sessions-slot": slot.id },
    el("div", { class: "card-title" }, el("h3", {}, "Sessions"), el("button", { type: "button", class: "small", "aria-label": `open a session on slot ${slot.id}`, onclick: () => onAction("open-session", { slot: slot.id }) }, "+ open")),
    sessions.length === 0
      ? el("p", { class: "empty" }, "No session open. A session is how an application talks to a token; open one to see objects.")
      : el("ul", { class: "session-list" }, sessions.map(([h, s]) => {
          const st = nameOf(CKS, s.info?.state ?? 0);
          return el("li", { "data-session": h },
            el("span", { class: "mono" }, `#${h}`), " ",
            el("span", { class: `state ${/SO/.test(st) ? "so" : /USER/.test(st) ? "user" : ""}`, title: flagNames(s.info?.flags ?? 0, SESSION_FLAGS).join(" | ") }, STATE_TEXT[st] ?? st),
            el("button", { type: "button", class: "small", "aria-label": `close session ${h}`, onclick: () => onAction("close-session", { session: h }) }, "close"),
          );
        })),
  );
}

function objectsCard(model, slot, onSelect) {
  const seen = slot.objectsSeenBy;
  const who = model.loggedInOn(slot.id);
  return el(
    "div",
    { class: "card objects", "data-objects-slot": slot.id },
    el("div", { class: "card-title" }, el("h3", {}, "Objects"), seen !== null ? el("span", { class: "muted small" }, `seen through session #${seen}${who ? ` as ${who}` : " (public only)"}`) : null),
    seen === null
      ? el("p", { class: "empty" }, "Objects are only visible through a session of this token: open one.")
      : slot.objects.length === 0
        ? el("p", { class: "empty" }, who === "USER" ? "No objects yet. Generate a key or create a data object." : "No public objects. Private ones (most keys) appear after logging in as USER.")
        : el("ul", { class: "object-list" }, slot.objects.map((o) => el("li", {},
            el("button", { type: "button", class: `object ${model.selected === o.handle ? "selected" : ""}`, "aria-pressed": String(model.selected === o.handle), "data-object": o.handle, onclick: () => onSelect(o.handle) },
              el("span", { class: "obj-title" }, objectTitle(o)), o.size ? el("span", { class: "muted" }, ` ${o.size}`) : null, o.id ? el("span", { class: "muted mono" }, ` id ${o.id}`) : null,
              el("span", { class: "flags" },
                tag(o.token ? "token" : "session", o.token ? "" : "quiet"),
                o.private !== undefined ? tag(o.private ? "private" : "public") : null,
                o.sensitive ? tag("sensitive", "warn") : null,
                o.extractable === false ? tag("not extractable", "warn") : o.extractable ? tag("extractable") : null,
                o.local ? tag("local", "quiet") : null,
                o.usage.map((u) => tag(u, "use")),
              ),
            ),
          ))),
  );
}

export function renderModel(root, model, { onSelect, onAction, onMember, demo }) {
  if (!model.slot) {
    root.replaceChildren(el("p", { class: "empty" }, "Loading the token…"));
    return;
  }
  const slot = model.slot;
  const mechs = el(
    "details",
    { class: "card mechs" },
    el("summary", {}, `Mechanisms (${slot.mechanisms.length})`),
    el("table", { class: "mech-table" },
      el("thead", {}, el("tr", {}, el("th", {}, "mechanism"), el("th", {}, "key size"), el("th", {}, "can"))),
      el("tbody", {}, slot.mechanisms.map((m) => el("tr", {},
        el("td", { class: "mono" }, m.name.replace(/^CKM_/, "")),
        el("td", { class: "num" }, m.info && (m.info.minKeySize || m.info.maxKeySize) ? `${m.info.minKeySize}–${m.info.maxKeySize}` : "–"),
        el("td", {}, flagNames(m.info?.flags ?? 0, MECH_FLAGS).map(short).join(", ")),
      ))),
    ),
    el("small", { class: "hint" }, "From C_GetMechanismInfo. Key sizes are in bytes for AES and generic secrets, bits for RSA and EC (as PKCS#11 says)."),
  );
  // Slot -> token -> its sessions -> the objects they see; a free slot is one short card.
  const groups = model.slots.map((s) => {
    const live = s.tokenFlags.includes("CKF_TOKEN_INITIALIZED") || s === slot;
    return el("section", { class: "slot-group", "aria-label": `slot ${s.id}` },
      slotCard(model, s, { onAction, demo }),
      model.isGroup(s.id) ? membersCard(model, s, onMember) : null,
      live ? sessionsCard(model, s, onAction) : null,
      live && s.objectsSeenBy !== null ? objectsCard(model, s, onSelect) : null);
  });
  root.replaceChildren(...groups, mechs);
}
