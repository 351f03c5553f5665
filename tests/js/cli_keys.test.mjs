// Keys and certificates through the `pkcs11-wasm` command (issue 13),
// checked against Node's crypto (OpenSSL): keys and certificates made by
// Node imported and then used through the library; every key format the
// command reads; public keys exported by the command verifying the
// token's signatures; secret keys interoperating with Node's ciphers.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { makeCertificate } from "./fixtures/cli-certs.mjs";
import { fails, initToken, library, ok, pins, scratch, KDF, USER_PIN } from "./fixtures/cli-install.mjs";
import { generateKeyPair } from "./fixtures/node-keys.mjs";

const DATA = Buffer.from("signed by the token, checked by OpenSSL");

/** Every object of the token with the given label, through the library. */
function objectsByLabel(C, p, s, label) {
  p.C_FindObjectsInit(s, [{ type: C.CKA_LABEL, value: label }]);
  const found = p.C_FindObjects(s, 100);
  p.C_FindObjectsFinal(s);
  return found;
}

const get = (C, p, s, h, type) => Buffer.from(p.C_GetAttributeValue(s, h, [{ type }])[0].value);

test("a PKCS#8 key and certificates made by Node's crypto, imported by the command, work through the library", async (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const env = pins(s);
  const ca = generateKeyPair("ec", { namedCurve: "P-256" });
  const leaf = generateKeyPair("ec", { namedCurve: "P-256" });
  const caCert = makeCertificate({ subjectKey: ca.publicKey, issuerKey: ca.privateKey, subject: "CLI test CA", ca: true });
  const leafCert = makeCertificate({ subjectKey: leaf.publicKey, issuerKey: ca.privateKey, subject: "CLI leaf", issuer: "CLI test CA", serial: Buffer.from("4f00ba", "hex") });
  writeFileSync(s.path("leaf-key.pem"), leaf.privateKey.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(s.path("leaf.pem"), leafCert.pem);
  writeFileSync(s.path("ca.der"), caCert.der);

  const imported = ok(["import", "--directory", dir, s.path("leaf-key.pem"), "--label", "leaf", "--json"], { env }).json().imported;
  assert.deepEqual(imported.map((o) => o.object), ["private key", "public key"]);
  // Certificates are public objects, but a stored token writes nothing without a login.
  const certs = ok(["import", "--directory", dir, s.path("leaf.pem"), s.path("ca.der"), "--json"], { env }).json().imported;
  assert.deepEqual(certs.map((c) => [c.label, c.category]), [["CLI leaf", "token user"], ["CLI test CA", "authority"]]);
  assert.equal(certs[0].id, imported[0].id, "the certificate's CKA_ID is its key's");

  const C = await library();
  const p = new C.PKCS11({ kdfIterations: KDF, slots: [{ storage: { directory: dir } }] });
  p.C_Initialize();
  t.after(() => p.C_Finalize());
  const [slot] = p.C_GetSlotList(true);
  const session = p.C_OpenSession(slot, C.CKF_SERIAL_SESSION);
  p.C_Login(session, C.CKU_USER, USER_PIN);
  const [priv] = objectsByLabel(C, p, session, "leaf").filter((h) => get(C, p, session, h, C.CKA_CLASS).readUInt32LE(0) === C.CKO_PRIVATE_KEY);
  p.C_SignInit(session, { mechanism: C.CKM_ECDSA_SHA256 }, priv);
  const sig = p.C_Sign(session, DATA, Buffer.alloc(128));
  assert.ok(crypto.verify("sha256", DATA, { key: leaf.publicKey, dsaEncoding: "ieee-p1363" }, sig), "Node verifies the imported key's signature");
  assert.equal(get(C, p, session, priv, C.CKA_SENSITIVE)[0], 1);
  assert.equal(get(C, p, session, priv, C.CKA_EXTRACTABLE)[0], 0);

  const [cert] = objectsByLabel(C, p, session, "CLI leaf");
  assert.equal(get(C, p, session, cert, C.CKA_CLASS).readUInt32LE(0), C.CKO_CERTIFICATE);
  assert.equal(get(C, p, session, cert, C.CKA_CERTIFICATE_TYPE).readUInt32LE(0), C.CKC_X_509);
  assert.deepEqual(get(C, p, session, cert, C.CKA_VALUE), leafCert.der);
  assert.deepEqual(get(C, p, session, cert, C.CKA_SUBJECT), leafCert.subjectDer);
  assert.deepEqual(get(C, p, session, cert, C.CKA_ISSUER), leafCert.issuerDer);
  assert.deepEqual(get(C, p, session, cert, C.CKA_SERIAL_NUMBER), leafCert.serialDer);
  assert.deepEqual(get(C, p, session, cert, C.CKA_ID), get(C, p, session, priv, C.CKA_ID));
  assert.equal(get(C, p, session, cert, C.CKA_CERTIFICATE_CATEGORY).readUInt32LE(0), 1, "token user");
  const [caObj] = objectsByLabel(C, p, session, "CLI test CA");
  assert.equal(get(C, p, session, caObj, C.CKA_CERTIFICATE_CATEGORY).readUInt32LE(0), 2, "authority");

  // The command shows the certificate decoded, and exports it unchanged.
  const shown = ok(["show", "--directory", dir, "--label", "CLI leaf", "--json"]).json();
  assert.equal(shown.certificate.subject, "CN=CLI leaf, O=pkcs11-wasm tests");
  assert.equal(shown.certificate.serialNumber, "4F00BA");
  assert.equal(shown.attributes.CKA_CERTIFICATE_CATEGORY, "token user");
  assert.deepEqual(ok(["export", "--directory", dir, "--label", "CLI leaf", "--type", "cert", "--format", "der", "-o", s.path("out.der")]).stdout, "");
  assert.deepEqual(readFileSync(s.path("out.der")), leafCert.der);
  assert.equal(ok(["export", "--directory", dir, "--label", "CLI leaf", "--type", "cert"]).stdout, leafCert.pem);
});

/** Key files in the formats people have, with what to sign them with. */
function keyFiles(s) {
  const rsa = generateKeyPair("rsa", { modulusLength: 2048 });
  const p384 = generateKeyPair("ec", { namedCurve: "P-384" });
  const p256 = generateKeyPair("ec", { namedCurve: "P-256" });
  const k1 = generateKeyPair("ec", { namedCurve: "secp256k1" });
  const p521 = generateKeyPair("ec", { namedCurve: "P-521" });
  const ed = generateKeyPair("ed25519");
  const edJwk = generateKeyPair("ed25519");
  const enc = generateKeyPair("ec", { namedCurve: "P-256" });
  const x = generateKeyPair("x25519");
  const files = [
    ["rsa-pkcs8.pem", rsa, rsa.privateKey.export({ type: "pkcs8", format: "pem" }), "sha256"],
    ["rsa-pkcs1.pem", rsa, rsa.privateKey.export({ type: "pkcs1", format: "pem" }), "sha256"],
    ["rsa-pkcs1-der.der", rsa, rsa.privateKey.export({ type: "pkcs1", format: "der" }), "sha256"],
    ["p384-sec1.pem", p384, p384.privateKey.export({ type: "sec1", format: "pem" }), "sha256"],
    ["p256-pkcs8.der", p256, p256.privateKey.export({ type: "pkcs8", format: "der" }), "sha256"],
    ["k1-pkcs8.pem", k1, k1.privateKey.export({ type: "pkcs8", format: "pem" }), "sha256"],
    ["p521.jwk", p521, JSON.stringify(p521.privateKey.export({ format: "jwk" })), "sha256"],
    ["ed-pkcs8.pem", ed, ed.privateKey.export({ type: "pkcs8", format: "pem" }), null],
    ["ed.jwk", edJwk, JSON.stringify(edJwk.privateKey.export({ format: "jwk" })), null],
    ["enc-pkcs8.pem", enc, enc.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "file passphrase" }), "sha256"],
    ["x25519-pkcs8.pem", x, x.privateKey.export({ type: "pkcs8", format: "pem" }), "no signatures"],
  ];
  for (const [name, , bytes] of files) writeFileSync(s.path(name), bytes);
  return files;
}

