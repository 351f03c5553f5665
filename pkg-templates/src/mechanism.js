// Mechanisms: `{mechanism, parameter}` checked like pkcs11js, with its
// CK_PARAMS_* parameter objects checked field by field (same order, same
// messages). The shell gets the type and a parameter that is undefined, a
// Uint8Array, or a parameter object it reads with Reflect.
import { isBytes, u8, ulong32, handleValue } from "./bytes.js";

// pkcs11-wasm's own tags, outside pkcs11js's 0..28 (param-tags.js).
import {
  CK_PARAMS_AES_CTR,
  CK_PARAMS_GCM_MESSAGE,
  CK_PARAMS_CHACHA20_POLY1305_MESSAGE,
  CK_PARAMS_KEY_DERIVATION_STRING_DATA,
  CK_PARAMS_CHACHA20_POLY1305,
  CK_PARAMS_EDDSA,
  CK_PARAMS_HKDF,
  CK_PARAMS_PKCS5_PBKD2,
  CK_PARAMS_SP800_108_KDF,
  CK_PARAMS_RSA_AES_KEY_WRAP,
  CK_PARAMS_SIGN_ADDITIONAL_CONTEXT,
} from "./param-tags.js";

// Field kinds: N = Number (a double cast to CK_ULONG), B = Buffer,
// H = 8-byte handle Buffer, Z = Boolean, Y = byte (Number 0..255),
// P = Array of CK_PRF_DATA_PARAM objects (`prfDataParams`).
// `true` = required. A third entry is an alias we also accept.
const ccm = [["dataLength", "N", true, "dataLen"], ["nonce", "B"], ["aad", "B"], ["macLength", "N", false, "macLen"]];
const derive2 = (info) => [["kdf", "N", true], [info, "B"], ["publicData", "B", true], ["privateDataLen", "N", true], ["privateData", "H", true], ["publicData2", "B"]];

