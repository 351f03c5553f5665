// A program written against pkcs11js 2.1.7's typings, touching every
// method (every overload), every exported type name and the error
// classes. tests/js/packaging_types.test.mjs compiles it unchanged twice
// with strict tsc: against pkcs11js's own index.d.ts (to prove it is valid
// pkcs11js code) and against pkcs11-wasm's typings under the name
// "pkcs11js". It is never run. Values are typed the way pkcs11js users
// type them: Node's plain `Buffer` (Buffer<ArrayBufferLike>) and callbacks
// `(error: Error, data: Buffer) => void`.
import * as pkcs11js from "pkcs11js";
import pkcs11Default from "pkcs11js";

const lib: pkcs11js.PKCS11 = new pkcs11js.PKCS11();
const other = new pkcs11Default.PKCS11("/usr/lib/softhsm/libsofthsm2.so");
lib.load("/usr/lib/softhsm/libsofthsm2.so");
const libPath: string = other.libPath;

const init: pkcs11js.InitializationOptions = { libraryParameters: "configdir='sql:/tmp/nss' certPrefix=''", flags: 0 };
lib.C_Initialize();
lib.C_Initialize(init);

// --- general, slots and tokens ---
const info: pkcs11js.ModuleInfo = lib.C_GetInfo();
const version: pkcs11js.Version = info.cryptokiVersion;
const versionText = `${version.major}.${version.minor} ${info.manufacturerID} ${info.libraryDescription} ${info.flags}`;
const slots: pkcs11js.Handle[] = lib.C_GetSlotList(true);
const allSlots: Buffer[] = lib.C_GetSlotList();
const slot: Buffer = slots[0] ?? allSlots[0];
const slotInfo: pkcs11js.SlotInfo = lib.C_GetSlotInfo(slot);
const slotFlags: number = slotInfo.flags + slotInfo.hardwareVersion.major + slotInfo.firmwareVersion.minor;
const tokenInfo: pkcs11js.TokenInfo = lib.C_GetTokenInfo(slot);
// pkcs11js declares the memory fields as number
const memory: number = tokenInfo.totalPublicMemory + tokenInfo.freePublicMemory + tokenInfo.totalPrivateMemory + tokenInfo.freePrivateMemory;
const counts: number[] = [
  tokenInfo.maxSessionCount,
  tokenInfo.sessionCount,
  tokenInfo.maxRwSessionCount,
  tokenInfo.rwSessionCount,
  tokenInfo.maxPinLen,
  tokenInfo.minPinLen,
  tokenInfo.flags,
];
const texts: string[] = [tokenInfo.label, tokenInfo.manufacturerID, tokenInfo.model, tokenInfo.serialNumber, tokenInfo.utcTime];
const label: string = lib.C_InitToken(slot, "so-pin", "label");
lib.C_InitToken(slot);
const mechanisms: number[] = lib.C_GetMechanismList(slot);
const mechInfo: pkcs11js.MechanismInfo = lib.C_GetMechanismInfo(slot, pkcs11js.CKM_AES_GCM);
const keySizes: number = mechInfo.minKeySize + mechInfo.maxKeySize + mechInfo.flags;
const event: pkcs11js.Handle | null = lib.C_WaitForSlotEvent(pkcs11js.CKF_DONT_BLOCK);

// --- sessions ---
const session: Buffer = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
const sessionInfo: pkcs11js.SessionInfo = lib.C_GetSessionInfo(session);
const sessionSlot: Buffer = sessionInfo.slotID;
const state: number = sessionInfo.state + sessionInfo.flags + sessionInfo.deviceError;
lib.C_Login(session, pkcs11js.CKU_SO, "so-pin");
lib.C_InitPIN(session, "user-pin");
lib.C_InitPIN(session);
lib.C_Logout(session);
lib.C_Login(session, pkcs11js.CKU_USER);
lib.C_SetPIN(session, "user-pin", "new-pin");

