#!/usr/bin/env node
// Token-group rows of the benchmark (issue 12), in their own process:
//   group.call.local   one single-part call (AES-256-GCM encrypt 64 B,
//                      Init + Encrypt, a token key) through a group of 2
//                      in-thread members vs a plain slot (target <= 1.2x)
//   group.call.thread  the same through a group of 2 thread members (each
//                      synchronous call crosses to a worker and back)
//   group.rsa.*        RSA-2048 PKCS#1 v1.5 signatures (SHA-256) with 8
//                      C_SignAsync calls in flight: a plain slot (its Async
//                      forms run on the caller's thread), a group of 1 and
//                      of 2 thread members (target: 2 members >= 1.7x the
//                      throughput of 1), and SoftHSM's C_SignAsync through
//                      pkcs11js (libuv's thread pool)
// Throughput rows are wall time whatever the bench's clock (CPU time would
// hide the parallelism they measure). Run by run.mjs (hook at its end), or
// alone: node scripts/bench/group.mjs [--quick] [--no-softhsm] [--pkg DIR]
// [--json]. Prints a table, or with --json the result as the last line.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { alloc, random } from "./data.mjs";
import { measure, pairedRatio, since, stamp } from "./harness.mjs";
import { initToken, workSession } from "./pkcs11-rows.mjs";
import { available, slotByLabel, USER_PIN } from "./softhsm.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const option = (n, d) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : d);
const scale = flag("--quick") ? 0.25 : 1;
const pkgDir = resolve(process.env.BENCH_PKG ?? option("--pkg", join(root, "pkg")));
const log = (...a) => console.error("[bench group]", ...a);
const ours = createRequire(join(pkgDir, "index.cjs"))(join(pkgDir, "index.cjs"));
const C = ours;
const SO = "bench-so-5678";
const IN_FLIGHT = 8;
const PER_ROUND = 48;

const tmp = mkdtempSync(join(os.tmpdir(), "pkcs11-wasm-bench-group-"));
const opened = [];
process.on("exit", () => {
  for (const p of opened) {
    try {
      p.close();
    } catch {}
  }
  rmSync(tmp, { recursive: true, force: true });
});

/** A PKCS11 instance on `slots[0]` with an initialized token and a user session. */
function open(slot0, label) {
  const p = new ours.PKCS11({ kdfIterations: "insecure-test", slots: [slot0] });
  p.ongroupevent = null;
  p.C_Initialize();
  opened.push(p);
  const [slot] = p.C_GetSlotList(true);
  initToken(p, C, slot, label, SO, USER_PIN);
  return { p, slot, session: workSession(p, C, slot, USER_PIN) };
}

const group = (n, thread, tag) => ({
  group: { members: Array.from({ length: n }, (_, i) => ({ storage: { directory: join(tmp, `${tag}-${i}`) }, thread })) },
});

/** One AES-GCM 64-byte encryption with a token key (Init + Encrypt). */
function gcmRow({ p, session }) {
  const key = p.C_CreateObject(session, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_VALUE, value: random(32) },
    { type: C.CKA_ENCRYPT, value: true },
  ]);
  const mech = { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv: random(12), tagBits: 128 } };
  const data = random(64);
  const out = alloc(80);
  return {
    op: () => {
      p.C_EncryptInit(session, mech, key);
      p.C_Encrypt(session, data, out);
    },
  };
}

