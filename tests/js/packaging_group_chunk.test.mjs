// browser.mjs without the code a page rarely needs (issue 15, item 1): the
// token groups' code is group.mjs beside it, imported when a configuration
// has groups; the Node token directory is not in it at all. Checked on the
// build output, then through browser.mjs under Node (the same dynamic
// import a page makes; tests/js/packaging_group_chunk_browser.test.mjs does
// it in Chromium). Needs `npm run build`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const pkgDir = new URL("../../pkg/", import.meta.url);
const read = (f) => readFileSync(new URL(f, pkgDir), "utf8");
const wasm = readFileSync(new URL("pkcs11_wasm_bg.wasm", pkgDir));

// Strings only their module has (error messages and names the bundler keeps).
const DIRECTORY = ["is a symbolic link; it was not used", "DirectoryLock", "DirectoryBackend"];
const GROUPS = ["LocalMember", "ThreadMember", "MemberStorage", "resync"];
const has = (code, strings) => strings.filter((s) => code.includes(s));

const memberConfig = (tag) => ({
  kdfIterations: "insecure-test",
  slots: [{ group: { members: [{ storage: { memory: `${tag}-a` } }, { storage: { memory: `${tag}-b` } }] } }],
});

/** A fresh browser.mjs instance (its own module state) after init(). */
async function freshBrowser(tag, options) {
  const P = await import(new URL(`browser.mjs?${tag}`, pkgDir));
  await P.init(options ? { ...options, module: wasm } : wasm);
  return P;
}

