// The package through the common bundlers (issue 11, item 3), each used
// the way the package README's recipe says (tests/bundlers/build.mjs):
// - browser pages built with esbuild (the inline entry; and the main entry
//   with the .wasm imported as a file URL), Rollup (the inline entry; and
//   the main entry with the .wasm copied beside the bundle),
//   Vite and webpack (the main entry, no configuration), each run in
//   Debian's headless Chromium (playwright-core; no browser is
//   downloaded): the seed scenario completes and nothing is missing;
// - server-side bundles (esbuild for Node, CommonJS and ES module output)
//   run from a directory holding nothing but the bundle;
// - constants-only imports bundle no wasm.
// Needs `npm run build` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import * as build from "../bundlers/build.mjs";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serveDir } from "../static-server.mjs";

const WASM_MAGIC_BASE64 = "AGFzbQ"; // "\0asm", how the inlined module starts

let browser;
before(async () => {
  build.linkPackage();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Loads the built page and returns what the scenario reported. */
async function runPage(dir) {
  const server = await serveDir(dir);
  const context = await browser.newContext();
  const errors = [];
  try {
    await context.route("**/*", (route) => (route.request().url().startsWith(server.origin) ? route.continue() : route.abort()));
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(server.origin + "/");
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
    return { result: await page.evaluate(() => window.result), errors, missing: server.missing };
  } finally {
    await context.close();
    await server.close();
  }
}

function assertScenario({ result, errors, missing }) {
  assert.equal(result.failed, undefined, result.failed);
  assert.deepEqual(result, { text: "hello from a bundle", sealedLength: 19 + 16, error: "CKR_USER_ALREADY_LOGGED_IN", groupMembers: 2 });
  assert.deepEqual(missing, []);
  assert.deepEqual(errors, []);
}

/** Every file of a build, with its size. */
function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => ({ name: f.slice(dir.length + 1), size: statSync(f).size }));
}

test("esbuild, inline entry: no configuration, nothing to copy", async () => {
  const dir = await build.esbuildPage("esbuild-inline", "main-inline.js");
  assert.deepEqual(files(dir).map((f) => f.name).sort(), ["app.js", "index.html"]);
  assertScenario(await runPage(dir));
});

test("esbuild, main entry: the .wasm imported as a file URL and given to init()", async () => {
  const dir = await build.esbuildPage("esbuild-wasm-url", "main-wasm-url.js", { loader: { ".wasm": "file" } });
  assert.ok(files(dir).some((f) => f.name.endsWith(".wasm")));
  copyFileSync(join(build.repo, "pkg", "group.mjs"), join(dir, "group.mjs")); // token groups' code: beside the bundle
  assertScenario(await runPage(dir));
});

test("Rollup (@rollup/plugin-node-resolve), inline entry: no configuration, nothing to copy", async () => {
  const dir = await build.rollupPage("rollup-inline", "main-inline.js");
  assertScenario(await runPage(dir));
});

test("esbuild, main entry with no recipe: init() fails naming the recipes", async () => {
  const dir = await build.esbuildPage("esbuild-no-recipe", "main.js");
  const { result, missing } = await runPage(dir);
  assert.match(result.failed, /could not load pkcs11_wasm_bg\.wasm .*import from "pkcs11-wasm\/inline".*init\(url\)/s);
  assert.deepEqual(missing, ["pkcs11_wasm_bg.wasm"]);
});

test("Rollup, main entry: pkcs11_wasm_bg.wasm (and group.mjs) copied next to the bundle", async () => {
  const dir = await build.rollupPage("rollup-copied", "main.js");
  for (const f of ["pkcs11_wasm_bg.wasm", "group.mjs"]) copyFileSync(join(build.repo, "pkg", f), join(dir, f));
  assertScenario(await runPage(dir));
});

test("Vite, main entry: no configuration (the .wasm is emitted as an asset)", async () => {
  const dir = await build.vitePage("vite");
  assert.ok(files(dir).some((f) => f.name.endsWith(".wasm")));
  assert.ok(files(dir).some((f) => /group.*\.mjs$/.test(f.name)), "group.mjs emitted as an asset");
  assertScenario(await runPage(dir));
});

test("webpack (production mode), main entry: no configuration (the .wasm is emitted as an asset)", async () => {
  const dir = await build.webpackPage("webpack", "main.js");
  assert.ok(files(dir).some((f) => f.name.endsWith(".wasm")));
  assert.ok(files(dir).some((f) => f.name.endsWith(".mjs")), "group.mjs emitted as an asset");
  assertScenario(await runPage(dir));
});

for (const format of ["cjs", "esm"]) {
  test(`server-side bundle (esbuild, platform node, ${format}): runs with nothing beside it`, async () => {
    const outfile = await build.esbuildNode(`node-${format}`, format);
    assert.deepEqual(readdirSync(dirname(outfile)), [outfile.split("/").pop()]);
    const out = execFileSync(process.execPath, [outfile], { cwd: dirname(outfile), encoding: "utf8" });
    // SHA-256("abc"), FIPS 180-2 appendix B.1
    assert.equal(JSON.parse(out).digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
}

test("constants-only imports bundle no wasm (esbuild and Rollup)", async () => {
  const dirs = [
    await build.esbuildPage("esbuild-constants", "constants-only.js"),
    await build.rollupPage("rollup-constants", "constants-only.js"),
  ];
  for (const dir of dirs) {
    const js = readFileSync(join(dir, "app.js"), "utf8");
    assert.ok(!js.includes(WASM_MAGIC_BASE64), `${dir}: the inlined wasm is in the bundle`);
    assert.ok(files(dir).every((f) => !f.name.endsWith(".wasm")), dir);
    assert.ok(js.length < 400_000, `${dir}: ${js.length} bytes`);
  }
  // pkcs11-wasm/constants alone: the numbers and nothing else.
  const dir = await build.esbuildPage("esbuild-constants-module", "constants-module.js", { minify: true });
  const size = statSync(join(dir, "app.js")).size;
  assert.ok(size < 1000, `${size} bytes`);
});