/** Sessions, each with SignInit + await C_SignAsync in a loop: ms per signature. */
function rsaThroughput(p11, slot, label, s = workSession(p11, C, slot, USER_PIN)) {
  const { privateKey } = p11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [
      { type: C.CKA_TOKEN, value: true },
      { type: C.CKA_LABEL, value: label },
      { type: C.CKA_MODULUS_BITS, value: 2048 },
      { type: C.CKA_PUBLIC_EXPONENT, value: Uint8Array.from([1, 0, 1]) },
      { type: C.CKA_VERIFY, value: true },
    ],
    [
      { type: C.CKA_TOKEN, value: true },
      { type: C.CKA_LABEL, value: label },
      { type: C.CKA_PRIVATE, value: true },
      { type: C.CKA_SENSITIVE, value: true },
      { type: C.CKA_SIGN, value: true },
    ],
  );
  const sessions = Array.from({ length: IN_FLIGHT }, () => p11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION));
  const mech = { mechanism: C.CKM_SHA256_RSA_PKCS };
  const msg = random(32);
  const signs = async (n) => {
    await Promise.all(
      sessions.map(async (x) => {
        const sig = alloc(256);
        for (let i = 0; i < n / IN_FLIGHT; i++) {
          p11.C_SignInit(x, mech, privateKey);
          await p11.C_SignAsync(x, msg, sig);
        }
      }),
    );
  };
  return {
    round: async (warmup) => {
      // The warm-up also lets the workers' wasm tier up on these code paths.
      const n = warmup ? IN_FLIGHT * 4 : PER_ROUND;
      const t = stamp();
      await signs(n);
      return { [label]: since(t, n) };
    },
  };
}

/** SoftHSM signing one call at a time (C_SignInit + C_Sign): the control row. */
function rsaSerial(p11, slot) {
  const s = p11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION); // (logged in by rsaThroughput)
  const [privateKey] = (() => {
    p11.C_FindObjectsInit(s, [{ type: C.CKA_LABEL, value: "softhsm" }, { type: C.CKA_SIGN, value: true }]);
    const found = p11.C_FindObjects(s, 1);
    p11.C_FindObjectsFinal(s);
    return found;
  })();
  const mech = { mechanism: C.CKM_SHA256_RSA_PKCS };
  const msg = random(32);
  const sig = alloc(256);
  return {
    round: async (warmup) => {
      const n = warmup ? IN_FLIGHT : PER_ROUND;
      const t = stamp();
      for (let i = 0; i < n; i++) {
        p11.C_SignInit(s, mech, privateKey);
        p11.C_Sign(s, msg, sig);
      }
      return { softhsmSerial: since(t, n) };
    },
  };
}

/**
 * The machine's own control: the same pure computation in one worker, then
 * split over two. About 2x when two cores are free for this process; near
 * 1x on a machine busy with other work (then no throughput row can show
 * parallel members either). Median of 3.
 */
async function parallelism() {
  const { Worker } = await import("node:worker_threads");
  const code = `require("node:worker_threads").parentPort.on("message", (n) => { let x = 0; for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0; require("node:worker_threads").parentPort.postMessage(x); });`;
  const ws = [0, 1].map(() => new Worker(code, { eval: true }));
  const run = (list, n) => Promise.all(list.map((w) => new Promise((r) => (w.once("message", r), w.postMessage(n)))));
  await run(ws, 1e7);
  const out = [];
  for (let k = 0; k < 3; k++) {
    let t = performance.now();
    await run(ws.slice(0, 1), 1e8);
    const one = performance.now() - t;
    t = performance.now();
    await run(ws, 5e7);
    out.push(one / (performance.now() - t));
  }
  for (const w of ws) w.terminate();
  return out.sort((a, b) => a - b)[1];
}

/** Stats on wall time whatever the primary clock was. */
const wall = (r) => (r.clock === "wall" ? r : { ...r.other, batch: r.batch });

const rows = [];
const result = { rows, inFlight: IN_FLIGHT, nproc: os.availableParallelism?.() ?? os.cpus().length, skipped: {} };

// --- per-call overhead ---
log("per-call overhead: a plain slot and groups of 2 (in-thread, thread members)");
const plain = open({ storage: { directory: join(tmp, "plain") } }, "plain");
const local = open(group(2, false, "local"), "group-local");
const thread = open(group(2, true, "thread"), "group-thread");
const calls = await measure("group.call", { plain: gcmRow(plain), local: gcmRow(local), thread: gcmRow(thread) }, { budgetMs: 6000 * scale, minRounds: 7 });
const byName = calls["group.call"];
const overheadRow = (id, name, label, target) => ({
  id,
  label,
  group: wall(byName[name]).stats,
  plain: wall(byName.plain).stats,
  ratio: pairedRatio(wall(byName[name]), wall(byName.plain)),
  target,
});
rows.push(overheadRow("group.call.local", "local", "AES-256-GCM encrypt 64 B (Init + Encrypt), token key: group of 2 in-thread members vs a plain slot", { max: 1.2 }));
rows.push(overheadRow("group.call.thread", "thread", "the same through a group of 2 thread members (every call crosses to a worker and back)"));

