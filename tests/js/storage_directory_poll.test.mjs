// The token directory's check for other processes' writes before a call
// (storage/directory.js poll): with nothing changed it is one stat,
// whatever the number of writes a burst of calls has queued. Before, each
// call went through the whole write queue: C_DestroyObject on 8,000 token
// objects in a loop took 12 s (1.5 ms a call), against 0.2 s now. The
// work is counted, not timed: Set.prototype.add, which that walk called
// once per queued write, is counted during one call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dataObject, findAll, initToken, oneSlot, open, session, slotOf, tempDir } from "./fixtures/storage-helpers.mjs";

/** How many times Set.prototype.add runs during fn(). */
function countSetAdds(fn) {
  const add = Set.prototype.add;
  let n = 0;
  Set.prototype.add = function (v) {
    n++;
    return add.call(this, v);
  };
  try {
    fn();
  } finally {
    Set.prototype.add = add;
  }
  return n;
}

test("a call's check for others' writes does not grow with the queued writes", async () => {
  const t = tempDir();
  try {
    const p = open(oneSlot({ directory: t.dir }));
    const slot = slotOf(p);
    initToken(p, slot);
    const s = session(p, slot);
    // One synchronous burst: every write stays queued until the event
    // loop runs.
    const made = [];
    for (let i = 0; i < 2000; i++) made.push(p.C_CreateObject(s, dataObject(`o${i}`, `v${i}`)));
    const adds = countSetAdds(() => p.C_DestroyObject(s, made.pop()));
    assert.ok(adds < 200, `${adds} Set.add calls in one C_DestroyObject with ~2,000 writes queued`);

    // Still right: the writes land, and a second instance sees them.
    for (const h of made.splice(0, 1000)) p.C_DestroyObject(s, h);
    await p.flush();
    const q = open(oneSlot({ directory: t.dir }));
    const qs = session(q, slotOf(q));
    assert.equal(findAll(q, qs).length, 999);
    // And the first sees the second's writes at its next call.
    q.C_DestroyObject(qs, findAll(q, qs)[0]);
    await q.flush();
    assert.equal(findAll(p, s).length, 998);
    q.C_Finalize();
    p.C_Finalize();
  } finally {
    t.remove();
  }
});
