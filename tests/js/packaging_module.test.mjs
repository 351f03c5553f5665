// The package's module shape as pkcs11js users meet it (issue 11, item 1):
// the default import in ES modules, the CommonJS object without an
// `__esModule` marker (so every interop helper makes the default import
// that object), one API object, one class identity and one wasm instance
// when both entries load in one process, and nothing compiled for a
// constants-only import. Each case runs in a fresh Node process. Needs
// `npm run build` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const pkg = fileURLToPath(new URL("../../pkg/", import.meta.url));
const cjsEntry = join(pkg, "index.cjs");
const esmEntry = join(pkg, "index.mjs");

/** Runs an ES module script in a fresh Node process; returns its JSON output. */
function runModule(source) {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", source], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop());
}

test("CommonJS: a plain object like pkcs11js's, no __esModule marker, no default", () => {
  const r = runModule(`
    import { createRequire } from "node:module";
    const api = createRequire(import.meta.url)(${JSON.stringify(cjsEntry)});
    const d = Object.getOwnPropertyDescriptor(api, "PKCS11");
    console.log(JSON.stringify({
      esModule: "__esModule" in api,
      hasDefault: "default" in api,
      proto: Object.getPrototypeOf(api) === Object.prototype,
      dataProperty: "value" in d && d.writable && d.enumerable,
      names: ["PKCS11", "Pkcs11Error", "NativeError", "init", "CKA_CLASS", "CKM_AES_GCM", "CK_PARAMS_AES_GCM"].filter((n) => !(n in api)),
    }));
  `);
  assert.deepEqual(r, { esModule: false, hasDefault: false, proto: true, dataProperty: true, names: [] });
});

test("CommonJS: every constant a plain number property, the names, values and order of the browser entry's namespace", () => {
  // The Node entries take the constants from one generated object literal
  // (scripts/build.mjs, constant-values.js), the browser entries from
  // constants.js through ES exports: both must give the same.
  const r = runModule(`
    import { createRequire } from "node:module";
    const api = createRequire(import.meta.url)(${JSON.stringify(cjsEntry)});
    const ns = await import(${JSON.stringify(join(pkg, "browser.mjs"))});
    const isConstant = (n) => /^CK/.test(n);
    const plain = (n) => {
      const d = Object.getOwnPropertyDescriptor(api, n);
      return "value" in d && d.writable && d.enumerable && d.configurable && typeof d.value === "number";
    };
    console.log(JSON.stringify({
      count: Object.keys(api).filter(isConstant).length,
      notPlain: Object.keys(api).filter((n) => isConstant(n) && !plain(n)),
      names: Object.keys(api).filter((n) => n !== "init"),
      browserNames: Object.keys(ns).filter((n) => n !== "default" && n !== "init"),
      differ: Object.keys(ns).filter((n) => isConstant(n) && ns[n] !== api[n]),
    }));
  `);
  assert.ok(r.count > 1000, `${r.count} constants`);
  assert.deepEqual(r.notPlain, []);
  assert.deepEqual(r.names, r.browserNames);
  assert.deepEqual(r.differ, []);
});

test("ES module: the default import is the very object require() returns, named exports are its properties", () => {
  const r = runModule(`
    import { createRequire } from "node:module";
    import pkcs11js, * as ns from ${JSON.stringify(esmEntry)};
    import { PKCS11, CKA_CLASS } from ${JSON.stringify(esmEntry)};
    const required = createRequire(import.meta.url)(${JSON.stringify(cjsEntry)});
    const names = Object.keys(required);
    console.log(JSON.stringify({
      same: pkcs11js === required,
      named: PKCS11 === required.PKCS11 && CKA_CLASS === required.CKA_CLASS,
      everyName: names.filter((n) => ns[n] !== required[n]),
      nsDefault: ns.default === required,
      count: names.length,
    }));
  `);
  assert.equal(r.same, true);
  assert.equal(r.named, true);
  assert.deepEqual(r.everyName, []);
  assert.equal(r.nsDefault, true);
  assert.ok(r.count > 1000, `${r.count} exports`);
});

for (const first of ["esm", "cjs"]) {
  test(`both entries in one process (${first} loaded first): one PKCS11 class, errors instanceof either Pkcs11Error, one wasm instance`, () => {
    const load = {
      esm: `const esm = await import(${JSON.stringify(esmEntry)});`,
      cjs: `const cjs = createRequire(import.meta.url)(${JSON.stringify(cjsEntry)});`,
    };
    const r = runModule(`
      import { createRequire } from "node:module";
      let compiled = 0;
      const Module = WebAssembly.Module;
      WebAssembly.Module = function (bytes) { compiled++; return new Module(bytes); };
      ${first === "esm" ? load.esm + load.cjs : load.cjs + load.esm}
      const viaCjs = new cjs.PKCS11();
      viaCjs.C_Initialize();
      let error;
      try { viaCjs.C_OpenSession(Buffer.alloc(8, 0xff), cjs.CKF_SERIAL_SESSION); } catch (e) { error = e; }
      const viaEsm = new esm.default.PKCS11();
      viaEsm.C_Initialize();
      console.log(JSON.stringify({
        sameClass: esm.PKCS11 === cjs.PKCS11,
        instanceofEsm: error instanceof esm.Pkcs11Error && error instanceof esm.NativeError,
        instanceofCjs: error instanceof cjs.Pkcs11Error,
        message: error.message,
        compiled,
      }));
    `);
    assert.deepEqual(r, { sameClass: true, instanceofEsm: true, instanceofCjs: true, message: "CKR_SLOT_ID_INVALID", compiled: 1 });
  });
}

