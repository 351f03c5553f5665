// Progress of slow steps on stderr: PIN key derivation (PBKDF2 at 600,000
// iterations), RSA-4096 generation, large inputs. Shown on a terminal, or
// anywhere with --progress; never with --no-progress.
// The token's calls are synchronous and hold the main thread, so a
// terminal spinner runs in a worker thread writing straight to fd 2; it
// draws only once a step has lasted 200 ms, so quick steps stay silent.
import { writeSync } from "node:fs";

const SPINNER = `
const { workerData: { label, delay, drawn } } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const frames = "|/-\\\\";
const start = Date.now();
let i = 0;
setTimeout(function tick() {
  Atomics.store(drawn, 0, 1);
  const s = ((Date.now() - start) / 1000).toFixed(1);
  writeSync(2, "\\r" + frames[i++ % 4] + " " + label + " " + s + " s\\x1b[K");
  setTimeout(tick, 100);
}, delay);
`;

const seconds = (t0) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;

export class Progress {
  /** mode: "tty" (spinner), "plain" (a line before and after), "off". */
  constructor(mode) {
    this.mode = mode;
  }

  static from(opts) {
    const tty = process.stderr.isTTY === true;
    if (opts.noProgress) return new Progress("off");
    if (opts.progress) return new Progress(tty ? "tty" : "plain");
    return new Progress(tty ? "tty" : "off");
  }

  /** Runs `fn` (sync or async) as a step named `label`; returns its result. */
  async step(label, fn) {
    if (this.mode === "off") return fn();
    const t0 = performance.now();
    if (this.mode === "plain") {
      writeSync(2, `${label}...\n`);
      const result = await fn();
      writeSync(2, `${label}: done (${seconds(t0)})\n`);
      return result;
    }
    const { Worker } = await import("node:worker_threads"); // only on a terminal
    const drawn = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(SPINNER, { eval: true, workerData: { label, delay: 200, drawn } });
    worker.unref();
    try {
      return await fn();
    } finally {
      await worker.terminate();
      if (Atomics.load(drawn, 0)) writeSync(2, `\r\x1b[K${label}: done (${seconds(t0)})\n`);
    }
  }

  /** A counter for loops: tick(done) redraws at most every 100 ms. */
  counter(label, total, unit = "") {
    if (this.mode === "off") return { tick() {}, done() {} };
    const t0 = performance.now();
    let last = 0;
    const show = (n) => {
      const pct = total ? ` ${Math.floor((100 * n) / total)}%` : "";
      return `${label}${pct} (${fmt(n, unit)}${total ? ` of ${fmt(total, unit)}` : ""})`;
    };
    return {
      tick: (n) => {
        const now = performance.now();
        if (this.mode !== "tty" || now - last < 100) return;
        last = now;
        writeSync(2, `\r${show(n)}\x1b[K`);
      },
      done: (n = total) => {
        writeSync(2, `${this.mode === "tty" ? "\r\x1b[K" : ""}${show(n)}: done (${seconds(t0)})\n`);
      },
    };
  }
}

function fmt(n, unit) {
  if (unit !== "bytes") return String(n);
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
