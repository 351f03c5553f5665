// A token group whose three members each run in their own Web Worker with
// their own IndexedDB database, hosted by a Worker in headless Chromium
// (the playground's arrangement): calls spread over the members, a member
// unplugged (its worker terminated) leaves no call failing, objects
// created and destroyed meanwhile reach it when it is plugged back, and
// every member ends with the same records. The page is served cross-origin
// isolated (COOP/COEP), which SharedArrayBuffer needs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serveRoots } from "../static-server.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));


let server, browser, origin;
before(async () => {
  server = await serveRoots({ "/pkg/": join(repo, "pkg"), "/fixtures/": join(repo, "tests", "e2e", "fixtures") }, { isolated: true });
  origin = server.origin;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("a group of three Web Worker members: spread, unplug, resync", { timeout: 120_000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await context.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort()));
    await page.goto(`${origin}/fixtures/group-workers.html`);
    await page.waitForFunction(() => window.ready === true && window.crossOriginIsolated === true, null, { timeout: 20_000 });
    const call = (op, ...args) => page.evaluate(([o, a]) => window.call(o, ...a), [op, args]);

    assert.match(await page.evaluate(() => window.mainThreadRefusal()), /TypeError: .*cannot be driven from a page's main thread/);

    const status = await call("open", "e2e");
    assert.deepEqual(status.members.map((m) => [m.state, m.thread]), [["live", true], ["live", true], ["live", true]]);
    await call("setUp");
    assert.equal(await call("sign", 60, false), 0, "synchronous calls (blocking on the members' answers)");
    assert.equal(await call("sign", 60, true), 0, "Async calls");
    const spread = await call("served");
    assert.ok(spread.every((n) => n > 10), `every member served (${spread})`);

    await call("unplug", 1); // its worker is terminated
    assert.equal((await call("status")).members[1].state, "disabled");
    assert.equal(await call("sign", 60, true), 0, "no call failed while a member was away");
    const kept = await call("create", "away", 10);
    const labels = await call("labels");
    assert.equal(labels.length, kept);

    await call("plug", 1);
    assert.deepEqual((await call("status")).members.map((m) => m.state), ["live", "live", "live"]);
    const records = await call("records");
    assert.deepEqual(records[1], records[0], "member 1 caught up");
    assert.deepEqual(records[2], records[0], "member 2 equals member 0");
    const events = await call("events");
    for (const e of ["disabled:1", "syncing:1", "rejoined:1"]) assert.ok(events.includes(e), `${e} in ${events}`);
    assert.deepEqual(await call("trace"), []);
    assert.equal(await call("close"), true);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