const PARAMS = {
  1: ["CK_AES_CBC_ENCRYPT_DATA_PARAMS", [["iv", "B", true], ["data", "B"]], { iv: 16 }],
  2: ["CK_AES_CCM_PARAMS", ccm],
  3: ["CK_AES_GCM_PARAMS", [["iv", "B", true], ["aad", "B"], ["tagBits", "N"]]],
  4: ["CK_RSA_PKCS_OAEP_PARAMS", [["hashAlg", "N", true], ["mgf", "N", true], ["source", "N", true], ["sourceData", "B"]]],
  5: ["CK_RSA_PKCS_PSS_PARAMS", [["hashAlg", "N", true], ["mgf", "N", true], ["saltLen", "N", true]]],
  6: ["CK_ECDH1_DERIVE_PARAMS", [["kdf", "N", true], ["publicData", "B", true], ["sharedData", "B"]]],
  7: ["CK_AES_GCM_240_PARAMS", [["iv", "B", true], ["ivBits", "N", true], ["aad", "B"], ["tagBits", "N"]]],
  8: ["CK_ECDH2_DERIVE_PARAMS", derive2("sharedData")],
  9: ["CK_ECMQV_DERIVE_PARAMS", derive2("sharedData")],
  10: ["CK_X9_42_DH1_DERIVE_PARAMS", [["kdf", "N", true], ["otherInfo", "B"], ["publicData", "B", true]]],
  11: ["CK_X9_42_DH2_DERIVE_PARAMS", derive2("otherInfo")],
  12: ["CK_X9_42_MQV_DERIVE_PARAMS", [...derive2("otherInfo"), ["publicKey", "H", true]]],
  13: ["CK_KEA_DERIVE_PARAMS", [["isSender", "Z"], ["randomA", "B", true], ["randomB", "B", true], ["publicData", "B", true]]],
  15: ["CK_RC2_CBC_PARAMS", [["effectiveBits", "N", true], ["iv", "B", true]], { iv: 8 }],
  16: ["CK_RC2_MAC_GENERAL_PARAMS", [["effectiveBits", "N", true], ["macLength", "N", true]]],
  17: ["CK_RC5_PARAMS", [["wordSize", "N", true], ["rounds", "N", true]]],
  18: ["CK_RC5_CBC_PARAMS", [["wordSize", "N", true], ["rounds", "N", true], ["iv", "B", true]]],
  19: ["CK_RC5_MAC_GENERAL_PARAMS", [["wordSize", "N", true], ["rounds", "N", true], ["macLength", "N", true]]],
  // pkcs11js checks this iv's length before reading `data`.
  20: ["CK_DES_CBC_ENCRYPT_DATA_PARAMS", [["iv", "B", true, undefined, 8], ["data", "B"]]],
  21: ["CK_SKIPJACK_PRIVATE_WRAP_PARAMS", ["password", "publicData", "primeP", "baseG", "subprimeQ", "randomA"].map((f) => [f, "B", true])],
  22: [
    "CK_SKIPJACK_RELAYX_PARAMS",
    ["oldWrappedX", "oldPassword", "oldPublicData", "oldRandomA", "newPassword", "newPublicData", "newRandomA"].map((f) => [f, "B", true]),
  ],
  23: ["CK_PBE_PARAMS", [["initVector", "B", true], ["password", "B", true], ["salt", "B", true], ["iteration", "N", true]]],
  24: ["CK_KEY_WRAP_SET_OAEP_PARAMS", [["bc", "Y"], ["x", "B"]]],
  25: ["CK_GCM_PARAMS", [["iv", "B", true], ["ivBits", "N", true], ["aad", "B"], ["tagBits", "N"]]],
  26: ["CK_CCM_PARAMS", ccm],
  27: ["CK_GOSTR3410_DERIVE_PARAMS", [["kdf", "N", true], ["publicData", "B", true], ["ukm", "B"]]],
  28: ["CK_GOSTR3410_KEY_WRAP_PARAMS", [["wrapOID", "B", true], ["ukm", "B"], ["key", "H", true]]],
  [CK_PARAMS_AES_CTR]: ["CK_AES_CTR_PARAMS", [["counterBits", "N", true], ["cb", "B", true]]],
  // `iv` and `tag` are also outputs: the message functions write the
  // generated IV and the tag into these Buffers. tagBits defaults to 8 * tag.length.
  [CK_PARAMS_GCM_MESSAGE]: [
    "CK_GCM_MESSAGE_PARAMS",
    [["iv", "B", true], ["ivFixedBits", "N"], ["ivGenerator", "N"], ["tag", "B", true], ["tagBits", "N"]],
  ],
  [CK_PARAMS_CHACHA20_POLY1305_MESSAGE]: ["CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS", [["nonce", "B", true], ["tag", "B", true]]],
  [CK_PARAMS_KEY_DERIVATION_STRING_DATA]: ["CK_KEY_DERIVATION_STRING_DATA", [["data", "B", true]]],
  [CK_PARAMS_CHACHA20_POLY1305]: ["CK_SALSA20_CHACHA20_POLY1305_PARAMS", [["nonce", "B", true], ["aad", "B"]]],
  [CK_PARAMS_EDDSA]: ["CK_EDDSA_PARAMS", [["phFlag", "Z"], ["context", "B"]]],
  [CK_PARAMS_HKDF]: [
    "CK_HKDF_PARAMS",
    [["extract", "Z"], ["expand", "Z"], ["prfHashMechanism", "N", true], ["saltType", "N", true], ["salt", "B"], ["saltKey", "H"], ["info", "B"]],
  ],
  [CK_PARAMS_PKCS5_PBKD2]: [
    "CK_PKCS5_PBKD2_PARAMS2",
    [["saltSource", "N", true], ["salt", "B", true], ["iterations", "N", true], ["prf", "N", true], ["prfData", "B"], ["password", "B", true]],
  ],
  [CK_PARAMS_SP800_108_KDF]: ["CK_SP800_108_KDF_PARAMS", [["prfType", "N", true], ["dataParams", "P", true]]],
  // oaepParams: a CK_RSA_PKCS_OAEP_PARAMS object (kind O, checked as tag 4).
  [CK_PARAMS_RSA_AES_KEY_WRAP]: ["CK_RSA_AES_KEY_WRAP_PARAMS", [["aesKeyBits", "N", true], ["oaepParams", "O", true]]],
  [CK_PARAMS_SIGN_ADDITIONAL_CONTEXT]: ["CK_SIGN_ADDITIONAL_CONTEXT", [["hedgeVariant", "N"], ["context", "B"]]],
};

const KIND_NAMES = { N: "Number", B: "Buffer", H: "Buffer", Z: "Boolean", Y: "Number", P: "Array", O: "Object" };

/** Kind O: a nested parameter object, checked field by field as the struct it is. */
function nestedParams(v) {
  const [struct, fields] = PARAMS[4]; // CK_RSA_PKCS_OAEP_PARAMS, the only nested one
  const out = {};
  for (const f of fields) out[f[0]] = readField(v, struct, f);
  return out;
}

// CK_PRF_DATA_PARAM fields by CK_SP800_108_* data type: the counter and
// DKM-length formats, a byte array, a key handle. Other types pass with no
// fields; the token answers CKR_MECHANISM_PARAM_INVALID.
const PRF_DATA = {
  1: [["littleEndian", "Z"], ["widthInBits", "N", true]],
  2: [["littleEndian", "Z"], ["widthInBits", "N", true]],
  3: [["dkmLengthMethod", "N", true], ["littleEndian", "Z"], ["widthInBits", "N", true]],
  4: [["data", "B", true]],
  5: [["handle", "H", true]],
};

