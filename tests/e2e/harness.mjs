// Shared set-up for the playground's end-to-end tests: the static server
// on a free port, Debian's Chromium through playwright-core (never a
// downloaded browser), a guard that fails on any request leaving
// localhost, and console-error collection.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/serve.mjs";

export const repo = fileURLToPath(new URL("../..", import.meta.url));
export const shots = join(repo, "test-artifacts", "screenshots");

// Flags that keep Chromium off the network (docs: shared toolchain notes).
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

export async function start() {
  mkdirSync(shots, { recursive: true });
  const { server, port } = await serve(0);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS, headless: true });
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

/**
 * A new browser context (fresh storage) and page. Every request is routed:
 * anything not on 127.0.0.1/localhost is aborted and recorded in
 * `offsite`; console errors and page errors land in `errors`.
 */
export async function openPage(env, { width = 1440, height = 900, context } = {}) {
  const ctx = context ?? (await env.browser.newContext({ viewport: { width, height } }));
  const offsite = [];
  const errors = [];
  await ctx.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:") return route.continue();
    if ((url.hostname === "127.0.0.1" || url.hostname === "localhost") && url.protocol === "http:") return route.continue();
    offsite.push(url.href);
    return route.abort();
  });
  const page = await ctx.newPage();
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(env.origin + "/");
  await page.waitForSelector("body[data-ready=true]", { timeout: 20000 });
  return { ctx, page, offsite, errors };
}

/** Runs the current lesson's steps one by one through the "Run step" button. */
export async function runLesson(page, n) {
  await page.click("#tab-lessons");
  await page.click(`.lesson-link >> nth=${n - 1}`);
  for (;;) {
    const btn = page.locator(".step.current [data-run-step]");
    if ((await btn.count()) === 0) break;
    await btn.click();
    await page.waitForFunction(() => !document.querySelector(".step.current [data-run-step]:disabled"), null, { timeout: 30000 });
    const err = page.locator(".step-error");
    if (await err.count()) throw new Error(`lesson ${n} step failed: ${await err.first().innerText()}`);
  }
  await page.waitForSelector(".complete", { timeout: 10000 });
}

/** The learner's calls in the trace: [{ fn, rv }]. */
export function traceCalls(page) {
  return page.$$eval("#trace-list > li.call", (lis) => lis.map((li) => ({ fn: li.dataset.fn, rv: li.dataset.rv })));
}