// --- objects ---
const template: pkcs11js.Template = [
  { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
  { type: pkcs11js.CKA_TOKEN, value: false },
  { type: pkcs11js.CKA_LABEL, value: "data" },
  { type: pkcs11js.CKA_VALUE, value: Buffer.from("value") },
  { type: pkcs11js.CKA_START_DATE, value: new Date() },
  { type: pkcs11js.CKA_ID },
];
const attribute: pkcs11js.Attribute = template[0];
const object: pkcs11js.Handle = lib.C_CreateObject(session, template);
const copy: Buffer = lib.C_CopyObject(session, object, [{ type: pkcs11js.CKA_LABEL, value: "copy" }]);
const size: number = lib.C_GetObjectSize(session, copy);
const read: pkcs11js.TemplateResult = lib.C_GetAttributeValue(session, object, [{ type: pkcs11js.CKA_LABEL }]);
const first: pkcs11js.AttributeResult = read[0];
const labelBytes: Buffer = first.value;
lib.C_SetAttributeValue(session, object, [{ type: pkcs11js.CKA_LABEL, value: "renamed" }]);
lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }]);
const found: Buffer[] = lib.C_FindObjects(session, 10);
const one: Buffer | null = lib.C_FindObjects(session);
lib.C_FindObjectsFinal(session);
lib.C_DestroyObject(session, copy);

