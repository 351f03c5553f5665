// The module split in Debian's headless Chromium (issue 15, item 1): on a
// page's main thread, a sync call that needs the extra module before it is
// loaded throws a clear Pkcs11Error, changes nothing and starts the
// download; the Async form awaits it and succeeds; init({ extras: true })
// makes sync calls work from the start; a Worker loads it synchronously.
// The pages are tests/bundlers/split/. Needs `npm run build`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serveDir } from "../static-server.mjs";
import { CKF_SIGN, CKR_FUNCTION_FAILED } from "../../pkg/index.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));

let server, browser;
before(async () => {
  server = await serveDir(repo);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function run(mode) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const fetched = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname.split("/").pop()));
    await page.goto(`${server.origin}/tests/bundlers/split/index.html?mode=${mode}`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
    const result = await page.evaluate(() => window.result);
    assert.deepEqual(errors, []);
    assert.equal(result.error, undefined, result.error);
    return { result, fetched };
  } finally {
    await context.close();
  }
}

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
