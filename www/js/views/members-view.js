// The members of a token group (lesson 11) under its slot in the model:
// each member's state, the calls it served and has in flight, its stored
// records (count and fingerprint) and last error, with a button to unplug
// it (disableMember: its worker ends) or plug it back (enableMember).
// Counters change many times a second during a stream of calls, so the
// card is updated in place (focus stays on its buttons).
import { el } from "../dom.js";

const STATE_KIND = { live: "ok", syncing: "warn", lost: "bad", disabled: "bad", stopped: "warn", removed: "bad" };
const STATE_TEXT = { live: "live", syncing: "syncing", lost: "lost", disabled: "unplugged", stopped: "stopped", removed: "removed" };

/** "9 records · 3fa2b1c4": what a member has stored (and where that was read). */
function recordsText(r) {
  if (!r) return "–";
  const tomb = r.records.filter((x) => x.kind === 5).length;
  return `${r.records.length} records${tomb ? ` (${tomb} tombstone${tomb === 1 ? "" : "s"})` : ""}`;
}

function memberItem(slot, m, onMember) {
  const button = el("button", { type: "button", class: "small", "data-k": "toggle", onclick: () => {
    const live = button.dataset.live === "true";
    onMember(live ? "disableMember" : "enableMember", slot, m.index);
  } });
  return el("li", { class: "member", "data-member": m.index },
    el("div", { class: "member-head" },
      el("span", { class: `member-chip m${m.index}` }, `member ${m.index}`),
      el("span", { class: "badge", "data-k": "state" }),
      button),
    el("div", { class: "muted small member-where" }, `${m.thread ? "own Web Worker" : "in the token's worker"} · IndexedDB “${m.storage.replace(/^IndexedDB /, "")}”`),
    el("div", { class: "member-nums small" },
      el("span", {}, "served ", el("strong", { "data-k": "served" })),
      el("span", {}, "in flight ", el("strong", { "data-k": "inflight" })),
      el("span", { "data-k": "records" }),
      el("code", { class: "fingerprint", "data-k": "fingerprint", title: "A hash over every stored record, key and bytes: two members with the same fingerprint hold byte-identical records." })),
    el("p", { class: "small member-error", "data-k": "error", hidden: true }));
}

/** The members card of group slot `slot` (null when the model has no status for it). */
export function membersCard(model, slot, onMember) {
  const st = model.groups.get(slot.id);
  if (!st) return null;
  const card = el("div", { class: "card members", "data-members-slot": slot.id },
    el("div", { class: "card-title" },
      el("h3", {}, "Members"),
      el("span", { class: "muted small", "data-k": "policy" })),
    el("ul", { class: "member-list" }, st.members.map((m) => memberItem(slot.id, m, onMember))));
  updateMembers(card, model);
  return card;
}

/** Writes the latest status and records into a members card. */
export function updateMembers(card, model) {
  const slot = Number(card.dataset.membersSlot);
  const st = model.groups.get(slot);
  if (!st) return;
  const recs = model.memberRecords.get(slot);
  const sm = st.sessionMember;
  card.querySelector('[data-k="policy"]').textContent = `${st.balance}${sm === null ? "" : ` · session objects on member ${sm}`}`;
  for (const m of st.members) {
    const li = card.querySelector(`[data-member="${m.index}"]`);
    if (!li) continue;
    const q = (k) => li.querySelector(`[data-k="${k}"]`);
    li.dataset.state = m.state;
    const state = q("state");
    state.className = `badge ${STATE_KIND[m.state] ?? "warn"}`;
    state.textContent = STATE_TEXT[m.state] ?? m.state;
    q("served").textContent = String(m.served);
    q("inflight").textContent = String(m.inFlight);
    const r = recs?.find((x) => x.index === m.index);
    q("records").textContent = recordsText(r);
    q("fingerprint").textContent = r?.records.length ? r.fingerprint.slice(0, 8) : "";
    const err = q("error");
    err.hidden = !m.lastError || m.state === "live";
    err.textContent = m.lastError ? `last error: ${m.lastError}` : "";
    const live = m.state === "live" || m.state === "syncing";
    const button = q("toggle");
    button.dataset.live = String(live);
    button.textContent = live ? "unplug" : "plug back";
    button.setAttribute("aria-label", `${live ? "unplug" : "plug back"} member ${m.index}`);
  }
}