// --- keys ---
const keyTemplate: pkcs11js.Template = [
  { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
  { type: pkcs11js.CKA_ENCRYPT, value: true },
];
const aesGen: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_AES_KEY_GEN };
const key: Buffer = lib.C_GenerateKey(session, aesGen, keyTemplate);
lib.C_GenerateKey(session, aesGen, keyTemplate, (error: Error, k: Buffer) => console.log(error, k));
const keyLater: Promise<Buffer> = lib.C_GenerateKeyAsync(session, aesGen, keyTemplate);
const rsaGen: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN, parameter: Buffer.alloc(0) };
const pubTemplate: pkcs11js.Template = [
  { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
  { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
];
const pair: pkcs11js.KeyPair = lib.C_GenerateKeyPair(session, rsaGen, pubTemplate, []);
const pub: Buffer = pair.publicKey;
const priv: Buffer = pair.privateKey;
lib.C_GenerateKeyPair(session, rsaGen, pubTemplate, [], (error: Error, keys: pkcs11js.KeyPair) => console.log(error, keys.publicKey));
const pairLater: Promise<pkcs11js.KeyPair> = lib.C_GenerateKeyPairAsync(session, rsaGen, pubTemplate, []);

// --- parameters, by pkcs11js's names ---
const plain: Buffer = Buffer.from("secret data");
const gcm: pkcs11js.AesGCM = { type: pkcs11js.CK_PARAMS_AES_GCM, iv: Buffer.alloc(12), aad: Buffer.alloc(0), ivBits: 96, tagBits: 128 };
const gcmTagBits: number = gcm.tagBits + gcm.ivBits;
const gcmIv: Buffer | undefined = gcm.iv;
const gcm240: pkcs11js.GcmParams = { type: pkcs11js.CK_PARAMS_AES_GCM_v240, iv: Buffer.alloc(12), ivBits: 96 };
const gcmIvBits: number = gcm240.ivBits;
const ccm: pkcs11js.AesCCM = { type: pkcs11js.CK_PARAMS_AES_CCM, dataLen: plain.length, nonce: Buffer.alloc(12), macLen: 16 };
const ccmLen: number = ccm.dataLen + ccm.macLen;
const ccm2: pkcs11js.CcmParams = { type: pkcs11js.CK_PARAMS_CCM, dataLen: plain.length };
const ccm2Len: number = ccm2.dataLen;
const cbcData: pkcs11js.AesCBC = { type: pkcs11js.CK_PARAMS_AES_CBC, iv: Buffer.alloc(16), data: Buffer.alloc(32) };
const cbcIv: Buffer = cbcData.iv;
const oaep: pkcs11js.RsaOAEP = { type: pkcs11js.CK_PARAMS_RSA_OAEP, hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256, source: 1 };
const oaepLabel: Buffer | undefined = oaep.sourceData;
const pss: pkcs11js.RsaPSS = { type: pkcs11js.CK_PARAMS_RSA_PSS, hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256, saltLen: 32 };
const ecdh: pkcs11js.ECDH1 = { type: pkcs11js.CK_PARAMS_EC_DH, kdf: pkcs11js.CKD_NULL, publicData: Buffer.alloc(65) };
const ecdhPoint: Buffer = ecdh.publicData;
const ecdh2: pkcs11js.Ecdh2Derive = {
  type: pkcs11js.CK_PARAMS_ECDH2_DERIVE,
  kdf: pkcs11js.CKD_NULL,
  publicData: Buffer.alloc(65),
  privateDataLen: 32,
  privateData: priv,
  publicData2: Buffer.alloc(65),
};
const ecmqv: pkcs11js.EcmqvDerive = { ...ecdh2, type: pkcs11js.CK_PARAMS_ECMQV_DERIVE };
const dh1: pkcs11js.X942DH1Derive = { type: pkcs11js.CK_PARAMS_X9_42_DH1_DERIVE, kdf: pkcs11js.CKD_NULL, publicData: Buffer.alloc(64), privateData: priv };
const dh2: pkcs11js.X942DH2Derive = { ...dh1, type: pkcs11js.CK_PARAMS_X9_42_DH2_DERIVE, privateDataLen: 32 };
const mqv: pkcs11js.X942MQvDeriveParams = { kdf: pkcs11js.CKD_NULL, publicData: Buffer.alloc(64), privateData: priv, publicKey: pub };
const rc2: pkcs11js.RC2CBCParams = { type: pkcs11js.CK_PARAMS_RC2_CBC, effectiveBits: 64, iv: Buffer.alloc(8) };
const rc2Mac: pkcs11js.RC2MACGeneralParams = { type: pkcs11js.CK_PARAMS_RC2_MAC_GENERAL, effectiveBits: 64, macLength: 4 };
const rc5: pkcs11js.RC5Params = { type: pkcs11js.CK_PARAMS_RC5, wordSize: 4, rounds: 12 };
const rc5Cbc: pkcs11js.RC5CBCParams = { ...rc5, type: pkcs11js.CK_PARAMS_RC5_CBC, iv: Buffer.alloc(8) };
const rc5Mac: pkcs11js.RC5MACGeneralParams = { ...rc5, type: pkcs11js.CK_PARAMS_RC5_MAC_GENERAL, macLength: 4 };
const desData: pkcs11js.DesCbcEncryptDataParams = { type: pkcs11js.CK_PARAMS_DES_CBC_ENCRYPT_DATA, iv: Buffer.alloc(8) };
const skipjack: pkcs11js.SkipjackPrivateWrapParams = {
  type: pkcs11js.CK_PARAMS_SKIPJACK_PRIVATE_WRAP,
  password: plain,
  publicData: plain,
  primeP: plain,
  baseG: plain,
  subprimeQ: plain,
  randomA: plain,
};
const relay: pkcs11js.SkipjackRelayXParams = {
  type: pkcs11js.CK_PARAMS_SKIPJACK_RELAYX,
  oldWrappedX: plain,
  oldPassword: plain,
  oldPublicData: plain,
  oldRandomA: plain,
  newPassword: plain,
  newPublicData: plain,
  newRandomA: plain,
};
const pbe: pkcs11js.PbeParams = { type: pkcs11js.CK_PARAMS_PBE, initVector: plain, password: plain, salt: plain, iteration: 1000 };
const oaepSet: pkcs11js.KeyWrapSetOaepParams = { type: pkcs11js.CK_PARAMS_KEY_WRAP_SET_OAEP, bc: 1, x: plain };
const gost: pkcs11js.GostR3410DeriveParams = { type: pkcs11js.CK_PARAM_GOSTR3410_DERIVE, kdf: 1, publicData: plain };
const gostWrap: pkcs11js.GostR3410KeyWrapParams = { type: pkcs11js.CK_PARAM_GOSTR3410_KEY_WRAP, wrapOID: plain, key };
const params: pkcs11js.IParams[] = [gcm, gcm240, ccm, ccm2, cbcData, oaep, pss, ecdh, ecdh2, ecmqv, dh1, dh2, rc2, rc2Mac, rc5, rc5Cbc, rc5Mac];
const moreParams: pkcs11js.IParams[] = [desData, skipjack, relay, pbe, oaepSet, gost, gostWrap];

// --- encryption and decryption ---
const gcmMech: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_AES_GCM, parameter: gcm };
const cbcMech: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_AES_CBC_PAD, parameter: Buffer.alloc(16) };
const numberMech: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_SHA256_HMAC_GENERAL, parameter: 16 };
const out: Buffer = Buffer.alloc(1024);
lib.C_EncryptInit(session, gcmMech, key);
const sealed: Buffer = lib.C_Encrypt(session, plain, out);
lib.C_Encrypt(session, plain, out, (error: Error, data: Buffer) => console.log(error?.message, data.length));
const sealedLater: Promise<Buffer> = lib.C_EncryptAsync(session, plain, out);
const part: Buffer = lib.C_EncryptUpdate(session, plain, out);
const last: Buffer = lib.C_EncryptFinal(session, out);
lib.C_EncryptFinal(session, out, (error: Error, data: Buffer) => console.log(error, data));
const lastLater: Promise<Buffer> = lib.C_EncryptFinalAsync(session, out);
lib.C_DecryptInit(session, cbcMech, key);
const opened: Buffer = lib.C_Decrypt(session, sealed, out);
lib.C_Decrypt(session, sealed, out, (error: Error, data: Buffer) => console.log(error, data));
const openedLater: Promise<Buffer> = lib.C_DecryptAsync(session, sealed, out);
const dpart: Buffer = lib.C_DecryptUpdate(session, sealed, out);
const dlast: Buffer = lib.C_DecryptFinal(session, out);
lib.C_DecryptFinal(session, out, (error: Error, data: Buffer) => console.log(error, data));
const dlastLater: Promise<Buffer> = lib.C_DecryptFinalAsync(session, out);

