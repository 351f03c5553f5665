// The browser variant (`npm run bench -- --browser`): the crypto rows in a
// Web Worker in headless Chromium, ours (pkg/browser.mjs) against the
// browser's WebCrypto. Uses the devDependency playwright-core with the
// system's Chromium (/usr/bin/chromium, or CHROMIUM_PATH); it never
// downloads a browser. Files are served from 127.0.0.1 with COOP/COEP
// headers, so the worker is cross-origin isolated and performance.now() is
// fine-grained.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";

const TYPES = { ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

/** Serves /pkg/* from `pkgDir` and /bench/* from `benchDir`. */
function serve(pkgDir, benchDir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    const m = /^\/(pkg|bench)\/([\w.-]+)$/.exec(normalize(path));
    const file = m && join(m[1] === "pkg" ? pkgDir : benchDir, m[2]);
    if (!file || !TYPES[extname(file)] || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)],
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cross-origin-resource-policy": "same-origin",
      "cache-control": "no-store",
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * Runs the browser rows. Returns { measured, browser, crossOriginIsolated }
 * or { why } when Playwright or Chromium is missing or the run fails.
 */
export async function runBrowser({ root, pkgDir, benchDir, scale, only, log }) {
  let launcher;
  try {
    createRequire(join(root, "noop.js")).resolve("playwright-core");
    launcher = await import("../chromium.mjs"); // the tests' launcher and its flags
  } catch {
    return { why: "playwright-core is not installed (`npm install`: it is a devDependency)" };
  }
  const executablePath = launcher.chromiumPath();
  if (!existsSync(executablePath)) return { why: `no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)` };

  const server = await serve(pkgDir, benchDir);
  const browser = await launcher.launchChromium();
  try {
    const page = await browser.newPage();
    page.on("console", (msg) => log(`browser: ${msg.text()}`));
    page.on("pageerror", (err) => log(`browser page error: ${err.message}`));
    await page.goto(`http://127.0.0.1:${server.address().port}/bench/browser.html`);
    await page.waitForFunction(() => typeof window.runBench === "function");
    const got = await page.evaluate((msg) => window.runBench(msg), { scale, only: only?.source });
    if (got.error) return { why: `the browser run failed: ${got.error}` };
    return { measured: got.measured, browser: `Chromium ${browser.version()}`, crossOriginIsolated: got.crossOriginIsolated };
  } finally {
    await browser.close();
    server.close();
  }
}
