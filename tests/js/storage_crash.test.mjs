// Crash test of the Node token directory (issue 3, durability): a child
// process writes token objects in a loop and is killed with SIGKILL at a
// random moment, round after round on the same directory. After every
// kill a fresh instance must open the token, find no torn object (every
// value matches its label, every key pair whole) and find every object
// whose write the child had acknowledged as durable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  C,
  attr,
  findAll,
  initToken,
  oneSlot,
  open,
  runChild,
  session,
  slotOf,
  tempDir,
  valueFor,
  walk,
} from "./fixtures/storage-helpers.mjs";

const ROUNDS = 12;

/** Waits for `ms`, or less if `done` settles first. */
const sleepOr = (ms, done) => Promise.race([new Promise((r) => setTimeout(r, ms)), done]);

/** Opens the token, checks it, returns the labels present. */
function verify(config, acked, round) {
  const p = open(config);
  try {
    const s = session(p, slotOf(p));
    const damaged = p.storageEvents.filter((e) => e.kind !== "write-failed");
    assert.deepEqual(damaged, [], `round ${round}: no damaged or refused record after the kill`);
    const labels = new Map();
    for (const h of findAll(p, s)) {
      const label = attr(p, s, h, C.CKA_LABEL).toString();
      labels.set(label, (labels.get(label) ?? 0) + 1);
      if (label.startsWith("obj-")) {
        assert.equal(attr(p, s, h, C.CKA_VALUE).toString("hex"), valueFor(label).toString("hex"), `round ${round}: ${label} is whole`);
        const n = Number(label.slice(4));
        assert.equal(attr(p, s, h, C.CKA_PRIVATE)[0], n % 2 === 0 ? 1 : 0, `round ${round}: ${label} privacy`);
      } else if (label.startsWith("pair-")) {
        const cls = Number(attr(p, s, h, C.CKA_CLASS).readBigUInt64LE(0));
        assert.ok([C.CKO_PUBLIC_KEY, C.CKO_PRIVATE_KEY].includes(cls), `round ${round}: ${label} is a key`);
      } else {
        assert.fail(`round ${round}: unexpected object ${label}`);
      }
    }
    for (const [label, n] of labels) {
      assert.equal(n, label.startsWith("pair-") ? 2 : 1, `round ${round}: ${label} present ${n} times (a key pair is both halves or neither)`);
    }
    for (const label of acked) assert.ok(labels.has(label), `round ${round}: acknowledged ${label} is present`);
    return labels;
  } finally {
    p.C_Finalize();
  }
}

test(`SIGKILL at random moments, ${ROUNDS} rounds: every reopen succeeds, nothing torn, nothing acknowledged lost`, { timeout: 90_000 }, async (t) => {
  const tmp = tempDir("pkcs11-wasm-crash-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "token");
  const config = oneSlot({ directory: dir });
  {
    const p = open(config);
    initToken(p, slotOf(p));
    p.C_Finalize();
  }

  const acked = new Set();
  let total = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let ready;
    const isReady = new Promise((r) => (ready = r));
    const { child, done } = runChild("crash-writer.mjs", [dir, String(round * 100_000)], {
      onLine: (line) => {
        if (line === "ready") ready();
        else if (line.startsWith("ack ")) acked.add(line.slice(4));
      },
    });
    // Kill 50-400 ms into the write loop (the child's start-up, loading
    // the wasm, takes longer than that and is not what we test).
    await Promise.race([isReady, done]);
    const delay = 50 + Math.floor(Math.random() * 350);
    await sleepOr(delay, done);
    child.kill("SIGKILL");
    const { signal, stderr } = await done;
    assert.equal(signal, "SIGKILL", `round ${round}: the writer was still running when killed (stderr: ${stderr})`);
    // What the kill interrupted (shown, not asserted: it varies by run).
    const leftovers = walk(dir).map((f) => f.rel).filter((n) => /(^|\/)(\.tmp-|journal-)/.test(n));
    const labels = verify(config, acked, round);
    total = labels.size;
    t.diagnostic(
      `round ${round}: killed after ${delay} ms; ${acked.size} acknowledged so far, ${labels.size} objects/pairs on disk; ` +
        `${leftovers.filter((n) => n.includes("journal-")).length} journal(s) and ${leftovers.filter((n) => n.includes(".tmp-")).length} temp file(s) left by the kill`,
    );
  }
  assert.ok(acked.size >= ROUNDS, `the writer acknowledged writes (${acked.size}), so the kills hit a busy writer`);
  assert.ok(total >= acked.size);
  // The store holds no stray journal once a reopen has recovered it.
  const left = walk(dir).map((f) => f.rel).filter((n) => /(^|\/)journal-/.test(n));
  assert.deepEqual(left, [], "journals are rolled forward and removed at reopen");
});
