// `group status`: the members of each token group (several replicas of
// one token behind one slot, README "Groups") and their state, from the
// library's `groupStatus(slot)`.
import { SLOT_OPTIONS } from "./args.mjs";
import { UsageError } from "./errors.mjs";
import { print, printJson, table } from "./output.mjs";

/** [{ slot, status }] for every slot that is a token group. */
async function statusOf(t) {
  if (typeof t.p.groupStatus !== "function") return [];
  const slots = t.opts.slot !== undefined || t.opts.token !== undefined || t.opts.serial !== undefined ? [t.slot("any")] : t.slots();
  const out = [];
  for (const s of slots) {
    let status;
    try {
      status = t.p.groupStatus(s.handle);
    } catch (e) {
      if (e instanceof TypeError) continue; // a plain slot
      throw e;
    }
    out.push({ slot: s.id, status });
  }
  return out;
}

const MEMBER_COLUMNS = [
  ["member", (m) => String(m.index)],
  ["state", (m) => m.state],
  ["storage", (m) => m.storage],
  ["thread", (m) => (m.thread ? "yes" : "no")],
  ["served", (m) => String(m.served)],
  ["in flight", (m) => String(m.inFlight)],
  ["last error", (m) => (m.lastError ? `${m.lastError}${m.lastErrorAt ? ` (${new Date(m.lastErrorAt).toISOString()})` : ""}` : "-")],
];

async function group(t, positionals) {
  const [sub = "status"] = positionals;
  if (sub !== "status") throw new UsageError(`unknown group command ${JSON.stringify(sub)}`, { hint: "use `pkcs11-wasm group status`" });
  const groups = await statusOf(t);
  if (t.opts.json) return printJson({ groups });
  if (groups.length === 0) return print("This configuration has no token groups.");
  for (const { slot, status } of groups) {
    const live = status.members.filter((m) => m.state === "live").length;
    print(
      `slot ${slot}: token group of ${status.members.length} (${live} live), balance ${status.balance}, ` +
        `${status.tokenPresent ? "token present" : "no member holds the token"}; sessions ${status.sessions}, ` +
        `logged in: ${status.loggedIn ?? "nobody"}${status.sessionMember !== undefined && status.sessionMember !== null ? `; session objects on member ${status.sessionMember}` : ""}`,
    );
    print(table(MEMBER_COLUMNS.map(([h]) => h), status.members.map((m) => MEMBER_COLUMNS.map(([, f]) => f(m)))));
  }
}

export default [
  {
    name: "group",
    aliases: ["groups"],
    summary: "show the status of token groups (replicas behind one slot)",
    usage: "pkcs11-wasm group status [--slot S] [--json]",
    description: [
      "A token group is one slot over several replicas of a token (README, Groups). Shows each",
      "member's state (live, syncing, lost, disabled...), the calls it served and has in flight,",
      "and its last error. The command opens the group as any application would: members that",
      "are empty get filled, lost ones are reported as lost.",
    ],
    options: { ...SLOT_OPTIONS },
    examples: ["pkcs11-wasm group status --config tokens.json"],
    run: group,
  },
];
