// The token-group part of the PKCS11 class (README "Groups"):
//   groupStatus(slot)          each member's state, calls served, in flight,
//                              last error; the group's balance, session member
//   disableMember(slot, i)     stops using member i (its thread is ended)
//   enableMember(slot, i)      brings it back: resync, then it serves
//   reload([config])           re-reads the configuration: members added to a
//                              group join (filled from a live member), members
//                              removed stop receiving calls
//   groupFault(slot, i, kind)  for tests and demos: "crash" ends the member as
//                              a crash would, "storage" makes its store fail,
//                              "hang" (thread members, `ms`) stops it answering
//   memberRecords(slot, i)     what member i has stored (its raw records)
// and the ...Async / callback forms of calls on a group's sessions: they
// run on the members without blocking the caller, so concurrent calls are
// computed by several members at once.
import { handleValue, isBytes } from "../bytes.js";
import { loadConfig } from "../config.js";
import { PKCS11, MODULE, STATE } from "../pkcs11.js";
import { splitStorage } from "../storage/config.js";
import { isComposite } from "./lazy.js";

const proto = PKCS11.prototype;

function define(name, fn) {
  Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
}

/** A slot argument: an 8-byte handle Buffer (as C_GetSlotList gives) or a number. */
function slotNumber(slot) {
  if (typeof slot === "number" && Number.isInteger(slot) && slot >= 0) return slot;
  if (isBytes(slot) && slot.byteLength === 8) return handleValue(slot);
  throw new TypeError("Argument 0 has wrong type. Should be a Buffer (a slot handle) or a slot number");
}

function groupOf(self, slot) {
  const m = self[MODULE]();
  const id = slotNumber(slot);
  const g = isComposite(m) ? m.bySlot.get(id) : undefined;
  if (!g) throw new TypeError(`pkcs11-wasm: slot ${id} is not a token group`);
  return g;
}

function memberIndex(i) {
  if (typeof i !== "number" || !Number.isInteger(i) || i < 0) throw new TypeError("Argument 1 has wrong type. Should be a member index (a Number)");
  return i;
}

define("groupStatus", function groupStatus(slot) {
  return groupOf(this, slot).status();
});

define("disableMember", function disableMember(slot, i) {
  groupOf(this, slot).disable(memberIndex(i));
});

define("enableMember", async function enableMember(slot, i) {
  await groupOf(this, slot).enable(memberIndex(i));
});

define("groupFault", function groupFault(slot, i, kind, ms) {
  groupOf(this, slot).fault(memberIndex(i), kind, ms);
});

/** The raw stored records of member i of a group (as storageRecords gives a plain slot's). */
define("memberRecords", async function memberRecords(slot, i) {
  return groupOf(this, slot).records(memberIndex(i));
});

/**
 * Re-reads the configuration (the file named by PKCS11_WASM_CONF and the
 * load() argument, re-read if it is a file; `arg` replaces that argument)
 * and applies changes of group membership and group settings. Other
 * changes (new or removed slots, plain slots' storage) need load().
 * Resolves to [{ slot, added: [index], removed: [storage] }].
 */
define("reload", async function reload(arg) {
  const s = this[STATE];
  const m = this[MODULE]();
  if (arg !== undefined) s.arg = arg;
  const split = splitStorage(loadConfig(s.arg));
  if (!isComposite(m)) {
    if (split.groups.length > 0) throw new TypeError("pkcs11-wasm: reload() changes the members of existing groups; this instance has none: load() the new configuration");
    return [];
  }
  const out = [];
  for (const g of m.groups) {
    const spec = split.groups.find((x) => x.slot === g.slotId);
    if (spec) out.push(await g.reconfigure(spec));
  }
  return out;
});

// --- Async and callback forms on a group's sessions. The facade's own
// form is run twice: first with its group call taken out (all argument
// checks happen as usual), then, once the group has answered
// asynchronously, with that answer handed back, so the result is shaped
// exactly as for a plain slot (and mutating calls end durable, as
// durable.js makes them, on every live member).

const SKIP = new Set(["C_InitializeAsync", "C_FinalizeAsync"]);

function ownerGroup(self, first) {
  let m;
  try {
    m = self[MODULE]();
  } catch {
    return undefined;
  }
  if (!isComposite(m) || !isBytes(first) || first.byteLength !== 8) return undefined;
  return m.ownerOf(handleValue(first)) ? m : undefined;
}

for (const asyncName of Object.getOwnPropertyNames(proto).filter((n) => n.endsWith("Async") && !SKIP.has(n))) {
  const plain = proto[asyncName];
  define(asyncName, {
    async [asyncName](...a) {
      const m = ownerGroup(this, a[0]);
      if (!m) return plain.apply(this, a);
      const taken = m.capture(() => plain.apply(this, a));
      if (!taken.captured) return taken.result;
      let answer;
      try {
        answer = { value: await m.runGroupAsync(taken.captured.group, taken.captured.fn, taken.captured.args) };
      } catch (e) {
        answer = { error: e };
      }
      return m.answer(answer, () => plain.apply(this, a));
    },
  }[asyncName]);
  const name = asyncName.slice(0, -"Async".length);
  const callbackName = name + "Callback";
  const callbackForm = proto[callbackName];
  if (!callbackForm) continue;
  define(callbackName, {
    [callbackName](...a) {
      const cb = a[a.length - 1];
      if (typeof cb !== "function" || !ownerGroup(this, a[0])) return callbackForm.apply(this, a);
      this[asyncName](...a.slice(0, -1)).then(
        (result) => cb(null, result),
        (error) => cb(error, null),
      );
    },
  }[callbackName]);
}
