// Builds tests/bundlers/app with each bundler the way its users would,
// into test-artifacts/bundlers/<name>/ (index.html + the bundle + assets),
// for packaging_bundlers.test.mjs. "pkcs11-wasm" resolves to pkg/ through
// tests/bundlers/node_modules/pkcs11-wasm (a symlink made here).
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../..", import.meta.url));
export const appDir = join(repo, "tests", "bundlers", "app");
export const outRoot = join(repo, "test-artifacts", "bundlers");

export function linkPackage() {
  const modules = join(repo, "tests", "bundlers", "node_modules");
  rmSync(modules, { recursive: true, force: true });
  mkdirSync(modules, { recursive: true });
  symlinkSync(join(repo, "pkg"), join(modules, "pkcs11-wasm"), "dir");
}

function fresh(name) {
  const dir = join(outRoot, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A page loading one ES module bundle. */
function page(dir, script) {
  writeFileSync(join(dir, "index.html"), `<!doctype html><meta charset="utf-8"><script type="module" src="./${script}"></script>\n`);
}

export async function esbuildPage(name, entry, extra = {}) {
  const esbuild = await import("esbuild");
  const dir = fresh(name);
  await esbuild.build({
    entryPoints: [join(appDir, entry)],
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: join(dir, "app.js"),
    logLevel: "error",
    ...extra,
  });
  page(dir, "app.js");
  return dir;
}

export async function rollupPage(name, entry) {
  const { rollup } = await import("rollup");
  const { nodeResolve } = await import("@rollup/plugin-node-resolve");
  const dir = fresh(name);
  const bundle = await rollup({ input: join(appDir, entry), plugins: [nodeResolve({ browser: true })], logLevel: "silent" });
  await bundle.write({ file: join(dir, "app.js"), format: "es" });
  await bundle.close();
  page(dir, "app.js");
  return dir;
}

export async function vitePage(name) {
  const { build } = await import("vite");
  const dir = fresh(name);
  await build({ root: appDir, logLevel: "error", configFile: false, build: { outDir: dir, emptyOutDir: true } });
  return dir;
}

export async function webpackPage(name, entry) {
  const { default: webpack } = await import("webpack");
  const dir = fresh(name);
  const stats = await new Promise((resolve, reject) =>
    webpack({ mode: "production", entry: join(appDir, entry), output: { path: dir, filename: "app.js" } }, (err, s) => (err ? reject(err) : resolve(s))),
  );
  if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
  page(dir, "app.js");
  return dir;
}

/** A server-side bundle: esbuild for Node, CommonJS or ES module output. */
export async function esbuildNode(name, format) {
  const esbuild = await import("esbuild");
  const dir = fresh(name);
  const outfile = join(dir, format === "esm" ? "server.mjs" : "server.cjs");
  await esbuild.build({ entryPoints: [join(appDir, "node-main.js")], bundle: true, platform: "node", format, outfile, logLevel: "error" });
  return outfile;
}
