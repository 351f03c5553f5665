// The answer path of synchronous calls to a thread member. Every C_* call
// is synchronous in pkcs11js, so the calling thread posts the request and
// blocks in Atomics.wait until the member's thread has written the answer
// into shared memory (postMessage cannot be received while blocked).
// Answers larger than the buffer go in chunks, each acknowledged.
//   ctrl[0] state: IDLE (nothing to read), CHUNK (more follows), DONE (the
//           last part), DEAD (the member's thread is exiting)
//   ctrl[1] bytes in the data area
const IDLE = 0;
const CHUNK = 1;
const DONE = 2;
const DEAD = 3;
const CTRL_BYTES = 16;
const DATA_BYTES = 1 << 18;
// How long the member's thread waits for a chunk to be taken.
const WRITER_PATIENCE_MS = 60000;

export function newChannelBuffer() {
  return new SharedArrayBuffer(CTRL_BYTES + DATA_BYTES);
}

/** Why a blocking read ended without an answer. */
export class ChannelClosed extends Error {}

/** The caller's end. */
export class ChannelReader {
  constructor(sab) {
    this.ctrl = new Int32Array(sab, 0, 4);
    this.data = new Uint8Array(sab, CTRL_BYTES);
  }

  /** Blocks until a whole answer is there and returns its bytes. */
  read(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const parts = [];
    let total = 0;
    for (;;) {
      let state = Atomics.load(this.ctrl, 0);
      while (state === IDLE) {
        const left = deadline - Date.now();
        if (left <= 0) throw new ChannelClosed(`no answer within ${timeoutMs} ms`);
        Atomics.wait(this.ctrl, 0, IDLE, left);
        state = Atomics.load(this.ctrl, 0);
      }
      if (state === DEAD) throw new ChannelClosed("its thread exited");
      const n = this.ctrl[1];
      parts.push(this.data.slice(0, n));
      total += n;
      Atomics.store(this.ctrl, 0, IDLE);
      if (state === DONE) break;
      Atomics.notify(this.ctrl, 0);
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** The member thread's end. */
export class ChannelWriter {
  constructor(sab) {
    this.ctrl = new Int32Array(sab, 0, 4);
    this.data = new Uint8Array(sab, CTRL_BYTES);
  }

  write(bytes) {
    let at = 0;
    for (;;) {
      const n = Math.min(bytes.length - at, this.data.length);
      this.data.set(bytes.subarray(at, at + n));
      this.ctrl[1] = n;
      at += n;
      const last = at >= bytes.length;
      Atomics.store(this.ctrl, 0, last ? DONE : CHUNK);
      Atomics.notify(this.ctrl, 0);
      if (last) return;
      while (Atomics.load(this.ctrl, 0) === CHUNK) {
        if (Atomics.wait(this.ctrl, 0, CHUNK, WRITER_PATIENCE_MS) === "timed-out") throw new ChannelClosed("the caller stopped reading");
      }
    }
  }

  /** Wakes a blocked caller: this thread is going away. */
  dead() {
    Atomics.store(this.ctrl, 0, DEAD);
    Atomics.notify(this.ctrl, 0);
  }
}
