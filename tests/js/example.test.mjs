// examples/seed-demo.cjs is a pkcs11js program whose only change is
// `require("pkcs11-wasm")`. This test runs it on pkcs11-wasm, and -- when
// the npm package `pkcs11js` (a native addon, not a dependency of this
// repository) and Debian's SoftHSM are installed -- runs the very same file
// with the require swapped to pkcs11js against a temporary SoftHSM token,
// which shows it is real pkcs11js code. Both runs must print the same steps.
//
// pkcs11js is found with require.resolve from the repository, or in the
// node_modules directory named by PKCS11JS_DIR (e.g. after
// `npm install --no-save pkcs11js` in some scratch directory).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const demoPath = path.join(repo, "examples/seed-demo.cjs");
const pkgDir = path.join(repo, "pkg");
const SOFTHSM_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
const REQUIRE_WASM = 'require("pkcs11-wasm")';
const REQUIRE_PKCS11JS = 'require("pkcs11js")';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pkcs11-wasm-example-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Step names ("C_InitToken", ...) in the order the demo printed them. */
function steps(stdout) {
  return stdout
    .split("\n")
    .map((line) => /^\s*\d+\. ([^:]+)/.exec(line)?.[1])
    .filter(Boolean);
}

function run(file, env) {
  const r = spawnSync(process.execPath, [file], { cwd: repo, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 });
  const output = `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  assert.equal(r.error, undefined, `could not run ${file}: ${r.error}`);
  assert.equal(r.status, 0, `${file} exited with ${r.status}\n${output}`);
  assert.match(r.stdout, /seed-demo: all steps succeeded\n$/, output);
  return r.stdout;
}

const EXPECTED_STEPS = [
  "C_Initialize",
  "C_GetInfo",
  "C_GetSlotList(true)",
  "C_GetTokenInfo",
  "C_InitToken",
  "C_OpenSession",
  "C_Login(CKU_SO)",
  "C_InitPIN",
  "C_Logout",
  "C_Login(CKU_USER)",
  "C_GenerateKey",
  "C_GenerateRandom",
  "C_EncryptInit/C_Encrypt (AES-GCM)",
  "C_DecryptInit/C_Decrypt (AES-GCM)",
  "C_GenerateKeyPair",
  "C_SignInit/C_Sign (SHA256-RSA-PKCS)",
  "C_VerifyInit/C_Verify",
  "C_Verify (forged document)",
  "C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal",
  "C_GetAttributeValue",
  "C_GetAttributeValue",
  "C_Logout",
  "C_CloseSession",
  "C_Finalize",
];

let wasmSteps;

test("examples/seed-demo.cjs is pkcs11js code with only its require changed", () => {
  const source = fs.readFileSync(demoPath, "utf8");
  const code = source
    .split("\n")
    .filter((line) => !/^\s*\/\//.test(line))
    .join("\n");
  const requires = [...code.matchAll(/require\(([^)]*)\)/g)].map((m) => m[0]);
  assert.deepEqual(requires, [REQUIRE_WASM], "one require, of pkcs11-wasm");
  assert.match(source, /^const pkcs11js = require\("pkcs11-wasm"\);$/m);
});

test("`npm run demo` runs seed-demo on pkcs11-wasm and prints every step", () => {
  assert.ok(fs.existsSync(path.join(pkgDir, "package.json")), "pkg/ is missing: run `npm run build` first");
  const scripts = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")).scripts;
  assert.equal(scripts.demo, "node examples/seed-demo.cjs");
  // As `npm run demo` runs it: require("pkcs11-wasm") resolves through
  // examples/package.json to ./pkg. A low PIN KDF cost keeps it short.
  const conf = path.join(tmp, "pkcs11-wasm.json");
  fs.writeFileSync(conf, JSON.stringify({ kdfIterations: "insecure-test" }));
  const stdout = run(demoPath, { PKCS11_WASM_CONF: conf });
  wasmSteps = steps(stdout);
  assert.deepEqual(wasmSteps, EXPECTED_STEPS);
  assert.match(stdout, /C_GetInfo: pkcs11-wasm \/ PKCS#11 software token \(wasm\), Cryptoki 3\.1/);
  assert.match(stdout, /C_InitToken: label "seed-demo-\d+"/);
  assert.match(stdout, /C_Decrypt \(AES-GCM\): "Hello from a pkcs11js program!"/);
  assert.match(stdout, /C_Verify: valid: true/);
  assert.match(stdout, /rejected with CKR_SIGNATURE_INVALID \(192\)/);
  assert.match(stdout, /2 object\(s\) labelled "demo-rsa"/);
  assert.match(stdout, /public key "demo-rsa", modulus 2048 bits, exponent 0x010001/);
  assert.match(stdout, /private key "demo-rsa"/);
});

/** The node_modules directory holding a working pkcs11js, or why not. */
function findPkcs11js() {
  const candidates = [];
  try {
    const resolved = createRequire(path.join(repo, "package.json")).resolve("pkcs11js");
    candidates.push(resolved.slice(0, resolved.lastIndexOf("node_modules") + "node_modules".length));
  } catch {
    /* not installed in the repository */
  }
  if (process.env.PKCS11JS_DIR) candidates.push(path.resolve(process.env.PKCS11JS_DIR));
  for (const dir of candidates) {
    try {
      const pkcs11js = createRequire(path.join(dir, "_.js"))("pkcs11js");
      if (typeof pkcs11js.PKCS11 === "function") return { dir };
    } catch (e) {
      return { reason: `pkcs11js in ${dir} cannot be loaded: ${e.message.split("\n")[0]}` };
    }
  }
  return { reason: "pkcs11js is not installed (it needs node-gyp and a compiler; set PKCS11JS_DIR to a node_modules directory holding it)" };
}

test("the same file runs unchanged on SoftHSM through the real pkcs11js", (t) => {
  const found = findPkcs11js();
  if (!found.dir) {
    console.log(`skipped: ${found.reason}`);
    return t.skip(found.reason);
  }
  if (!fs.existsSync(SOFTHSM_LIBRARY)) {
    const reason = `SoftHSM is not installed (${SOFTHSM_LIBRARY} missing; Debian package softhsm2)`;
    console.log(`skipped: ${reason}`);
    return t.skip(reason);
  }
  const source = fs.readFileSync(demoPath, "utf8");
  const swapped = source.replace(REQUIRE_WASM, REQUIRE_PKCS11JS);
  const changed = source.split("\n").filter((line, i) => line !== swapped.split("\n")[i]);
  assert.deepEqual(changed, ['const pkcs11js = require("pkcs11-wasm");'], "exactly one line differs");
  const file = path.join(tmp, "seed-demo-pkcs11js.cjs");
  fs.writeFileSync(file, swapped);

  const tokens = path.join(tmp, "softhsm-tokens");
  fs.mkdirSync(tokens);
  const conf = path.join(tmp, "softhsm2.conf");
  fs.writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const stdout = run(file, { NODE_PATH: found.dir, SOFTHSM2_CONF: conf, PKCS11_LIBRARY: SOFTHSM_LIBRARY });
  assert.match(stdout, /C_GetInfo: SoftHSM/);
  assert.deepEqual(steps(stdout), EXPECTED_STEPS, "SoftHSM run prints the same steps");
  if (wasmSteps) assert.deepEqual(steps(stdout), wasmSteps, "same steps as on pkcs11-wasm");
});
