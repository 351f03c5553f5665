// Type declarations for pkcs11-wasm: the API of the npm package pkcs11js
// (v2.x), as this package implements it, plus a few additions marked
// "pkcs11-wasm:".

/**
 * Node's plain `Buffer` type (`Buffer<ArrayBufferLike>`, as pkcs11js's
 * typings use it) where @types/node is present, otherwise Uint8Array (in
 * browsers without a Buffer polyfill, byte results are Uint8Arrays).
 */
export type Buffer = typeof globalThis extends { Buffer: { isBuffer(obj: any): obj is infer B } } ? B : Uint8Array;

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
  /**
   * The four memory fields are BigInts at run time, as pkcs11js returns
   * them; typed `number` as in pkcs11js's typings so that code written for
   * it compiles (compare with `Number(info.totalPublicMemory)`).
   */
  totalPublicMemory: number;
  freePublicMemory: number;
  totalPrivateMemory: number;
  freePrivateMemory: number;
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
  /**
   * pkcs11-wasm: a template attribute (CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE,
   * CKA_DERIVE_TEMPLATE, CKA_ENCAPSULATE_TEMPLATE, CKA_DECAPSULATE_TEMPLATE)
   * takes a template array as its value.
   */
  value?: number | boolean | string | Bytes | Date | null | Attribute[];
}
export type Template = Attribute[];

export interface AttributeResult {
  type: number;
  /**
   * pkcs11-wasm: for a template attribute (CKA_WRAP_TEMPLATE, ...) this is
   * a `TemplateAttributeValue` array at run time, not a Buffer.
   */
  value: Buffer;
}
/** pkcs11-wasm: how C_GetAttributeValue returns a template attribute's value. */
export type TemplateAttributeValue = AttributeResult[];
export type TemplateResult = AttributeResult[];

/** A mechanism parameter object: `type` is one of the CK_PARAMS_* tags. */
export interface IParams {
  type: number;
}

/** Any parameter object literal: `{ type: CK_PARAMS_..., ...fields }`. */
export type ParameterObject = IParams & { [field: string]: unknown };

export interface Mechanism {
  mechanism: number;
  /**
   * Raw bytes (e.g. an IV), a number (an 8-byte CK_ULONG), or a parameter
   * object (its `type` a CK_PARAMS_* tag; an object literal may be written
   * in place, without naming its interface).
   */
  parameter?: Bytes | number | IParams | ParameterObject | null;
}

// Parameter objects. The interfaces named as in pkcs11js (ECDH1, AesCBC,
// AesCCM, AesGCM, RsaOAEP, RsaPSS, GcmParams, CcmParams, ...) have exactly
// its fields and field types, so code written against its typings
// compiles; the *Params names before them are this package's names for
// the same structures (byte fields accept any Uint8Array).

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

/** pkcs11js's name: CK_PARAMS_EC_DH (CK_ECDH1_DERIVE_PARAMS). */
export interface ECDH1 extends IParams {
  kdf: number;
  sharedData?: Buffer;
  publicData: Buffer;
}
/** pkcs11js's name: CK_PARAMS_AES_CBC (CK_AES_CBC_ENCRYPT_DATA_PARAMS). */
export interface AesCBC extends IParams {
  iv: Buffer;
  data?: Buffer;
}
/** pkcs11js's name: CK_PARAMS_AES_CCM (`dataLength` / `macLength` are accepted as aliases). */
export interface AesCCM extends IParams {
  dataLen: number;
  nonce?: Buffer;
  aad?: Buffer;
  macLen: number;
}
/** pkcs11js's name: CK_PARAMS_AES_GCM (`ivBits` is not used), CK_PARAMS_AES_GCM_v240. */
export interface AesGCM extends IParams {
  iv?: Buffer;
  aad?: Buffer;
  ivBits: number;
  tagBits: number;
}
/** pkcs11js's name: CK_PARAMS_RSA_OAEP. */
export interface RsaOAEP extends IParams {
  hashAlg: number;
  mgf: number;
  source: number;
  sourceData?: Buffer;
}
/** pkcs11js's name: CK_PARAMS_RSA_PSS. */
export interface RsaPSS extends IParams {
  hashAlg: number;
  mgf: number;
  saltLen: number;
}
/** pkcs11js's name: CK_PARAMS_ECDH2_DERIVE (no mechanism here uses it). */
export interface Ecdh2Derive extends IParams {
  kdf: number;
  sharedData?: Buffer;
  publicData: Buffer;
  privateDataLen: number;
  privateData: Handle;
  publicData2?: Buffer;
}
/** pkcs11js's name: CK_PARAMS_ECMQV_DERIVE (no mechanism here uses it). */
export interface EcmqvDerive extends IParams {
  kdf: number;
  sharedData?: Buffer;
  publicData: Buffer;
  privateDataLen: number;
  publicData2?: Buffer;
  privateData: Handle;
}
/** pkcs11js's name: CK_PARAMS_X9_42_DH1_DERIVE (no mechanism here uses it). */
export interface X942DH1Derive extends IParams {
  kdf: number;
  otherInfo?: Buffer;
  publicData: Buffer;
  privateData: Handle;
}
/** pkcs11js's name: CK_PARAMS_X9_42_DH2_DERIVE (no mechanism here uses it). */
export interface X942DH2Derive extends IParams {
  kdf: number;
  otherInfo?: Buffer;
  publicData: Buffer;
  privateData: Handle;
  privateDataLen: number;
  publicData2?: Buffer;
}
/** pkcs11js's name: CK_PARAMS_X9_42_MQV_DERIVE fields (without `type`, as in pkcs11js). */
export interface X942MQvDeriveParams {
  kdf: number;
  otherInfo?: Buffer;
  publicData: Buffer;
  privateData: Handle;
  publicData2?: Buffer;
  publicKey: Handle;
}
/**
 * CK_PARAMS_AES_GCM (`ivBits` is not used), CK_PARAMS_AES_GCM_v240 and
 * CK_PARAMS_GCM (`ivBits` is used). Required fields as in pkcs11js.
 */