// --- digests ---
lib.C_DigestInit(session, { mechanism: pkcs11js.CKM_SHA256 });
const digest: Buffer = lib.C_Digest(session, plain, out);
lib.C_Digest(session, plain, out, (error: Error, data: Buffer) => console.log(error, data));
const digestLater: Promise<Buffer> = lib.C_DigestAsync(session, plain, out);
lib.C_DigestUpdate(session, plain);
lib.C_DigestKey(session, key);
const digestFinal: Buffer = lib.C_DigestFinal(session, out);
lib.C_DigestFinal(session, out, (error: Error, data: Buffer) => console.log(error, data));
const digestFinalLater: Promise<Buffer> = lib.C_DigestFinalAsync(session, out);

// --- signatures and MACs ---
const pssMech: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, parameter: pss };
lib.C_SignInit(session, pssMech, priv);
const signature: Buffer = lib.C_Sign(session, plain, out);
lib.C_Sign(session, plain, out, (error: Error, data: Buffer) => console.log(error, data));
const signatureLater: Promise<Buffer> = lib.C_SignAsync(session, plain, out);
lib.C_SignUpdate(session, plain);
const signFinal: Buffer = lib.C_SignFinal(session, out);
lib.C_SignFinal(session, out, (error: Error, data: Buffer) => console.log(error, data));
const signFinalLater: Promise<Buffer> = lib.C_SignFinalAsync(session, out);
lib.C_SignRecoverInit(session, numberMech, key);
const recovered: Buffer = lib.C_SignRecover(session, plain, out);
lib.C_VerifyInit(session, pssMech, pub);
const valid: boolean = lib.C_Verify(session, plain, signature);
lib.C_Verify(session, plain, signature, (error: Error, verify: boolean) => console.log(error, verify));
const validLater: Promise<boolean> = lib.C_VerifyAsync(session, plain, signature);
lib.C_VerifyUpdate(session, plain);
const validFinal: boolean = lib.C_VerifyFinal(session, signature);
lib.C_VerifyFinal(session, signature, (error: Error, verify: boolean) => console.log(error, verify));
const validFinalLater: Promise<boolean> = lib.C_VerifyFinalAsync(session, signature);
lib.C_VerifyRecoverInit(session, numberMech, key);
const verifyRecovered: Buffer = lib.C_VerifyRecover(session, signature, out);

