// The module split (issue 15, item 1) in Node: the families the core
// module leaves out run in pkcs11_wasm_extra_bg.wasm, compiled
// synchronously at the first call that needs it, with no change to the
// application; mechanism lists and infos need no extra module; errors keep
// their CKR codes; the JS buffers that carried key material are wiped.
// Results are checked with node:crypto (OpenSSL). Needs `npm run build`.
import "./fixtures/extra-tap.mjs"; // before the package loads
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
  assert.deepEqual(extra.sort(), ["extra_release", "extra_request", "extra_response", "extra_serve"]);
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

function chachaKey(s, value) {
  return s.pkcs11.C_CreateObject(s.s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_CHACHA20 },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
  ]);
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
  const chacha = chachaKey(s, value);
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

/** The secret prefix a request/response frame declares (src/mech/proxy/codec.rs). */
function secretLen(frame) {
  return Math.min(Buffer.from(frame.buffer, frame.byteOffset + 1, 4).readUInt32LE(0), frame.length);
}

/**
 * Runs `f` and records every round trip to the extra module: views of the
 * core's request frame, its copy in the extra module's memory and the
 * response there, with each one's secret prefix length and a copy of that
 * prefix as it was during the call.
 */
function tapCalls(f) {
  const seen = [];
  const TAP = Symbol.for("pkcs11-wasm.extraTap");
  const record = (view) => ({
    view,
    secret: secretLen(view),
    then: Buffer.from(view.subarray(0, secretLen(view))),
    bytes: view.length,
    memory: view.buffer.byteLength,
  });
  // Called with the request and its copy before the extra module serves
  // it, then with the response.
  globalThis[TAP] = (...views) => {
    if (views.length === 2) seen.push(views.map(record));
    else seen.at(-1).push(record(views[0]));
  };
  try {
    f();
  } finally {
    delete globalThis[TAP];
  }
  return seen;
}

/**
 * After the calls `seen` recorded: the last round trip's buffers have
 * their secret prefixes zeroed (earlier ones may since hold later
 * messages: the buffers are reused), no buffer's prefix holds any of
 * `secrets`, and neither does any byte of the extra module's memory.
 */
function assertWiped(seen, secrets) {
  assert.ok(seen.length >= 1 && seen.every((c) => c.length === 3), "round trips recorded");
  for (const { view, secret, bytes } of seen.at(-1)) {
    assert.equal(view.length, bytes, "the memory under the view was not replaced (the check would see nothing)");
    assert.ok(view.subarray(0, secret).every((b) => b === 0), "secret prefix wiped");
  }
  for (const call of seen) {
    for (const { view, secret } of call) {
      for (const k of secrets) assert.ok(!Buffer.from(view.subarray(0, secret)).includes(k), "no key left in a message buffer");
    }
  }
  const extraMemory = Buffer.from(seen[0][1].view.buffer);
  for (const k of secrets) assert.ok(!extraMemory.includes(k), "no key left anywhere in the extra module's memory");
}

test("the buffers that carried a private key to the extra module and back are wiped after the call", () => {
  const s = openUserSession("split-wipe");
  const { privateKey } = ed25519Pair(s, true);
  const [{ value: secret }] = s.pkcs11.C_GetAttributeValue(s.s, privateKey, [{ type: C.CKA_VALUE }]);
  for (const f of [
    () => s.pkcs11.C_SignInit(s.s, { mechanism: C.CKM_EDDSA }, privateKey),
    () => s.pkcs11.C_Sign(s.s, Buffer.from("wipe"), Buffer.alloc(64)),
  ]) {
    const seen = tapCalls(f);
    assert.ok(
      seen.every(([request, copy]) => request.then.includes(secret) && copy.then.includes(secret)),
      "each request carried the private key in its secret prefix, in both memories",
    );
    assertWiped(seen, [secret]);
  }
  // A generated private key comes back in a response: wiped there too.
  let generated;
  const keygen = tapCalls(() => {
    generated = ed25519Pair(s, true);
  });
  const [{ value: seed }] = s.pkcs11.C_GetAttributeValue(s.s, generated.privateKey, [{ type: C.CKA_VALUE }]);
  assert.ok(keygen.some(([, , response]) => response.then.includes(seed)), "a response carried the generated seed");
  assertWiped(keygen, [seed, secret]);
  s.pkcs11.C_Finalize();
});

