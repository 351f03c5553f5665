// The WebAssembly/JavaScript crypto libraries people put in pages, on the
// rows they share with us (issue 15, item 3): hash-wasm, libsodium.js
// (libsodium-wrappers), @noble/hashes|ciphers|curves and node-forge, all
// root devDependencies. Each is called the way its README shows, with
// inputs in its own native form prepared untimed (node-forge works on
// binary strings). Async APIs are awaited (hash-wasm's pbkdf2).
//
// `peerRows(DATA, PEER_DATA)` returns { peerName: { rowId: impl } } (see
// harness.mjs for impl), or { peerName: { why } } when a library cannot load.
import { createRequire } from "node:module";
import crypto from "node:crypto";

const require = createRequire(import.meta.url);

/** The libraries' names as the table shows them, in column order. */
export const PEERS = [
  ["hashwasm", "hash-wasm"],
  ["libsodium", "libsodium.js"],
  ["noble", "noble"],
  ["forge", "node-forge"],
];

export async function peerRows(DATA, P) {
  const out = {};
  for (const [name, make] of [
    ["hashwasm", hashWasm],
    ["libsodium", libsodium],
    ["noble", noble],
    ["forge", forge],
  ]) {
    try {
      out[name] = await make(DATA, P);
    } catch (e) {
      out[name] = { why: String(e?.message ?? e) };
    }
  }
  return out;
}

const op = (f) => ({ op: f });

async function hashWasm(DATA, P) {
  const hw = await import("hash-wasm");
  const rows = {};
  const mib = DATA.plain["1m"];
  const hashers = {
    "sha1.1m": await hw.createSHA1(),
    "sha256.1m": await hw.createSHA256(),
    "sha512.1m": await hw.createSHA512(),
    "sha3_256.1m": await hw.createSHA3(256),
  };
  for (const [id, h] of Object.entries(hashers)) rows[id] = op(() => h.init().update(mib).digest("binary"));
  const hmac = await hw.createHMAC(hw.createSHA256(), P.hmacKey);
  rows["hmac.1k"] = op(() => hmac.init().update(DATA.plain["1k"]).digest("binary"));
  rows["pbkdf2.sha256"] = {
    async: true,
    op: () =>
      hw.pbkdf2({
        password: P.password,
        salt: P.salt,
        iterations: P.pbkdf2Iterations,
        hashLength: 32,
        hashFunction: hw.createSHA256(),
        outputType: "binary",
      }),
  };
  return rows;
}

/** libsodium-wrappers (its standard build has no SHA-256, HMAC-SHA256 or, in wasm, AES-GCM). */
async function libsodium(DATA, P) {
  const s = require("libsodium-wrappers");
  await s.ready;
  const rows = {};
  const mib = DATA.plain["1m"];
  rows["sha512.1m"] = op(() => s.crypto_hash(mib)); // crypto_hash is SHA-512
  rows["sha3_256.1m"] = op(() => s.crypto_hash_sha3256(mib));
  const key = P.chachaKey;
  rows["chacha.enc.1m"] = op(() => s.crypto_aead_chacha20poly1305_ietf_encrypt(mib, null, null, P.nonce12, key));
  const sealed = s.crypto_aead_chacha20poly1305_ietf_encrypt(mib, null, null, P.nonce12, key);
  rows["chacha.dec.1m"] = op(() => s.crypto_aead_chacha20poly1305_ietf_decrypt(null, sealed, null, P.nonce12, key));
  const ed = s.crypto_sign_seed_keypair(P.ed25519Seed);
  const msg = DATA.plain["1k"];
  rows["ed25519.sign.1k"] = op(() => s.crypto_sign_detached(msg, ed.privateKey));
  const sig = s.crypto_sign_detached(msg, ed.privateKey);
  rows["ed25519.verify.1k"] = op(() => {
    if (!s.crypto_sign_verify_detached(sig, msg, ed.publicKey)) throw new Error("libsodium: Ed25519 verify failed");
  });
  rows["x25519.derive"] = op(() => s.crypto_scalarmult(P.x25519Secret, P.x25519PeerPublic));
  return rows;
}