export interface GcmParams extends IParams {
  iv: Buffer;
  ivBits: number;
  aad?: Buffer;
  tagBits?: number;
}
/** CK_PARAMS_AES_CCM / CK_PARAMS_CCM; `dataLength` / `macLength` are accepted as aliases. */
export interface CcmParams extends IParams {
  dataLen: number;
  nonce?: Buffer;
  aad?: Buffer;
  macLen?: number;
  /** pkcs11-wasm: alias of dataLen. */
  dataLength?: number;
  /** pkcs11-wasm: alias of macLen. */
  macLength?: number;
}
/** pkcs11-wasm: CK_PARAMS_AES_CTR (CK_AES_CTR_PARAMS). */
export interface AesCtrParams extends IParams {
  counterBits: number;
  /** The 16-byte initial counter block. */
  cb: Bytes;
}
/**
 * pkcs11-wasm: CK_PARAMS_GCM_MESSAGE (CK_GCM_MESSAGE_PARAMS), the per-message
 * parameter of message-based CKM_AES_GCM. `iv` and `tag` are also outputs,
 * as in C: C_EncryptMessage / C_EncryptMessageBegin write a generated IV
 * into `iv`, and C_EncryptMessage / the last C_EncryptMessageNext write the
 * tag into `tag`. Decryption reads the tag from `tag`.
 */
export interface GcmMessageParams extends IParams {
  /** The IV (its length is ulIvLen); with a generator, its first `ivFixedBits` bits are the fixed part. */
  iv: Bytes;
  /** Default 0. */
  ivFixedBits?: number;
  /**
   * CKG_NO_GENERATE (0, default), CKG_GENERATE (1: random if at least 96 bits
   * are free, else a counter), CKG_GENERATE_COUNTER (2), CKG_GENERATE_RANDOM
   * (3: at least 96 free bits), CKG_GENERATE_COUNTER_XOR (4). Counters start
   * at zero and are kept per session, key and fixed part, so a session never
   * repeats a generated IV.
   */
  ivGenerator?: number;
  /** Room for (encryption) or the value of (decryption) the tag. */
  tag: Bytes;
  /** Default: 8 * tag.length. 32, 64, 96, 104, 112, 120 or 128. */
  tagBits?: number;
}
/**
 * pkcs11-wasm: CK_PARAMS_CHACHA20_POLY1305_MESSAGE
 * (CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS) for message-based
 * CKM_CHACHA20_POLY1305: the 16-byte tag is written into `tag` on
 * encryption and read from it on decryption.
 */
export interface ChaCha20Poly1305MessageParams extends IParams {
  nonce: Bytes;
  tag: Bytes;
}
/** pkcs11-wasm: the per-message parameter of the PKCS#11 3.x message functions. */
export type MessageParameter = GcmMessageParams | ChaCha20Poly1305MessageParams | IParams | Bytes | number | null;
/**
 * pkcs11-wasm: CK_PARAMS_CHACHA20_POLY1305 (CK_SALSA20_CHACHA20_POLY1305_PARAMS),
 * for CKM_CHACHA20_POLY1305: a 12-byte nonce (RFC 8439) and optional AAD.
 * Encryption outputs ciphertext || 16-byte tag.
 */
export interface ChaCha20Poly1305Params extends IParams {
  nonce: Bytes;
  aad?: Bytes;
}
/**
 * pkcs11-wasm: CK_PARAMS_EDDSA (CK_EDDSA_PARAMS), for CKM_EDDSA: `phFlag`
 * true selects Ed25519ph (the message is hashed with SHA-512), false with a
 * non-empty `context` Ed25519ctx; no parameter (or neither) is Ed25519.
 * The context is at most 255 bytes (RFC 8032).
 */
export interface EddsaParams extends IParams {
  phFlag?: boolean;
  context?: Bytes;
}
/**
 * pkcs11-wasm: CK_PARAMS_KEY_DERIVATION_STRING_DATA (CK_KEY_DERIVATION_STRING_DATA),
 * for CKM_CONCATENATE_BASE_AND_DATA, CKM_CONCATENATE_DATA_AND_BASE,
 * CKM_XOR_BASE_AND_DATA and CKM_AES_ECB_ENCRYPT_DATA. A raw Buffer of the
 * data is accepted too. (CKM_CONCATENATE_BASE_AND_KEY takes the other key's
 * 8-byte handle Buffer as its parameter.)
 */
export interface KeyDerivationStringDataParams extends IParams {
  data: Bytes;
}
/**
 * pkcs11-wasm: CK_PARAMS_HKDF (CK_HKDF_PARAMS), for CKM_HKDF_DERIVE and
 * CKM_HKDF_DATA. The output length is the template's CKA_VALUE_LEN
 * (default: the hash length).
 */
