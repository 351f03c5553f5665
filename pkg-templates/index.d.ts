// Type declarations for pkcs11-wasm: the API of the npm package pkcs11js
// (v2.x), as this package implements it, plus a few additions marked
// "pkcs11-wasm:".

/**
 * Node's Buffer where @types/node is present, otherwise Uint8Array (in
 * browsers without a Buffer polyfill, byte results are Uint8Arrays).
 */
export type Buffer = typeof globalThis extends { Buffer: { alloc(size: number): infer B } } ? B : Uint8Array;

/** Byte input: any Uint8Array (Buffers included). Other ArrayBufferViews are accepted too. */
export type Bytes = Uint8Array;

/** A slot, session or object handle: 8 bytes holding a little-endian CK_ULONG. Compare with `equals`/`compare`. */
export type Handle = Buffer;

export interface Version {
  major: number;
  minor: number;
}

/** CK_INFO. Text fields keep their blank padding (32 characters). */
export interface ModuleInfo {
  cryptokiVersion: Version;
  manufacturerID: string;
  flags: number;
  libraryDescription: string;
  libraryVersion: Version;
}

/** CK_SLOT_INFO. */
export interface SlotInfo {
  slotDescription: string;
  manufacturerID: string;
  flags: number;
  hardwareVersion: Version;
  firmwareVersion: Version;
}

/** CK_TOKEN_INFO. Counts are 32-bit views (CK_UNAVAILABLE_INFORMATION reads 4294967295). */
export interface TokenInfo {
  label: string;
  manufacturerID: string;
  model: string;
  serialNumber: string;
  flags: number;
  maxSessionCount: number;
  sessionCount: number;
  maxRwSessionCount: number;
  rwSessionCount: number;
  maxPinLen: number;
  minPinLen: number;
  hardwareVersion: Version;
  firmwareVersion: Version;
  utcTime: string;
  /** BigInt at run time, as in pkcs11js (whose typings say number). */
  totalPublicMemory: bigint;
  freePublicMemory: bigint;
  totalPrivateMemory: bigint;
  freePrivateMemory: bigint;
}

/** CK_MECHANISM_INFO. */
export interface MechanismInfo {
  minKeySize: number;
  maxKeySize: number;
  flags: number;
}

/** CK_SESSION_INFO. */
export interface SessionInfo {
  slotID: Handle;
  state: number;
  flags: number;
  deviceError: number;
}

/**
 * One template entry. Numbers become 8-byte CK_ULONGs (low 32 bits),
 * booleans 1-byte CK_BBOOLs, strings UTF-8 bytes. A Date is accepted for
 * CKA_START_DATE / CKA_END_DATE in C_CreateObject, C_CopyObject and
 * C_SetAttributeValue only.
 */
export interface Attribute {
  type: number;
  value?: number | boolean | string | Bytes | Date | null;
}
export type Template = Attribute[];

export interface AttributeResult {
  type: number;
  value: Buffer;
}
export type TemplateResult = AttributeResult[];

/** A mechanism parameter object: `type` is one of the CK_PARAMS_* tags. */
export interface IParams {
  type: number;
}

export interface Mechanism {
  mechanism: number;
  /** Raw bytes (e.g. an IV), a number (an 8-byte CK_ULONG), or a parameter object. */
  parameter?: Bytes | number | IParams | null;
}

