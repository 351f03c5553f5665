// Lesson 11 (many applications, many HSMs) in the playground: slot 2 is a
// token group of three members, each in its own Web Worker with its own
// IndexedDB database (the page is cross-origin isolated for them). The
// stream of signatures is served by all three members; after one is
// unplugged the rest of the stream has no failure and never reaches it;
// its multi-part operation ends with CKR_DEVICE_ERROR, explained; plugged
// back, it is live and holds the same records as the others. The member
// panel and the trace say the same. axe-core at 1280×800 and 420×900, with
// screenshots of the lesson (mid-stream and complete) at both sizes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { useEnv, assertClean, openPage, openLesson, openAction, runStep, showPanel, axeSerious, runExported, shots } from "./harness.mjs";

const env = useEnv();
const WIDE = { width: 1280, height: 800 };
const PHONE = { width: 420, height: 900 };

/** The learner's calls of lesson 11's step `n`: [{ fn, rv, members: [index], seq }]. */
function stepCalls(page, n) {
  return page.$$eval("#trace-list > li.call", (lis, origin) => lis
    .filter((li) => li.querySelector(".origin")?.textContent === origin)
    .map((li) => ({ fn: li.dataset.fn, rv: li.dataset.rv, members: li.dataset.members ? li.dataset.members.split(",").map(Number) : [], seq: Number(li.querySelector(".seq").textContent) })), `lesson 11 · step ${n}`);
}

/** The Members card: [{ state, fingerprint, records }] by member. */
function members(page) {
  return page.$$eval(".card.members li.member", (lis) => lis.map((li) => ({
    state: li.dataset.state,
    fingerprint: li.querySelector('[data-k="fingerprint"]').textContent,
    records: li.querySelector('[data-k="records"]').textContent,
  })));
}

async function run(page, title) {
  const k = await runStep(page);
  const err = page.locator(`.step[data-step="${k}"] .step-error`);
  if (await err.count()) assert.fail(`step ${k + 1} (${title}) failed: ${await err.innerText()}`);
  return k;
}

