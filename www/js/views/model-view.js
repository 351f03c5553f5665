// The model on screen: slot -> token (flags by name, PIN state) ->
// mechanisms -> sessions (with their state) -> objects.
import { el } from "../dom.js";
import { CKS, nameOf, flagNames, SLOT_FLAGS, MECH_FLAGS, SESSION_FLAGS, STATE_TEXT, short, trimPad } from "../names.js";
import { objectTitle } from "../render-attrs.js";


/** PIN state from the token flags: what the counters say, in words. */
function pinState(flags, who) {
  if (flags.includes(`CKF_${who}_PIN_LOCKED`)) return ["locked", "bad"];
  if (flags.includes(`CKF_${who}_PIN_FINAL_TRY`)) return ["final try", "bad"];
  if (flags.includes(`CKF_${who}_PIN_COUNT_LOW`)) return ["wrong PIN entered since last login", "warn"];
  if (flags.includes(`CKF_${who}_PIN_TO_BE_CHANGED`)) return ["to be changed", "warn"];
  return ["no failed tries", "ok"];
}

export function renderModel(root, model, { onSelect, onAction }) {
  const slot = model.slot;
  if (!slot) {
    root.replaceChildren(el("p", { class: "empty" }, "Loading the token…"));
    return;
  }
  const t = slot.token;
  const flags = slot.tokenFlags;
  const initialized = flags.includes("CKF_TOKEN_INITIALIZED");
  const userPin = flags.includes("CKF_USER_PIN_INITIALIZED");
  const chips = (names) => el("ul", { class: "chips" }, names.map((n) => el("li", { title: n }, n.replace(/^CKF_/, ""))));

  const tokenBox = el(
    "div",
    { class: "card token" },
    el("div", { class: "card-title" }, el("span", { class: "kicker" }, `slot ${slot.id}`), el("h3", {}, initialized ? `Token “${slot.label}”` : "Token (not initialized)")),
    el("dl", { class: "facts" },
      el("dt", {}, "Slot"), el("dd", {}, trimPad(slot.info?.slotDescription ?? ""), " ", chips(flagNames(slot.info?.flags ?? 0, SLOT_FLAGS))),
      el("dt", {}, "Serial"), el("dd", { class: "mono" }, trimPad(t?.serialNumber ?? "")),
      el("dt", {}, "Model"), el("dd", {}, `${trimPad(t?.manufacturerID ?? "")} · ${trimPad(t?.model ?? "")}`),
      el("dt", {}, "Flags"), el("dd", {}, chips(flags)),
      el("dt", {}, "SO PIN"), el("dd", {}, badge(...pinState(flags, "SO"))),
      el("dt", {}, "User PIN"), el("dd", {}, userPin ? badge(...pinState(flags, "USER")) : badge("not set (SO: C_InitPIN)", "warn")),
      el("dt", {}, "Sessions"), el("dd", {}, `${t?.sessionCount ?? 0} open, ${t?.rwSessionCount ?? 0} R/W`),
      el("dt", {}, "PIN length"), el("dd", {}, `${t?.minPinLen}–${t?.maxPinLen} bytes`),
    ),
    !initialized ? el("div", { class: "empty" }, "This token has no SO PIN yet. ", el("button", { type: "button", class: "link", onclick: () => onAction("init-token") }, "Initialize it"), " or start lesson 1, which does it for you.") : null,
  );

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
    el("small", { class: "hint" }, "Key sizes are in bytes for AES and generic secrets, bits for RSA and EC (as PKCS#11 says)."),
  );

  const sessions = [...model.sessions.entries()];
  const sessionBox = el(
    "div",
    { class: "card sessions" },
    el("div", { class: "card-title" }, el("h3", {}, "Sessions"), el("button", { type: "button", class: "small", onclick: () => onAction("open-session") }, "+ open")),
    sessions.length === 0
      ? el("p", { class: "empty" }, "No session open. A session is how an application talks to a token; open one to see objects.")
      : el("ul", { class: "session-list" }, sessions.map(([h, s]) => {
          const st = nameOf(CKS, s.info?.state ?? 0);
          return el("li", { "data-session": h },
            el("span", { class: "mono" }, `#${h}`), " ",
            el("span", { class: `state ${/SO/.test(st) ? "so" : /USER/.test(st) ? "user" : ""}` }, STATE_TEXT[st] ?? st),
            el("span", { class: "muted small" }, ` ${flagNames(s.info?.flags ?? 0, SESSION_FLAGS).map((f) => f.replace("CKF_", "")).join(" | ")}`),
            el("button", { type: "button", class: "small", "aria-label": `close session ${h}`, onclick: () => onAction("close-session", { session: h }) }, "close"),
          );
        })),
  );

  const objects = model.objects;
  const objBox = el(
    "div",
    { class: "card objects" },
    el("div", { class: "card-title" }, el("h3", {}, "Objects"), model.objectsSeenBy !== null ? el("span", { class: "muted small" }, `seen through session #${model.objectsSeenBy}${model.loggedIn ? ` as ${model.loggedIn}` : " (public only)"}`) : null),
    model.objectsSeenBy === null
      ? el("p", { class: "empty" }, "Objects are only visible through a session: open one.")
      : objects.length === 0
        ? el("p", { class: "empty" }, model.loggedIn === "USER" ? "No objects yet. Generate a key or create a data object." : "No public objects. Private ones (most keys) appear after logging in as USER.")
        : el("ul", { class: "object-list" }, objects.map((o) => el("li", {},
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
  root.replaceChildren(tokenBox, sessionBox, objBox, mechs);
}

const badge = (text, kind) => el("span", { class: `badge ${kind}` }, text);
const tag = (text, kind = "") => el("span", { class: `tag ${kind}` }, text);
