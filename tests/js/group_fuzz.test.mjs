// Token groups under randomized faults: random operations (create, change,
// destroy, sign, encrypt, search, login and logout) mixed with random
// member losses (crash, storage failure, disable) and recoveries, checked
// after every step against a model of what the token must hold (whenever a
// member that took every write so far is live: a group brought back from
// all members lost by an older member shows that member's objects until a
// fresher one rejoins and the merge adds what it missed). A short
// seeded run is part of `npm test`; GROUP_SOAK=1 runs a long one (with a
// thread member); GROUP_SEED=<n> replays a seed. The seed is printed on
// failure. A second run lets tombstones age out after 5 writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { join } from "node:path";
import { mulberry32 } from "../../scripts/bench/seeded-random.mjs";
import {
  C,
  RW,
  USER_PIN,
  assertReplicas,
  dataObject,
  dirMember,
  findAll,
  groupConfig,
  mem,
  openGroup,
  rvName,
  slotOf,
  states,
  tempDir,
  tokenEcPair,
  userSession,
} from "./fixtures/group-helpers.mjs";

const SOAK = process.env.GROUP_SOAK === "1";
const STEPS = SOAK ? 4000 : 300;

async function run(seed, log, extra = {}) {
  const rand = mulberry32(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const tag = `fz${seed}`;
  // The soak's thread member keeps its token in a directory: a memory
  // store in a worker would die with the worker.
  const tmp = tempDir("pkcs11-wasm-fuzz-");
  const members = [mem(`${tag}-a`), mem(`${tag}-b`), SOAK ? dirMember(join(tmp.dir, "c"), true) : mem(`${tag}-c`)];
  const p = openGroup(groupConfig(members, {}, extra));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const { publicKey } = tokenEcPair(p, s, "fuzz signer");
  // A private key's handle ends at logout (5.6.10): found again after each login.
  const signer = () => findAll(p, s, [{ type: C.CKA_LABEL, value: "fuzz signer" }, { type: C.CKA_SIGN, value: true }])[0];
  const model = new Map(); // label -> value (token data objects)
  let next = 0;
  let loggedIn = true;
  const live = () => states(p, slot).filter((x) => x === "live").length;
  // fresh[i]: member i holds every write made so far.
  const fresh = [true, true, true];
  const liveIdx = () => states(p, slot).flatMap((x, i) => (x === "live" ? [i] : []));
  const liveFresh = () => liveIdx().some((i) => fresh[i]);
  const wrote = () => {
    const now = liveIdx();
    for (let i = 0; i < 3; i++) fresh[i] = now.includes(i);
  };
  const rejoin = async (i) => {
    const before = liveIdx();
    try {
      await p.enableMember(slot, i);
    } catch (e) {
      // A member cannot come back alone without the group's token.
      assert.equal(before.length, 0, `member ${i} did not rejoin a live group: ${e.message}`);
      return;
    }
    if (fresh[i] || before.some((j) => fresh[j])) for (const j of [...before, i]) fresh[j] = true;
  };
  const read = (h) => Buffer.from(p.C_GetAttributeValue(s, h, [{ type: C.CKA_VALUE }])[0].value).toString();
  const handleOf = (label) => findAll(p, s, [{ type: C.CKA_LABEL, value: label }]);

  /** The invariant: the group shows exactly the model (when a member lives). */
  const check = (step) => {
    if (!liveFresh()) return;
    const found = findAll(p, s, [{ type: C.CKA_CLASS, value: C.CKO_DATA }]);
    const seen = new Map(found.map((h) => [Buffer.from(p.C_GetAttributeValue(s, h, [{ type: C.CKA_LABEL }])[0].value).toString(), h]));
    const want = [...model.keys()].filter((l) => loggedIn || !l.startsWith("priv"));
    assert.deepEqual([...seen.keys()].sort(), want.sort(), `step ${step}: the objects`);
    for (const l of want) assert.equal(read(seen.get(l)), model.get(l), `step ${step}: value of ${l}`);
  };

  for (let step = 0; step < STEPS; step++) {
    const r = rand();
    const what = r < 0.12 ? "fault" : r < 0.24 ? "recover" : pick(["create", "create", "change", "destroy", "sign", "encrypt", "random", "relog"]);
    log(`${step} ${what} ${states(p, slot).join(",")}`);
    const noMember = live() === 0;
    let called = false; // the step called the token (not just the test's bookkeeping)
    try {
      switch (what) {
        case "fault": {
          const i = Math.floor(rand() * 3);
          const kind = pick(["crash", "storage", "disable"]);
          if (kind === "disable") p.disableMember(slot, i);
          else p.groupFault(slot, i, kind);
          break;
        }
        case "recover": {
          const away = states(p, slot).flatMap((x, i) => (x === "live" ? [] : [i]));
          if (away.length > 0) await rejoin(pick(away));
          break;
        }
        case "create": {
          const priv = loggedIn && rand() < 0.5;
          const label = `${priv ? "priv" : "pub"}-${next++}`;
          const value = crypto.randomBytes(8).toString("hex");
          if (!loggedIn || (live() > 0 && !liveFresh())) break;
          called = true;
          p.C_CreateObject(s, dataObject(label, value, { priv }));
          model.set(label, value);
          wrote();
          break;
        }
        case "change": {
          if (!loggedIn || model.size === 0 || (live() > 0 && !liveFresh())) break;
          const label = pick([...model.keys()]);
          const value = crypto.randomBytes(8).toString("hex");
          called = true;
          p.C_SetAttributeValue(s, handleOf(label)[0], [{ type: C.CKA_VALUE, value: Buffer.from(value) }]);
          model.set(label, value);
          wrote();
          break;
        }
        case "destroy": {
          if (!loggedIn || model.size === 0 || (live() > 0 && !liveFresh())) break;
          const label = pick([...model.keys()]);
          called = true;
          p.C_DestroyObject(s, handleOf(label)[0]);
          model.delete(label);
          wrote();
          break;
        }
        case "sign": {
          if (!loggedIn) break;
          called = true;
          p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, signer());
          const sig = rand() < 0.5 ? p.C_Sign(s, Buffer.from("x"), Buffer.alloc(64)) : await p.C_SignAsync(s, Buffer.from("x"), Buffer.alloc(64));
          p.C_VerifyInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, publicKey);
          assert.equal(p.C_Verify(s, Buffer.from("x"), sig), true);
          break;
        }
        case "encrypt": {
          called = true;
          p.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
          const d = p.C_Digest(s, Buffer.from("digest me"), Buffer.alloc(32));
          assert.deepEqual(Buffer.from(d), crypto.createHash("sha256").update("digest me").digest());
          break;
        }
        case "random":
          called = true;
          assert.equal(p.C_GenerateRandom(s, Buffer.alloc(16)).length, 16);
          break;
        case "relog":
          called = true;
          if (loggedIn) p.C_Logout(s);
          else p.C_Login(s, C.CKU_USER, USER_PIN);
          loggedIn = !loggedIn;
          break;
      }
      if (noMember && called) {
        // Nothing could have served it: every call must have failed.
        assert.fail(`step ${step}: ${what} succeeded with no member live`);
      }
    } catch (e) {
      const rv = rvName(e);
      if (!(live() === 0 && (rv === "CKR_DEVICE_REMOVED" || rv === "CKR_TOKEN_NOT_PRESENT")) && !(noMember && rv)) throw e;
    }
    check(step);
    if (step % 50 === 49) {
      // Fresh members first, so that each rejoin merges with a fresh one.
      const order = [0, 1, 2].sort((a, b) => fresh[b] - fresh[a]);
      for (let round = 0; round < 2; round++) for (const i of order) if (states(p, slot)[i] !== "live") await rejoin(i);
      assert.deepEqual(states(p, slot), ["live", "live", "live"], `step ${step}: every member back`);
      if (!loggedIn) {
        p.C_Login(s, C.CKU_USER, USER_PIN);
        loggedIn = true;
      }
      check(step);
      await assertReplicas(p, slot, [0, 1, 2], `step ${step}`);
    }
  }
  p.C_Finalize();
  tmp.remove();
}

