// Pieces of lesson 11 (a token group): a stream of signatures from several
// sessions at once, a live meter of which member served them, and tables
// of the members' stored records.
import { el, K, H } from "./common.js";

export const SIGN = { mechanism: K.CKM_SHA256_RSA_PKCS };
const utf8 = (t) => new TextEncoder().encode(t);
const STATE_TEXT = { live: "live", syncing: "syncing", lost: "lost", disabled: "unplugged", stopped: "stopped" };

/** The member that served a call (the trace's attribution), or null. */
export const memberOf = (rec) => rec.members?.at(-1)?.member ?? null;

/**
 * `count` signatures over `sessions`, all sessions at once, each repeating
 * C_SignInit + C_SignAsync (an application's loop). `meter` counts each
 * answer; `after(done)` runs after each one (the lesson unplugs a member
 * there). Returns the C_SignAsync records (a failed C_SignInit stands for
 * its signature).
 */
export async function signStream(L, { sessions, key, count, meter, after, label = "order" }) {
  let next = 0;
  const out = [];
  const app = async (s) => {
    for (let i = next++; i < count; i = next++) {
      const init = await L.quiet("C_SignInit", [H(s), SIGN, H(key)]);
      const rec = init.ok ? await L.quiet("C_SignAsync", [H(s), utf8(`${label} ${i + 1}`), { $out: 256 }]) : init;
      out.push(rec);
      meter?.count(rec);
      await after?.(out.length);
    }
  };
  await Promise.all(sessions.map(app));
  return out;
}

/**
 * A bar per member: the calls of this stream it served, and (from the
 * group's status, live) its state and calls in flight. `stop()` ends the
 * live part; the element stays as the step's outcome.
 */
export function streamMeter(model, slot, title) {
  const st = () => model.groups.get(slot);
  const n = st()?.members.length ?? 0;
  const counts = new Array(n).fill(0);
  let failed = 0;
  let done = 0;
  let over = false; // stopped: calls in flight are not counted any more
  const rows = counts.map((_, i) => {
    const fill = el("span", { class: `fill m${i}` });
    const num = el("strong", {}, "0");
    const note = el("span", { class: "muted small note" });
    return { fill, num, note, row: el("div", { class: "meter-row", "data-member": i }, el("span", { class: `member-chip m${i}` }, `member ${i}`), el("span", { class: "bar", "aria-hidden": "true" }, fill), num, note) };
  });
  const total = el("p", { class: "small meter-total" });
  const root = el("div", { class: "meter", role: "group", "aria-label": title }, el("div", { class: "meter-title small" }, title), rows.map((r) => r.row), total);
  const update = () => {
    const s = st();
    rows.forEach((r, i) => {
      r.fill.style.width = `${done ? (100 * counts[i]) / done : 0}%`;
      r.num.textContent = String(counts[i]);
      const m = s?.members[i];
      r.note.textContent = m ? `${STATE_TEXT[m.state] ?? m.state}${m.inFlight && !over ? `, ${m.inFlight} in flight` : ""}` : "";
    });
    total.textContent = `${done} answered, ${failed} failed`;
  };
  model.addEventListener("group", update);
  update();
  return {
    root,
    counts,
    count(rec) {
      done++;
      const m = memberOf(rec);
      if (!rec.ok) failed++;
      else if (m !== null && m < n) counts[m]++;
      update();
    },
    stop() {
      over = true;
      model.removeEventListener("group", update);
      update();
      return root;
    },
  };
}

/** Throws the first failed call of a stream (the step fails on it and says why). */
export function firstFailure(recs) {
  return recs.find((r) => !r.ok) ?? null;
}

const kindShort = (k) => ({ 1: "token", 2: "PIN counters", 3: "public object", 4: "sealed object", 5: "tombstone" })[k] ?? "other";

/**
 * The members' records side by side: count, tombstones, fingerprint
 * (equal: byte-identical record sets), where they were read; `uid`: also
 * the record of that object on each member (kind and version).
 */
export function membersTable(members, { uid, uidLabel } = {}) {
  const reference = members.find((m) => m.source === "memberRecords")?.fingerprint;
  const head = ["member", "records", "fingerprint", uid ? `“${uidLabel}”` : null].filter(Boolean);
  return el("table", { class: "records members-table" },
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, members.map((m) => {
      const tomb = m.records.filter((r) => r.kind === 5).length;
      const rec = uid ? m.records.find((r) => r.uid === uid) : null;
      return el("tr", { "data-member": m.index },
        el("td", {}, el("span", { class: `member-chip m${m.index}` }, `member ${m.index}`), el("div", {}, STATE_TEXT[m.state] ?? m.state),
          m.source === "database" ? el("div", { class: "muted small" }, "read from its database: its worker is not running") : null),
        el("td", {}, `${m.records.length}`, tomb ? el("span", { class: "muted" }, ` (${tomb} tombstone${tomb === 1 ? "" : "s"})`) : null),
        el("td", {}, el("code", {}, m.fingerprint.slice(0, 8)), " ", m.fingerprint === reference ? el("span", { class: "muted small" }, "same") : el("strong", { class: "differs" }, "differs")),
        uid ? el("td", {}, rec ? `${kindShort(rec.kind)}, version ${rec.recordVersion ?? "?"}` : el("span", { class: "muted" }, "none")) : null);
    })));
}

/** Whether every member holds the same records. */
export const allSame = (members) => members.every((m) => m.fingerprint === members[0].fingerprint);

/** The record of object `uid` on a member ({ kind, recordVersion } or null). */
export const recordOf = (member, uid) => member.records.find((r) => r.uid === uid) ?? null;
