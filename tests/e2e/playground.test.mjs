// End-to-end tests of the playground (www/) in Debian's headless Chromium:
// lesson 1 and its exported program, an explained failure, persistence
// across reloads (and the lesson that finds a key again after one), the
// busy indicator, offline-only requests and a clean console. Screenshots of the
// main views go to test-artifacts/screenshots/ (and one to docs/ for the
// README).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { useEnv, assertClean, openPage, openAction, showPanel, runLesson, traceCalls, runExported, shots, repo } from "./harness.mjs";

const env = useEnv();

async function stepUntil(page, n) {
  for (let k = 0; k < n; k++) {
    await page.click(".step.current [data-run-step]");
    await page.waitForSelector(`.step[data-step="${k}"].done`, { timeout: 15000 });
  }
}

test("lesson 1 completes and the trace shows its calls with CKR_OK", async () => {
  const p = await openPage(env(), { width: 1366, height: 768 }); // a common laptop screen
  const { page } = p;
  await page.screenshot({ path: join(shots, "01-start.png") });
  await page.click(".welcome button.primary");
  await stepUntil(page, 5);
  // The README picture: mid-lesson, with a session, a key and the trace.
  // docs/playground.png is committed, so it is only rewritten on request
  // (PLAYGROUND_README_SHOT=1 npm test); a copy always goes to the artifacts.
  await page.evaluate(() => document.querySelectorAll(".notice").forEach((n) => n.remove()));
  const readme = join(shots, "00-readme.png");
  await page.screenshot({ path: readme });
  assert.ok(statSync(readme).size < 300 * 1024, "README screenshot under 300 KB");
  if (process.env.PLAYGROUND_README_SHOT === "1") {
    mkdirSync(join(repo, "docs"), { recursive: true });
    await page.screenshot({ path: join(repo, "docs", "playground.png") });
  }
  await page.click("text=Run the remaining steps");
  await page.waitForSelector(".complete", { timeout: 15000 });
  await page.screenshot({ path: join(shots, "02-lesson1-complete.png"), fullPage: true });

  const calls = (await traceCalls(page)).filter((c) => c.fn !== "C_Initialize");
  const expected = ["C_OpenSession", "C_Login", "C_GenerateKey", "C_EncryptInit", "C_Encrypt", "C_DecryptInit", "C_Decrypt", "C_CloseSession"];
  // The learner's part of the trace is the last eight calls, in order, all CKR_OK.
  const tail = calls.slice(-expected.length);
  assert.deepEqual(tail.map((c) => c.fn), expected);
  for (const c of tail) assert.equal(c.rv, "CKR_OK", `${c.fn} returned ${c.rv}`);
  assert.ok(calls.every((c) => c.rv === "CKR_OK"), "no call failed");
  assert.match(await page.locator(".step.done").last().innerText(), /Close the session/);

  // "Copy all as JS" gives a program that runs unchanged in Node with the package.
  await page.click("#trace-copy-all");
  await page.waitForFunction(() => document.querySelector("#snippet-text").textContent.includes("require(\"pkcs11-wasm\")"));
  const code = await page.locator("#snippet-text").textContent();
  const out = runExported(code);
  // Decrypted text prints as text.
  assert.match(out, /C_Decrypt: Meet me at the token at noon\./);
  // The header says how to get the package, which is not on the registry.
  assert.match(code, /not on the npm\n\/\/ registry yet[\s\S]*npm install \/path\/to\/pkcs11-wasm\/pkg/);
  assertClean(p);
  await p.ctx.close();
});