export interface HkdfParams extends IParams {
  /** Run HKDF-Extract (default false). */
  extract?: boolean;
  /** Run HKDF-Expand (default false); at least one of the two must be true. */
  expand?: boolean;
  /** The digest mechanism of the HMAC: CKM_SHA256, CKM_SHA3_256, ... */
  prfHashMechanism: number;
  /** CKF_HKDF_SALT_NULL, CKF_HKDF_SALT_DATA (`salt`) or CKF_HKDF_SALT_KEY (`saltKey`). */
  saltType: number;
  salt?: Bytes;
  /** Handle of a generic secret or CKK_HKDF key whose value is the salt. */
  saltKey?: Handle;
  info?: Bytes;
}
/**
 * pkcs11-wasm: CK_PARAMS_PKCS5_PBKD2 (CK_PKCS5_PBKD2_PARAMS2), for
 * C_GenerateKey with CKM_PKCS5_PBKD2. The template gives CKA_VALUE_LEN and
 * optionally CKA_KEY_TYPE (default CKK_GENERIC_SECRET).
 */
export interface Pkcs5Pbkd2Params extends IParams {
  /** CKZ_SALT_SPECIFIED (1). */
  saltSource: number;
  salt: Bytes;
  iterations: number;
  /** CKP_PKCS5_PBKD2_HMAC_SHA1 (1), _SHA224 (3), _SHA256 (4), _SHA384 (5), _SHA512 (6), _SHA512_224 (7), _SHA512_256 (8). */
  prf: number;
  /** Must be absent or empty for the HMAC PRFs. */
  prfData?: Bytes;
  password: Bytes;
}
/** One CK_PRF_DATA_PARAM of an SP 800-108 KDF, by `type`. */
export type Sp800108DataParam =
  /** CK_SP800_108_ITERATION_VARIABLE (1) with its CK_SP800_108_COUNTER_FORMAT (counter mode: 8, 16, 24 or 32 bits). */
  | { type: 1; littleEndian?: boolean; widthInBits: number }
  /** CK_SP800_108_COUNTER (2): not allowed in counter mode. */
  | { type: 2; littleEndian?: boolean; widthInBits: number }
  /** CK_SP800_108_DKM_LENGTH (3) with its CK_SP800_108_DKM_LENGTH_FORMAT (method CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS (1) or _SUM_OF_SEGMENTS (2); 8..64 bits). */
  | { type: 3; dkmLengthMethod: number; littleEndian?: boolean; widthInBits: number }
  /** CK_SP800_108_BYTE_ARRAY (4): label, context, separators... (not empty). */
  | { type: 4; data: Bytes }
  /** CK_SP800_108_KEY_HANDLE (5): the value of this secret key. */
  | { type: 5; handle: Handle };
/**
 * pkcs11-wasm: CK_PARAMS_SP800_108_KDF (CK_SP800_108_KDF_PARAMS), for
 * CKM_SP800_108_COUNTER_KDF. Each PRF input is the data params
 * concatenated in order. Additional derived keys are not supported. The
 * output length is the template's CKA_VALUE_LEN (required).
 */
export interface Sp800108KdfParams extends IParams {
  /** CKM_SHA256_HMAC, CKM_SHA3_256_HMAC, ..., or CKM_AES_CMAC. */
  prfType: number;
  dataParams: Sp800108DataParam[];
}
/**
 * pkcs11-wasm: CK_PARAMS_RSA_AES_KEY_WRAP (CK_RSA_AES_KEY_WRAP_PARAMS), for
 * CKM_RSA_AES_KEY_WRAP (C_WrapKey / C_UnwrapKey only): a temporary AES key
 * of `aesKeyBits` (128, 192 or 256) wraps the target with AES-KWP and is
 * wrapped itself with RSA-OAEP under `oaepParams`.
 */
export interface RsaAesKeyWrapParams extends IParams {
  aesKeyBits: number;
  /** The CK_RSA_PKCS_OAEP_PARAMS fields (its `type` is not needed). */
  oaepParams: { hashAlg: number; mgf: number; source: number; sourceData?: Bytes };
}
/**
 * pkcs11-wasm: CK_PARAMS_SIGN_ADDITIONAL_CONTEXT (CK_SIGN_ADDITIONAL_CONTEXT),
 * for CKM_ML_DSA. `hedgeVariant`: CKH_HEDGE_PREFERRED (0, default: hedged),
 * CKH_HEDGE_REQUIRED (1) or CKH_DETERMINISTIC_REQUIRED (2); ignored when
 * verifying. `context`: at most 255 bytes (FIPS 204).
 */