// --- wrapping, derivation, random ---
const wrapMech: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter: oaep };
const wrapped: Buffer = lib.C_WrapKey(session, wrapMech, pub, key, out);
lib.C_WrapKey(session, wrapMech, pub, key, out, (error: Error, wrappedKey: Buffer) => console.log(error, wrappedKey));
const wrappedLater: Promise<Buffer> = lib.C_WrapKeyAsync(session, wrapMech, pub, key, out);
const unwrapped: Buffer = lib.C_UnwrapKey(session, wrapMech, priv, wrapped, keyTemplate);
lib.C_UnwrapKey(session, wrapMech, priv, wrapped, keyTemplate, (error: Error, k: Buffer) => console.log(error, k));
const unwrappedLater: Promise<Buffer> = lib.C_UnwrapKeyAsync(session, wrapMech, priv, wrapped, keyTemplate);
const deriveMech: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_ECDH1_DERIVE, parameter: ecdh };
const derived: Buffer = lib.C_DeriveKey(session, deriveMech, priv, keyTemplate);
lib.C_DeriveKey(session, deriveMech, priv, keyTemplate, (error: Error, hKey: Buffer) => console.log(error, hKey));
const derivedLater: Promise<Buffer> = lib.C_DeriveKeyAsync(session, deriveMech, priv, keyTemplate);
lib.C_SeedRandom(session, Buffer.from("seed"));
const random: Buffer = lib.C_GenerateRandom(session, Buffer.alloc(16));

// --- dual-function operations ---
const dual: Buffer[] = [
  lib.C_DigestEncryptUpdate(session, plain, out),
  lib.C_DecryptDigestUpdate(session, plain, out),
  lib.C_SignEncryptUpdate(session, plain, out),
  lib.C_DecryptVerifyUpdate(session, plain, out),
];
lib.C_DigestEncryptUpdate(session, plain, out, (error: Error, data: Buffer) => console.log(error, data));
lib.C_DecryptDigestUpdate(session, plain, out, (error: Error, data: Buffer) => console.log(error, data));
lib.C_SignEncryptUpdate(session, plain, out, (error: Error, data: Buffer) => console.log(error, data));
lib.C_DecryptVerifyUpdate(session, plain, out, (error: Error, data: Buffer) => console.log(error, data));
const dualLater: Promise<Buffer>[] = [
  lib.C_DigestEncryptUpdateAsync(session, plain, out),
  lib.C_DecryptDigestUpdateAsync(session, plain, out),
  lib.C_SignEncryptUpdateAsync(session, plain, out),
  lib.C_DecryptVerifyUpdateAsync(session, plain, out),
];

// --- errors, end ---
try {
  lib.C_CloseSession(session);
  lib.C_CloseAllSessions(slot);
  lib.C_Finalize();
  lib.close();
} catch (e) {
  if (e instanceof pkcs11js.Pkcs11Error) {
    const code: number = e.code;
    const method: string = e.method;
    const stack: string = e.nativeStack;
    console.log(code, method, stack, e.message === "CKR_PIN_INCORRECT" && e.code === pkcs11js.CKR_PIN_INCORRECT);
  } else if (e instanceof pkcs11js.NativeError) {
    console.log(e.method, e.nativeStack);
  }
}
const made: pkcs11js.Pkcs11Error = new pkcs11js.Pkcs11Error("CKR_PIN_INCORRECT:160", 160, "C_Login");
const native: pkcs11js.NativeError = new pkcs11js.NativeError("message", "C_Login");
const asError: Error = made;

export const used = [
  libPath, versionText, slotFlags, memory, counts, texts, label, mechanisms, keySizes, event, sessionSlot, state, attribute,
  size, labelBytes, found, one, keyLater, pairLater, gcmTagBits, gcmIv, gcmIvBits, ccmLen, ccm2Len, cbcIv, oaepLabel, ecdhPoint,
  mqv, params, moreParams, part, last, lastLater, opened, openedLater, dpart, dlast, dlastLater, sealedLater, digest, digestLater,
  digestFinal, digestFinalLater, signatureLater, signFinal, signFinalLater, recovered, valid, validLater, validFinal,
  validFinalLater, verifyRecovered, wrappedLater, unwrapped, unwrappedLater, derived, derivedLater, random, dual, dualLater,
  native, asError,
];
