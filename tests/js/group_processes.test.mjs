// Token groups: several applications (three processes) on one group
// configuration create and destroy token objects at the same time; every
// member ends with every object (nothing lost, nothing destroyed back) and
// byte-identical records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  assertReplicas,
  dirMember,
  findAll,
  groupConfig,
  openGroup,
  runChild,
  slotOf,
  tempDir,
  userSession,
} from "./fixtures/group-helpers.mjs";

const COUNT = 40;

test("three processes on one group configuration: concurrent creates, nothing lost", async () => {
  const tmp = tempDir("pkcs11-wasm-group-");
  try {
    const conf = join(tmp.dir, "group.json");
    writeFileSync(conf, JSON.stringify(groupConfig(["a", "b", "c"].map((x) => dirMember(join(tmp.dir, x))))));
    const p = openGroup(conf);
    const slot = slotOf(p);
    userSession(p, slot);
    p.C_Finalize();

    const start = Date.now() + 1500;
    const writers = ["w1", "w2", "w3"].map((prefix) => {
      const lines = [];
      const run = runChild("group-writer.mjs", [prefix, String(COUNT), String(start)], { env: { PKCS11_WASM_CONF: conf }, onLine: (l) => lines.push(l) });
      return { prefix, lines, run };
    });
    for (const w of writers) {
      const { code, stderr } = await w.run.done;
      assert.equal(code, 0, `${w.prefix} exited with ${code}: ${stderr}`);
      assert.ok(w.lines.includes("done"), `${w.prefix}: ${w.lines.join(" | ")}`);
      assert.ok(w.lines.includes(`sees ${COUNT - COUNT / 5}`), `${w.prefix} saw its own objects: ${w.lines.join(" | ")}`);
      assert.ok(!w.lines.some((l) => l.startsWith("event lost")), `${w.prefix} lost no member: ${w.lines.join(" | ")}`);
    }

    const q = openGroup(conf);
    const s = q.C_OpenSession(slot, 6);
    q.C_Login(s, C.CKU_USER, "user-pin-1234");
    const labels = findAll(q, s).map((h) => Buffer.from(q.C_GetAttributeValue(s, h, [{ type: C.CKA_LABEL }])[0].value).toString());
    const expected = [];
    for (const w of ["w1", "w2", "w3"]) for (let i = 0; i < COUNT; i++) if (i % 5 !== 4) expected.push(`${w}-${i}`);
    assert.deepEqual(labels.sort(), expected.sort(), "every object created and not destroyed, once");
    const records = await assertReplicas(q, slot, [0, 1, 2], "after three writers");
    assert.equal([...records.keys()].filter((k) => k.startsWith("o/")).length, 3 * COUNT, "objects and tombstones");
    q.C_Finalize();
  } finally {
    tmp.remove();
  }
});