// --- RSA-2048 signing throughput with C_SignAsync calls in flight ---
log(`RSA-2048 signatures, ${IN_FLIGHT} C_SignAsync calls in flight: a plain slot, groups of 1 and 2 thread members, SoftHSM`);
const one = open(group(1, true, "one"), "group-one");
const impls = {
  plain: rsaThroughput(plain.p, plain.slot, "plain", plain.session),
  one: rsaThroughput(one.p, one.slot, "one", one.session),
  two: rsaThroughput(thread.p, thread.slot, "two", thread.session),
};
if (flag("--no-softhsm")) result.skipped.SoftHSM = "--no-softhsm";
else {
  const softhsm = available(root, log);
  if (!softhsm.lib) {
    result.skipped.SoftHSM = softhsm.why;
    log(`SoftHSM skipped: ${softhsm.why}`);
  } else {
    // Several calls at once on libuv's pool: SoftHSM must lock (CKF_OS_LOCKING_OK).
    process.env.SOFTHSM2_CONF = softhsm.conf.main;
    const p11 = new softhsm.pkcs11js.PKCS11();
    p11.load(softhsm.lib);
    p11.C_Initialize({ flags: C.CKF_OS_LOCKING_OK });
    const slot = slotByLabel(p11, "bench-work");
    impls.softhsm = rsaThroughput(p11, slot, "softhsm");
    // The control: SoftHSM one call at a time. Its gain from calls in
    // flight shows how many cores this process really had.
    impls.softhsmSerial = rsaSerial(p11, slot);
    result.softhsm = `SoftHSM ${softhsm.version ?? "v2"} via pkcs11js ${softhsm.pkcs11jsVersion ?? ""} (C_SignAsync on libuv's thread pool, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 4})`;
  }
}
// Each implementation's round reports under its own key: one row each.
const got = {};
for (const [name, impl] of Object.entries(impls)) {
  got[name] = { round: async (w) => ({ "group.rsa": Object.values(await impl.round(w))[0] }) };
}
const rsa = (await measure("group.rsa", got, { budgetMs: 12000 * scale, minRounds: 5, maxRounds: 15 }))["group.rsa"];
const perSig = (name) => wall(rsa[name]).stats;
const inFlight = `RSA-2048 sign, ${IN_FLIGHT} C_SignAsync in flight`;
for (const [name, label] of [
  ["plain", `${inFlight}: a plain slot (its Async forms compute on the caller's thread)`],
  ["one", `${inFlight}: a group of 1 thread member`],
  ["two", `${inFlight}: a group of 2 thread members`],
  ["softhsm", `${inFlight}: SoftHSM, C_SignAsync through pkcs11js`],
  ["softhsmSerial", "RSA-2048 sign, one C_Sign at a time: SoftHSM (the control)"],
]) {
  if (!rsa[name]) continue;
  rows.push({ id: `group.rsa.${name}`, label, perSignature: perSig(name), perSecond: 1000 / perSig(name).median });
}
result.speedup = { twoOverOne: pairedRatio(wall(rsa.one), wall(rsa.two)), target: { min: 1.7 } };
if (rsa.softhsm) {
  result.speedup.twoOverSoftHSM = pairedRatio(wall(rsa.softhsm), wall(rsa.two));
  result.speedup.softhsmInFlight = pairedRatio(wall(rsa.softhsmSerial), wall(rsa.softhsm));
}
result.loadavg = os.loadavg().map((v) => +v.toFixed(2));
result.machineParallelism = await parallelism();

if (flag("--json")) console.log(JSON.stringify(result));
else {
  const { groupReport } = await import("./group-report.mjs");
  console.log(groupReport(result, false));
}
process.exit(0);