/** CK_PARAMS_AES_GCM (ivBits is ignored), CK_PARAMS_AES_GCM_v240 and CK_PARAMS_GCM (ivBits required). */
export interface GcmParams extends IParams {
  iv: Bytes;
  ivBits?: number;
  aad?: Bytes;
  tagBits?: number;
}
/** CK_PARAMS_RSA_OAEP. */
export interface RsaOaepParams extends IParams {
  hashAlg: number;
  mgf: number;
  source: number;
  sourceData?: Bytes;
}
/** CK_PARAMS_RSA_PSS. */
export interface RsaPssParams extends IParams {
  hashAlg: number;
  mgf: number;
  saltLen: number;
}
/** CK_PARAMS_EC_DH. */
export interface EcdhParams extends IParams {
  kdf: number;
  publicData: Bytes;
  sharedData?: Bytes;
}
/** CK_PARAMS_AES_CBC: CK_AES_CBC_ENCRYPT_DATA_PARAMS (for CKM_AES_CBC_ENCRYPT_DATA, not a CBC IV). */
export interface AesCbcEncryptDataParams extends IParams {
  iv: Bytes;
  data?: Bytes;
}
/** CK_PARAMS_AES_CCM / CK_PARAMS_CCM; `dataLen` / `macLen` are accepted as aliases. */
export interface CcmParams extends IParams {
  dataLength?: number;
  dataLen?: number;
  nonce?: Bytes;
  aad?: Bytes;
  macLength?: number;
  macLen?: number;
}
/** pkcs11-wasm: CK_PARAMS_AES_CTR (CK_AES_CTR_PARAMS). */
export interface AesCtrParams extends IParams {
  counterBits: number;
  /** The 16-byte initial counter block. */
  cb: Bytes;
}
/** Field sets of the other pkcs11js tags (checked, though no mechanism here uses them). */
export interface Ecdh2DeriveParams extends IParams {
  kdf: number;
  sharedData?: Bytes;
  publicData: Bytes;
  privateDataLen: number;
  privateData: Handle;
  publicData2?: Bytes;
}
export type EcmqvDeriveParams = Ecdh2DeriveParams;
export interface X942DH1DeriveParams extends IParams {
  kdf: number;
  otherInfo?: Bytes;
  publicData: Bytes;
}
export interface X942DH2DeriveParams extends IParams {
  kdf: number;
  otherInfo?: Bytes;
  publicData: Bytes;
  privateDataLen: number;
  privateData: Handle;
  publicData2?: Bytes;
}
export interface X942MQVDeriveParams extends X942DH2DeriveParams {
  publicKey: Handle;
}
export interface KeaDeriveParams extends IParams {
  isSender?: boolean;
  randomA: Bytes;
  randomB: Bytes;
  publicData: Bytes;
}
export interface RC2CBCParams extends IParams {
  effectiveBits: number;
  iv: Bytes;
}
export interface RC2MACGeneralParams extends IParams {
  effectiveBits: number;
  macLength: number;
}
export interface RC5Params extends IParams {
  wordSize: number;
  rounds: number;
}
export interface RC5CBCParams extends RC5Params {
  iv: Bytes;
}
export interface RC5MACGeneralParams extends RC5Params {
  macLength: number;
}
export interface DesCbcEncryptDataParams extends IParams {
  iv: Bytes;
  data?: Bytes;
}
export interface SkipjackPrivateWrapParams extends IParams {
  password: Bytes;
  publicData: Bytes;
  primeP: Bytes;
  baseG: Bytes;
  subprimeQ: Bytes;
  randomA: Bytes;
}
export interface SkipjackRelayXParams extends IParams {
  oldWrappedX: Bytes;
  oldPassword: Bytes;
  oldPublicData: Bytes;
  oldRandomA: Bytes;
  newPassword: Bytes;
  newPublicData: Bytes;
  newRandomA: Bytes;
}
export interface PbeParams extends IParams {
  initVector: Bytes;
  password: Bytes;
  salt: Bytes;
  iteration: number;
}
export interface KeyWrapSetOaepParams extends IParams {
  bc?: number;
  x?: Bytes;
}
export interface GostR3410DeriveParams extends IParams {
  kdf: number;
  publicData: Bytes;
  ukm?: Bytes;
}
export interface GostR3410KeyWrapParams extends IParams {
  wrapOID: Bytes;
  ukm?: Bytes;
  key: Handle;
}

export interface KeyPair {
  privateKey: Handle;
  publicKey: Handle;
}

/**
 * pkcs11-wasm: the token configuration (all optional). Give it to `load()`
 * / `new PKCS11(config)`, as JSON in C_Initialize's `libraryParameters`,
 * or (Node) in the JSON file named by the environment variable
 * PKCS11_WASM_CONF; later sources override earlier ones key by key.
 */
export interface Config {
  /** PBKDF2-HMAC-SHA256 iterations for new PIN blobs (default 600000). */
  kdfIterations?: number;
  minPinLen?: number;
  maxPinLen?: number;
  /** Wrong PINs before a PIN locks; 0 disables lockout (default 10). */
  maxPinTries?: number;
}

export interface InitializationOptions {
  /** pkcs11-wasm: a JSON object text with `Config` keys, e.g. '{"kdfIterations":1000}'. */
  libraryParameters?: string;
  /** Accepted and ignored (the module is single-threaded and makes no callbacks). */
  flags?: number;
}