test("a wrong PIN shows CKR_PIN_INCORRECT with its explanation", async () => {
  const p = await openPage(env());
  const { page } = p;
  await runLesson(page, 1); // a token with a user PIN
  await openAction(page, "open-session");
  await page.click("form[data-form=open-session] button[type=submit]");
  await page.waitForSelector("form[data-form=open-session] .ok-line");
  await openAction(page, "login");
  await page.fill("form[data-form=login] [data-name=pin]", "not-the-pin");
  await page.click("form[data-form=login] button[type=submit]");
  const box = page.locator("form[data-form=login] .explain");
  await box.waitFor();
  const text = await box.innerText();
  assert.match(text, /CKR_PIN_INCORRECT/);
  assert.match(text, /does not match/);
  assert.match(text, /Likely cause here/);
  const failed = page.locator('#trace-list li.fail[data-rv="CKR_PIN_INCORRECT"]');
  assert.equal(await failed.count(), 1);
  assert.match(await failed.locator(".explain").innerText(), /user PIN/);
  await failed.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "03-wrong-pin.png") });
  assertClean(p);
  await p.ctx.close();
});

test("a token object created in one page load is there after a reload", async (t) => {
  const p = await openPage(env());
  const { page } = p;
  const persistent = await page.evaluate(() => document.body.dataset.persistent === "true");
  if (!persistent) {
    t.skip("needs issue 3 storage (C_InitializeAsync with IndexedDB) in the built package");
    await p.ctx.close();
    return;
  }
  await runLesson(page, 1);
  await openAction(page, "open-session");
  await page.click("form[data-form=open-session] button[type=submit]");
  await page.waitForSelector("form[data-form=open-session] .ok-line");
  // Writing a stored token object needs a login (its record is signed).
  await openAction(page, "login");
  await page.click("form[data-form=login] button[type=submit]");
  await page.waitForSelector("form[data-form=login] .ok-line");
  await openAction(page, "create-object");
  // The default template is a public token data object; give it a label to find.
  await page.locator("form[data-form=create-object] .template input[aria-label=value]").nth(1).fill("survives reloads");
  await page.click("form[data-form=create-object] button[type=submit]");
  await page.waitForSelector("form[data-form=create-object] .ok-line");
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await openAction(page, "open-session");
  await page.click("form[data-form=open-session] button[type=submit]");
  await page.waitForSelector(".object-list button:has-text('survives reloads')");
  assertClean(p);
  await p.ctx.close();
});

test("RSA-4096 generation shows the busy indicator and the page stays responsive", async () => {
  const p = await openPage(env());
  const { page } = p;
  await page.click(".welcome button.primary");
  await stepUntil(page, 3); // token ready, session open, USER logged in
  await openAction(page, "generate-pair");
  await page.selectOption("form[data-form=generate-pair] select[data-name=mechanism]", "CKM_RSA_PKCS_KEY_PAIR_GEN");
  const rows = page.locator("form[data-form=generate-pair] fieldset").first().locator("tbody tr");
  const n = await rows.count();
  for (let i = 0; i < n; i++) {
    if ((await rows.nth(i).locator("input").first().inputValue()) === "CKA_MODULUS_BITS") await rows.nth(i).locator("input").nth(1).fill("4096");
  }
  const layoutTop = async () => (await page.locator("main.layout").boundingBox()).y;
  const before = await layoutTop();
  await page.click("form[data-form=generate-pair] button[type=submit]");
  // Read while the indicator is on, in one step: a quick key generation
  // (its prime search is random) may end between two separate reads.
  const busy = await page.waitForFunction(
    () => document.querySelector("#busy.on") && { text: document.querySelector("#busy-text").innerText, top: document.querySelector("main.layout").getBoundingClientRect().y },
    null,
    { timeout: 5000, polling: "raf" },
  );
  const { text, top } = await busy.jsonValue();
  assert.equal(top, before, "the busy indicator moves nothing");
  assert.match(text, /C_GenerateKeyPair/);
  // Responsive: tabs switch and frames keep coming while the worker computes.
  await page.click("#tab-lessons");
  assert.equal(await page.locator("#pane-lessons").isVisible(), true);
  const frameGap = await page.evaluate(() => new Promise((r) => { const t0 = performance.now(); requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now() - t0))); }));
  assert.ok(frameGap < 500, `two frames took ${frameGap} ms`);
  await page.screenshot({ path: join(shots, "04-busy.png") });
  assertClean(p);
  await p.ctx.close(); // no need to wait for the key
});

