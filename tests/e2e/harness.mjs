// Shared set-up for the playground's end-to-end tests: the static server
// on a free port, Debian's Chromium through playwright-core (never a
// downloaded browser), a guard that fails on any request leaving
// localhost, and console-error collection.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serve } from "../../scripts/serve.mjs";

export const repo = fileURLToPath(new URL("../..", import.meta.url));
export const shots = join(repo, "test-artifacts", "screenshots");

export async function start() {
  mkdirSync(shots, { recursive: true });
  const { server, port } = await serve(0);
  const browser = await launchChromium();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    browser,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/** For a test file: the server and browser start before its tests and stop after; returns a getter. */
export function useEnv() {
  let env;
  before(async () => {
    env = await start();
  });
  after(async () => {
    await env?.close();
  });
  return () => env;
}

/** Every page must stay on localhost and log no errors. */
export function assertClean(p) {
  assert.deepEqual(p.offsite, [], "requests outside localhost");
  assert.deepEqual(p.errors, [], "console errors");
}

/**
 * A new browser context (fresh storage) and page. Every request is routed:
 * anything not on 127.0.0.1/localhost is aborted and recorded in
 * `offsite`; console errors and page errors land in `errors`.
 */
export async function openPage(env, { width = 1440, height = 900, context, slowWasm = 0, waitReady = true } = {}) {
  const ctx = context ?? (await env.browser.newContext({ viewport: { width, height } }));
  const offsite = [];
  const errors = [];
  await ctx.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:") return route.continue();
    if ((url.hostname === "127.0.0.1" || url.hostname === "localhost") && url.protocol === "http:") {
      // A slow network: the token takes `slowWasm` ms longer to load.
      if (slowWasm && url.pathname.endsWith(".wasm")) await new Promise((r) => setTimeout(r, slowWasm));
      return route.continue();
    }
    offsite.push(url.href);
    return route.abort();
  });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(env.origin + "/");
  if (waitReady) await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  return { ctx, page, offsite, errors };
}

/** Opens lesson `n` (1-based) from the lesson list, unfolding the list if it is folded. */
export async function openLesson(page, n) {
  await showPanel(page, "work");
  await page.click("#tab-lessons");
  const link = page.locator(".lesson-link").nth(n - 1);
  if (!(await link.isVisible())) await page.click(".lessons-nav .nav-toggle");
  await link.click();
  await page.waitForSelector(`.lesson-head h3`);
}

/** Opens an action's form from the Actions tab, unfolding the action list if it is folded. */
export async function openAction(page, id) {
  await showPanel(page, "work");
  await page.click("#tab-actions");
  const link = page.locator(`[data-action=${id}]`);
  if (!(await link.isVisible())) await page.click(".actions-nav .nav-toggle");
  await link.click();
  await page.waitForSelector(`form[data-form=${id}]`);
}

/** On a narrow screen, shows panel `view` ("work", "model" or "trace"); a no-op on wide ones. */
export async function showPanel(page, view) {
  const bar = page.locator(`#views button[data-view="${view}"]`);
  if (await bar.isVisible()) await bar.click();
}

/** Runs the current step with "Run step" and waits until it is done or failed. */
export async function runStep(page) {
  const btn = page.locator(".step.current [data-run-step]");
  const k = Number(await btn.getAttribute("data-run-step"));
  await btn.click();
  await page.waitForSelector(`.step[data-step="${k}"].done, .step[data-step="${k}"] .step-error`, { timeout: 30000 });
  return k;
}

/** Runs lesson `n`'s steps one by one through the "Run step" button; fails on a failed step. */
export async function runLesson(page, n) {
  await openLesson(page, n);
  for (;;) {
    if ((await page.locator(".step.current [data-run-step]").count()) === 0) break;
    await runStep(page);
    const err = page.locator(".step-error");
    if (await err.count()) throw new Error(`lesson ${n} step failed: ${await err.first().innerText()}`);
  }
  await page.waitForSelector(".complete", { timeout: 10000 });
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * axe-core (from node_modules, injected into the page) on the whole page:
 * the serious and critical violations, as "rule: target" lines.
 */
export async function axeSerious(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} — ${n.failureSummary?.split("\n")[1]?.trim() ?? v.help}`));
}

/** The learner's calls in the trace: [{ fn, rv }]. */
export function traceCalls(page) {
  return page.$$eval("#trace-list > li.call", (lis) => lis.map((li) => ({ fn: li.dataset.fn, rv: li.dataset.rv })));
}

/**
 * Runs a program the page exported ("copy as JS") in Node, in a scratch
 * directory where the built package is installed as pkcs11-wasm; returns
 * its standard output (a failing program throws).
 */
export function runExported(code) {
  const dir = mkdtempSync(join(tmpdir(), "playground-snippet-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(join(repo, "pkg"), join(dir, "node_modules", "pkcs11-wasm"), "dir");
    writeFileSync(join(dir, "snippet.js"), code);
    return execFileSync(process.execPath, ["snippet.js"], { cwd: dir, encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