export type Callback<T> = (error: Error | null, result: T) => void;

/**
 * A PKCS#11 module. Each instance has its own slots, tokens and sessions.
 * A failing call throws a Pkcs11Error (message = CKR_* name, code = CK_RV,
 * method = C_* name); bad argument types or counts throw a TypeError.
 */
export class PKCS11 {
  /** The last string given to `load()` ("" for a Config object). */
  libPath: string;
  /** `config`: as for `load()`. */
  constructor(config?: string | Config);
  /**
   * pkcs11-wasm: there is no native library. Accepts a Config object, a
   * `.json` file path (Node), inline JSON, or anything else (ignored, so
   * pkcs11js code passing a .so path runs unchanged). Starts a fresh module.
   */
  load(config?: string | Config): void;
  /** Frees the module; later calls throw NativeError "PKCS11 module not loaded yet". */
  close(): void;

  C_Initialize(options?: InitializationOptions): void;
  C_Finalize(): void;
  C_GetInfo(): ModuleInfo;

  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetSlotInfo(slot: Handle): SlotInfo;
  C_GetTokenInfo(slot: Handle): TokenInfo;
  C_GetMechanismList(slot: Handle): number[];
  C_GetMechanismInfo(slot: Handle, mech: number): MechanismInfo;
  /** Returns the label. A missing PIN or label is taken as "". */
  C_InitToken(slot: Handle, pin?: string, label?: string): string;
  C_InitPIN(session: Handle, pin?: string): void;
  C_SetPIN(session: Handle, oldPin: string, newPin: string): void;
  /** Only CKF_DONT_BLOCK (1) is supported; null when no event is pending. */
  C_WaitForSlotEvent(flags: number): Handle | null;

  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_CloseAllSessions(slot: Handle): void;
  C_GetSessionInfo(session: Handle): SessionInfo;
  /** Not supported: throws CKR_FUNCTION_NOT_SUPPORTED. */
  C_GetOperationState(session: Handle): Buffer;
  /** Not supported: throws CKR_FUNCTION_NOT_SUPPORTED. */
  C_SetOperationState(session: Handle, state: Bytes, encryptionKey: Handle, authenticationKey: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_Logout(session: Handle): void;

  C_CreateObject(session: Handle, template: Template): Handle;
  C_CopyObject(session: Handle, object: Handle, template: Template): Handle;
  C_DestroyObject(session: Handle, object: Handle): void;
  C_GetObjectSize(session: Handle, object: Handle): number;
  /** Sets `value` on every element and returns the same array; any unreadable attribute throws. */
  C_GetAttributeValue(session: Handle, object: Handle, template: Template): TemplateResult;
  C_SetAttributeValue(session: Handle, object: Handle, template: Template): void;
  C_FindObjectsInit(session: Handle, template: Template): void;
  /** The next handle, or null at the end. */
  C_FindObjects(session: Handle): Handle | null;
  /** Up to `maxObjectCount` handles. */
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;

  // Output buffers: the result is written into `outData` and a view of
  // the written part is returned; CKR_BUFFER_TOO_SMALL is thrown (and the
  // operation stays active) when it does not fit.

  C_EncryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Encrypt(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_Encrypt(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_EncryptCallback(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_EncryptAsync(session: Handle, inData: Bytes, outData: Buffer): Promise<Buffer>;
  C_EncryptUpdate(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_EncryptFinal(session: Handle, outData: Buffer): Buffer;
  C_EncryptFinal(session: Handle, outData: Buffer, cb: Callback<Buffer>): void;
  C_EncryptFinalCallback(session: Handle, outData: Buffer, cb: Callback<Buffer>): void;
  C_EncryptFinalAsync(session: Handle, outData: Buffer): Promise<Buffer>;

  C_DecryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Decrypt(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_Decrypt(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptCallback(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptAsync(session: Handle, inData: Bytes, outData: Buffer): Promise<Buffer>;
  C_DecryptUpdate(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_DecryptFinal(session: Handle, outData: Buffer): Buffer;
  C_DecryptFinal(session: Handle, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptFinalCallback(session: Handle, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptFinalAsync(session: Handle, outData: Buffer): Promise<Buffer>;

  C_DigestInit(session: Handle, mechanism: Mechanism): void;
  C_Digest(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_Digest(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DigestCallback(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DigestAsync(session: Handle, inData: Bytes, outData: Buffer): Promise<Buffer>;
  C_DigestUpdate(session: Handle, inData: Bytes): void;
  C_DigestKey(session: Handle, key: Handle): void;
  C_DigestFinal(session: Handle, outData: Buffer): Buffer;
  C_DigestFinal(session: Handle, outData: Buffer, cb: Callback<Buffer>): void;
  C_DigestFinalCallback(session: Handle, outData: Buffer, cb: Callback<Buffer>): void;
  C_DigestFinalAsync(session: Handle, outData: Buffer): Promise<Buffer>;

  C_SignInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Sign(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_Sign(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_SignCallback(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_SignAsync(session: Handle, inData: Bytes, outData: Buffer): Promise<Buffer>;
  C_SignUpdate(session: Handle, inData: Bytes): void;
  C_SignFinal(session: Handle, outData: Buffer): Buffer;
  C_SignFinal(session: Handle, outData: Buffer, cb: Callback<Buffer>): void;
  C_SignFinalCallback(session: Handle, outData: Buffer, cb: Callback<Buffer>): void;
  C_SignFinalAsync(session: Handle, outData: Buffer): Promise<Buffer>;
  /** Not supported: throws CKR_FUNCTION_NOT_SUPPORTED. */
  C_SignRecoverInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /** Not supported: throws CKR_FUNCTION_NOT_SUPPORTED. */
  C_SignRecover(session: Handle, inData: Bytes, outData: Buffer): Buffer;

  C_VerifyInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /** `true`, or throws Pkcs11Error CKR_SIGNATURE_INVALID (never returns false). */
  C_Verify(session: Handle, inData: Bytes, signature: Bytes): boolean;
  C_Verify(session: Handle, inData: Bytes, signature: Bytes, cb: Callback<boolean>): void;
  C_VerifyCallback(session: Handle, inData: Bytes, signature: Bytes, cb: Callback<boolean>): void;
  C_VerifyAsync(session: Handle, inData: Bytes, signature: Bytes): Promise<boolean>;
  C_VerifyUpdate(session: Handle, inData: Bytes): void;
  C_VerifyFinal(session: Handle, signature: Bytes): boolean;
  C_VerifyFinal(session: Handle, signature: Bytes, cb: Callback<boolean>): void;
  C_VerifyFinalCallback(session: Handle, signature: Bytes, cb: Callback<boolean>): void;
  C_VerifyFinalAsync(session: Handle, signature: Bytes): Promise<boolean>;
  /** Not supported: throws CKR_FUNCTION_NOT_SUPPORTED. */
  C_VerifyRecoverInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  /** Not supported: throws CKR_FUNCTION_NOT_SUPPORTED. */
  C_VerifyRecover(session: Handle, signature: Bytes, outData: Buffer): Buffer;

  /** Not supported: throw CKR_FUNCTION_NOT_SUPPORTED. */
  C_DigestEncryptUpdate(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_DigestEncryptUpdate(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DigestEncryptUpdateCallback(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DigestEncryptUpdateAsync(session: Handle, inData: Bytes, outData: Buffer): Promise<Buffer>;
  C_DecryptDigestUpdate(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_DecryptDigestUpdate(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptDigestUpdateCallback(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptDigestUpdateAsync(session: Handle, inData: Bytes, outData: Buffer): Promise<Buffer>;
  C_SignEncryptUpdate(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_SignEncryptUpdate(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_SignEncryptUpdateCallback(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_SignEncryptUpdateAsync(session: Handle, inData: Bytes, outData: Buffer): Promise<Buffer>;
  C_DecryptVerifyUpdate(session: Handle, inData: Bytes, outData: Buffer): Buffer;
  C_DecryptVerifyUpdate(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptVerifyUpdateCallback(session: Handle, inData: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptVerifyUpdateAsync(session: Handle, inData: Bytes, outData: Buffer): Promise<Buffer>;

  C_GenerateKey(session: Handle, mechanism: Mechanism, template: Template): Handle;
  C_GenerateKey(session: Handle, mechanism: Mechanism, template: Template, cb: Callback<Handle>): void;
  C_GenerateKeyCallback(session: Handle, mechanism: Mechanism, template: Template, cb: Callback<Handle>): void;
  C_GenerateKeyAsync(session: Handle, mechanism: Mechanism, template: Template): Promise<Handle>;
  C_GenerateKeyPair(session: Handle, mechanism: Mechanism, publicKeyTemplate: Template, privateKeyTemplate: Template): KeyPair;
  C_GenerateKeyPair(
    session: Handle,
    mechanism: Mechanism,
    publicKeyTemplate: Template,
    privateKeyTemplate: Template,
    cb: Callback<KeyPair>,
  ): void;
  C_GenerateKeyPairCallback(
    session: Handle,
    mechanism: Mechanism,
    publicKeyTemplate: Template,
    privateKeyTemplate: Template,
    cb: Callback<KeyPair>,
  ): void;
  C_GenerateKeyPairAsync(session: Handle, mechanism: Mechanism, publicKeyTemplate: Template, privateKeyTemplate: Template): Promise<KeyPair>;
  C_WrapKey(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, wrappedKey: Buffer): Buffer;
  C_WrapKey(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, wrappedKey: Buffer, cb: Callback<Buffer>): void;
  C_WrapKeyCallback(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, wrappedKey: Buffer, cb: Callback<Buffer>): void;
  C_WrapKeyAsync(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, wrappedKey: Buffer): Promise<Buffer>;
  C_UnwrapKey(session: Handle, mechanism: Mechanism, unwrappingKey: Handle, wrappedKey: Bytes, template: Template): Handle;
  C_UnwrapKey(session: Handle, mechanism: Mechanism, unwrappingKey: Handle, wrappedKey: Bytes, template: Template, cb: Callback<Handle>): void;
  C_UnwrapKeyCallback(
    session: Handle,
    mechanism: Mechanism,
    unwrappingKey: Handle,
    wrappedKey: Bytes,
    template: Template,
    cb: Callback<Handle>,
  ): void;
  C_UnwrapKeyAsync(session: Handle, mechanism: Mechanism, unwrappingKey: Handle, wrappedKey: Bytes, template: Template): Promise<Handle>;
  C_DeriveKey(session: Handle, mechanism: Mechanism, key: Handle, template: Template): Handle;
  C_DeriveKey(session: Handle, mechanism: Mechanism, key: Handle, template: Template, cb: Callback<Handle>): void;
  C_DeriveKeyCallback(session: Handle, mechanism: Mechanism, key: Handle, template: Template, cb: Callback<Handle>): void;
  C_DeriveKeyAsync(session: Handle, mechanism: Mechanism, key: Handle, template: Template): Promise<Handle>;

  /** Throws CKR_RANDOM_SEED_NOT_SUPPORTED: the platform CSPRNG cannot be seeded. */
  C_SeedRandom(session: Handle, seed: Bytes): void;
  /** Fills `buf` and returns the same object. */
  C_GenerateRandom<T extends Bytes>(session: Handle, buf: T): T;
}

/** An error from the module that is not a PKCS#11 return value. */
export class NativeError extends Error {
  readonly code: number;
  readonly method: string;
  readonly nativeStack: string;
  constructor(message?: string, method?: string);
}

/** A PKCS#11 failure: `message` is the CKR_* name, `code` its value, `method` the C_* function. */
export class Pkcs11Error extends NativeError {
  readonly code: number;
  constructor(message?: string, code?: number, method?: string);
  static messageReg: RegExp;
  static isPkcs11(message: string): boolean;
}

/**
 * pkcs11-wasm: loads the WebAssembly module. Required once in browsers
 * before using PKCS11 (`input`: a URL, Response, bytes or a
 * WebAssembly.Module; by default pkcs11_wasm_bg.wasm next to the script). In Node the module
 * is ready at import and this resolves at once.
 */
export function init(input?: unknown): Promise<void>;

/** pkcs11-wasm: parameter tag for CK_AES_CTR_PARAMS ({ counterBits, cb }). */
export const CK_PARAMS_AES_CTR: number;

// Every CK* constant: pkcs11js's names and values, plus the PKCS#11 3.x
// names. CK_UNAVAILABLE_INFORMATION is 0xFFFFFFFF (the 32-bit view numbers
// have in this API).
// @@CONSTANTS@@
