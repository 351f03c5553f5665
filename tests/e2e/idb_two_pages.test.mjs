// Two pages of one origin on one IndexedDB token (issue 3), in Debian's
// headless Chromium through playwright-core: each page sees the other's
// token initialization, created and destroyed objects, private ones
// included, without reloading. Pages use the browser build
// (pkg/browser.mjs), served with the fixture page by a static server
// started here on a free port. Needs `npm run build` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serveRoots } from "../static-server.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const SO_PIN = "so-pin-1234";
const USER_PIN = "user-pin-1234";

let server, browser, origin;
before(async () => {
  server = await serveRoots({ "/pkg/": join(repo, "pkg"), "/fixtures/": join(repo, "tests", "e2e", "fixtures") });
  origin = server.origin;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page of the fixture with the token opened (C_InitializeAsync). */
async function openPage(context, name) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && errors.push(`${name}: ${m.text()}`));
  await page.goto(`${origin}/fixtures/idb-two-pages.html`);
  await page.waitForFunction(() => window.ready === true);
  await page.evaluate(() => window.api.open());
  return { page, errors };
}

/** Waits (polling in the page) until `page` sees exactly `want` objects. */
async function waitForObjects(page, want, what) {
  try {
    await page.waitForFunction((w) => JSON.stringify(window.api.objects()) === JSON.stringify(w), want, { timeout: 10_000, polling: 50 });
  } catch {
    assert.deepEqual(await page.evaluate(() => window.api.objects()), want, `timed out waiting for ${what}`);
  }
}

test("two pages of one origin on one IndexedDB token see each other's objects", { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  try {
    const a = await openPage(context, "A");
    const b = await openPage(context, "B");
    assert.equal(await b.page.evaluate(() => window.api.initialized()), false, "a fresh profile has no token yet");

    // A initializes the token; B, already open, sees it.
    await a.page.evaluate(([so, user]) => window.api.initToken(so, user), [SO_PIN, USER_PIN]);
    await b.page.waitForFunction(() => window.api.initialized(), null, { timeout: 10_000, polling: 50 });
    await a.page.evaluate((pin) => window.api.login(pin), USER_PIN);
    await b.page.evaluate((pin) => window.api.login(pin), USER_PIN);

    // A -> B, a public and a private object.
    await a.page.evaluate(() => window.api.create("from-a", "value-a", false));
    await a.page.evaluate(() => window.api.create("secret-from-a", "hidden-a", true));
    await waitForObjects(b.page, ["from-a=value-a", "secret-from-a=hidden-a"], "B to see A's objects");

    // B -> A.
    await b.page.evaluate(() => window.api.create("from-b", "value-b", true));
    await waitForObjects(a.page, ["from-a=value-a", "from-b=value-b", "secret-from-a=hidden-a"], "A to see B's object");

    // Destruction both ways.
    await b.page.evaluate(() => window.api.destroy("from-a"));
    await waitForObjects(a.page, ["from-b=value-b", "secret-from-a=hidden-a"], "A to see B's destruction");
    await a.page.evaluate(() => window.api.destroy("from-b"));
    await waitForObjects(b.page, ["secret-from-a=hidden-a"], "B to see A's destruction");

    // A third page opened now loads the same token from IndexedDB.
    const c = await openPage(context, "C");
    await c.page.evaluate((pin) => window.api.login(pin), USER_PIN);
    assert.deepEqual(await c.page.evaluate(() => window.api.objects()), ["secret-from-a=hidden-a"]);

    for (const p of [a, b, c]) {
      assert.deepEqual(await p.page.evaluate(() => window.api.events()), [], "no storage events");
      assert.deepEqual(p.errors, [], "no page errors");
    }
  } finally {
    await context.close();
  }
});