export interface SignAdditionalContextParams extends IParams {
  hedgeVariant?: number;
  context?: Bytes;
}
/** pkcs11-wasm: what C_EncapsulateKey returns. */
export interface EncapsulatedKey {
  /** The caller's ciphertext Buffer, cut to the ciphertext's length. */
  ciphertext: Buffer;
  /** The new secret key (the shared secret as CKA_VALUE). */
  key: Handle;
}
/** Field sets of the other pkcs11js tags (checked, though no mechanism here uses them). */
export type Ecdh2DeriveParams = Ecdh2Derive;
export type EcmqvDeriveParams = EcmqvDerive;
export interface X942DH1DeriveParams extends IParams {
  kdf: number;
  otherInfo?: Bytes;
  publicData: Bytes;
}
export type X942DH2DeriveParams = X942DH2Derive;
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
  iv: Buffer;
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
  wordSize: number;
  rounds: number;
  iv: Buffer;
}
export interface RC5MACGeneralParams extends RC5Params {
  wordSize: number;
  rounds: number;
  macLength: number;
}
export interface DesCbcEncryptDataParams extends IParams {
  iv: Buffer;
  data?: Buffer;
}
export interface SkipjackPrivateWrapParams extends IParams {
  password: Buffer;
  publicData: Buffer;
  primeP: Buffer;
  baseG: Buffer;
  subprimeQ: Buffer;
  randomA: Buffer;
}
export interface SkipjackRelayXParams extends IParams {
  oldWrappedX: Buffer;
  oldPassword: Buffer;
  oldPublicData: Buffer;
  oldRandomA: Buffer;
  newPassword: Buffer;
  newPublicData: Buffer;
  newRandomA: Buffer;
}
export interface PbeParams extends IParams {
  initVector: Buffer;
  password: Buffer;
  salt: Buffer;
  iteration: number;
}
export interface KeyWrapSetOaepParams extends IParams {
  bc: number;
  x: Buffer;
}
export interface GostR3410DeriveParams extends IParams {
  kdf: number;
  publicData: Buffer;
  ukm?: Buffer;
}
export interface GostR3410KeyWrapParams extends IParams {
  wrapOID: Buffer;
  ukm?: Buffer;
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
  /**
   * PBKDF2-HMAC-SHA256 iterations for new PIN blobs: 1 to 10,000,000, at
   * least 100,000 for a stored token (default 600,000; 1,000 for a token
   * kept in memory only), or "insecure-test" (1,000 on any token: tests only).
   */
  kdfIterations?: KdfIterations;
  minPinLen?: number;
  maxPinLen?: number;
  /** Wrong PINs before a PIN locks; 0 disables lockout (default 10). */
  maxPinTries?: number;
  /**
   * Later writes to a stored token after which a destroyed object's
   * tombstone is deleted (default 10,000; 0 to 2^32 - 1). A group member
   * away for more writes than this rejoins without the objects destroyed
   * meanwhile (README "Groups").
   */
  tombstoneWrites?: number;
  /**
   * The slots, one token each, and where each token is stored. Without
   * it: Node has one in-memory slot (plus a fresh one whenever the last
   * free one is initialized); browsers one IndexedDB token "pkcs11-wasm".
   */
  slots?: SlotConfig[];
}

/** A PBKDF2 iteration count, or the named low-cost setting for tests. */
export type KdfIterations = number | "insecure-test";

/** Where a token lives (see README "Storage"). */
export type StorageConfig =
  | "memory"
  | { memory: string }
  | { directory: string }
  | { indexedDB: string };

/** One configured slot: its storage (or a token group) and per-token overrides of Config. */
export interface SlotConfig {
  storage?: StorageConfig;
  /** pkcs11-wasm: this slot is a token group (README "Groups"); then no `storage`. */
  group?: GroupConfig;
  kdfIterations?: KdfIterations;
  minPinLen?: number;
  maxPinLen?: number;
  maxPinTries?: number;
  tombstoneWrites?: number;
}

/** A token group: one virtual slot over members holding replicas of one token. */
export interface GroupConfig {
  members: GroupMemberConfig[];
  /** "least-busy" (default): fewest calls in flight, ties round-robin; "round-robin". */
  balance?: "least-busy" | "round-robin";
  /** How often lost members are tried again, in ms (default 5000). */
  probeInterval?: number;
  /** How long a thread member may take to answer one call, in ms (default 30000). */
  callTimeout?: number;
  /** Also list each member as a plain slot (default false: "HA only"). */
  showMembers?: boolean;
}

export interface GroupMemberConfig {
  storage: StorageConfig;
  /** Run this member in its own thread (Node worker_threads, browser Web Worker). */
  thread?: boolean;
}

export type GroupMemberState = "stopped" | "live" | "syncing" | "lost" | "disabled" | "removed";

/** groupStatus(slot): the group and each member (the shape is stable). */
export interface GroupStatus {
  slot: number;
  balance: "least-busy" | "round-robin";
  probeInterval: number;
  callTimeout: number;
  /** At least one member is live. */
  tokenPresent: boolean;
  /** The member holding the session objects, or null. */
  sessionMember: number | null;
  sessions: number;
  loggedIn: "user" | "so" | null;
  /** The member that served the application's last call, and which call. */
  lastCall: { method: string; member: number } | null;
  members: GroupMemberStatus[];
}

export interface GroupMemberStatus {
  index: number;
  /** Printable: "directory /var/lib/x", "IndexedDB name", "memory store name". */
  storage: string;
  thread: boolean;
  state: GroupMemberState;
  /** Calls it has answered for the application. */
  served: number;
  inFlight: number;
  lastError: string | null;
  /** ISO time of lastError. */
  lastErrorAt: string | null;
}

/** A membership change of a group (pkcs11.groupEvents, ongroupevent). */
export interface GroupEvent {
  slot: number;
  kind: "lost" | "syncing" | "rejoined" | "disabled" | "added" | "removed";
  member: number;
  storage: string;
  message: string;
  /** ISO time. */
  time: string;
}

/** One member call made for the application (ongroupcall): which member served what. */
export interface GroupCallEvent {
  slot: number;
  member: number;
  /** The C_* function, e.g. "C_Sign". */
  method: string;
  /** The member's CK_RV (0: CKR_OK). */
  rv: number;
}

/** reload(): what changed in each group. */
export interface GroupReload {
  slot: number;
  added: number[];
  removed: string[];
}

/** A storage report: a record failing its integrity check ("tampered"), a
 * token of a newer format ("refused"), a failed write ("write-failed"). */