async function noble(DATA, P) {
  const { sha256, sha512 } = await import("@noble/hashes/sha2.js");
  const { sha1 } = await import("@noble/hashes/legacy.js");
  const { sha3_256 } = await import("@noble/hashes/sha3.js");
  const { hmac } = await import("@noble/hashes/hmac.js");
  const { pbkdf2 } = await import("@noble/hashes/pbkdf2.js");
  const { gcm } = await import("@noble/ciphers/aes.js");
  const { chacha20poly1305 } = await import("@noble/ciphers/chacha.js");
  const { ed25519, x25519 } = await import("@noble/curves/ed25519.js");
  const { p256 } = await import("@noble/curves/nist.js");
  const rows = {};
  const mib = DATA.plain["1m"];
  rows["sha1.1m"] = op(() => sha1(mib));
  rows["sha256.1m"] = op(() => sha256(mib));
  rows["sha512.1m"] = op(() => sha512(mib));
  rows["sha3_256.1m"] = op(() => sha3_256(mib));
  rows["hmac.1k"] = op(() => hmac(sha256, P.hmacKey, DATA.plain["1k"]));
  rows["pbkdf2.sha256"] = op(() => pbkdf2(sha256, P.password, P.salt, { c: P.pbkdf2Iterations, dkLen: 32 }));
  rows["gcm.enc.1m"] = op(() => gcm(P.aesKey, DATA.iv12).encrypt(mib));
  const gcmSealed = gcm(P.aesKey, DATA.iv12).encrypt(mib);
  rows["gcm.dec.1m"] = op(() => gcm(P.aesKey, DATA.iv12).decrypt(gcmSealed));
  rows["gcm.enc.1m.wasm"] = rows["gcm.enc.1m"];
  rows["gcm.dec.1m.wasm"] = rows["gcm.dec.1m"];
  rows["chacha.enc.1m"] = op(() => chacha20poly1305(P.chachaKey, P.nonce12).encrypt(mib));
  const chachaSealed = chacha20poly1305(P.chachaKey, P.nonce12).encrypt(mib);
  rows["chacha.dec.1m"] = op(() => chacha20poly1305(P.chachaKey, P.nonce12).decrypt(chachaSealed));
  const msg = DATA.plain["1k"];
  const edPub = ed25519.getPublicKey(P.ed25519Seed);
  rows["ed25519.sign.1k"] = op(() => ed25519.sign(msg, P.ed25519Seed));
  const edSig = ed25519.sign(msg, P.ed25519Seed);
  rows["ed25519.verify.1k"] = op(() => {
    if (!ed25519.verify(edSig, msg, edPub)) throw new Error("noble: Ed25519 verify failed");
  });
  rows["x25519.derive"] = op(() => x25519.getSharedSecret(P.x25519Secret, P.x25519PeerPublic));
  // ECDSA of the 32-byte hash, as our CKM_ECDSA row signs (no prehash).
  const ecSecret = p256.utils.randomSecretKey();
  const ecPublic = p256.getPublicKey(ecSecret);
  rows["ec.sign"] = op(() => p256.sign(DATA.messageHash, ecSecret, { prehash: false }));
  const ecSig = p256.sign(DATA.messageHash, ecSecret, { prehash: false });
  rows["ec.verify"] = op(() => {
    if (!p256.verify(ecSig, DATA.messageHash, ecPublic, { prehash: false })) throw new Error("noble: P-256 verify failed");
  });
  return rows;
}