test("private keys in every format: imported, they sign, and the exported public key (Node's own) verifies with Node", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const env = pins(s, { PKCS11_WASM_KEY_PASSPHRASE: "file passphrase" });
  const files = keyFiles(s);
  // Labels come from the file names (the same RSA key in three files: three labels).
  const all = ok(["import", "--directory", dir, ...files.map(([f]) => s.path(f)), "--json"], { env }).json().imported;
  assert.equal(all.length, files.length * 2);
  writeFileSync(s.path("data"), DATA);
  for (const [file, pair, , hash] of files) {
    const label = file.replace(/\.[a-z0-9]+$/, "");
    const signs = hash !== "no signatures";
    if (signs) ok(["sign", "--directory", dir, "--label", label, "--type", "privkey", "-i", s.path("data"), "-o", s.path(`${label}.sig`)], { env });
    const exported = ok(["export", "--directory", dir, "--label", label, "--format", "der", "-o", s.path(`${label}.spki`)]);
    assert.equal(exported.stdout, "");
    const spki = readFileSync(s.path(`${label}.spki`));
    assert.deepEqual(spki, pair.publicKey.export({ type: "spki", format: "der" }), `${file}: the exported public key is Node's`);
    if (!signs) continue;
    const key = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
    const opts = key.asymmetricKeyType === "ec" ? { key, dsaEncoding: "ieee-p1363" } : key;
    assert.ok(crypto.verify(hash, DATA, opts, readFileSync(s.path(`${label}.sig`))), `${file}: Node verifies the token's signature`);
  }
  assert.match(fails(["import", "--directory", dir, s.path("enc-pkcs8.pem")], { env: pins(s, { PKCS11_WASM_KEY_PASSPHRASE: "wrong" }) }).line, /enc-pkcs8\.pem: cannot decrypt the key \(wrong passphrase, or a damaged file: /);
});

