// The module split in Debian's headless Chromium (issue 15, item 1): on a
// page's main thread, a sync call that needs the extra module before it is
// loaded throws a clear Pkcs11Error, changes nothing and starts the
// download; the Async form awaits it and succeeds; init({ extras: true })
// makes sync calls work from the start; a Worker loads it synchronously.
// The pages are tests/bundlers/split/. Needs `npm run build`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CKF_SIGN, CKR_FUNCTION_FAILED } from "../../pkg/index.mjs";
import { repoPages } from "./fixtures/repo-pages.mjs";

const open = repoPages();
const run = (mode) => open(`/tests/bundlers/split/index.html?mode=${mode}`);

test("main thread, no preload: listed without the extra module, sync call fails clearly, Async form works", async () => {
  const { result, fetched } = await run("async");
  assert.equal(result.listed, true);
  assert.ok(result.info & CKF_SIGN);
  assert.equal(result.sync.pkcs11Error, true);
  assert.equal(result.sync.code, CKR_FUNCTION_FAILED);
  assert.match(result.sync.message, /C_GenerateKeyPair needs pkcs11-wasm's extra module .*preload\(\).*C_GenerateKeyPairAsync/s);
  assert.equal(result.objectsAdded, 0, "the failed call created nothing");
  assert.equal(result.async, true);
  assert.equal(fetched.filter((f) => f === "pkcs11_wasm_extra_bg.wasm").length, 1, "fetched once");
});

test("main thread, init({ extras: true }): sync calls work from the start", async () => {
  const { result } = await run("preload");
  assert.deepEqual(result.sync, { ok: true });
  assert.equal(result.async, true);
});

test("a Worker loads the extra module synchronously", async () => {
  const { result } = await run("worker");
  assert.deepEqual(result.worker, { ok: true });
});