test("lesson 11: a stream spread over three members, one unplugged without a failed call, resynced", { timeout: 90_000 }, async () => {
  const p = await openPage(env(), WIDE);
  const { page } = p;
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, "the page is cross-origin isolated (COOP + COEP)");
  await openLesson(page, 11);
  assert.equal(await page.locator(".lesson-head h3").innerText(), "Many applications, many HSMs");
  // The lesson links the spec and the README's section on groups (served locally).
  assert.ok((await page.locator(".spec-line a.spec").count()) > 5);
  const readme = await page.evaluate(async () => {
    const r = await fetch(document.querySelector('.spec-line a[href="/README.md"]').href);
    return { status: r.status, text: await r.text() };
  });
  assert.equal(readme.status, 200);
  assert.match(readme.text, /^## Groups$/m);

  // 1-3: the slot, the token on every member, the keys copied.
  for (const t of ["one slot", "token", "keys"]) await run(page, t);
  assert.match(await page.locator('.step[data-step="0"] .outcome').innerText(), /member 0 live in its own Web Worker, member 1 live in its own Web Worker, member 2 live/);
  assert.match(await page.locator('.step[data-step="2"] .outcome').innerText(), /All 3 members hold the same \d+ records, byte for byte/);

  // 4: sixty signatures, served by all three members.
  await run(page, "stream");
  const stream = (await stepCalls(page, 4)).filter((c) => c.fn === "C_SignAsync");
  assert.equal(stream.length, 60);
  assert.ok(stream.every((c) => c.rv === "CKR_OK"), "every signature succeeded");
  const spread = [0, 1, 2].map((m) => stream.filter((c) => c.members[0] === m).length);
  assert.ok(spread.every((n) => n > 0), `every member served some: ${spread}`);
  assert.equal(spread.reduce((a, b) => a + b), 60, "the trace names the member of every signature");
  // A deferred Init says so in the trace.
  assert.ok((await page.locator('#trace-list li.call[data-fn="C_SignInit"] .served').count()) > 0);

  // 5: the multi-part operation's member; 6: unplugged after 20 answers of a new stream.
  await run(page, "multi-part");
  const update = (await stepCalls(page, 5)).filter((c) => c.fn === "C_SignUpdate").at(-1);
  assert.equal(update.members.length, 1);
  const [m] = update.members;
  // Mid-stream pictures: the meter in the lesson, the member panel beside it.
  await page.click(".step.current [data-run-step]");
  await page.waitForFunction(() => Number(/(\d+) answered/.exec(document.querySelector(".progress .meter-total")?.textContent ?? "")?.[1]) >= 30, null, { timeout: 30_000 });
  await page.screenshot({ path: join(shots, "lesson-11-mid-stream-1280x800.png") });
  await page.waitForSelector('.step[data-step="5"].done, .step[data-step="5"] .step-error', { timeout: 30_000 });
  assert.equal(await page.locator('.step[data-step="5"] .step-error').count(), 0, "step 6 succeeded");
  const six = await stepCalls(page, 6);
  const unplug = six.find((c) => c.fn === "disableMember");
  assert.ok(unplug && unplug.rv === "CKR_OK", "the member was unplugged during the stream");
  const signs = six.filter((c) => c.fn === "C_SignAsync");
  assert.equal(signs.length, 60);
  const after = signs.filter((c) => c.seq > unplug.seq);
  assert.ok(after.length >= 30, `${after.length} signatures after the unplug`);
  assert.deepEqual(six.filter((c) => c.rv !== "CKR_OK"), [], "no call of the stream failed");
  assert.deepEqual(after.filter((c) => c.members.includes(m)), [], `no signature from member ${m} once unplugged`);
  assert.equal((await members(page))[m].state, "disabled");

  // 7: the multi-part operation on the lost member: CKR_DEVICE_ERROR, explained; the session signs again.
  await run(page, "lost operation");
  const final = page.locator('#trace-list li.call[data-fn="C_SignFinal"]');
  assert.equal(await final.getAttribute("data-rv"), "CKR_DEVICE_ERROR");
  assert.match(await final.locator(".explain").innerText(), /token group[\s\S]*multi-part operation lived on one member[\s\S]*session stays usable/);
  assert.equal((await stepCalls(page, 7)).at(-1).rv, "CKR_OK");

  // 8: the token changes while the member is away: its records fall behind.
  await run(page, "while away");
  const away = await members(page);
  assert.notEqual(away[m].fingerprint, away[(m + 1) % 3].fingerprint, "the unplugged member is behind");
  assert.match(await page.locator('.step[data-step="7"] .outcome').innerText(), /“old key” is a tombstone of version \d+ on the live members, still a sealed key of version \d+/);

  // 9: plugged back: resync, then all three serve.
  await run(page, "resync");
  await page.waitForSelector(".complete");
  const back = await members(page);
  assert.deepEqual(back.map((x) => x.state), ["live", "live", "live"]);
  assert.ok(back[0].fingerprint && back.every((x) => x.fingerprint === back[0].fingerprint && x.records === back[0].records), `same records on every member: ${JSON.stringify(back)}`);
  assert.match(await page.locator('.step[data-step="8"] .outcome').innerText(), /syncing at \+\d+ ms, rejoined at \+\d+ ms[\s\S]*All 3 members hold the same/);
  const last = (await stepCalls(page, 9)).filter((c) => c.fn === "C_SignAsync");
  assert.equal(last.length, 30);
  assert.ok(last.some((c) => c.members[0] === m), `member ${m} serves again`);

  // "Copy all as JS": a Node program (the group's members in memory, the Async calls awaited) that runs.
  await page.click("#trace-copy-all");
  await page.waitForFunction(() => document.querySelector("#snippet-text").textContent.includes("enableMember"));
  const code = await page.locator("#snippet-text").textContent();
  assert.match(code, /\{ group: \{ members: \[\{ storage: \{ memory: "member-0" \} \}/);
  assert.match(code, /await pkcs11\.C_SignAsync\(/);
  const out = runExported(code);
  assert.match(out, /failed as in the playground: CKR_DEVICE_ERROR|succeeded here \(the playground got CKR_DEVICE_ERROR\)/);
  assert.equal((out.match(/^C_SignAsync: [0-9a-f]{512}$/gm) ?? []).length, 150, "every signature of the three streams");

  // Access and pictures at both sizes.
  const report = (await axeSerious(page)).map((v) => `1280: ${v}`);
  await page.screenshot({ path: join(shots, "lesson-11-complete-1280x800.png") });
  await page.setViewportSize(PHONE);
  await page.evaluate(() => window.scrollTo(0, 0));
  report.push(...(await axeSerious(page)).map((v) => `420: ${v}`));
  await page.screenshot({ path: join(shots, "lesson-11-complete-420x900.png") });
  await page.locator('.step[data-step="8"] .meter').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "lesson-11-meter-420x900.png") });
  await showPanel(page, "model");
  await page.locator(".card.members").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "lesson-11-members-420x900.png") });
  report.push(...(await axeSerious(page)).map((v) => `420, token panel: ${v}`));
  assert.deepEqual(report, [], "serious or critical axe violations");
  assertClean(p);
  await p.ctx.close();
});