test("generated key pairs: exported public keys (PEM, DER, JWK) verify the token's signatures with Node", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const env = pins(s);
  writeFileSync(s.path("data"), DATA);
  const cases = [
    ["rsa", "rsa:2048", [], "sha256", {}],
    ["rsa-pss", "rsa:2048", ["-m", "SHA256-RSA-PKCS-PSS"], "sha256", { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
    ["ec-raw", "ec:P-256", [], "sha256", { dsaEncoding: "ieee-p1363" }],
    ["ec-der", "ec:P-384", ["--signature-format", "der", "-m", "ecdsa-sha384"], "sha384", { dsaEncoding: "der" }],
    ["ed", "ed25519", [], null, {}],
  ];
  for (const [label, type, signArgs, hash, verifyOpts] of cases) {
    ok(["generate", "--directory", dir, "--key-type", type, "--label", label], { env });
    const sig = ok(["sign", "--directory", dir, "--label", label, "-i", s.path("data"), ...signArgs], { env }).raw;
    for (const format of ["pem", "der", "jwk"]) {
      const out = ok(["export", "--directory", dir, "--label", label, "--format", format, "-o", s.path(`${label}.${format}`)]);
      assert.equal(out.stdout, "");
      const bytes = readFileSync(s.path(`${label}.${format}`));
      const key =
        format === "jwk" ? crypto.createPublicKey({ key: JSON.parse(bytes), format: "jwk" }) : crypto.createPublicKey(format === "der" ? { key: bytes, format: "der", type: "spki" } : bytes);
      assert.ok(crypto.verify(hash, DATA, { key, ...verifyOpts }, sig), `${label}: Node verifies with the ${format} export`);
    }
    // And the token verifies its own signature, in the same format.
    writeFileSync(s.path(`${label}.sig`), sig);
    ok(["verify", "--directory", dir, "--label", label, "-i", s.path("data"), "-s", s.path(`${label}.sig`), ...signArgs]);
  }
});

test("a public key from Node: imported (with the user PIN), then used without one: the token verifies Node's signatures and rejects a changed message", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const { privateKey, publicKey } = generateKeyPair("rsa", { modulusLength: 2048 });
  writeFileSync(s.path("peer.pub.pem"), publicKey.export({ type: "spki", format: "pem" }));
  const r = ok(["import", "--directory", dir, s.path("peer.pub.pem"), "--label", "peer", "--json"], { env: { PKCS11_WASM_CONF: s.conf, PKCS11_WASM_PIN: USER_PIN } }).json();
  assert.deepEqual(r.imported.map((o) => o.object), ["public key"]);
  writeFileSync(s.path("data"), DATA);
  writeFileSync(s.path("sig"), crypto.sign("sha256", DATA, privateKey));
  assert.equal(ok(["verify", "--directory", dir, "--label", "peer", "-i", s.path("data"), "-s", s.path("sig")]).stdout, "Signature is valid.\n");
  writeFileSync(s.path("data"), Buffer.concat([DATA, Buffer.from("!")]));
  const bad = fails(["verify", "--directory", dir, "--label", "peer", "-i", s.path("data"), "-s", s.path("sig")]);
  assert.equal(bad.line, "pkcs11-wasm: C_VerifyFinal failed: CKR_SIGNATURE_INVALID: the signature does not match the data and key");
});

