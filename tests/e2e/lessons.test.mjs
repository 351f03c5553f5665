// Every lesson, run in order in one page the way a learner would (lesson 7
// reloads the page half way and carries on), checked with axe-core (no
// serious or critical violation) at 1280×800 and 420×900, with a
// screenshot of each at both sizes in test-artifacts/screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { useEnv, assertClean, openPage, openLesson, runStep, axeSerious, shots, traceCalls } from "./harness.mjs";

const env = useEnv();

const WIDE = { width: 1280, height: 800 };

// What some lessons say, checked against what the page shows after them.
const CHECKS = {
  // "the whole round trip in eight calls" (after the set-up step).
  1: async (page) => {
    const origins = await page.$$eval("#trace-list li.call .origin", (o) => o.map((e) => e.textContent));
    assert.equal(origins.filter((t) => /^lesson 1 · step [2-7]$/.test(t)).length, 8, "lesson 1 makes eight calls after its set-up");
  },
  // CKR_ATTRIBUTE_READ_ONLY is explained for the attribute involved.
  4: async (page) => {
    const t = await page.locator('.step[data-step="4"] .outcome').innerText();
    assert.match(t, /CKR_ATTRIBUTE_READ_ONLY[\s\S]*CKA_EXTRACTABLE can be changed from true to false, never back/);
    assert.doesNotMatch(t, /CKA_SENSITIVE can/);
  },
  // The C_FindObjects loop: 2, then 1, then 0 handles.
  9: async (page) => assert.match(await page.locator('.step[data-step="3"] .outcome').innerText(), /returned 2, then 1, then 0 handles/),
  // The second token cannot see the first one's key.
  10: async (page) => assert.match(await page.locator('.step[data-step="3"] .outcome').innerText(), /found 0 objects[\s\S]*belongs to the token in slot 0/),
  // The group's members are all back and hold the same records (group_lesson.test.mjs checks the rest).
  11: async (page) => {
    const fps = await page.$$eval(".card.members li.member", (lis) => lis.map((li) => `${li.dataset.state} ${li.querySelector('[data-k="fingerprint"]').textContent}`));
    assert.equal(fps.length, 3);
    assert.ok(fps.every((f) => f === fps[0] && f.startsWith("live ")), fps.join(", "));
  },
};
const PHONE = { width: 420, height: 900 };

test("every lesson completes, with no serious accessibility violation, at 1280×800 and 420×900", async () => {
  const p = await openPage(env(), WIDE);
  const { page } = p;
  const count = await page.locator(".lesson-link").count();
  assert.ok(count >= 11, `${count} lessons`);
  const report = [];
  for (let n = 1; n <= count; n++) {
    await page.setViewportSize(WIDE);
    await openLesson(page, n);
    const title = await page.locator(".lesson-head h3").innerText();
    if (n === 1) report.push(...(await axeSerious(page)).map((v) => `lesson 1 (start): ${v}`));
    while ((await page.locator(".step.current [data-run-step]").count()) > 0) {
      const k = await runStep(page);
      const err = page.locator(`.step[data-step="${k}"] .step-error`);
      if (await err.count()) assert.fail(`lesson ${n} “${title}” step ${k + 1} failed: ${await err.innerText()}`);
    }
    await page.waitForSelector(".complete");
    await CHECKS[n]?.(page);
    // Each lesson names the PKCS#11 3.1 sections it shows.
    assert.ok((await page.locator(".spec-line a.spec").count()) > 0, `lesson ${n} links the spec`);
    const slug = `lesson-${String(n).padStart(2, "0")}`;
    await page.screenshot({ path: join(shots, `${slug}-1280x800.png`) });
    report.push(...(await axeSerious(page)).map((v) => `lesson ${n} at 1280: ${v}`));
    await page.setViewportSize(PHONE);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, `${slug}-420x900.png`) });
    report.push(...(await axeSerious(page)).map((v) => `lesson ${n} at 420: ${v}`));
  }
  assert.deepEqual(report, [], "serious or critical axe violations");
  // Every lesson is ticked in the list.
  await page.setViewportSize(WIDE);
  assert.equal(await page.locator(".lesson-link .tick").count(), count);
  assertClean(p);
  // The trace of the last page load has lesson 10's and 11's calls, all as the lessons expected.
  const calls = await traceCalls(page);
  assert.ok(calls.some((c) => c.fn === "C_InitToken"), "lessons 10 and 11 initialized the second token and the group");
  assert.ok(calls.some((c) => c.fn === "enableMember" && c.rv === "CKR_OK"), "lesson 11 plugged its member back");
  await p.ctx.close();
});