test("the member panel unplugs and plugs back a member; with every member out the slot has no token", { timeout: 60_000 }, async () => {
  const p = await openPage(env(), PHONE);
  const { page } = p;
  await showPanel(page, "model");
  const button = (i) => page.locator(`.card.members li.member[data-member="${i}"] [data-k="toggle"]`);
  for (const i of [0, 1, 2]) {
    await button(i).click();
    await page.waitForSelector(`.card.members li.member[data-member="${i}"][data-state="disabled"]`);
  }
  await page.waitForSelector('.card.token[data-slot="2"] h3:text("No token: no member is live")');
  // The trace names each call, and the slot list leaves the slot out.
  const calls = await page.$$eval('#trace-list > li.call[data-fn="disableMember"]', (lis) => lis.map((li) => li.querySelector(".fn").textContent));
  assert.deepEqual(calls, [0, 1, 2].map((i) => `disableMember(slotID=slot#2, member=${i})`));
  await button(1).click();
  await page.waitForSelector('.card.members li.member[data-member="1"][data-state="live"]');
  await page.waitForSelector('.card.token[data-slot="2"] h3:not(:text("No token"))');
  assert.match(await page.locator('.card.members li.member[data-member="1"] [data-k="toggle"]').getAttribute("aria-label"), /^unplug member 1$/);
  await page.screenshot({ path: join(shots, "group-members-panel-420x900.png") });
  assertClean(p);
  await p.ctx.close();
});

test("a logout in the middle of lesson 11: the failed step names what is gone, and the lesson recovers", { timeout: 60_000 }, async () => {
  const p = await openPage(env(), WIDE);
  const { page } = p;
  await openLesson(page, 11);
  for (const t of ["one slot", "token", "keys", "stream"]) await run(page, t);
  // The learner logs the group's USER out with the form: private objects' handles end (PKCS#11 3.1 5.6.10).
  const session = await page.getAttribute('[data-sessions-slot="2"] li[data-session]', "data-session");
  await openAction(page, "logout");
  await page.locator("form[data-form=logout] [data-name=session]").selectOption(session);
  await page.click("form[data-form=logout] button[type=submit]");
  await page.waitForSelector("form[data-form=logout] .result .ok-line");
  await page.click("#tab-lessons");
  const k = await runStep(page);
  const error = page.locator(`.step[data-step="${k}"] .step-error`);
  const text = await error.innerText();
  assert.match(text, /the USER is no longer logged in/);
  const redo = error.locator("button.redo");
  assert.match(await redo.innerText(), /Redo from step 2/);
  await redo.click();
  while ((await page.locator(".step.current [data-run-step]").count()) > 0) await run(page, "after the redo");
  await page.waitForSelector(".complete");
  assertClean(p);
  await p.ctx.close();
});
