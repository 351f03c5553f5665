// The token group of the playground (lesson 11), seen from the token's
// worker: its slot configuration, which member served each call (from
// the package's `ongroupcall`), the group's status pushed to the page as
// it changes, and each member's stored records.
import { readRecords } from "./idb-records.js";
import { decodeRecord } from "./records.js";
import { toHex } from "./bytes.js";

/** The members' IndexedDB databases, one each. */
export const GROUP_DBS = ["pkcs11-wasm-playground-group-0", "pkcs11-wasm-playground-group-1", "pkcs11-wasm-playground-group-2"];

/**
 * The group's entry in `slots`: three members, each with its own IndexedDB
 * database and (`threads`) its own Web Worker. Thread members answer
 * synchronous calls through SharedArrayBuffer, which only a cross-origin
 * isolated page has; elsewhere they run inside this worker.
 */
export function groupSlot(threads) {
  return { group: { members: GROUP_DBS.map((name) => ({ storage: { indexedDB: name }, thread: threads })), balance: "least-busy" } };
}

const MAX_LOOSE = 200;
const STATUS_EVERY_MS = 60;

const sha256 = async (b) => new Uint8Array(await crypto.subtle.digest("SHA-256", b));

/** "C_SignAsync" -> "C_Sign": the member call an Async form makes. */
const memberMethod = (fn) => fn.replace(/Async$/, "");

export class GroupWatch {
  #p11;
  #slots;
  #post;
  #sync = null; // member calls of the synchronous call running now
  #loose = []; // member calls that answered asynchronously, not yet claimed
  #timer = null;

  /** `slots`: the group slot ids; `post(message)`: to the page. */
  constructor(p11, slots, post) {
    this.#p11 = p11;
    this.#slots = slots;
    this.#post = post;
    p11.ongroupcall = (ev) => {
      const call = { member: ev.member, method: ev.method, rv: ev.rv };
      if (this.#sync) this.#sync.push(call);
      else {
        this.#loose.push(call);
        if (this.#loose.length > MAX_LOOSE) this.#loose.shift();
      }
      this.#schedule();
    };
    p11.ongroupevent = (ev) => {
      this.#post({ event: "group-event", value: ev });
      this.#schedule();
    };
  }

  /**
   * Runs `invoke` (one Cryptoki call) and says which members served it.
   * A synchronous call's member calls happen while it runs. An Async
   * form's member answers by message; the package reports it (ongroupcall)
   * just before the Promise resolves, in the same task, so it is the last
   * one reported with that method when the await resumes.
   */
  async run(fn, invoke) {
    const mine = [];
    this.#sync = mine;
    let r;
    try {
      r = invoke();
    } catch (e) {
      if (e && typeof e === "object") e.members = mine;
      throw e;
    } finally {
      this.#sync = null;
    }
    if (!r || typeof r.then !== "function") return { value: r, members: mine };
    try {
      const value = await r;
      return { value, members: [...mine, ...this.#claim(fn)] };
    } catch (e) {
      e.members = [...mine, ...this.#claim(fn)];
      throw e;
    }
  }

  #claim(fn) {
    const method = memberMethod(fn);
    for (let i = this.#loose.length - 1; i >= 0; i--) {
      if (this.#loose[i].method === method) return this.#loose.splice(i, 1);
    }
    return [];
  }

  /** Every group's status, now. */
  status() {
    return this.#slots.map((slot) => this.#p11.groupStatus(slot));
  }

  #schedule() {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#post({ event: "group-status", value: this.status() });
    }, STATUS_EVERY_MS);
  }

  /**
   * Each member's stored records, summed up: a running member's through
   * memberRecords (once what it queued is written), a stopped one's read
   * from its database directly. Per member: { index, source, records:
   * [{ key, kind, kindName, uid, recordVersion, hash }], fingerprint }
   * where the fingerprint is a hash over every key and value: equal
   * fingerprints, byte-identical record sets.
   */
  async records(slot) {
    const { members } = this.#p11.groupStatus(slot);
    return Promise.all(members.map(async (m) => {
      let list;
      let source = "memberRecords";
      try {
        list = await this.#p11.memberRecords(slot, m.index);
      } catch {
        list = await readRecords(GROUP_DBS[m.index]);
        source = "database";
      }
      const records = await Promise.all(list.map(async ({ key, value }) => {
        const d = decodeRecord(key, value);
        return { key, kind: d.kind ?? null, kindName: d.kindName, uid: d.uid ?? null, recordVersion: d.recordVersion ?? null, hash: toHex(await sha256(value)) };
      }));
      records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const all = new TextEncoder().encode(records.map((r) => `${r.key}=${r.hash}`).join("\n"));
      return { index: m.index, state: m.state, source, records, fingerprint: toHex(await sha256(all)).slice(0, 16) };
    }));
  }

  /** Brings back every member not live (before the tokens are wiped: none keeps the old token). */
  async enableAll() {
    for (const st of this.status()) {
      for (const m of st.members) {
        if (m.state !== "live") await this.#p11.enableMember(st.slot, m.index).catch(() => {});
      }
    }
  }
}