export interface StorageEvent {
  slot: number;
  /** pkcs11-wasm token groups: the member whose storage reported it. */
  member?: number;
  kind: "tampered" | "rollback" | "refused" | "unreadable" | "orphan" | "insecure" | "write-failed";
  /** The record concerned ("meta", "counters", "o/<CKA_UNIQUE_ID>"), or "". */
  key: string;
  message: string;
}

/** What a token backup says about itself (for display; not authenticated). */
export interface BackupInfo {
  label: string;
  serial: string;
  model: string;
  manufacturer: string;
  /** ISO 8601 time the backup was made. */
  created: string;
  /** Number of stored records in it. */
  records: number;
  /** Backup format version (inspectBackup only). */
  version?: number;
}

/** A raw stored record. */
export interface StoredRecord {
  key: string;
  value: Uint8Array;
}

export interface InitializationOptions {
  /** pkcs11-wasm: a JSON object text with `Config` keys, e.g. '{"kdfIterations":1000}'. */
  libraryParameters?: string;
  /** Accepted and ignored (the module is single-threaded and makes no callbacks). */
  flags?: number;
}

/**
 * A Node-style callback: `error` is null on success. Declared with
 * bivariant parameters so that callbacks written for pkcs11js's typings,
 * `(error: Error, data: Buffer) => void`, are accepted too.
 */
