// Type compatibility (issue 11, item 2), with strict tsc from the
// devDependency `typescript` (tests/types/):
// - compat/program.ts, a pkcs11js 2.1.7 program touching every method,
//   overload and type name, compiles against pkcs11js's own index.d.ts
//   (a test fixture, MIT) and, unchanged, against ours;
// - compat/exact.ts (compiled with the fixture): its data interfaces and ours are mutually assignable,
//   every constant and class it exports exists here;
// - modules/: default, named and namespace imports through the package's
//   `exports` (node16 ESM and CommonJS, bundler resolution, and a browser
//   project without @types/node).
// graphene-pk11's shipped .d.ts files are checked against ours in
// packaging_scratch.test.mjs (they need the installed package).
// Needs `npm run build` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const types = join(repo, "tests", "types");
const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");

// modules/ resolves "pkcs11-wasm" through node_modules, as a user's project does.
const linkDir = join(types, "modules", "node_modules");
rmSync(linkDir, { recursive: true, force: true });
mkdirSync(linkDir, { recursive: true });
symlinkSync(join(repo, "pkg"), join(linkDir, "pkcs11-wasm"), "dir");

async function compile(project) {
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", join(types, project), "--pretty", "false"], { cwd: types });
  } catch (e) {
    assert.fail(`tsc -p ${project}:\n${e.stdout}${e.stderr}`);
  }
}

const projects = [
  [
    "the pkcs11js program compiles against pkcs11js 2.1.7's own typings (it is valid pkcs11js code); " +
      "pkcs11js's exports all exist here and its data interfaces and ours are mutually assignable",
    "tsconfig.pkcs11js.json",
  ],
  ["the same program compiles unchanged against pkcs11-wasm's typings", "tsconfig.ours.json"],
  ["default, named and namespace imports: node16 ES module and CommonJS", "modules/tsconfig.node16.json"],
  ["default, named and namespace imports: bundler resolution, the inline entry", "modules/tsconfig.bundler.json"],
  ["a browser project without @types/node: bytes are Uint8Arrays, parameter literals accepted", "modules/tsconfig.browser.json"],
];

// Two compilers at a time (each is single-threaded).
const results = new Map();
let next = 0;
const worker = async () => {
  while (next < projects.length) {
    const [, project] = projects[next++];
    results.set(project, await compile(project).then(() => null, (e) => e));
  }
};
const all = Promise.all([worker(), worker()]);

for (const [name, project] of projects) {
  test(name, async () => {
    await all;
    const error = results.get(project);
    if (error) throw error;
  });
}
