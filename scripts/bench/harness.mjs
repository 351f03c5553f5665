// Timing: runs one row's implementations interleaved (round r runs every
// implementation once, in an order shuffled for each round) so that a
// slow phase of a noisy machine hits all of them alike, then summarizes
// each one's per-op times (median and interquartile range) and the
// per-round paired ratios.
//
// Two clocks per sample: wall time, and this process's CPU time (user +
// system, all threads: WebCrypto's work on libuv's pool counts). On a
// machine busy with other work wall time mostly measures waiting for a
// core; CPU time does not. `setClock` picks the one the table shows; the
// JSON keeps both.
//
// An implementation of a row is one of:
//   { op(i), async?, before?(n), after?() }  one operation; timed in batches
//       of n calls (n chosen so a batch takes a few ms); before/after run
//       untimed around each batch (e.g. to destroy the keys it generated);
//   { round(warmup), warmupScale? }  returns { subRowId: {wall, cpu} ms per
//       op, ... } for several rows at once (the 1,000-object scenario,
//       start-up in child processes); round(true) is a discarded warm-up
//       that may do 1/warmupScale of the work.

import { mulberry32 } from "./seeded-random.mjs";

let primary = "wall";
/** "wall" or "cpu": the clock whose samples drive batches and the table. */
export function setClock(c) {
  primary = c;
}

// CPU time exists in Node only (browsers: NaN, and the clock is wall time).
const cpuMs =
  typeof process !== "undefined" && typeof process.cpuUsage === "function"
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => NaN;

/** A point in time on both clocks; `since(stamp, n)` = ms per op since. */
export const stamp = () => [performance.now(), cpuMs()];
export const since = (s, n = 1) => ({ wall: (performance.now() - s[0]) / n, cpu: (cpuMs() - s[1]) / n });

/** Linear-interpolated quantile of a sorted array. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** { median, p25, p75, min, max, n } of a list of numbers. */
export function summarize(values) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    p25: quantile(s, 0.25),
    p75: quantile(s, 0.75),
    min: s[0],
    max: s[s.length - 1],
    n: s.length,
  };
}

async function runBatch(impl, n) {
  if (impl.before) await impl.before(n);
  let t;
  let d;
  if (impl.async) {
    t = stamp();
    for (let i = 0; i < n; i++) await impl.op(i);
    d = since(t, n);
  } else {
    t = stamp();
    for (let i = 0; i < n; i++) impl.op(i);
    d = since(t, n);
  }
  if (impl.after) await impl.after();
  return d;
}

/**
 * Warms up and estimates wall ms per op: at least 2 calls and ~30 ms for
 * a first estimate, then batches of ~20 ms until they stop getting faster
 * (three in a row no more than 3% faster than the best so far, after at
 * least 100 ms and at most ~1.5 s). V8 runs wasm and JS first on a
 * baseline tier and moves hot functions to its optimizing tier on
 * background threads, one at a time: a row whose code is new to the
 * process (the first to sign with Ed25519, say) would otherwise time that
 * move in its first rounds. Every implementation of every row warms up
 * the same way. Batch sizes and round counts always follow wall time (it
 * is what bounds the run), whichever clock the table shows.
 */
async function calibrate(impl) {
  let calls = 0;
  let spent = 0;
  while (calls < 2 || (spent < 30 && calls < 10_000)) {
    const n = Math.max(1, Math.min(1000, calls));
    spent += (await runBatch(impl, n)).wall * n;
    calls += n;
  }
  let best = Math.max(spent / calls, 1e-5);
  const n = Math.max(1, Math.round(20 / best));
  for (let settled = 0, warm = 0; warm < 1500 && (warm < 100 || settled < 3); ) {
    const perOp = (await runBatch(impl, n)).wall;
    warm += perOp * n;
    settled = perOp < best * 0.97 ? 0 : settled + 1;
    best = Math.min(best, Math.max(perOp, 1e-5));
  }
  return best;
}

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/**
 * Measures one row: `impls` maps implementation name -> impl (see top).
 * `budgetMs` is the wall time to spend after calibration; rounds are clamped to
 * [minRounds, maxRounds]. Returns { rowId: { implName: { samples, stats,
 * other: { clock, samples, stats }, batch } } }, `samples` and `stats` on
 * the primary clock (several row ids for `round()` implementations).
 */
export async function measure(rowId, impls, { budgetMs = 3000, minRounds = 7, maxRounds = 31 } = {}) {
  const names = Object.keys(impls);
  const k = names.length;
  const samples = {}; // rowId -> name -> [{wall, cpu}]
  const put = (row, name, v) => ((samples[row] ??= {})[name] ??= []).push(v);
  const isRound = names.some((n) => typeof impls[n].round === "function");

  let rounds;
  const batch = {};
  if (isRound) {
    // A warm-up round per implementation, discarded, gives the cost
    // (`round(true)` may do 1/warmupScale of the work).
    let cost = 0;
    for (const name of names) {
      const t = stamp();
      await impls[name].round(true);
      cost += since(t).wall * (impls[name].warmupScale ?? 1);
    }
    rounds = clamp(Math.floor(budgetMs / Math.max(cost, 1e-3)), minRounds, maxRounds);
  } else {
    const est = {};
    for (const name of names) est[name] = await calibrate(impls[name]);
    // Batches long enough to drown the timer and loop, short enough to
    // give many rounds.
    const batchMs = clamp(budgetMs / (maxRounds * k), 2, 50);
    let cost = 0;
    for (const name of names) {
      batch[name] = Math.max(1, Math.round(batchMs / est[name]));
      cost += batch[name] * est[name];
    }
    rounds = clamp(Math.floor(budgetMs / Math.max(cost, 1e-3)), minRounds, maxRounds);
  }

  const random = mulberry32(0x9e3779b9); // the same orders in every run
  for (let r = 0; r < rounds; r++) {
    for (const name of shuffled(names, random)) {
      const impl = impls[name];
      if (isRound) {
        const got = await impl.round(false);
        for (const [row, v] of Object.entries(got)) put(row, name, v);
      } else {
        put(rowId, name, await runBatch(impl, batch[name]));
      }
    }
  }

  const secondary = primary === "wall" ? "cpu" : "wall";
  const out = {};
  for (const [row, byName] of Object.entries(samples)) {
    out[row] = {};
    for (const [name, list] of Object.entries(byName)) {
      const main = list.map((v) => v[primary]);
      const alt = list.map((v) => v[secondary]);
      out[row][name] = {
        clock: primary,
        samples: main,
        stats: summarize(main),
        other: { clock: secondary, samples: alt, stats: summarize(alt) },
        batch: batch[name] ?? 1,
      };
    }
  }
  return out;
}

/**
 * The names in a random order (Fisher-Yates). Shuffled rather than
 * rotated: a rotation keeps the cycle, so one implementation runs right
 * after the same other one in every round but one. What a batch leaves
 * behind can slow the next: after node-forge's Ed25519 batches, ours and
 * libsodium.js's both ran ~35% slower (50-62 µs against 37-46 µs), and
 * the rotation put ours there in 3 rounds of 4 and libsodium.js in 1.
 */
function shuffled(names, random) {
  const out = [...names];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * ours / other from the samples of the same rounds (paired), so a noisy
 * stretch that slowed one round slows both sides of its ratio.
 */
export function pairedRatio(ours, other) {
  const n = Math.min(ours.samples.length, other.samples.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(ours.samples[i] / other.samples[i]);
  return summarize(ratios);
}
