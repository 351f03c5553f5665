// The page's side of the worker protocol (see worker.js). Every Cryptoki
// call goes through `call`/`batch`, which record it in the trace and mark
// the page busy while the worker works. What the worker reports unasked
// (the token group's status and membership events) is dispatched as
// "group-status" and "group-event" events.

/** A handle argument: travels as { $h } and is named in the trace. */
export const H = (n) => ({ $h: n });
/** An output buffer of `n` bytes (Buffer.alloc(n) in a snippet). */
export const OUT = (n) => ({ $out: n });

export class Token extends EventTarget {
  #worker;
  #next = 1;
  #pending = new Map();
  #busy = 0;
  records = []; // the trace: every call, in order
  info = null; // what the worker said at start

  constructor() {
    super();
    this.#worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.#worker.onmessage = ({ data }) => {
      if (data.event) return this.dispatchEvent(new CustomEvent(data.event, { detail: data.value }));
      const p = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (data.ok) p.resolve(data.value);
      else p.reject(new Error(data.error));
    };
    this.#worker.onerror = (e) => {
      for (const p of this.#pending.values()) p.reject(new Error(e.message || "worker failed"));
      this.#pending.clear();
    };
  }

  #send(op, extra = {}, label) {
    const id = this.#next++;
    this.#setBusy(+1, label);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, op, ...extra });
    }).finally(() => this.#setBusy(-1));
  }

  #setBusy(delta, label) {
    this.#busy += delta;
    this.dispatchEvent(new CustomEvent("busy", { detail: { busy: this.#busy > 0, label } }));
  }

  #calls = 0;
  #record(c, answer, meta) {
    const rec = { seq: this.records.length + 1, fn: c.fn, args: c.args, ...answer, ...meta };
    // `n`: the number the trace shows (the page's inspection calls are not counted).
    if (meta.group !== "inspect") rec.n = ++this.#calls;
    this.records.push(rec);
    this.dispatchEvent(new CustomEvent("call", { detail: rec }));
    return rec;
  }

  async start() {
    this.info = await this.#send("start", {}, "loading the token");
    this.#record({ fn: "C_Initialize", args: [] }, this.info.initialize, { origin: "page start" });
    return this.info;
  }

  /**
   * One call. Never throws for a CKR_ failure: the record says what
   * happened (`ok`, `rvName`, `value`, `ms`). `meta.origin` says who asked
   * (a form, a lesson step); `meta.group` "inspect" marks the page's own
   * read-only queries that keep the model on screen current.
   */
  async call(fn, args = [], meta = {}) {
    const label = meta.busyLabel ?? fn;
    const answer = await this.#send("call", { call: { fn, args } }, label);
    return this.#record({ fn, args }, answer, meta);
  }

  /** Several calls in one round trip (inspection of the model). */
  async batch(calls, meta = {}) {
    const answers = await this.#send("batch", { calls }, meta.busyLabel ?? "reading the token");
    return answers.map((a, i) => this.#record(calls[i], a, meta));
  }


  /** Each member's stored records of the group in `slot`, summed up (worker-group.js). */
  memberRecords(slot) {
    return this.#send("members", { slot }, "reading the members' records");
  }

  /** The status of every token group now (groupStatus of each). */
  groupStatus() {
    return this.#send("status", {}, "reading the group's status");
  }

  /** The raw stored records of the token in slot `slotIndex` (its IndexedDB database). */
  storedRecords(slotIndex = 0) {
    return this.#send("records", { slotIndex }, "reading IndexedDB");
  }

  /** Wipes the tokens of `slots` (pkcs11-wasm's deleteToken, one traced record each). */
  async reset(slots) {
    const r = await this.#send("reset", { slots }, "wiping the demo tokens");
    if (r.how === "new module") {
      this.#record({ fn: "deleteToken", args: [H(slots[0])] }, { ok: true, rv: 0, rvName: "CKR_OK", ms: r.ms, extension: true }, { origin: "reset" });
      this.#record({ fn: "C_Initialize", args: [] }, { ok: true, rv: 0, rvName: "CKR_OK", ms: 0 }, { origin: "reset" });
    } else {
      slots.forEach((slot, i) => this.#record({ fn: "deleteToken", args: [H(slot)] }, { ok: true, rv: 0, rvName: "CKR_OK", ms: r.ms[i], extension: true }, { origin: "reset" }));
    }
    return r;
  }
}

/** Thrown by `must` in lessons: carries the failed record. */
export class CallFailed extends Error {
  constructor(rec) {
    super(`${rec.fn} failed: ${rec.rvName ?? rec.error}`);
    this.record = rec;
  }
}
