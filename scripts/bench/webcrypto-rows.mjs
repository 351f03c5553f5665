// The workload on WebCrypto (Node's `crypto.subtle`, or a browser's), for
// the rows it has an operation for. Every call is awaited: what a caller
// of the Promise API pays.
/**
 * Implementations (see harness.mjs) by row id; `subtle` = a SubtleCrypto,
 * `DATA` from data.mjs.
 */
export async function webcryptoRows(subtle, DATA) {
  const rows = {};
  const op = (f) => ({ async: true, op: f });

  const gcmAlg = { name: "AES-GCM", length: 256 };
  rows["key.aes_gen_session"] = op(() => subtle.generateKey(gcmAlg, false, ["encrypt", "decrypt"]));

  const gcmKey = await subtle.generateKey(gcmAlg, false, ["encrypt", "decrypt"]);
  const cbcKey = await subtle.generateKey({ name: "AES-CBC", length: 256 }, false, ["encrypt", "decrypt"]);
  const gcm = { name: "AES-GCM", iv: DATA.iv12, tagLength: 128 };
  const cbc = { name: "AES-CBC", iv: DATA.iv16 }; // PKCS#7 padding = CKM_AES_CBC_PAD
  for (const [size, data] of Object.entries(DATA.plain)) {
    rows[`gcm.enc.${size}`] = op(() => subtle.encrypt(gcm, gcmKey, data));
    const sealed = await subtle.encrypt(gcm, gcmKey, data);
    rows[`gcm.dec.${size}`] = op(() => subtle.decrypt(gcm, gcmKey, sealed));
  }
  const mib = DATA.plain["1m"];
  rows["cbc.enc.1m"] = op(() => subtle.encrypt(cbc, cbcKey, mib));
  const cbcSealed = await subtle.encrypt(cbc, cbcKey, mib);
  rows["cbc.dec.1m"] = op(() => subtle.decrypt(cbc, cbcKey, cbcSealed));
  rows["sha256.1m"] = op(() => subtle.digest("SHA-256", mib));
  const hmacKey = await subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign", "verify"]);
  rows["hmac.1k"] = op(() => subtle.sign("HMAC", hmacKey, DATA.plain["1k"]));

  const rsaParams = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  const pkcs1 = { name: "RSASSA-PKCS1-v1_5", ...rsaParams };
  rows["rsa.keygen"] = op(() => subtle.generateKey(pkcs1, false, ["sign", "verify"]));
  const pkcs1Key = await subtle.generateKey(pkcs1, false, ["sign", "verify"]);
  const pssKey = await subtle.generateKey({ name: "RSA-PSS", ...rsaParams }, false, ["sign", "verify"]);
  const oaepKey = await subtle.generateKey({ name: "RSA-OAEP", ...rsaParams, hash: "SHA-1" }, false, ["encrypt", "decrypt"]);
  const pss = { name: "RSA-PSS", saltLength: 32 };
  const msg = DATA.message;
  rows["rsa.pkcs1.sign"] = op(() => subtle.sign("RSASSA-PKCS1-v1_5", pkcs1Key.privateKey, msg));
  rows["rsa.pss.sign"] = op(() => subtle.sign(pss, pssKey.privateKey, msg));
  const pkcs1Sig = await subtle.sign("RSASSA-PKCS1-v1_5", pkcs1Key.privateKey, msg);
  const pssSig = await subtle.sign(pss, pssKey.privateKey, msg);
  rows["rsa.pkcs1.verify"] = op(() => subtle.verify("RSASSA-PKCS1-v1_5", pkcs1Key.publicKey, pkcs1Sig, msg));
  rows["rsa.pss.verify"] = op(() => subtle.verify(pss, pssKey.publicKey, pssSig, msg));
  rows["rsa.oaep.enc"] = op(() => subtle.encrypt({ name: "RSA-OAEP" }, oaepKey.publicKey, msg));
  const oaepSealed = await subtle.encrypt({ name: "RSA-OAEP" }, oaepKey.publicKey, msg);
  rows["rsa.oaep.dec"] = op(() => subtle.decrypt({ name: "RSA-OAEP" }, oaepKey.privateKey, oaepSealed));

  const ecAlg = { name: "ECDSA", namedCurve: "P-256" };
  rows["ec.keygen"] = op(() => subtle.generateKey(ecAlg, false, ["sign", "verify"]));
  const ecKey = await subtle.generateKey(ecAlg, false, ["sign", "verify"]);
  const ecdsa = { name: "ECDSA", hash: "SHA-256" };
  rows["ec.sign"] = op(() => subtle.sign(ecdsa, ecKey.privateKey, msg));
  const ecSig = await subtle.sign(ecdsa, ecKey.privateKey, msg);
  rows["ec.verify"] = op(() => subtle.verify(ecdsa, ecKey.publicKey, ecSig, msg));
  return rows;
}
