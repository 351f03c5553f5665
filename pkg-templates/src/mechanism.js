// Mechanisms: `{mechanism, parameter}` checked like pkcs11js, with its
// CK_PARAMS_* parameter objects checked field by field (same order, same
// messages). The shell gets the type and a parameter that is undefined, a
// Uint8Array, or a parameter object it reads with Reflect.
import { isBytes, u8, ulong32, handleValue } from "./bytes.js";

/** pkcs11-wasm's own tags, outside pkcs11js's 0..28. */
export const CK_PARAMS_AES_CTR = 0x1000;

// Field kinds: N = Number (a double cast to CK_ULONG), B = Buffer,
// H = 8-byte handle Buffer, Z = Boolean, Y = byte (Number 0..255).
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
};

const KIND_NAMES = { N: "Number", B: "Buffer", H: "Buffer", Z: "Boolean", Y: "Number" };

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
      : isBytes(v);
    if (ok) {
      if (ivLen !== undefined && v.byteLength !== ivLen) throw ivLength(struct, ivLen);
      return kind === "B" ? u8(v) : kind === "H" ? handleValue(v) : kind === "Y" ? v >>> 0 : v;
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