async function forge(DATA, P) {
  const f = require("node-forge");
  const bin = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString("binary");
  const rows = {};
  const mib = bin(DATA.plain["1m"]);
  for (const [id, md] of [
    ["sha1.1m", f.md.sha1],
    ["sha256.1m", f.md.sha256],
    ["sha512.1m", f.md.sha512],
  ]) {
    rows[id] = op(() => md.create().update(mib).digest().getBytes());
  }
  const kib = bin(DATA.plain["1k"]);
  const hmacKey = bin(P.hmacKey);
  rows["hmac.1k"] = op(() => {
    const h = f.hmac.create();
    h.start("sha256", hmacKey);
    h.update(kib);
    return h.digest().getBytes();
  });
  const pw = bin(P.password);
  const salt = bin(P.salt);
  rows["pbkdf2.sha256"] = op(() => f.pkcs5.pbkdf2(pw, salt, P.pbkdf2Iterations, 32, f.md.sha256.create()));
  const aesKey = bin(P.aesKey);
  const iv = bin(DATA.iv12);
  const gcmEncrypt = () => {
    const c = f.cipher.createCipher("AES-GCM", aesKey);
    c.start({ iv, tagLength: 128 });
    c.update(f.util.createBuffer(mib));
    c.finish();
    return { data: c.output.getBytes(), tag: c.mode.tag.getBytes() };
  };
  rows["gcm.enc.1m"] = op(gcmEncrypt);
  const sealed = gcmEncrypt();
  rows["gcm.dec.1m"] = op(() => {
    const d = f.cipher.createDecipher("AES-GCM", aesKey);
    d.start({ iv, tagLength: 128, tag: f.util.createBuffer(sealed.tag) });
    d.update(f.util.createBuffer(sealed.data));
    if (!d.finish()) throw new Error("node-forge: GCM tag mismatch");
    return d.output.getBytes();
  });
  rows["gcm.enc.1m.wasm"] = rows["gcm.enc.1m"];
  rows["gcm.dec.1m.wasm"] = rows["gcm.dec.1m"];
  const ed = f.pki.ed25519.generateKeyPair({ seed: Buffer.from(P.ed25519Seed) });
  const msg = Buffer.from(DATA.plain["1k"]);
  rows["ed25519.sign.1k"] = op(() => f.pki.ed25519.sign({ message: msg, privateKey: ed.privateKey }));
  const edSig = f.pki.ed25519.sign({ message: msg, privateKey: ed.privateKey });
  rows["ed25519.verify.1k"] = op(() => {
    if (!f.pki.ed25519.verify({ message: msg, signature: edSig, publicKey: ed.publicKey })) throw new Error("node-forge: Ed25519 verify failed");
  });
  // RSA-2048 PKCS#1 v1.5 with SHA-256 of the 32-byte message, as our row.
  const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
  const priv = f.pki.privateKeyFromPem(rsa.privateKey.export({ type: "pkcs1", format: "pem" }));
  const pub = f.pki.publicKeyFromPem(rsa.publicKey.export({ type: "spki", format: "pem" }));
  const message = bin(DATA.message);
  const digest = () => f.md.sha256.create().update(message);
  rows["rsa.pkcs1.sign"] = op(() => priv.sign(digest()));
  const rsaSig = priv.sign(digest());
  rows["rsa.pkcs1.verify"] = op(() => {
    if (!pub.verify(digest().digest().getBytes(), rsaSig)) throw new Error("node-forge: RSA verify failed");
  });
  return rows;
}

/**
 * Inputs the peer rows share with our own peer rows (pkcs11-peer-rows.mjs):
 * keys as raw bytes, which ours imports as token objects.
 */
export function peerData(random) {
  return {
    hmacKey: random(32),
    aesKey: random(32),
    chachaKey: random(32),
    nonce12: random(12),
    password: random(16),
    salt: random(16),
    pbkdf2Iterations: 10_000,
    ed25519Seed: random(32),
    x25519Secret: random(32),
    x25519PeerPublic: Buffer.from(crypto.generateKeyPairSync("x25519").publicKey.export({ format: "jwk" }).x, "base64url"),
  };
}
