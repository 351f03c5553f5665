// The module split (issue 15, item 1) in Node: the families the core
// module leaves out run in pkcs11_wasm_extra_bg.wasm, compiled
// synchronously at the first call that needs it, with no change to the
// application; mechanism lists and infos need no extra module; errors keep
// their CKR codes; the JS buffers that carried key material are wiped.
// Results are checked with node:crypto (OpenSSL). Needs `npm run build`.
import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { C, expectRv, openUserSession, pkcs11js } from "./fixtures/token-session.mjs";

const pkg = new URL("../../pkg/", import.meta.url);
const ED25519 = Buffer.from("06032b6570", "hex");
const P384 = Buffer.from("06052b81040022", "hex");

function exportsOf(file) {
  return WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(new URL(file, pkg)))).map((e) => e.name);
}

test("the core module exports the engine and the hook; the extra module only its entry point", () => {
  const core = exportsOf("pkcs11_wasm_bg.wasm");
  assert.ok(core.includes("set_extra_hook"));
  assert.ok(core.some((n) => n.startsWith("wasmmodule_")));
  const extra = exportsOf("pkcs11_wasm_extra_bg.wasm").filter((n) => !n.startsWith("__") && n !== "memory");
  assert.deepEqual(extra, ["extra_call"]);
});

/** A child process's mechanism list and infos, and whether it read the extra module. */
function listInChild() {
  const script = `
    const fs = require("node:fs");
    const read = fs.readFileSync;
    let extraRead = false;
    fs.readFileSync = function (p, ...a) {
      if (String(p).includes("extra")) extraRead = true;
      return read.call(this, p, ...a);
    };
    const pkcs11js = require(${JSON.stringify(new URL("index.cjs", pkg).pathname)});
    const p = new pkcs11js.PKCS11();
    p.C_Initialize();
    const [slot] = p.C_GetSlotList(false);
    const list = p.C_GetMechanismList(slot);
    const infos = list.map((m) => p.C_GetMechanismInfo(slot, m));
    console.log(JSON.stringify({ list, infos, extraRead }));
  `;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

test("C_GetMechanismList / C_GetMechanismInfo answer from the core alone, the moved mechanisms included", () => {
  const child = listInChild();
  assert.equal(child.extraRead, false, "listing mechanisms loads no extra module");
  for (const m of [C.CKM_EDDSA, C.CKM_ML_DSA, C.CKM_ML_KEM, C.CKM_CHACHA20_POLY1305, C.CKM_EC_MONTGOMERY_KEY_PAIR_GEN]) {
    assert.ok(child.list.includes(m), `0x${m.toString(16)} listed`);
  }
  // The same answers as a process that has the extra module loaded.
  const s = openUserSession("split-list");
  s.pkcs11.C_GenerateKeyPair(s.s, { mechanism: C.CKM_EC_EDWARDS_KEY_PAIR_GEN }, [{ type: C.CKA_EC_PARAMS, value: ED25519 }], []);
  const list = s.pkcs11.C_GetMechanismList(s.slot);
  assert.deepEqual(list, child.list);
  assert.deepEqual(
    list.map((m) => s.pkcs11.C_GetMechanismInfo(s.slot, m)),
    child.infos,
  );
  s.pkcs11.C_Finalize();
});

function ed25519Pair(s, extractable = false) {
  return s.pkcs11.C_GenerateKeyPair(
    s.s,
    { mechanism: C.CKM_EC_EDWARDS_KEY_PAIR_GEN },
    [{ type: C.CKA_EC_PARAMS, value: ED25519 }, { type: C.CKA_VERIFY, value: true }],
    [
      { type: C.CKA_SIGN, value: true },
      { type: C.CKA_SENSITIVE, value: !extractable },
      { type: C.CKA_EXTRACTABLE, value: extractable },
    ],
  );
}

function rawPoint(s, key) {
  const [{ value }] = s.pkcs11.C_GetAttributeValue(s.s, key, [{ type: C.CKA_EC_POINT }]);
  return value.length === 32 ? value : value.subarray(value.length - 32);
}

test("Ed25519 through the extra module in Node (sync calls), checked by OpenSSL", () => {
  const s = openUserSession("split-ed");
  const { publicKey, privateKey } = ed25519Pair(s);
  const message = Buffer.from("signed in the extra module");
  s.pkcs11.C_SignInit(s.s, { mechanism: C.CKM_EDDSA }, privateKey);
  const signature = s.pkcs11.C_Sign(s.s, message, Buffer.alloc(64));
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), rawPoint(s, publicKey)]);
  const key = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
  assert.ok(crypto.verify(null, message, key, signature));
  // Errors keep their codes.
  s.pkcs11.C_VerifyInit(s.s, { mechanism: C.CKM_EDDSA }, publicKey);
  const bad = Buffer.from(signature);
  bad[5] ^= 1;
  expectRv(() => s.pkcs11.C_Verify(s.s, message, bad), "CKR_SIGNATURE_INVALID");
  expectRv(() => s.pkcs11.C_SignInit(s.s, { mechanism: C.CKM_EDDSA, parameter: Buffer.from([1]) }, privateKey), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(
    () =>
      s.pkcs11.C_CreateObject(s.s, [
        { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
        { type: C.CKA_KEY_TYPE, value: C.CKK_EC_EDWARDS },
        { type: C.CKA_EC_PARAMS, value: ED25519 },
        { type: C.CKA_VALUE, value: Buffer.alloc(31, 1) },
      ]),
    "CKR_ATTRIBUTE_VALUE_INVALID",
  );
  s.pkcs11.C_Finalize();
});

