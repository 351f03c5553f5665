// The dead ends a learner hit (issue 14), each walked into on purpose:
// a logout in the middle of lesson 1, a wrong SO PIN on C_InitToken, a
// random length that is not a number, a lesson started while the token
// loads, and a reset that used to leave the lesson ticks behind. Also what
// lesson 1 says against what the page then shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { useEnv, assertClean, openPage, openAction, runStep, runLesson, traceCalls, shots } from "./harness.mjs";

const env = useEnv();

async function submit(page, action, fill = {}) {
  await openAction(page, action);
  for (const [name, value] of Object.entries(fill)) {
    const field = page.locator(`form[data-form=${action}] [data-name=${name}]`);
    if ((await field.evaluate((e) => e.tagName)) === "SELECT") await field.selectOption(String(value));
    else await field.fill(String(value));
  }
  await page.click(`form[data-form=${action}] button[type=submit]`);
  await page.waitForSelector(`form[data-form=${action}] .result > *`);
  return page.locator(`form[data-form=${action}] .result`);
}

test("a logout in the middle of lesson 1: the explanation says why the key died, and the lesson recovers", async () => {
  const p = await openPage(env(), { width: 1280, height: 800 });
  const { page } = p;
  await page.click(".welcome button.primary");
  for (let k = 0; k < 4; k++) await runStep(page); // ready, session, login, key

  // What lesson 1 says is what the page shows: the key may encrypt and decrypt, nothing else.
  assert.match(await page.locator('.step[data-step="3"] .outcome').innerText(), /usage encrypt and decrypt/);
  const key = page.locator(".object-list button.object", { hasText: "lesson 1 key" });
  const tags = await key.locator(".tag.use").allInnerTexts();
  assert.deepEqual(tags, ["encrypt", "decrypt"]);
  await key.click();
  const value = page.locator(".attrs tr.sensitive", { hasText: "CKA_VALUE" });
  await value.waitFor();
  assert.match(await value.innerText(), /CKA_SENSITIVE is true/, "the reason the lesson gives");
  assert.match(await page.locator(".attrs").innerText(), /CKA_SENSITIVE\s+true/);

  // The learner logs out with the form, then carries on with step 5.
  const out = await submit(page, "logout");
  assert.match(await out.innerText(), /C_Logout returned CKR_OK/);
  await page.click("#tab-lessons");
  const k = await runStep(page);
  assert.equal(k, 4);
  const error = page.locator('.step[data-step="4"] .step-error');
  const text = await error.innerText();
  assert.match(text, /CKR_KEY_HANDLE_INVALID/);
  assert.match(text, /C_Logout \(call \d+\) logged the USER out/, "names the call that ended the key");
  assert.match(text, /private session object is destroyed/);
  assert.match(text, /Logging in again does not bring it back/);
  await page.screenshot({ path: join(shots, "dead-end-logout-1280x800.png") });
  // The trace explains the failed call the same way.
  assert.match(await page.locator('#trace-list li.fail[data-rv="CKR_KEY_HANDLE_INVALID"] .explain').innerText(), /C_Logout/);

  // Redo goes back to the login (the earliest result gone) and puts focus on its button.
  assert.match(text, /gone: step 3 \(“Log in as the normal user”\): the USER is no longer logged in; step 4 \(“Generate an AES-256 key”\): object #\d+ is gone/);
  const redo = error.locator("button.redo");
  assert.match(await redo.innerText(), /Redo from step 3/);
  await redo.click();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.runStep), "2");
  while ((await page.locator(".step.current [data-run-step]").count()) > 0) {
    const s = await runStep(page);
    assert.equal(await page.locator(`.step[data-step="${s}"] .step-error`).count(), 0, `step ${s + 1} failed again`);
  }
  await page.waitForSelector(".complete");
  assertClean(p);
  await p.ctx.close();
});

test("PIN explanations name the right user: the SO for C_InitToken, the normal user for C_SetPIN", async () => {
  const p = await openPage(env());
  const { page } = p;
  // A token with no SO PIN says so, not "no failed tries".
  const so = page.locator('.card.token[data-slot="0"] dt:text-is("SO PIN") + dd');
  assert.match(await so.innerText(), /not set yet/);
  await page.click(".welcome button.primary");
  await runStep(page); // C_InitToken + user PIN; no session stays open

  const init = await submit(page, "init-token", { soPin: "wrong-so-pin" });
  const t = await init.innerText();
  assert.match(t, /CKR_PIN_INCORRECT/);
  assert.match(t, /current SO PIN/);
  assert.match(t, /CKF_SO_PIN_COUNT_LOW/);
  assert.doesNotMatch(t, /USER_PIN|user PIN/);
  assert.match(await page.locator('.card.token[data-slot="0"] dt:text-is("SO PIN") + dd').innerText(), /wrong PIN entered/);

  await submit(page, "open-session");
  const setpin = await submit(page, "set-pin", { oldPin: "not-the-pin", newPin: "new-pin-1234" });
  const s = await setpin.innerText();
  assert.match(s, /CKR_PIN_INCORRECT/);
  assert.match(s, /nobody is logged in, so that is the user PIN/);
  assert.match(s, /CKF_USER_PIN_COUNT_LOW/);
  assertClean(p);
  await p.ctx.close();
});

test("a lesson started while the token loads waits with a visible state, then starts", async () => {
  const p = await openPage(env(), { slowWasm: 1500, waitReady: false });
  const { page } = p;
  await page.click(".welcome button.primary");
  const waiting = page.locator("#lesson-pane [role=status]");
  assert.match(await waiting.innerText(), /still loading/);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  await page.waitForSelector('.lesson-head h3:text("Encrypt and decrypt with a token key")');
  await runStep(page);
  assert.equal(await page.locator('.step[data-step="0"].done').count(), 1);
  assertClean(p);
  await p.ctx.close();
});

test("small things: a random length that is not a number, C_InitToken's result, '1 call', reset clears the ticks", async () => {
  const p = await openPage(env());
  const { page } = p;
  assert.match(await page.locator("#trace-count").innerText(), /^1 call \(/);
  await runLesson(page, 1);
  assert.match(await page.locator('#trace-list li.call[data-fn="C_InitToken"] .res').innerText(), /→ "playground"/);
  assert.equal(await page.locator(".lesson-link .tick").count(), 1);

  await submit(page, "open-session");
  const before = (await traceCalls(page)).length;
  const r = await submit(page, "random", { length: "abc" });
  assert.match(await r.innerText(), /Length: a whole number from 1 to 65536, not "abc"/);
  assert.equal((await traceCalls(page)).length, before, "no call was made");
  const ok = await submit(page, "random", { length: "7" });
  assert.match(await ok.innerText(), /Random bytes \(7 bytes\)/);

  await page.click("#reset");
  assert.match(await page.locator("#reset-dialog").innerText(), /lessons marked done are unmarked/);
  await page.click("#reset-confirm");
  await page.waitForSelector('.card.token[data-slot="0"] h3:text("Token not initialized")');
  assert.equal(await page.locator(".lesson-link .tick").count(), 0);
  assertClean(p);
  await p.ctx.close();
});
