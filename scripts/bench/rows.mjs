// The rows of the benchmark table, in print order, with the issue's
// targets: `target.max` bounds ours/SoftHSM per-op time (lower is better).
// `scenario`: rows measured together by one `round()` implementation.
// `note`: printed as a footnote. `budget` etc.: see harness.measure.
import { PEER_GROUP } from "./peer-groups.mjs";

const MIB = 1024 * 1024;

const STORES = "both token stores on the same file system: tmpfs unless --softhsm-disk (see the run line below)";
const WRITE_BEHIND =
  "ours: a token directory, written behind: the call queues the object's record and returns, the write follows " +
  "(the durable rows time it); SoftHSM writes its files within the call (in place, without fsync); " +
  STORES;
const DURABLE =
  "until the objects are stored: ours, the calls then `await flush()` (per object a temporary file, written, fsynced and renamed; " +
  "then the directories fsynced); SoftHSM, its calls, which write their files in place without fsync; " +
  STORES;
const STARTUP_TOKEN =
  "fresh Node process, timed inside it from before require(); both stores hold a token with the same 1,000 private AES-256 " +
  "token objects (filled once by a child process), on the same file system (tmpfs unless --softhsm-disk); ours compiles " +
  "and instantiates the wasm, reads the token directory (a file per object) and parses its records";
const KDF =
  "C_Login derives a key from the PIN: ours PBKDF2-HMAC-SHA256 at kdfIterations, SoftHSM ~1,500 rounds of salted SHA-256; " +
  "both tokens are measured, each at its own cost, and this row has no target";