test("a key wrapped or unwrapped through the extra module travels in the wiped prefix, not as bulk data", () => {
  const s = openUserSession("split-wrap");
  const wrapping = s.pkcs11.C_CreateObject(s.s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_CHACHA20 },
    { type: C.CKA_VALUE, value: crypto.randomBytes(32) },
    { type: C.CKA_WRAP, value: true },
    { type: C.CKA_UNWRAP, value: true },
  ]);
  const value = crypto.randomBytes(32);
  const target = s.pkcs11.C_CreateObject(s.s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
  const mechanism = {
    mechanism: C.CKM_CHACHA20_POLY1305,
    parameter: { type: pkcs11js.CK_PARAMS_CHACHA20_POLY1305, nonce: crypto.randomBytes(12), aad: Buffer.alloc(0) },
  };
  let wrapped;
  const wrap = tapCalls(() => {
    wrapped = Buffer.from(s.pkcs11.C_WrapKey(s.s, mechanism, wrapping, target, Buffer.alloc(64)));
  });
  assert.ok(wrap.some(([request]) => request.then.includes(value)), "the wrapped key's value went in a request's secret prefix");
  assertWiped(wrap, [value]);
  let unwrapped;
  const unwrap = tapCalls(() => {
    unwrapped = s.pkcs11.C_UnwrapKey(s.s, mechanism, wrapping, wrapped, [
      { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
      { type: C.CKA_EXTRACTABLE, value: true },
      { type: C.CKA_SENSITIVE, value: false },
    ]);
  });
  assert.ok(unwrap.some(([, , response]) => response.then.includes(value)), "the unwrapped value came back in a response's secret prefix");
  assertWiped(unwrap, [value]);
  const [{ value: back }] = s.pkcs11.C_GetAttributeValue(s.s, unwrapped, [{ type: C.CKA_VALUE }]);
  assert.deepEqual(Buffer.from(back), value, "the round trip gives the key back");
  s.pkcs11.C_Finalize();
});

test("bulk data through the proxy: 1 MiB and empty ChaCha20-Poly1305 calls, a failing call, memory bounded by the largest call", () => {
  const s = openUserSession("split-bulk");
  const value = crypto.randomBytes(32);
  const key = chachaKey(s, value);
  const nonce = crypto.randomBytes(12);
  const mechanism = { mechanism: C.CKM_CHACHA20_POLY1305, parameter: { type: pkcs11js.CK_PARAMS_CHACHA20_POLY1305, nonce, aad: Buffer.alloc(0) } };
  const openssl = (plain) => {
    const c = crypto.createCipheriv("chacha20-poly1305", value, nonce, { authTagLength: 16 });
    return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  };
  const seal = (plain) => {
    s.pkcs11.C_EncryptInit(s.s, mechanism, key);
    return Buffer.from(s.pkcs11.C_Encrypt(s.s, plain, Buffer.alloc(plain.length + 16)));
  };
  const open = (sealed) => {
    s.pkcs11.C_DecryptInit(s.s, mechanism, key);
    return Buffer.from(s.pkcs11.C_Decrypt(s.s, sealed, Buffer.alloc(Math.max(sealed.length - 16, 1))));
  };
  for (const n of [(1 << 20) + 3, 0, 1, 1 << 20]) {
    const plain = crypto.randomBytes(n);
    const sealed = seal(plain);
    assert.deepEqual(sealed, openssl(plain), `${n} bytes`);
    assert.deepEqual(open(sealed), plain, `${n} bytes back`);
  }
  // A failing call (a tampered tag) keeps its code and leaves the proxy usable.
  const sealed = seal(Buffer.from("still usable"));
  const tampered = Buffer.from(sealed);
  tampered[tampered.length - 1] ^= 1;
  expectRv(() => open(tampered), "CKR_ENCRYPTED_DATA_INVALID");
  assert.equal(open(sealed).toString(), "still usable");
  // Message buffers are reused: more calls as large as the largest one so
  // far grow neither module's memory.
  const big = crypto.randomBytes(1 << 20);
  const memories = () => {
    let sizes;
    tapCalls(() => {
      seal(big);
    }).forEach(([request, copy]) => (sizes = [request.memory, copy.memory]));
    return sizes;
  };
  const before = memories();
  assert.ok(before[0] > 1 << 20 && before[1] > 1 << 20, String(before));
  for (let i = 0; i < 20; i++) open(seal(big));
  assert.deepEqual(memories(), before);
  s.pkcs11.C_Finalize();
});

test("attacker: without PKCS11_WASM_EXTRA_TAP at load, setting the tests' tap symbol sees none of the extra module's traffic", () => {
  // The tap hands out views of both modules' memories (every key in
  // them): a script of the page or process must not be able to turn it on.
  const script = `
    const C = require(${JSON.stringify(new URL("index.cjs", pkg).pathname)});
    let calls = 0;
    globalThis[Symbol.for("pkcs11-wasm.extraTap")] = () => { calls++; };
    const { p, s } = require(${JSON.stringify(new URL("./fixtures/child-user-session.cjs", import.meta.url).pathname)})(C);
    const { privateKey } = p.C_GenerateKeyPair(s, { mechanism: C.CKM_EC_EDWARDS_KEY_PAIR_GEN },
      [{ type: C.CKA_EC_PARAMS, value: Buffer.from("06032b6570", "hex") }, { type: C.CKA_TOKEN, value: false }],
      [{ type: C.CKA_SIGN, value: true }, { type: C.CKA_TOKEN, value: false }]);
    p.C_SignInit(s, { mechanism: C.CKM_EDDSA }, privateKey);
    const signature = p.C_Sign(s, Buffer.from("m"), Buffer.alloc(64));
    console.log(JSON.stringify({ calls, signed: signature.length }));`;
  const env = { ...process.env };
  delete env.PKCS11_WASM_EXTRA_TAP;
  const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8", env }));
  assert.deepEqual(out, { calls: 0, signed: 64 });
});