/** CK_SP800_108_KDF_PARAMS.dataParams: each element checked like a parameter object. */
function prfDataParams(list) {
  return list.map((d, k) => {
    if (d === null || typeof d !== "object" || typeof d.type !== "number") {
      throw new TypeError(`Element ${k} of 'dataParams' should be an Object with a Number 'type'`);
    }
    const type = d.type >>> 0;
    const out = { type };
    for (const f of PRF_DATA[type] ?? []) out[f[0]] = readField(d, "CK_PRF_DATA_PARAM", f);
    return out;
  });
}

function readField(p, struct, [name, kind, required, alias, ivLen]) {
  let v = p[name];
  if ((v === undefined || v === null) && alias !== undefined) v = p[alias];
  if (v === undefined || v === null) {
    if (!required) return undefined;
  } else {
    const ok =
      kind === "N" ? typeof v === "number"
      : kind === "Z" ? typeof v === "boolean"
      : kind === "Y" ? typeof v === "number" && v >>> 0 <= 255
      : kind === "H" ? isBytes(v) && v.byteLength === 8
      : kind === "P" ? Array.isArray(v)
      : kind === "O" ? typeof v === "object" && !isBytes(v) && !Array.isArray(v)
      : isBytes(v);
    if (ok) {
      if (ivLen !== undefined && v.byteLength !== ivLen) throw ivLength(struct, ivLen);
      return kind === "B" ? u8(v) : kind === "H" ? handleValue(v) : kind === "Y" ? v >>> 0 : kind === "P" ? prfDataParams(v) : kind === "O" ? nestedParams(v) : v;
    }
  }
  throw new TypeError(`Property '${name}' of ${struct} mechanism parameter should be ${KIND_NAMES[kind]}`);
}

const ivLength = (struct, n) => new TypeError(`Property 'iv' of ${struct} mechanism parameter should be a Buffer of length ${n}`);

/** A pkcs11js parameter object, checked, as a plain object for the shell. */
function parseParams(p, tag, i) {
  const spec = PARAMS[tag];
  if (spec === undefined) {
    // pkcs11js reads uninitialised memory for these (0, 14 and unknown tags).
    throw new TypeError(`Argument ${i} has wrong type. Property 'type' has an unsupported value ${tag}`);
  }
  const [struct, fields, after] = spec;
  const params = { type: tag };
  for (const f of fields) params[f[0]] = readField(p, struct, f);
  if (after && after.iv !== undefined && params.iv.byteLength !== after.iv) throw ivLength(struct, after.iv);
  if (tag === 13 && params.randomA.byteLength !== params.randomB.byteLength) {
    throw new TypeError(`Property 'randomA' and 'randomB' of ${struct} mechanism parameter should be Buffers of equal length`);
  }
  return params;
}

/** A mechanism argument (index i) -> `{kind, param}` for the shell. */
export function parse(m, i) {
  if (m === null || typeof m !== "object") throw new TypeError(`Argument ${i} has wrong type. Should be an Object`);
  if (typeof m.mechanism !== "number") throw new TypeError(`Argument ${i} has wrong type. Property 'mechanism' should be a Number`);
  const p = m.parameter;
  const isBuf = isBytes(p);
  const kind = typeof p;
  if (p !== undefined && p !== null && kind !== "object" && kind !== "number" && !isBuf) {
    throw new TypeError(`Argument ${i} has wrong type. Property 'parameter' should be an Object or Buffer`);
  }
  let param;
  if (isBuf) param = u8(p);
  else if (kind === "number") param = ulong32(p);
  else if (p !== undefined && p !== null) {
    if (typeof p.type !== "number") throw new TypeError(`Argument ${i} has wrong type. Property 'type' should be a Number`);
    param = parseParams(p, p.type >>> 0, i);
  }
  return { kind: m.mechanism >>> 0, param };
}

/**
 * pkcs11-wasm: the per-message parameter of the PKCS#11 3.x message
 * functions (argument i): null/undefined (none), a Buffer, a number, or a
 * CK_PARAMS_* object, checked like a mechanism's parameter.
 */
export function messageParameter(p, i) {
  if (p === undefined || p === null) return undefined;
  if (isBytes(p)) return u8(p);
  if (typeof p === "number") return ulong32(p);
  if (typeof p !== "object") throw new TypeError(`Argument ${i} has wrong type. Should be an Object or Buffer`);
  if (typeof p.type !== "number") throw new TypeError(`Argument ${i} has wrong type. Property 'type' should be a Number`);
  return parseParams(p, p.type >>> 0, i);
}
