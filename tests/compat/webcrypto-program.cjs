// A node-webcrypto-p11 program, as its users write it, on pkcs11-wasm
// installed under the name "pkcs11js" (see graphene-program.cjs): key
// generation, sign/verify, encryption, import/export (checked against
// Node's own crypto), derivation and key storage on a token directory
// (PKCS11_WASM_CONF), reopened by a second provider.
const nodeCrypto = require("node:crypto");
const graphene = require("graphene-pk11");
const { Crypto } = require("node-webcrypto-p11");
const { assert, step, report } = require("./steps.cjs");

const SO_PIN = "so-pin-1234";
const USER_PIN = "user-pin-1234";
const LIB = "/usr/lib/softhsm/libsofthsm2.so"; // what users pass; ignored here
const data = Buffer.from("node-webcrypto-p11 on pkcs11-wasm");

async function main() {
  let crypto, subtle;
  const keys = {};

  await step("provider: token initialized (graphene), Crypto opened read-write with the user PIN", () => {
    const mod = graphene.Module.load(LIB, "SoftHSM");
    mod.initialize();
    const slot = mod.getSlots(0);
    slot.initToken(SO_PIN, "webcrypto");
    const s = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
    s.login(SO_PIN, graphene.UserType.SO);
    s.initPin(USER_PIN);
    s.logout();
    s.close();
    mod.finalize();
    crypto = new Crypto({ library: LIB, name: "SoftHSM", slot: 0, readWrite: true, pin: USER_PIN });
    subtle = crypto.subtle;
    assert.equal(crypto.isLoggedIn, true);
    return { provider: crypto.info.name, algorithms: crypto.info.algorithms.length };
  });

  await step("getRandomValues and digest SHA-256", async () => {
    const r = crypto.getRandomValues(new Uint8Array(16));
    assert.equal(r.length, 16);
    const d = Buffer.from(await subtle.digest("SHA-256", Buffer.from("abc")));
    assert.equal(d.toString("hex"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  await step("generate AES-GCM 256, encrypt/decrypt, export raw (decrypted by Node)", async () => {
    keys.aes = await subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = Buffer.from(await subtle.encrypt({ name: "AES-GCM", iv }, keys.aes, data));
    assert.deepEqual(Buffer.from(await subtle.decrypt({ name: "AES-GCM", iv }, keys.aes, sealed)), data);
    const raw = Buffer.from(await subtle.exportKey("raw", keys.aes));
    const decipher = nodeCrypto.createDecipheriv("aes-256-gcm", raw, iv);
    decipher.setAuthTag(sealed.subarray(-16));
    assert.deepEqual(Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]), data);
  });

  await step("generate AES-CBC 128, encrypt/decrypt", async () => {
    const key = await subtle.generateKey({ name: "AES-CBC", length: 128 }, false, ["encrypt", "decrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(16));
    const sealed = await subtle.encrypt({ name: "AES-CBC", iv }, key, data);
    assert.deepEqual(Buffer.from(await subtle.decrypt({ name: "AES-CBC", iv }, key, sealed)), data);
  });

  await step("generate HMAC SHA-256, sign/verify", async () => {
    const key = await subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"]);
    const mac = await subtle.sign("HMAC", key, data);
    assert.equal(mac.byteLength, 32);
    assert.equal(await subtle.verify("HMAC", key, mac, data), true);
  });

  await step("generate RSASSA-PKCS1-v1_5 2048, sign/verify, export spki (verified by Node)", async () => {
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
    keys.rsa = await subtle.generateKey(alg, false, ["sign", "verify"]);
    const signature = Buffer.from(await subtle.sign(alg, keys.rsa.privateKey, data));
    assert.equal(await subtle.verify(alg, keys.rsa.publicKey, signature, data), true);
    const spki = Buffer.from(await subtle.exportKey("spki", keys.rsa.publicKey));
    const pub = nodeCrypto.createPublicKey({ key: spki, format: "der", type: "spki" });
    assert.equal(nodeCrypto.verify("sha256", data, pub, signature), true);
  });

  await step("generate RSA-PSS 2048, sign/verify", async () => {
    const alg = { name: "RSA-PSS", hash: "SHA-256", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
    const pair = await subtle.generateKey(alg, false, ["sign", "verify"]);
    const signature = await subtle.sign({ name: "RSA-PSS", saltLength: 32 }, pair.privateKey, data);
    assert.equal(await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, pair.publicKey, signature, data), true);
  });

  await step("generate RSA-OAEP 2048 (SHA-256), encrypt/decrypt, export jwk", async () => {
    const alg = { name: "RSA-OAEP", hash: "SHA-256", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
    const pair = await subtle.generateKey(alg, false, ["encrypt", "decrypt"]);
    const sealed = await subtle.encrypt({ name: "RSA-OAEP" }, pair.publicKey, data);
    assert.deepEqual(Buffer.from(await subtle.decrypt({ name: "RSA-OAEP" }, pair.privateKey, sealed)), data);
    const jwk = await subtle.exportKey("jwk", pair.publicKey);
    assert.equal(jwk.kty, "RSA");
    assert.equal(jwk.e, "AQAB");
  });

  await step("generate ECDSA P-256, sign/verify, export spki (verified by Node)", async () => {
    keys.ec = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    const signature = Buffer.from(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.ec.privateKey, data));
    assert.equal(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, keys.ec.publicKey, signature, data), true);
    const spki = Buffer.from(await subtle.exportKey("spki", keys.ec.publicKey));
    const pub = nodeCrypto.createPublicKey({ key: spki, format: "der", type: "spki" });
    assert.equal(nodeCrypto.verify("sha256", data, { key: pub, dsaEncoding: "ieee-p1363" }, signature), true);
  });

  await step("ECDH P-256: deriveBits agrees with Node", async () => {
    const pair = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits", "deriveKey"]);
    const node = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const nodePublic = await subtle.importKey(
      "spki",
      node.publicKey.export({ format: "der", type: "spki" }),
      { name: "ECDH", namedCurve: "P-256" },
      true,
      [],
    );
    const bits = Buffer.from(await subtle.deriveBits({ name: "ECDH", public: nodePublic }, pair.privateKey, 256));
    const ourPublic = nodeCrypto.createPublicKey({ key: Buffer.from(await subtle.exportKey("spki", pair.publicKey)), format: "der", type: "spki" });
    assert.deepEqual(bits, nodeCrypto.diffieHellman({ privateKey: node.privateKey, publicKey: ourPublic }));
  });

  await step("import raw AES key: decrypts what Node encrypted", async () => {
    const raw = nodeCrypto.randomBytes(32);
    const iv = nodeCrypto.randomBytes(16);
    const cipher = nodeCrypto.createCipheriv("aes-256-cbc", raw, iv);
    const sealed = Buffer.concat([cipher.update(data), cipher.final()]);
    const key = await subtle.importKey("raw", raw, { name: "AES-CBC" }, false, ["decrypt"]);
    assert.deepEqual(Buffer.from(await subtle.decrypt({ name: "AES-CBC", iv }, key, sealed)), data);
  });

  await step("import pkcs8 EC private key and jwk public key from Node: sign here, verify here and in Node", async () => {
    const node = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const priv = await subtle.importKey(
      "pkcs8",
      node.privateKey.export({ format: "der", type: "pkcs8" }),
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["sign"],
    );
    const pub = await subtle.importKey("jwk", node.publicKey.export({ format: "jwk" }), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
    const signature = Buffer.from(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, priv, data));
    assert.equal(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, signature, data), true);
    assert.equal(nodeCrypto.verify("sha256", data, { key: node.publicKey, dsaEncoding: "ieee-p1363" }, signature), true);
  });

  await step("import pkcs8 RSA private key from Node: signs what Node verifies", async () => {
    const node = nodeCrypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    const priv = await subtle.importKey("pkcs8", node.privateKey.export({ format: "der", type: "pkcs8" }), alg, false, ["sign"]);
    const signature = Buffer.from(await subtle.sign(alg, priv, data));
    assert.equal(nodeCrypto.verify("sha256", data, node.publicKey, signature), true);
  });

  let stored;
  await step("key storage: setItem (token copies), keys, getItem, indexOf", async () => {
    stored = { aes: await crypto.keyStorage.setItem(keys.aes), ec: await crypto.keyStorage.setItem(keys.ec.privateKey) };
    const ids = await crypto.keyStorage.keys();
    assert.ok(ids.includes(stored.aes) && ids.includes(stored.ec), JSON.stringify(ids));
    // Without an algorithm, node-webcrypto-p11 takes an AES key for AES-CBC.
    const aes = await crypto.keyStorage.getItem(stored.aes, { name: "AES-GCM" }, ["encrypt", "decrypt"]);
    assert.equal(aes.algorithm.name, "AES-GCM");
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await subtle.encrypt({ name: "AES-GCM", iv }, aes, data);
    assert.deepEqual(Buffer.from(await subtle.decrypt({ name: "AES-GCM", iv }, keys.aes, sealed)), data);
    return { stored: ids.length };
  });

  await step("key storage on the token directory: a second provider finds, uses and removes the keys", async () => {
    const spki = Buffer.from(await subtle.exportKey("spki", keys.ec.publicKey));
    crypto.close();
    const again = new Crypto({ library: LIB, name: "SoftHSM", slot: 0, readWrite: true, pin: USER_PIN });
    // node-webcrypto-p11's index is "<class>-<object handle>-<CKA_ID>"; handles
    // are per process (as in SoftHSM), so look the keys up by class and CKA_ID.
    const sameKey = (a, b) => a.split("-")[0] === b.split("-")[0] && a.split("-")[2] === b.split("-")[2];
    const ids = await again.keyStorage.keys();
    const aesId = ids.find((id) => sameKey(id, stored.aes));
    const ecId = ids.find((id) => sameKey(id, stored.ec));
    assert.ok(aesId && ecId, JSON.stringify({ ids, stored }));
    const ec = await again.keyStorage.getItem(ecId);
    const signature = await again.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec, data);
    const pub = nodeCrypto.createPublicKey({ key: spki, format: "der", type: "spki" });
    assert.equal(nodeCrypto.verify("sha256", data, { key: pub, dsaEncoding: "ieee-p1363" }, Buffer.from(signature)), true);
    await again.keyStorage.removeItem(aesId);
    await again.keyStorage.removeItem(ecId);
    assert.deepEqual((await again.keyStorage.keys()).filter((id) => id === aesId || id === ecId), []);
    again.close();
  });

  report();
}

main();