test("secret keys: raw AES bytes and a JWK oct key interoperate with Node's AES-GCM and HMAC", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const env = pins(s);
  const aes = crypto.randomBytes(32);
  const mac = crypto.randomBytes(32);
  writeFileSync(s.path("aes.bin"), aes);
  writeFileSync(s.path("mac.jwk"), JSON.stringify({ kty: "oct", k: mac.toString("base64url"), alg: "HS256" }));
  ok(["import", "--directory", dir, s.path("aes.bin"), "--type", "aes", "--label", "aes"], { env });
  ok(["import", "--directory", dir, s.path("mac.jwk"), "--label", "mac"], { env });
  const plain = crypto.randomBytes(5000);
  writeFileSync(s.path("plain"), plain);
  // Token encrypts, Node decrypts: IV (12) || ciphertext || tag (16).
  const sealed = ok(["encrypt", "--directory", dir, "--label", "aes", "-i", s.path("plain")], { env }).raw;
  const d = crypto.createDecipheriv("aes-256-gcm", aes, sealed.subarray(0, 12));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  assert.deepEqual(Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]), plain);
  // Node encrypts, token decrypts.
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv("aes-256-gcm", aes, iv);
  const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  assert.deepEqual(ok(["decrypt", "--directory", dir, "--label", "aes"], { env, input: Buffer.concat([iv, body]) }).raw, plain);
  const tampered = Buffer.concat([iv, body]);
  tampered[20] ^= 1;
  assert.match(fails(["decrypt", "--directory", dir, "--label", "aes"], { env, input: tampered }).line, /C_Decrypt failed: CKR_ENCRYPTED_DATA_INVALID/);
  // HMAC-SHA256 with the JWK key, as Node computes it.
  const tag = ok(["sign", "--directory", dir, "--label", "mac", "-i", s.path("plain")], { env }).raw;
  assert.deepEqual(tag, crypto.createHmac("sha256", mac).update(plain).digest());
});

test("secret keys: raw bytes that begin with \"{\" are still raw bytes with --type aes (about 1 key in 256)", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const env = pins(s);
  const plain = Buffer.from("raw, not JSON");
  for (const [i, head] of [Buffer.from("{"), Buffer.from(" {\""), Buffer.from("\xa0{", "latin1")].entries()) {
    const aes = Buffer.concat([head, crypto.randomBytes(32 - head.length)]);
    writeFileSync(s.path(`brace${i}.bin`), aes);
    ok(["import", "--directory", dir, s.path(`brace${i}.bin`), "--type", "aes", "--label", `brace${i}`], { env });
    writeFileSync(s.path("plain"), plain);
    const sealed = ok(["encrypt", "--directory", dir, "--label", `brace${i}`, "-i", s.path("plain")], { env }).raw;
    const d = crypto.createDecipheriv("aes-256-gcm", aes, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    assert.deepEqual(Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]), plain);
  }
});

test("RSA-OAEP both ways with Node: SHA-256 by default, SHA-1 with --hash", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const env = pins(s);
  const { privateKey } = generateKeyPair("rsa", { modulusLength: 2048 });
  writeFileSync(s.path("peer.pem"), privateKey.export({ type: "pkcs8", format: "pem" }));
  ok(["import", "--directory", dir, s.path("peer.pem"), "--label", "peer"], { env });
  const message = Buffer.from("a short secret for OAEP");
  for (const [hashArgs, oaepHash] of [[[], "sha256"], [["--hash", "sha-1"], "sha1"]]) {
    // The public key object encrypts without a PIN; Node decrypts.
    const sealed = ok(["encrypt", "--directory", dir, "--label", "peer", ...hashArgs], { env: { PKCS11_WASM_CONF: s.conf }, input: message }).raw;
    assert.deepEqual(crypto.privateDecrypt({ key: privateKey, oaepHash, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING }, sealed), message, oaepHash);
    // Node encrypts; the private key decrypts (PIN needed).
    const fromNode = crypto.publicEncrypt({ key: privateKey, oaepHash, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING }, message);
    assert.deepEqual(ok(["decrypt", "--directory", dir, "--label", "peer", ...hashArgs], { env, input: fromNode }).raw, message, oaepHash);
  }
});
