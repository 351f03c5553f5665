// A page that writes to an IndexedDB token, ends with a synchronous
// C_Finalize() (no await) and reloads at once keeps its writes (issue 11,
// item 4): the pagehide hook (pkg-templates/src/pagehide.js) commits what
// is still queued. Before it, 2 to 3 reloads in 10 lost everything
// (the token itself). Ten reloads in Debian's headless Chromium
// (playwright-core), each on a fresh database. Needs `npm run build`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serveDir } from "../static-server.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const RUNS = 10;
const OBJECTS = 20;

let server, browser;
before(async () => {
  server = await serveDir(repo); // the page imports /pkg/browser.mjs
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test(`sync C_Finalize() then reload: every write survives (${RUNS} reloads)`, async () => {
  const found = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${server.origin}/tests/bundlers/pagehide/index.html?db=pagehide-${i}&objects=${OBJECTS}`);
      await page.waitForFunction(() => window.result !== undefined, null, { timeout: 30_000 });
      const result = await page.evaluate(() => window.result);
      assert.deepEqual(errors, []);
      found.push(result.error ? `${result.found} (${result.error})` : result.found);
    } finally {
      await context.close();
    }
  }
  assert.deepEqual(found, Array(RUNS).fill(OBJECTS));
});