export const GROUPS = [
  {
    title: "Token-level operations",
    rows: [
      { id: "session.open_close", label: "C_OpenSession + C_CloseSession", target: { max: 1.0 } },
      { id: "key.aes_gen_session", label: "AES-256 C_GenerateKey, session object" },
      { id: "key.aes_gen_token", label: "AES-256 C_GenerateKey, token object (persisted)", note: WRITE_BEHIND },
      { id: "key.aes_gen_token_durable", label: "AES-256 C_GenerateKey, token object, durable per call (+ flush)", note: DURABLE },
      {
        id: "objects.create",
        scenario: "objects",
        label: "C_CreateObject, token object (1,000 in a row)",
        note: WRITE_BEHIND,
        target: { max: 1.0 },
      },
      {
        id: "objects.durable",
        scenario: "objects",
        label: "1,000 token objects created and durable (creates + flush), in all",
        note: DURABLE,
        target: { max: 1.0 },
      },
      { id: "objects.find", scenario: "objects", label: "find by label among 1,000 (Init+Find+Final)", target: { max: 1.0 } },
      {
        id: "objects.destroy",
        scenario: "objects",
        label: "C_DestroyObject (1,000 in a row)",
        note: WRITE_BEHIND,
        target: { max: 1.0 },
      },
      {
        id: "startup.init",
        scenario: "startup",
        label: "start-up: load + C_Initialize + C_GetTokenInfo (token with 1,000 objects)",
        note: STARTUP_TOKEN,
        target: { max: 1.0 },
      },
      {
        id: "startup.open",
        scenario: "startup",
        label: "start-up + open token with 1,000 objects (session, login, find all)",
        note:
          "the start-up row's work in the same process, then C_OpenSession, C_Login (PIN KDFs: SoftHSM ~1,500 rounds, ours 1,000: kdfIterations \"insecure-test\" for this token), " +
          "C_FindObjects with an empty template (all 1,000); ours reads its objects from the token directory's object cache " +
          "(one file) and opens (decrypts, AES-256-GCM under a per-object HKDF key) a private object at its first use, as SoftHSM does, " +
          "so this row opens none",
        target: { max: 1.0 },
      },
    ],
  },
  {
    title: "Login (KDF cost, reported separately)",
    rows: [
      {
        id: "login.default",
        label: "OpenSession+Login+Logout+CloseSession, ours at kdfIterations 600,000 (default)",
        note: KDF,
        budget: 4000,
      },
      { id: "login.low", label: "same, ours at kdfIterations 1,500 (a memory token)", note: KDF },
    ],
  },
  {
    title: "Small calls (per-call overhead)",
    rows: [
      { id: "gcm.enc.64", label: "AES-256-GCM encrypt 64 B (Init + Encrypt)", target: { max: 1.5 } },
      { id: "gcm.dec.64", label: "AES-256-GCM decrypt 64 B (Init + Decrypt)", target: { max: 1.5 } },
      { id: "gcm.enc.1k", label: "AES-256-GCM encrypt 1 KiB" },
      { id: "gcm.dec.1k", label: "AES-256-GCM decrypt 1 KiB" },
      { id: "hmac.1k", label: "HMAC-SHA256 of 1 KiB (Init + Sign)", target: { max: 1.5 } },
    ],
  },
  {
    title: "Bulk (1 MiB)",
    rows: [
      { id: "gcm.enc.1m", label: "AES-256-GCM encrypt 1 MiB", target: { max: 2.0, note: "throughput >= 0.5x" }, bytes: MIB },
      { id: "gcm.dec.1m", label: "AES-256-GCM decrypt 1 MiB", target: { max: 2.0, note: "throughput >= 0.5x" }, bytes: MIB },
      { id: "cbc.enc.1m", label: "AES-256-CBC-PAD encrypt 1 MiB", target: { max: 2.5 }, bytes: MIB },
      { id: "cbc.dec.1m", label: "AES-256-CBC-PAD decrypt 1 MiB", target: { max: 2.5 }, bytes: MIB },
      { id: "gcm.enc.1m.wasm", label: "AES-256-GCM encrypt 1 MiB, ours with hostAes off (the wasm AES)", bytes: MIB },
      { id: "gcm.dec.1m.wasm", label: "AES-256-GCM decrypt 1 MiB, ours with hostAes off (the wasm AES)", bytes: MIB },
      { id: "cbc.enc.1m.wasm", label: "AES-256-CBC-PAD encrypt 1 MiB, ours with hostAes off (the wasm AES)", bytes: MIB },
      { id: "cbc.dec.1m.wasm", label: "AES-256-CBC-PAD decrypt 1 MiB, ours with hostAes off (the wasm AES)", bytes: MIB },
      { id: "sha256.1m", label: "SHA-256 of 1 MiB (Init + Digest)", bytes: MIB },
    ],
  },
  {
    title: "RSA-2048",
    rows: [
      {
        id: "rsa.keygen",
        label: "key pair generation",
        note: "prime search makes single runs vary by several times: many samples",
        budget: 25_000,
        minRounds: 11,
        maxRounds: 41,
        target: { max: 2 },
      },
      {
        id: "rsa.keygen.e3",
        label: "key pair generation, public exponent 3",
        budget: 25_000,
        minRounds: 11,
        maxRounds: 41,
        target: { max: 3 },
      },
      { id: "rsa.pkcs1.sign", label: "PKCS#1 v1.5 sign (SHA-256)", target: { max: 4 } },
      { id: "rsa.pss.sign", label: "PSS sign (SHA-256, salt 32)", target: { max: 4 } },
      { id: "rsa.pkcs1.verify", label: "PKCS#1 v1.5 verify", target: { max: 3 } },
      { id: "rsa.pss.verify", label: "PSS verify", target: { max: 3 } },
      { id: "rsa.oaep.enc", label: "OAEP encrypt", note: "SHA-1, the only OAEP hash SoftHSM accepts", target: { max: 3 } },
      { id: "rsa.oaep.dec", label: "OAEP decrypt", target: { max: 8 } },
    ],
  },
  {
    title: "P-256",
    rows: [
      { id: "ec.keygen", label: "key pair generation" },
      {
        id: "ec.sign",
        label: "ECDSA sign",
        note: "CKM_ECDSA of a SHA-256 hash (SoftHSM has no CKM_ECDSA_SHA256); WebCrypto: ECDSA/SHA-256 of the 32-byte message",
        target: { max: 2 },
      },
      { id: "ec.verify", label: "ECDSA verify", target: { max: 3 } },
    ],
  },
  PEER_GROUP,
];

export const ROWS = GROUPS.flatMap((g) => g.rows.map((r) => ({ ...r, group: g.title })));

/** Budgets of the scenario measurements (several rows per round). */
export const SCENARIOS = {
  objects: { budget: 15_000, minRounds: 2, maxRounds: 9 },
  startup: { budget: 5000, minRounds: 7, maxRounds: 21 },
};

/** Rows of pure cryptography (no token state): the browser variant runs these. */
export const isCryptoRow = (id) => !/^(session|objects|startup|login)\.|^key\.aes_gen_token/.test(id);