/** One seeded run, its seed and last steps in the message if it fails. */
async function seeded(defaultSeed, extra) {
  const seed = Number(process.env.GROUP_SEED ?? (SOAK ? Date.now() % 1e9 : defaultSeed));
  const trail = [];
  try {
    await run(
      seed,
      (line) => {
        trail.push(line);
        if (trail.length > 20) trail.shift();
      },
      extra,
    );
  } catch (e) {
    e.message = `seed ${seed} (replay: GROUP_SEED=${seed}${SOAK ? " GROUP_SOAK=1" : ""} node --test ${new URL(import.meta.url).pathname}): ${e.message}\nlast steps:\n${trail.join("\n")}`;
    throw e;
  }
}

test(`randomized faults: ${STEPS} steps, invariants after each`, () => seeded(20261206));

// The same with tombstones deleted 5 writes after they are made
// (src/module/tombstones.rs): members lost and brought back across many
// prunings, and the merge rule for records a far-ahead copy no longer
// has; nothing destroyed may come back. Seeds 3 and 9 fail without that
// rule (a destroyed object comes back with a member that was away).
test(`randomized faults, tombstones aging out after 5 writes: ${STEPS} steps, seeds 3 and 9`, async () => {
  for (const seed of [3, 9]) await seeded(seed, { tombstoneWrites: 5 });
});