test("main views: object detail, actions, lesson 8, narrow window", async () => {
  const p = await openPage(env());
  const { page } = p;
  await page.click(".welcome button.primary");
  await stepUntil(page, 4);
  await page.click(".object-list button.object >> nth=-1");
  await page.waitForSelector(".attrs");
  const sensitive = page.locator(".attrs tr.sensitive", { hasText: "CKA_VALUE" });
  assert.equal(await sensitive.count(), 1, "CKA_VALUE shown as sensitive");
  assert.match(await sensitive.innerText(), /sensitive[\s\S]*CKA_(SENSITIVE|EXTRACTABLE)/);
  assert.match(await page.locator(".attrs").innerText(), /CKA_KEY_TYPE\s+CKK_AES/);
  await page.screenshot({ path: join(shots, "05-object-detail.png") });
  await openAction(page, "encrypt");
  await page.screenshot({ path: join(shots, "06-actions-encrypt.png") });
  await runLesson(page, 8);
  await page.screenshot({ path: join(shots, "07-lesson8-storage.png"), fullPage: true });
  await page.setViewportSize({ width: 420, height: 900 });
  await page.click("#tab-lessons");
  await page.screenshot({ path: join(shots, "08-narrow.png"), fullPage: true });
  // The reset asks first, then wipes the token.
  await page.click("#reset");
  await page.waitForSelector("#reset-dialog[open]");
  await page.screenshot({ path: join(shots, "09-reset-dialog.png") });
  await page.click("#reset-confirm");
  await showPanel(page, "model");
  await page.waitForSelector('.card.token[data-slot="0"] h3:text("Token not initialized")');
  assertClean(p);
  await p.ctx.close();
});

test("the find-again lesson completes after a reload", async () => {
  const p = await openPage(env());
  const { page } = p;
  await runLesson(page, 7); // its second step reloads the page; the lesson carries on after it
  const text = await page.locator("#lesson-pane").innerText();
  assert.match(text, /The page reloaded: the lesson carried on at step 3\./);
  assert.match(text, /Found it: key #\d+ \(before the reload it was #\d+/);
  assert.match(text, /CKR_ATTRIBUTE_SENSITIVE/);
  assert.match(text, /Decrypted: “Written before the reload\.”/);
  // The real calls are in the trace of the new page load.
  const calls = (await traceCalls(page)).map((c) => `${c.fn} ${c.rv}`);
  for (const c of ["C_FindObjectsInit CKR_OK", "C_FindObjects CKR_OK", "C_FindObjectsFinal CKR_OK", "C_GetAttributeValue CKR_ATTRIBUTE_SENSITIVE", "C_Decrypt CKR_OK"]) {
    assert.ok(calls.includes(c), `${c} in the trace`);
  }
  assertClean(p);
  await p.ctx.close();
});

test("a lesson step done freehand in a form counts, and the learner gets back", async () => {
  const p = await openPage(env());
  const { page } = p;
  await page.click(".welcome button.primary");
  await stepUntil(page, 1);
  await page.click(".step.current button:has-text('Do it yourself')");
  // The matching form opens prefilled; submitting it completes the step.
  await page.waitForSelector("form[data-form=open-session] .lesson-note");
  await page.click("form[data-form=open-session] button[type=submit]");
  await page.click(".return-banner button");
  assert.equal(await page.locator("#pane-lessons").isVisible(), true);
  await page.waitForSelector('.step[data-step="1"].done');
  // Keyboard: the tabs follow the arrow keys.
  await page.focus("#tab-lessons");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.locator("#tab-actions").getAttribute("aria-selected"), "true");
  assertClean(p);
  await p.ctx.close();
});
