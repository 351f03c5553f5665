// The named memory store's change detection (pkg-templates/src/storage/
// memory.js): an instance's own writes are not "changes" to look for, so
// a call after them costs no scan of the store; another instance's writes,
// before or after ours, are still reported. (Before, every call after a
// write compared the whole store: create/destroy cycles on a stored token
// slowed down with every tombstone, 2 s then 13, 23, 34, 64 s per 4,000.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

// The source is an ES module without imports, under a package that Node
// reads as CommonJS: load its text as a module.
const source = readFileSync(new URL("../../pkg-templates/src/storage/memory.js", import.meta.url), "utf8");
const { MemoryBackend } = await import(`data:text/javascript,${encodeURIComponent(source)}`);

const put = (key, value) => [{ op: "put", key, value }];

test("own writes leave nothing to poll; others' writes are reported, before or after ours", () => {
  const name = `poll-${randomBytes(4).toString("hex")}`;
  const a = new MemoryBackend(name);
  const b = new MemoryBackend(name);
  a.loadSync();
  b.loadSync();
  assert.equal(a.poll(), null, "nothing happened");

  a.enqueue(put("obj-1", new Uint8Array([1])));
  assert.equal(a.poll(), null, "A's own write is known to A");
  assert.deepEqual(b.poll().map((c) => c.key), ["obj-1"], "B sees A's write");

  b.enqueue(put("obj-2", new Uint8Array([2])));
  a.enqueue(put("obj-3", new Uint8Array([3]))); // before A looked at B's write
  assert.deepEqual(a.poll().map((c) => c.key), ["obj-2"], "A still sees B's write, and only it");
  assert.deepEqual(b.poll().map((c) => c.key), ["obj-3"], "B sees A's later write");
  assert.equal(a.poll(), null);
  assert.equal(b.poll(), null);

  b.enqueue([{ op: "delete", key: "obj-1" }]);
  assert.deepEqual(a.poll(), [{ key: "obj-1", value: null }], "a deletion is a change too");
});
