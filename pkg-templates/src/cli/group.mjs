// `group status`: the members of each token group (several replicas of
// one token behind one slot) and their state. Token groups come with the
// library's `groupStatus(slot)`; until the package has it, no
// configuration has a group and the command says so. Hooking it up is
// `statusOf` below: ask each slot, keep the answers that are groups.
import { SLOT_OPTIONS } from "./args.mjs";
import { UsageError } from "./errors.mjs";
import { print, printJson, table } from "./output.mjs";

/** [{ slot, status }] for every slot that is a token group. */
async function statusOf(t) {
  if (typeof t.p.groupStatus !== "function") return [];
  const slots = t.opts.slot !== undefined || t.opts.token !== undefined || t.opts.serial !== undefined ? [t.slot("any")] : t.slots();
  const out = [];
  for (const s of slots) {
    const status = await t.p.groupStatus(s.handle);
    if (status) out.push({ slot: s.id, status });
  }
  return out;
}

async function group(t, positionals) {
  const [sub = "status"] = positionals;
  if (sub !== "status") throw new UsageError(`unknown group command ${JSON.stringify(sub)}`, { hint: "use `pkcs11-wasm group status`" });
  const groups = await statusOf(t);
  if (t.opts.json) return printJson({ groups });
  if (groups.length === 0) return print("This configuration has no token groups.");
  for (const { slot, status } of groups) {
    print(`slot ${slot}: ${status.label ?? "token group"}${status.state ? ` (${status.state})` : ""}`);
    const members = status.members ?? [];
    if (members.length > 0) {
      const keys = [...new Set(members.flatMap((m) => Object.keys(m)))];
      print(table(keys, members.map((m) => keys.map((k) => (typeof m[k] === "object" ? JSON.stringify(m[k]) : String(m[k] ?? ""))))));
    }
  }
}

export default [
  {
    name: "group",
    aliases: ["groups"],
    summary: "show the status of token groups (replicas behind one slot)",
    usage: "pkcs11-wasm group status [--slot S] [--json]",
    description: ["Token groups are not in this version of the library yet: the command says so."],
    options: { ...SLOT_OPTIONS },
    examples: ["pkcs11-wasm group status --config tokens.json"],
    run: group,
  },
];