export type Callback<T> = { bivarianceHack(error: Error | null, result: T): void }["bivarianceHack"];

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

  /**
   * Loads directory and memory storage; IndexedDB needs C_InitializeAsync,
   * and so do token groups in browser.mjs unless `init({ groups: true })`
   * loaded their code (else a TypeError says so).
   */
  C_Initialize(options?: InitializationOptions): void;
  /** pkcs11-wasm: C_Initialize resolving once every token (and token groups' code) is loaded (any storage). */
  C_InitializeAsync(options?: InitializationOptions): Promise<void>;
  /** Writes what is queued (synchronously, except IndexedDB which it starts). */
  C_Finalize(): void;
  /** pkcs11-wasm: C_Finalize resolving once every write is durable. */
  C_FinalizeAsync(): Promise<void>;
  /**
   * pkcs11-wasm: resolves when every write made so far is durable (calls
   * write behind, in call order); rejects with the error if a write failed.
   */
  flush(): Promise<void>;
  /** pkcs11-wasm: deletes the token in `slot` and all its storage (no session may be open). */
  deleteToken(slot: Handle): Promise<void>;
  /** pkcs11-wasm: the raw stored records of a slot's token (to inspect what is stored). */
  storageRecords(slot: Handle): Promise<StoredRecord[]>;
  /**
   * pkcs11-wasm: gives the token a new master key; every record is re-sealed
   * (needs the SO PIN, and the user PIN when one is set; no open session).
   */
  rekeyToken(slot: Handle, soPin: string, userPin?: string): void;
  rekeyTokenAsync(slot: Handle, soPin: string, userPin?: string): Promise<void>;
  /**
   * pkcs11-wasm: a backup of the token in `slot`: its stored records copied
   * verbatim (sealed, never decrypted) after a flush, in a versioned
   * layout with a checksum (see src/tokens.js in the repository).
   */
  exportToken(slot: Handle): Promise<Uint8Array>;
  /**
   * pkcs11-wasm: writes a backup's records into `storage`, which must be
   * empty (a new or empty directory), as one transaction. A slot
   * configured with that storage then loads the token, checking its
   * records as it loads any token.
   */
  importToken(storage: StorageConfig, backup: Uint8Array): Promise<BackupInfo>;
  /** pkcs11-wasm: exportToken + importToken: a replica of the token (same identity, serial, PINs, objects). */
  cloneToken(slot: Handle, storage: StorageConfig): Promise<BackupInfo>;
  /** pkcs11-wasm: a backup's header, after checking its layout and checksum; writes nothing. */
  inspectBackup(backup: Uint8Array): Promise<BackupInfo>;
  /** pkcs11-wasm token groups (README "Groups"): the group in `slot` and each member. */
  groupStatus(slot: Handle | number): GroupStatus;
  /** Stops using member `index` (a thread member's worker ends); it is not probed. */
  disableMember(slot: Handle | number, index: number): void;
  /** Brings member `index` back (resync, sessions and login restored); rejects with why it could not. */
  enableMember(slot: Handle | number, index: number): Promise<void>;
  /** Re-reads the configuration (or uses `config`): members added join, removed ones stop. */
  reload(config?: string | Config): Promise<GroupReload[]>;
  /** Tests and demos: "crash" (the member ends as in a crash), "storage" (its store fails), "hang" (a thread member stops answering for `ms`). */
  groupFault(slot: Handle | number, index: number, kind: "crash" | "storage" | "hang", ms?: number): void;
  /** The raw stored records of member `index` of a group. */
  memberRecords(slot: Handle | number, index: number): Promise<StoredRecord[]>;
  /** Membership changes so far (the last 1,000). */
  groupEvents: GroupEvent[];
  /** Called for each membership change (default: console.warn when a member is lost). */
  ongroupevent: ((event: GroupEvent) => void) | null;
  /** Called for each member call made for the application (for traces); null: none. */
  ongroupcall: ((event: GroupCallEvent) => void) | null;
  /** pkcs11-wasm: every storage event so far. */
  storageEvents: StorageEvent[];
  /** pkcs11-wasm: called for each storage event (default: console.warn). */
  onstorageevent: ((event: StorageEvent) => void) | null;
  /** pkcs11-wasm: mutating calls that resolve once their writes are durable. */
  C_InitTokenAsync(slot: Handle, pin?: string, label?: string): Promise<string>;
  C_InitPINAsync(session: Handle, pin?: string): Promise<void>;
  C_SetPINAsync(session: Handle, oldPin: string, newPin: string): Promise<void>;
  /** pkcs11-wasm: C_Login whose failure count is durable (IndexedDB: under a Web Lock) when it settles. */
  C_LoginAsync(session: Handle, userType: number, pin?: string): Promise<void>;
  C_LoginUserAsync(session: Handle, userType: number, pin?: string, username?: string): Promise<void>;
  C_CreateObjectAsync(session: Handle, template: Template): Promise<Handle>;
  C_CopyObjectAsync(session: Handle, object: Handle, template: Template): Promise<Handle>;
  C_DestroyObjectAsync(session: Handle, object: Handle): Promise<void>;
  C_SetAttributeValueAsync(session: Handle, object: Handle, template: Template): Promise<void>;
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
  /**
   * No state can be saved: throws CKR_STATE_UNSAVEABLE while an encryption,
   * decryption, digest, sign or verify operation is active, else
   * CKR_OPERATION_NOT_INITIALIZED.
   */
  C_GetOperationState(session: Handle): Buffer;
  /** Throws CKR_SAVED_STATE_INVALID (no state is ever handed out). */
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

  // --- pkcs11-wasm: PKCS#11 3.x functions (not in pkcs11js). `null` stands for C's NULL_PTR. ---

  /**
   * C_EncapsulateKey (3.2), CKM_ML_KEM with an ML-KEM public key (or CKM_RSA_X_509, RSASVE): makes a
   * shared secret, writes its ciphertext into `ciphertext` and makes it a new
   * secret key under `template` (CKA_KEY_TYPE required; CKA_VALUE_LEN, if
   * given, keeps that many leading bytes; CKA_EXTRACTABLE defaults to true).
   * A Buffer too small throws CKR_BUFFER_TOO_SMALL and makes no key.
   */
  C_EncapsulateKey(session: Handle, mechanism: Mechanism, publicKey: Handle, template: Template, ciphertext: Buffer): EncapsulatedKey;
  C_EncapsulateKey(session: Handle, mechanism: Mechanism, publicKey: Handle, template: Template, ciphertext: Buffer, cb: Callback<EncapsulatedKey>): void;
  C_EncapsulateKeyCallback(session: Handle, mechanism: Mechanism, publicKey: Handle, template: Template, ciphertext: Buffer, cb: Callback<EncapsulatedKey>): void;
  C_EncapsulateKeyAsync(session: Handle, mechanism: Mechanism, publicKey: Handle, template: Template, ciphertext: Buffer): Promise<EncapsulatedKey>;
  /** C_DecapsulateKey (3.2): the secret key a ciphertext carries for `privateKey`. */
  C_DecapsulateKey(session: Handle, mechanism: Mechanism, privateKey: Handle, template: Template, ciphertext: Bytes): Handle;
  C_DecapsulateKey(session: Handle, mechanism: Mechanism, privateKey: Handle, template: Template, ciphertext: Bytes, cb: Callback<Handle>): void;
  C_DecapsulateKeyCallback(session: Handle, mechanism: Mechanism, privateKey: Handle, template: Template, ciphertext: Bytes, cb: Callback<Handle>): void;
  C_DecapsulateKeyAsync(session: Handle, mechanism: Mechanism, privateKey: Handle, template: Template, ciphertext: Bytes): Promise<Handle>;

  /** C_LoginUser: as C_Login; the token has no user names, so `username` is accepted and not used. */
  C_LoginUser(session: Handle, userType: number, pin?: string, username?: string): void;
  /** C_SessionCancel: ends the active operations named by CKF_ENCRYPT, CKF_DIGEST, CKF_FIND_OBJECTS, CKF_MESSAGE_SIGN, ... */
  C_SessionCancel(session: Handle, flags: number): void;

  /** `mechanism` null ends the message-based process (as NULL_PTR does). */
  C_MessageEncryptInit(session: Handle, mechanism: Mechanism | null, key: Handle): void;
  /** Returns the ciphertext (in `outData`); writes a generated IV and the tag into `parameter.iv` / `parameter.tag`. */
  C_EncryptMessage(session: Handle, parameter: MessageParameter, associatedData: Bytes | null, plaintext: Bytes, outData: Buffer): Buffer;
  C_EncryptMessage(session: Handle, parameter: MessageParameter, associatedData: Bytes | null, plaintext: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_EncryptMessageCallback(session: Handle, parameter: MessageParameter, associatedData: Bytes | null, plaintext: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_EncryptMessageAsync(session: Handle, parameter: MessageParameter, associatedData: Bytes | null, plaintext: Bytes, outData: Buffer): Promise<Buffer>;
  /** Writes a generated IV into `parameter.iv`. */
  C_EncryptMessageBegin(session: Handle, parameter: MessageParameter, associatedData: Bytes | null): void;
  /** `flags` CKF_END_OF_MESSAGE (1) marks the last part, which also writes the tag into `parameter.tag`. */
  C_EncryptMessageNext(session: Handle, parameter: MessageParameter, plaintextPart: Bytes, outData: Buffer, flags: number): Buffer;
  C_EncryptMessageNext(session: Handle, parameter: MessageParameter, plaintextPart: Bytes, outData: Buffer, flags: number, cb: Callback<Buffer>): void;
  C_EncryptMessageNextCallback(session: Handle, parameter: MessageParameter, plaintextPart: Bytes, outData: Buffer, flags: number, cb: Callback<Buffer>): void;
  C_EncryptMessageNextAsync(session: Handle, parameter: MessageParameter, plaintextPart: Bytes, outData: Buffer, flags: number): Promise<Buffer>;
  C_MessageEncryptFinal(session: Handle): void;

  C_MessageDecryptInit(session: Handle, mechanism: Mechanism | null, key: Handle): void;
  /** Reads the tag from `parameter.tag`; a bad tag throws CKR_AEAD_DECRYPT_FAILED. */
  C_DecryptMessage(session: Handle, parameter: MessageParameter, associatedData: Bytes | null, ciphertext: Bytes, outData: Buffer): Buffer;
  C_DecryptMessage(session: Handle, parameter: MessageParameter, associatedData: Bytes | null, ciphertext: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptMessageCallback(session: Handle, parameter: MessageParameter, associatedData: Bytes | null, ciphertext: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_DecryptMessageAsync(session: Handle, parameter: MessageParameter, associatedData: Bytes | null, ciphertext: Bytes, outData: Buffer): Promise<Buffer>;
  C_DecryptMessageBegin(session: Handle, parameter: MessageParameter, associatedData: Bytes | null): void;
  /** The last part (CKF_END_OF_MESSAGE) brings the tag in `parameter.tag`; plaintext is released only once it checks. */
  C_DecryptMessageNext(session: Handle, parameter: MessageParameter, ciphertextPart: Bytes, outData: Buffer, flags: number): Buffer;
  C_DecryptMessageNext(session: Handle, parameter: MessageParameter, ciphertextPart: Bytes, outData: Buffer, flags: number, cb: Callback<Buffer>): void;
  C_DecryptMessageNextCallback(session: Handle, parameter: MessageParameter, ciphertextPart: Bytes, outData: Buffer, flags: number, cb: Callback<Buffer>): void;
  C_DecryptMessageNextAsync(session: Handle, parameter: MessageParameter, ciphertextPart: Bytes, outData: Buffer, flags: number): Promise<Buffer>;
  C_MessageDecryptFinal(session: Handle): void;

  /** Any signing mechanism; a per-message `parameter` replaces the mechanism's parameter for that message. */
  C_MessageSignInit(session: Handle, mechanism: Mechanism | null, key: Handle): void;
  C_SignMessage(session: Handle, parameter: MessageParameter, data: Bytes, outData: Buffer): Buffer;
  C_SignMessage(session: Handle, parameter: MessageParameter, data: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_SignMessageCallback(session: Handle, parameter: MessageParameter, data: Bytes, outData: Buffer, cb: Callback<Buffer>): void;
  C_SignMessageAsync(session: Handle, parameter: MessageParameter, data: Bytes, outData: Buffer): Promise<Buffer>;
  C_SignMessageBegin(session: Handle, parameter: MessageParameter): void;
  /** `outData` null: more parts follow (returns null); a Buffer: the last part, returns the signature. */
  C_SignMessageNext(session: Handle, parameter: MessageParameter, dataPart: Bytes, outData: Buffer | null): Buffer | null;
  C_SignMessageNext(session: Handle, parameter: MessageParameter, dataPart: Bytes, outData: Buffer | null, cb: Callback<Buffer | null>): void;
  C_SignMessageNextCallback(session: Handle, parameter: MessageParameter, dataPart: Bytes, outData: Buffer | null, cb: Callback<Buffer | null>): void;
  C_SignMessageNextAsync(session: Handle, parameter: MessageParameter, dataPart: Bytes, outData: Buffer | null): Promise<Buffer | null>;
  C_MessageSignFinal(session: Handle): void;

  C_MessageVerifyInit(session: Handle, mechanism: Mechanism | null, key: Handle): void;
  /** true, or throws Pkcs11Error CKR_SIGNATURE_INVALID. */
  C_VerifyMessage(session: Handle, parameter: MessageParameter, data: Bytes, signature: Bytes): boolean;
  C_VerifyMessage(session: Handle, parameter: MessageParameter, data: Bytes, signature: Bytes, cb: Callback<boolean>): void;
  C_VerifyMessageCallback(session: Handle, parameter: MessageParameter, data: Bytes, signature: Bytes, cb: Callback<boolean>): void;
  C_VerifyMessageAsync(session: Handle, parameter: MessageParameter, data: Bytes, signature: Bytes): Promise<boolean>;
  C_VerifyMessageBegin(session: Handle, parameter: MessageParameter): void;
  /** `signature` null: more parts follow (returns null); else the last part: true, or throws CKR_SIGNATURE_INVALID. */
  C_VerifyMessageNext(session: Handle, parameter: MessageParameter, dataPart: Bytes, signature: Bytes | null): boolean | null;
  C_VerifyMessageNext(session: Handle, parameter: MessageParameter, dataPart: Bytes, signature: Bytes | null, cb: Callback<boolean | null>): void;
  C_VerifyMessageNextCallback(session: Handle, parameter: MessageParameter, dataPart: Bytes, signature: Bytes | null, cb: Callback<boolean | null>): void;
  C_VerifyMessageNextAsync(session: Handle, parameter: MessageParameter, dataPart: Bytes, signature: Bytes | null): Promise<boolean | null>;
  C_MessageVerifyFinal(session: Handle): void;

  /** PKCS#11 3.2: verification with the signature given first; `mechanism` null ends it. */
  C_VerifySignatureInit(session: Handle, mechanism: Mechanism | null, key: Handle, signature: Bytes): void;
  /** true, or throws CKR_SIGNATURE_INVALID; not after C_VerifySignatureUpdate (CKR_OPERATION_ACTIVE). */
  C_VerifySignature(session: Handle, data: Bytes): boolean;
  C_VerifySignature(session: Handle, data: Bytes, cb: Callback<boolean>): void;
  C_VerifySignatureCallback(session: Handle, data: Bytes, cb: Callback<boolean>): void;
  C_VerifySignatureAsync(session: Handle, data: Bytes): Promise<boolean>;
  C_VerifySignatureUpdate(session: Handle, data: Bytes): void;
  C_VerifySignatureFinal(session: Handle): boolean;
  C_VerifySignatureFinal(session: Handle, cb: Callback<boolean>): void;
  C_VerifySignatureFinalCallback(session: Handle, cb: Callback<boolean>): void;
  C_VerifySignatureFinalAsync(session: Handle): Promise<boolean>;

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
/**
 * pkcs11-wasm: `init({ extras: true })` also loads the extra module
 * (ML-DSA, ML-KEM, Ed25519, X25519, ChaCha20-Poly1305, curves other than
 * P-256) before resolving; `init({ groups: true })` the token groups' code
 * (browser.mjs: group.mjs beside it, which C_InitializeAsync otherwise
 * loads when the configuration has groups; without it, a synchronous
 * C_Initialize of such a configuration throws a TypeError); `module` is
 * what `init(input)` takes.
 */
export function init(options: { extras?: boolean; groups?: boolean; module?: unknown }): Promise<void>;

/**
 * pkcs11-wasm: loads the extra module now (once). Needed on a page's main
 * thread before the first synchronous call that uses one of its families;
 * Node and Web Workers load it by themselves on first use. `input`: its
 * URL, Response, bytes or WebAssembly.Module (by default
 * pkcs11_wasm_extra_bg.wasm next to the script, or the inlined bytes).
 */
export function preload(input?: unknown): Promise<void>;

/** Where bulk AES runs (see hostAes). */
export interface HostAesSettings {
  /** Whether AES inputs of `minBytes` or more go to the host's AES (Node: OpenSSL through node:crypto). */
  enabled: boolean;
  /** Inputs shorter than this stay in wasm (default 1024). */
  minBytes: number;
  /** Whether this runtime has a usable host AES (Node: true, unless its node:crypto failed the known answers checked at the first bulk call; browsers: false). */
  available: boolean;
}

/**
 * pkcs11-wasm: reads, and with `options` changes, where bulk AES-ECB, CBC,
 * CBC_PAD and GCM run. In Node, inputs of `minBytes` or more go to OpenSSL
 * (node:crypto) once the token has checked the key and parameters; set
 * `PKCS11_WASM_HOST_AES=0` or call `hostAes({ enabled: false })` to keep
 * every AES in wasm. Browsers have no host AES (Web Crypto is async).
 * The setting belongs to this JavaScript realm: token groups' thread
 * members (workers) follow PKCS11_WASM_HOST_AES, not this call.
 */
export function hostAes(options?: { enabled?: boolean; minBytes?: number }): HostAesSettings;

/** pkcs11-wasm: parameter tag for CK_AES_CTR_PARAMS ({ counterBits, cb }). */
export const CK_PARAMS_AES_CTR: number;
/** pkcs11-wasm: parameter tag for CK_GCM_MESSAGE_PARAMS (GcmMessageParams). */
export const CK_PARAMS_GCM_MESSAGE: number;
/** pkcs11-wasm: parameter tag for CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS (ChaCha20Poly1305MessageParams). */
export const CK_PARAMS_CHACHA20_POLY1305_MESSAGE: number;
/** pkcs11-wasm: parameter tag for CK_SALSA20_CHACHA20_POLY1305_PARAMS ({ nonce, aad? }). */
export const CK_PARAMS_CHACHA20_POLY1305: number;
/** pkcs11-wasm: parameter tag for CK_EDDSA_PARAMS ({ phFlag?, context? }). */
export const CK_PARAMS_EDDSA: number;
/** pkcs11-wasm: parameter tag for CK_KEY_DERIVATION_STRING_DATA ({ data }). */
export const CK_PARAMS_KEY_DERIVATION_STRING_DATA: number;
/** pkcs11-wasm: parameter tag for CK_HKDF_PARAMS (HkdfParams). */
export const CK_PARAMS_HKDF: number;
/** pkcs11-wasm: parameter tag for CK_PKCS5_PBKD2_PARAMS2 (Pkcs5Pbkd2Params). */
export const CK_PARAMS_PKCS5_PBKD2: number;
/** pkcs11-wasm: parameter tag for CK_SP800_108_KDF_PARAMS (Sp800108KdfParams). */
export const CK_PARAMS_SP800_108_KDF: number;
/** pkcs11-wasm: parameter tag for CK_RSA_AES_KEY_WRAP_PARAMS (RsaAesKeyWrapParams). */
export const CK_PARAMS_RSA_AES_KEY_WRAP: number;
/** pkcs11-wasm: parameter tag for CK_SIGN_ADDITIONAL_CONTEXT (SignAdditionalContextParams). */
export const CK_PARAMS_SIGN_ADDITIONAL_CONTEXT: number;

// Every CK* constant: pkcs11js's names and values, plus the PKCS#11 3.x
// names. CK_UNAVAILABLE_INFORMATION is 0xFFFFFFFF (the 32-bit view numbers
// have in this API).
// @@CONSTANTS@@
