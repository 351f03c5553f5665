// The members of a token group, as the group sees them. Both kinds answer
// the same requests (host.js): `run(req)` synchronously, `runAsync(req)`
// with a Promise, `begin(req).wait()` to have several members work at once.
// A failure of the member itself (its thread died, a call timed out, its
// engine trapped) throws MemberLost; an engine's CK_RV comes back as `rv`.
//   LocalMember   the engine runs on the group's own thread.
//   ThreadMember  the engine runs in a worker (Node worker_threads or a
//                 browser Web Worker): synchronous calls block in
//                 Atomics.wait until the worker has answered through shared
//                 memory (channel.js); async calls post and await.
import { platform } from "../platform.js";
import { ChannelReader, newChannelBuffer } from "./channel.js";
import { decode } from "./codec.js";
import { describeStore } from "./config.js";
import { MemberHost } from "./host.js";

export class MemberLost extends Error {}

class Member {
  constructor(group, spec) {
    this.group = group;
    this.spec = spec; // { storage: {kind, name}, thread, key }
    /** stopped (before C_Initialize) | live | syncing | lost | disabled | removed */
    this.state = "stopped";
    this.served = 0;
    this.inFlight = 0;
    this.lastError = undefined;
    this.lastErrorAt = undefined;
    /** CKA_UNIQUE_ID -> this member's handle (cleared at login changes). */
    this.uids = new Map();
    /** Its handle -> group handle, for the session objects it holds. */
    this.sessionHandles = new Map();
    /** Replicated writes reach it (live, or syncing past its first pass). */
    this.receiving = false;
    this.joining = undefined; // the rejoin in progress (a Promise)
    /** Its engine runs on the group's thread (group/fast.js takes only these). */
    this.local = !spec.thread;
  }

  get name() {
    return describeStore(this.spec.storage);
  }

  get live() {
    return this.state === "live";
  }

  /** Whether its engine is up (its thread started, or its host made). */
  get running() {
    return this.host !== undefined || this.worker !== undefined;
  }

  /** Stops the member for good (free, close, removal): its writes are flushed first. */
  shutdown() {
    try {
      if (this.running) this.run({ op: "finalize" });
    } catch {}
    this.halt();
  }

  begin(req) {
    let result;
    let error;
    try {
      result = this.run(req);
    } catch (e) {
      error = e;
    }
    return {
      wait() {
        if (error) throw error;
        return result;
      },
    };
  }
}

export class LocalMember extends Member {
  start(config) {
    this.halt();
    this.host = new MemberHost(this.spec.storage, config, (ev) => this.group.memberEvent(this, ev));
  }

  run(req) {
    const host = this.host;
    if (!host) throw new MemberLost("it is not running");
    if (req.op === "fault" && req.kind === "crash") {
      this.halt();
      throw new MemberLost("it crashed (groupFault)");
    }
    try {
      return host.handle(req);
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** run({ op: "call", fn, args, mode: 0 }) without the request object (group/fast.js: `method` is WasmModule.prototype[fn]). */
  call(method, args) {
    const host = this.host;
    if (!host || host.faulty) throw new MemberLost("it is not running");
    try {
      return host.callMethod(method, args);
    } catch (e) {
      throw this.failed(e);
    }
  }

  async runAsync(req) {
    const host = this.host;
    if (!host) throw new MemberLost("it is not running");
    try {
      return await host.handleAsync(req);
    } catch (e) {
      throw this.failed(e);
    }
  }

  /** A TypeError is the caller's (a bad argument); anything else ends the engine. */
  failed(e) {
    if (e instanceof TypeError || e instanceof MemberLost) return e;
    this.halt();
    return new MemberLost(`its engine failed: ${e?.message ?? e}`);
  }

  /** Stops the engine (its queued writes are tried once more). */
  halt() {
    const host = this.host;
    this.host = undefined;
    if (!host) return;
    if (!host.faulty) host.finalize();
    host.dispose();
  }
}

// Thread members whose queued writes a Node process writes at exit (the
// writes of a worker run behind its calls, as a plain token's do).
const threadMembers = new Set();
let exitHooked = false;
function hookExit() {
  if (exitHooked || typeof process === "undefined" || typeof process.on !== "function") return;
  exitHooked = true;
  process.on("exit", () => {
    for (const m of threadMembers) m.flushAtExit();
  });
}

export class ThreadMember extends Member {
  start(config) {
    this.halt();
    const sab = newChannelBuffer();
    this.reader = new ChannelReader(sab);
    this.pending = new Map();
    this.nextId = 1;
    const worker = platform.memberWorker({ storage: this.spec.storage, config, sab });
    this.worker = worker;
    worker.onmessage((msg) => this.onMessage(worker, msg));
    worker.onexit((why) => this.onExit(worker, why));
    worker.unref();
    threadMembers.add(this);
    hookExit();
  }

  flushAtExit() {
    if (!this.worker) return;
    try {
      this.post({ op: "flushSync" }, true);
      this.reader.read(2000);
    } catch {}
  }

  post(req, sync) {
    const id = this.nextId++;
    this.worker.post({ id, req, sync });
    // The worker got a copy: PINs in ours are wiped (the shell wipes the
    // copy it is given, as it does for a LocalMember).
    for (const i of req.wipe ?? []) req.args[i]?.fill?.(0);
    return id;
  }

  run(req) {
    return this.begin(req).wait();
  }

  begin(req) {
    if (!this.worker) throw new MemberLost("it is not running");
    this.post(req, true);
    return {
      wait: () => {
        let bytes;
        try {
          bytes = this.reader.read(this.group.spec.callTimeout);
        } catch (e) {
          this.halt();
          throw new MemberLost(`it did not answer: ${e.message}`);
        }
        return this.check(decode(bytes).result);
      },
    };
  }

  runAsync(req) {
    if (!this.worker) return Promise.reject(new MemberLost("it is not running"));
    return new Promise((resolve, reject) => {
      const id = this.post(req, false);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.halt();
        reject(new MemberLost(`it did not answer within ${this.group.spec.callTimeout} ms`));
      }, this.group.spec.callTimeout);
      timer.unref?.();
      this.pending.set(id, { resolve, reject, timer });
      // Keep a Node process alive while an answer is awaited.
      if (this.pending.size === 1) this.worker.ref();
    });
  }

  check(result) {
    if (result.typeError) throw new TypeError(result.typeError);
    if (result.failure !== undefined) {
      this.halt();
      throw new MemberLost(`its engine failed: ${result.failure}`);
    }
    return result;
  }

  onMessage(worker, msg) {
    if (worker !== this.worker) return;
    if (msg.event) return this.group.memberEvent(this, msg.event);
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (this.pending.size === 0) worker.unref();
    try {
      p.resolve(this.check(msg.result));
    } catch (e) {
      p.reject(e);
    }
  }

  onExit(worker, why) {
    if (worker !== this.worker) return; // halted on purpose
    this.worker = undefined;
    this.rejectAll(`its thread exited${why}`);
    this.group.memberFailed(this, `its thread exited${why}`);
  }

  rejectAll(why) {
    const pending = this.pending;
    this.pending = new Map();
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new MemberLost(why));
    }
  }

  /** Terminates the worker (what it had queued is lost with it, as with a crash). */
  halt() {
    const worker = this.worker;
    this.worker = undefined;
    threadMembers.delete(this);
    if (!worker) return;
    this.rejectAll("it was stopped");
    worker.terminate();
  }
}

export function createMember(group, spec) {
  return spec.thread ? new ThreadMember(group, spec) : new LocalMember(group, spec);
}
