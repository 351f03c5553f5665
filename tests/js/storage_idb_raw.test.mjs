// The raw IndexedDB calls of the token store (pkg-templates/src/storage/
// idb-raw.js) under Node with fake-indexeddb: put / delete / clear in one
// transaction, an unknown operation writes nothing, values come back as
// the Uint8Arrays written, deletion empties the database. (The token
// records going through them: storage_indexeddb.test.mjs; in a real
// browser: tests/e2e/idb_two_pages.test.mjs.)
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

// The source as the package bundles it (pkg-templates' .js files are ES
// modules only to the bundler).
const bundled = await esbuild.build({
  entryPoints: [fileURLToPath(new URL("../../pkg-templates/src/storage/idb-raw.js", import.meta.url))],
  bundle: true,
  format: "esm",
  write: false,
  logLevel: "error",
});
const { idb_delete, idb_get, idb_load, idb_write } = await import(
  "data:text/javascript;base64," + Buffer.from(bundled.outputFiles[0].text).toString("base64")
);

const fresh = (what) => `pkcs11-wasm-raw-${what}-${randomBytes(4).toString("hex")}`;
const bytes = (s) => new TextEncoder().encode(s);
const put = (key, value) => ({ op: "put", key, value: bytes(value) });
const del = (key) => ({ op: "delete", key });

/** Every record as [key, text], sorted by key; values must be Uint8Arrays. */
async function load(name) {
  const records = await idb_load(name);
  return records
    .map(({ key, value }) => {
      assert.ok(value instanceof Uint8Array, `${key}: stored as a Uint8Array`);
      return [key, new TextDecoder().decode(value)];
    })
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

test("records: put, delete and clear in transactions; an unknown operation writes nothing; delete", async () => {
  const name = fresh("ops");
  assert.deepEqual(await load(name), [], "a new database is empty");

  await idb_write(name, [put("meta", "m1"), put("o/a", "a1"), put("o/b", "b1")]);
  assert.deepEqual(await load(name), [["meta", "m1"], ["o/a", "a1"], ["o/b", "b1"]]);

  // Replace and delete together.
  await idb_write(name, [del("o/a"), put("o/b", "b2")]);
  assert.deepEqual(await load(name), [["meta", "m1"], ["o/b", "b2"]]);

  // C_InitToken's shape: clear, then the new token record.
  await idb_write(name, [{ op: "clear" }, put("meta", "m2"), put("counters", "c")]);
  assert.deepEqual(await load(name), [["counters", "c"], ["meta", "m2"]]);

  await assert.rejects(idb_write(name, [put("o/c", "c1"), { op: "bogus", key: "x" }]), /IndexedDB write: unknown operation/);
  assert.deepEqual(await load(name), [["counters", "c"], ["meta", "m2"]], "nothing of the refused write was stored");

  await idb_delete(name);
  assert.deepEqual(await load(name), [], "deleted");
});

test("records: idb_get returns the keys asked for, null for an absent one, skips non-strings", async () => {
  const name = fresh("get");
  await idb_write(name, [put("meta", "m"), put("o/a", "a")]);
  const found = await idb_get(name, ["o/a", "o/none", 7, "meta"]);
  assert.deepEqual(
    found.map(({ key, value }) => [key, value && new TextDecoder().decode(value)]),
    [["o/a", "a"], ["o/none", null], ["meta", "m"]],
  );
  await idb_delete(name);
});

test("records: a write IndexedDB refuses rejects naming the step and stores none of its operations", async () => {
  const name = fresh("fail");
  await idb_write(name, [put("meta", "m")]);
  // A value IndexedDB cannot clone (a function) fails the put.
  await assert.rejects(idb_write(name, [put("o/y", "y"), { op: "put", key: "o/x", value: () => 1 }]), /^Error: IndexedDB write: /);
  assert.deepEqual(await load(name), [["meta", "m"]]);
  await idb_delete(name);
});