test("browser.mjs carries neither the token directory nor the groups' code; group.mjs and the other entries do", () => {
  const browser = read("browser.mjs");
  assert.deepEqual(has(browser, DIRECTORY), []);
  assert.deepEqual(has(browser, GROUPS), [], "the group classes are in group.mjs");
  assert.ok(!browser.includes('"CompositeModule"'), "CompositeModule is only named (group/lazy.js), not defined");
  assert.match(browser, /import\(\/\* webpackIgnore: true \*\/ \/\* @vite-ignore \*\/ /, "bundlers leave the import() alone");
  assert.match(browser, /new URL\("\.\/group\.mjs",import\.meta\.url\)/, "found beside the script, as the .wasm");
  const chunk = read("group.mjs");
  assert.match(chunk, /^export default function \(require\) \{$/m, "a factory, importing nothing");
  assert.doesNotMatch(chunk, /^\s*import\s|\bimport\(/m);
  assert.deepEqual(has(chunk, GROUPS), GROUPS, "group.mjs holds the group classes");
  assert.ok(chunk.includes('"CompositeModule"'));
  assert.deepEqual(has(chunk, DIRECTORY), [], "members in browsers have no token directory either");
  assert.doesNotMatch(chunk, /__wbindgen|WebAssembly\.instantiate/, "the wasm glue is browser.mjs's, not copied");
  for (const f of ["index.cjs", "index.mjs", "inline-node.mjs"]) {
    assert.equal(has(read(f), DIRECTORY).length, DIRECTORY.length, `${f} has the token directory`);
  }
  for (const f of ["inline-node.mjs", "inline.mjs"]) assert.deepEqual(has(read(f), GROUPS), GROUPS, `${f} has the groups' code`);
  const manifest = JSON.parse(read("package.json"));
  assert.ok(manifest.files.includes("group.mjs"), "group.mjs is published");
  assert.ok(manifest.files.includes("group-node.cjs"), "group-node.cjs is published");
  assert.equal(manifest.exports["./group.mjs"], "./group.mjs");
});

test("index.cjs and index.mjs leave the groups' code to group-node.cjs, a factory required at the first group", async () => {
  for (const f of ["index.cjs", "index.mjs"]) {
    const code = read(f);
    assert.deepEqual(has(code, GROUPS), [], `${f}: the group classes are in group-node.cjs`);
    assert.ok(!code.includes('"CompositeModule"'), `${f}: CompositeModule is only named, not defined`);
    assert.match(code, /"group-node\.cjs"/, `${f} requires it beside itself`);
  }
  const chunk = read("group-node.cjs");
  assert.match(chunk, /^module\.exports = function \(require\) \{$/m, "a factory");
  assert.deepEqual(has(chunk, GROUPS), GROUPS, "group-node.cjs holds the group classes");
  assert.doesNotMatch(chunk, /__wbindgen|WebAssembly\.Module|initSync/, "the wasm glue is the entry's, not copied");
  // Through each entry: a group runs, on the entry's one wasm instance and classes.
  const { createRequire } = await import("node:module");
  const cjs = createRequire(import.meta.url)(new URL("index.cjs", pkgDir).pathname);
  const esm = (await import(new URL("index.mjs", pkgDir))).default;
  assert.equal(esm, cjs, "one API object per process");
  const p = new cjs.PKCS11(memberConfig("node-chunk"));
  p.C_Initialize();
  try {
    const [slot] = p.C_GetSlotList(true);
    assert.throws(
      () => p.C_OpenSession(Buffer.alloc(8, 0x7f), 4),
      (e) => e instanceof cjs.Pkcs11Error && e.code === cjs.CKR_SLOT_ID_INVALID,
      "errors are the entry's Pkcs11Error",
    );
    assert.ok(p.C_GetSlotInfo(slot).flags & cjs.CKF_TOKEN_PRESENT);
  } finally {
    p.C_Finalize();
  }
});

test("browser.mjs: sync C_Initialize of a group before its code is loaded is a TypeError; C_InitializeAsync loads it", async () => {
  const P = await freshBrowser("async");
  const p = new P.PKCS11(memberConfig("async"));
  assert.throws(
    () => p.C_Initialize(),
    (e) => e instanceof TypeError && /token groups, whose code \(group\.mjs\) .*C_InitializeAsync\(\).*init\(\{ groups: true \}\)/.test(e.message),
  );
  assert.throws(() => p.C_GetSlotList(false), TypeError, "every call before the code is there says the same");
  await p.C_InitializeAsync();
  const [slot] = p.C_GetSlotList(false);
  assert.deepEqual(p.groupStatus(slot).members.map((m) => m.state), ["live", "live"]);
  p.C_InitToken(slot, "so-pin-1234", "lazy group");
  assert.equal(p.C_GetTokenInfo(slot).label.trimEnd(), "lazy group");
  p.C_Finalize();
  // Loaded now: a synchronous C_Initialize works, as in Node.
  const q = new P.PKCS11(memberConfig("async"));
  q.C_Initialize();
  assert.equal(q.C_GetTokenInfo(q.C_GetSlotList(false)[0]).label.trimEnd(), "lazy group", "the members' stores are shared");
  q.C_Finalize();
});

test("browser.mjs: init({ groups: true }) preloads the groups' code, so sync C_Initialize works", async () => {
  const P = await freshBrowser("preload", { groups: true });
  const p = new P.PKCS11(memberConfig("preload"));
  p.C_Initialize();
  assert.equal(p.C_GetSlotList(false).length, 1);
  assert.equal(p.groupStatus(p.C_GetSlotList(false)[0]).members.length, 2);
  p.C_Finalize();
});

test("browser.mjs: libraryParameters naming groups is awaited by C_InitializeAsync; the old module is kept on a sync refusal", async () => {
  const P = await freshBrowser("params");
  const p = new P.PKCS11({ kdfIterations: "insecure-test" });
  const libraryParameters = JSON.stringify(memberConfig("params"));
  assert.throws(() => p.C_Initialize({ libraryParameters }), TypeError);
  p.C_Initialize(); // the module the refused call would have replaced is still usable
  p.C_Finalize();
  await p.C_InitializeAsync({ libraryParameters });
  assert.equal(p.groupStatus(p.C_GetSlotList(false)[0]).members.length, 2);
  p.C_Finalize();
});

test("browser.mjs: configurations without groups work as before; a directory storage is refused as before", async () => {
  const P = await freshBrowser("plain");
  const p = new P.PKCS11({ slots: [{ storage: "memory" }] });
  p.C_Initialize();
  p.C_Finalize();
  await p.C_InitializeAsync();
  p.C_Finalize();
  const directory = /^pkcs11-wasm: invalid configuration: slots\[0\]\.storage is a directory, which needs Node's file system$/;
  assert.throws(() => new P.PKCS11({ slots: [{ storage: { directory: "/tmp/never" } }] }), (e) => e instanceof TypeError && directory.test(e.message));
  const member = { slots: [{ group: { members: [{ storage: { directory: "/tmp/never" } }] } }] };
  assert.throws(() => new P.PKCS11(member), (e) => e instanceof TypeError && /needs Node's file system/.test(e.message), "a member's too");
});