test("P-384 ECDSA and ChaCha20-Poly1305 through the extra module, checked by OpenSSL", () => {
  const s = openUserSession("split-p384");
  const { publicKey, privateKey } = s.pkcs11.C_GenerateKeyPair(
    s.s,
    { mechanism: C.CKM_EC_KEY_PAIR_GEN },
    [{ type: C.CKA_EC_PARAMS, value: P384 }, { type: C.CKA_VERIFY, value: true }],
    [{ type: C.CKA_SIGN, value: true }],
  );
  const message = Buffer.from("P-384 in the extra module");
  s.pkcs11.C_SignInit(s.s, { mechanism: C.CKM_ECDSA_SHA384 }, privateKey);
  const signature = s.pkcs11.C_Sign(s.s, message, Buffer.alloc(96));
  const [{ value: spki }] = s.pkcs11.C_GetAttributeValue(s.s, publicKey, [{ type: C.CKA_PUBLIC_KEY_INFO }]);
  const key = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
  assert.ok(crypto.verify("sha384", message, { key, dsaEncoding: "ieee-p1363" }, signature));

  const value = crypto.randomBytes(32);
  const chacha = s.pkcs11.C_CreateObject(s.s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_CHACHA20 },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
  ]);
  const nonce = crypto.randomBytes(12);
  const aad = Buffer.from("header");
  const mechanism = { mechanism: C.CKM_CHACHA20_POLY1305, parameter: { type: pkcs11js.CK_PARAMS_CHACHA20_POLY1305, nonce, aad } };
  const plain = crypto.randomBytes(100);
  // Multi-part: the proxy keeps the parts and answers at the end.
  s.pkcs11.C_EncryptInit(s.s, mechanism, chacha);
  const parts = [s.pkcs11.C_EncryptUpdate(s.s, plain.subarray(0, 40), Buffer.alloc(200))];
  parts.push(s.pkcs11.C_EncryptUpdate(s.s, plain.subarray(40), Buffer.alloc(200)));
  parts.push(s.pkcs11.C_EncryptFinal(s.s, Buffer.alloc(200)));
  const sealed = Buffer.concat(parts);
  const ours = crypto.createDecipheriv("chacha20-poly1305", value, nonce, { authTagLength: 16 });
  ours.setAAD(aad);
  ours.setAuthTag(sealed.subarray(100));
  assert.deepEqual(Buffer.concat([ours.update(sealed.subarray(0, 100)), ours.final()]), plain);
  // A buffer one byte short: CKR_BUFFER_TOO_SMALL, and the operation goes on.
  s.pkcs11.C_DecryptInit(s.s, mechanism, chacha);
  expectRv(() => s.pkcs11.C_Decrypt(s.s, sealed, Buffer.alloc(99)), "CKR_BUFFER_TOO_SMALL");
  assert.deepEqual(Buffer.from(s.pkcs11.C_Decrypt(s.s, sealed, Buffer.alloc(100))), plain);
  const tampered = Buffer.from(sealed);
  tampered[0] ^= 1;
  s.pkcs11.C_DecryptInit(s.s, mechanism, chacha);
  expectRv(() => s.pkcs11.C_Decrypt(s.s, tampered, Buffer.alloc(100)), "CKR_ENCRYPTED_DATA_INVALID");
  s.pkcs11.C_Finalize();
});

test("the JS buffers that carried a private key to the extra module are wiped after the call", () => {
  const s = openUserSession("split-wipe");
  const { privateKey } = ed25519Pair(s, true);
  const [{ value: secret }] = s.pkcs11.C_GetAttributeValue(s.s, privateKey, [{ type: C.CKA_VALUE }]);
  const seen = [];
  const TAP = Symbol.for("pkcs11-wasm.extraTap");
  globalThis[TAP] = (request, response) => seen.push({ request, response, hadSecret: Buffer.from(request).includes(secret) });
  try {
    s.pkcs11.C_SignInit(s.s, { mechanism: C.CKM_EDDSA }, privateKey);
    s.pkcs11.C_Sign(s.s, Buffer.from("wipe"), Buffer.alloc(64));
  } finally {
    delete globalThis[TAP];
  }
  assert.ok(seen.length >= 2, `${seen.length} calls to the extra module`);
  assert.ok(seen.every((c) => c.hadSecret), "each request carried the private key");
  for (const { request, response } of seen) {
    assert.ok(request.every((b) => b === 0), "request wiped");
    assert.ok(response.every((b) => b === 0), "response wiped");
  }
  s.pkcs11.C_Finalize();
});