test("interop helpers make the default import the API object (TypeScript/Babel __importDefault, esbuild __toESM)", async () => {
  const api = (await import(esmEntry)).default;
  const { createRequire } = await import("node:module");
  const mod = createRequire(import.meta.url)(cjsEntry);
  // What tsc (esModuleInterop) and Babel emit for `import x from "m"`.
  const importDefault = (m) => (m && m.__esModule ? m : { default: m });
  assert.equal(importDefault(mod).default, api);

  // esbuild bundling `import x from` the CommonJS file itself.
  const dir = mkdtempSync(join(tmpdir(), "p11w-interop-"));
  try {
    const entry = join(dir, "main.mjs");
    writeFileSync(
      entry,
      `import pkcs11js from ${JSON.stringify(cjsEntry)};
       const p = new pkcs11js.PKCS11();
       p.C_Initialize();
       console.log(JSON.stringify({ slots: p.C_GetSlotList().length, gcm: pkcs11js.CKM_AES_GCM }));`,
    );
    const outfile = join(dir, "out.cjs");
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", outfile, logLevel: "error", external: [cjsEntry] });
    const r = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: "utf8" }));
    assert.deepEqual(r, { slots: 1, gcm: api.CKM_AES_GCM });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a constants-only import compiles no wasm; the first PKCS11 call does", () => {
  for (const entry of [cjsEntry, esmEntry, join(pkg, "inline-node.mjs")]) {
    const r = runModule(`
      let compiled = 0;
      const Module = WebAssembly.Module;
      WebAssembly.Module = function (bytes) { compiled++; return new Module(bytes); };
      const { CKA_CLASS, CKM_AES_GCM, PKCS11 } = (await import(${JSON.stringify(entry)})).default;
      const before = compiled;
      new PKCS11().C_Initialize();
      console.log(JSON.stringify({ constants: CKA_CLASS === 0 && CKM_AES_GCM === 0x1087, before, after: compiled }));
    `);
    assert.deepEqual(r, { constants: true, before: 0, after: 1 }, entry);
  }
});

test("start-up loads neither node:worker_threads nor Web Crypto; the first thread member and the first random draw do", () => {
  // Both cost every start-up milliseconds: worker_threads waits for a group
  // with thread members, Node's Web Crypto (the getter globalThis.crypto)
  // for the first call that needs random bytes (here C_InitToken).
  for (const entry of [cjsEntry, esmEntry]) {
    const r = runModule(`
      const loaded = () => ["worker_threads", "internal/crypto/webcrypto"].filter((m) => process.moduleLoadList.includes("NativeModule " + m));
      const { PKCS11 } = (await import(${JSON.stringify(entry)})).default;
      const plain = new PKCS11({ slots: [{ storage: "memory" }] });
      plain.C_Initialize();
      const [slot] = plain.C_GetSlotList(true);
      const blank = plain.C_GetTokenInfo(slot).serialNumber;
      const atStart = loaded();
      plain.C_InitToken(slot, "so-pin-1234", "t");
      const serial = plain.C_GetTokenInfo(slot).serialNumber;
      const afterInitToken = loaded();
      const grouped = new PKCS11({ kdfIterations: "insecure-test", slots: [{ group: { members: [{ storage: { memory: "m0" }, thread: true }] } }] });
      grouped.onstorageevent = () => {};
      grouped.C_Initialize();
      grouped.C_GetSlotInfo(grouped.C_GetSlotList(true)[0]);
      grouped.C_Finalize();
      console.log(JSON.stringify({ atStart, afterInitToken, afterGroup: loaded(), blank, serial: /^[0-9a-f]{16}$/.test(serial) }));
      process.exit(0);
    `);
    assert.deepEqual(
      r,
      { atStart: [], afterInitToken: ["internal/crypto/webcrypto"], afterGroup: ["worker_threads", "internal/crypto/webcrypto"], blank: " ".repeat(16), serial: true },
      entry,
    );
  }
});

test("pkcs11-wasm/constants: every constant of the main entry, same values, nothing else", async () => {
  const api = (await import(esmEntry)).default;
  const constantsEsm = await import(join(pkg, "constants.mjs"));
  const { createRequire } = await import("node:module");
  const constantsCjs = createRequire(import.meta.url)(join(pkg, "constants.cjs"));
  const want = Object.fromEntries(Object.entries(api).filter(([name]) => /^CK/.test(name)));
  assert.deepEqual({ ...constantsCjs }, want);
  assert.equal("__esModule" in constantsCjs, false);
  const { default: constantsDefault, ...named } = constantsEsm;
  assert.deepEqual(named, want);
  assert.deepEqual({ ...constantsDefault }, want);
});
