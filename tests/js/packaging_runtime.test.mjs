// Runtimes other than a plain Node 20 (issue 11, items 4 and 9): Deno
// refusing the read of PKCS11_WASM_CONF (without --allow-env) counts as
// unset; a runtime without crypto.getRandomValues (Node 18 has no global
// `crypto`) gets an error that says so instead of CKR_FUNCTION_FAILED;
// NSS-style libraryParameters and load() strings are ignored with a
// warning. Each case runs in a fresh Node process. Needs `npm run build`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const cjsEntry = fileURLToPath(new URL("../../pkg/index.cjs", import.meta.url));

/** Runs a CommonJS script; returns { result (last stdout line, JSON), stderr }. */
function run(source, env = {}) {
  const r = spawnSync(process.execPath, ["-e", source], { encoding: "utf8", env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return { result: JSON.parse(r.stdout.trim().split("\n").pop()), stderr: r.stderr };
}

test("Deno without --allow-env: a refused read of PKCS11_WASM_CONF counts as unset", () => {
  // Deno's process.env throws NotCapable for a variable it may not read.
  const { result } = run(
    `
    const env = process.env;
    process.env = new Proxy(env, {
      get(target, name) {
        if (name === "PKCS11_WASM_CONF") throw Object.assign(new Error('Requires env access to "PKCS11_WASM_CONF"'), { name: "NotCapable" });
        return target[name];
      },
    });
    const pkcs11js = require(${JSON.stringify(cjsEntry)});
    const p = new pkcs11js.PKCS11();
    p.C_Initialize();
    console.log(JSON.stringify({ slots: p.C_GetSlotList().length, minPin: p.C_GetTokenInfo(p.C_GetSlotList()[0]).minPinLen }));
    `,
    { PKCS11_WASM_CONF: "/nonexistent/would-throw-if-read.json" },
  );
  assert.deepEqual(result, { slots: 1, minPin: 4 });
});

test("a runtime without crypto.getRandomValues: a clear error at the first call, constants still usable", () => {
  const { result } = run(`
    Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
    const pkcs11js = require(${JSON.stringify(cjsEntry)});
    let error;
    try {
      new pkcs11js.PKCS11().C_Initialize();
    } catch (e) {
      error = e;
    }
    console.log(JSON.stringify({
      gcm: pkcs11js.CKM_AES_GCM,
      name: error?.name,
      native: error instanceof pkcs11js.NativeError,
      message: error?.message,
    }));
  `);
  assert.equal(result.gcm, 0x1087);
  assert.equal(result.name, "NativeError");
  assert.equal(result.native, true);
  assert.match(result.message, /crypto\.getRandomValues/);
  assert.match(result.message, /Node\.js 20/);
});

test("NSS-style libraryParameters and load() strings are ignored with a warning; a library path silently", () => {
  const nss = "configdir='sql:/etc/pki/nssdb' certPrefix='' keyPrefix='' secmod='secmod.db'";
  const { result, stderr } = run(`
    const pkcs11js = require(${JSON.stringify(cjsEntry)});
    const p = new pkcs11js.PKCS11();
    p.load("/usr/lib/softhsm/libsofthsm2.so");
    p.C_Initialize({ libraryParameters: ${JSON.stringify(nss)} });
    p.C_Finalize();
    p.C_Initialize({ libraryParameters: ${JSON.stringify(nss)} }); // warned once
    const q = new pkcs11js.PKCS11();
    q.load(${JSON.stringify(nss)});
    q.C_Initialize();
    const slots = p.C_GetSlotList().length + q.C_GetSlotList().length;
    let bad;
    try { q.C_Finalize(); q.C_Initialize({ libraryParameters: "{not json" }); } catch (e) { bad = e.name; }
    console.log(JSON.stringify({ slots, bad }));
  `);
  assert.deepEqual(result, { slots: 2, bad: "TypeError" }); // text starting with "{" is meant as JSON: still refused
  const warnings = stderr.split("\n").filter((l) => l.startsWith("pkcs11-wasm:"));
  assert.equal(warnings.length, 2, stderr);
  assert.match(warnings[0], /libraryParameters .*configdir=.* is not a JSON object of settings: ignored/);
  assert.match(warnings[1], /load\(.*configdir=.*\): not a configuration .*: ignored/);
  assert.doesNotMatch(stderr, /libsofthsm2/);
});
