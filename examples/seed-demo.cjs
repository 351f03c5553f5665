// A program written for the npm package `pkcs11js`. The only line that
// differs from its pkcs11js version is the `require` below: swap it for
// `require("pkcs11js")` and it drives a native module such as SoftHSM
// (tests/js/example.test.mjs does exactly that when both are installed).
//
// pkcs11-wasm has no native library to load: `load()` accepts the path
// and ignores it. Its settings (e.g. the PIN KDF cost) can be given in a
// JSON file named by PKCS11_WASM_CONF.
const pkcs11js = require("pkcs11-wasm");

const LIBRARY = process.env.PKCS11_LIBRARY || "/usr/lib/softhsm/libsofthsm2.so";
const SO_PIN = "so-pin-1234";
const USER_PIN = "user-pin-1234";
const LABEL = `seed-demo-${process.pid}`;

let stepNumber = 0;
function step(name, detail) {
  stepNumber++;
  console.log(`${String(stepNumber).padStart(2)}. ${name}${detail === undefined ? "" : `: ${detail}`}`);
}
const trim = (s) => s.replace(/\0/g, "").trim();
const hexStart = (b) => `${b.subarray(0, 16).toString("hex")}... (${b.length} bytes)`;

const pkcs11 = new pkcs11js.PKCS11();
pkcs11.load(LIBRARY);

pkcs11.C_Initialize();
step("C_Initialize");
try {
  const info = pkcs11.C_GetInfo();
  step("C_GetInfo", `${trim(info.manufacturerID)} / ${trim(info.libraryDescription)}, Cryptoki ${info.cryptokiVersion.major}.${info.cryptokiVersion.minor}`);

  // Slots and tokens: take a slot whose token is not initialized yet.
  const slots = pkcs11.C_GetSlotList(true);
  step("C_GetSlotList(true)", `${slots.length} slot(s)`);
  const free = slots.find((slot) => !(pkcs11.C_GetTokenInfo(slot).flags & pkcs11js.CKF_TOKEN_INITIALIZED));
  if (!free) throw new Error("no slot with an uninitialized token");
  const freeInfo = pkcs11.C_GetTokenInfo(free);
  step("C_GetTokenInfo", `model "${trim(freeInfo.model)}", flags 0x${freeInfo.flags.toString(16)} (not initialized)`);

  pkcs11.C_InitToken(free, SO_PIN, LABEL);
  step("C_InitToken", `label "${LABEL}"`);
  // Some modules renumber a slot when its token is initialized: find it by label.
  const slot = pkcs11.C_GetSlotList(true).find((s) => trim(pkcs11.C_GetTokenInfo(s).label) === LABEL);
  if (!slot) throw new Error(`token "${LABEL}" not found after C_InitToken`);

  const session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
  step("C_OpenSession", `R/W session, state ${pkcs11.C_GetSessionInfo(session).state}`);

  // The SO sets the user PIN, then the user logs in.
  pkcs11.C_Login(session, pkcs11js.CKU_SO, SO_PIN);
  step("C_Login(CKU_SO)");
  pkcs11.C_InitPIN(session, USER_PIN);
  step("C_InitPIN");
  pkcs11.C_Logout(session);
  step("C_Logout");
  pkcs11.C_Login(session, pkcs11js.CKU_USER, USER_PIN);
  const tokenInfo = pkcs11.C_GetTokenInfo(slot);
  step("C_Login(CKU_USER)", `token flags 0x${tokenInfo.flags.toString(16)}, session state ${pkcs11.C_GetSessionInfo(session).state}`);

  // AES-256 key and AES-GCM.
  const aesKey = pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_LABEL, value: "demo-aes" },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
  ]);
  step("C_GenerateKey", `AES-256 key, handle ${aesKey.toString("hex")}`);

  const iv = pkcs11.C_GenerateRandom(session, Buffer.alloc(12));
  step("C_GenerateRandom", `12-byte GCM IV ${iv.toString("hex")}`);
  const gcm = {
    mechanism: pkcs11js.CKM_AES_GCM,
    parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv, aad: Buffer.from("seed-demo header"), tagBits: 128 },
  };
  const message = Buffer.from("Hello from a pkcs11js program!");
  pkcs11.C_EncryptInit(session, gcm, aesKey);
  const ciphertext = pkcs11.C_Encrypt(session, message, Buffer.alloc(message.length + 16));
  step("C_EncryptInit/C_Encrypt (AES-GCM)", hexStart(ciphertext));
  pkcs11.C_DecryptInit(session, gcm, aesKey);
  const plaintext = pkcs11.C_Decrypt(session, ciphertext, Buffer.alloc(ciphertext.length));
  if (!plaintext.equals(message)) throw new Error("AES-GCM round trip failed");
  step("C_DecryptInit/C_Decrypt (AES-GCM)", `"${plaintext.toString()}"`);

  // RSA-2048 key pair, SHA256-RSA-PKCS signature.
  const { publicKey, privateKey } = pkcs11.C_GenerateKeyPair(
    session,
    { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [
      { type: pkcs11js.CKA_TOKEN, value: false },
      { type: pkcs11js.CKA_LABEL, value: "demo-rsa" },
      { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      { type: pkcs11js.CKA_VERIFY, value: true },
    ],
    [
      { type: pkcs11js.CKA_TOKEN, value: false },
      { type: pkcs11js.CKA_LABEL, value: "demo-rsa" },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_SIGN, value: true },
    ],
  );
  step("C_GenerateKeyPair", `RSA-2048, public ${publicKey.toString("hex")}, private ${privateKey.toString("hex")}`);

  const document = Buffer.from("document to sign");
  pkcs11.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, privateKey);
  const signature = pkcs11.C_Sign(session, document, Buffer.alloc(256));
  step("C_SignInit/C_Sign (SHA256-RSA-PKCS)", hexStart(signature));
  pkcs11.C_VerifyInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, publicKey);
  const valid = pkcs11.C_Verify(session, document, signature);
  step("C_VerifyInit/C_Verify", `valid: ${valid}`);
  pkcs11.C_VerifyInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, publicKey);
  try {
    pkcs11.C_Verify(session, Buffer.from("a forged document"), signature);
    throw new Error("a forged document verified");
  } catch (e) {
    if (!(e instanceof pkcs11js.Pkcs11Error) || e.code !== pkcs11js.CKR_SIGNATURE_INVALID) throw e;
    step("C_Verify (forged document)", `rejected with ${e.message} (${e.code})`);
  }

  // Find the key pair by label and read some attributes.
  pkcs11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: "demo-rsa" }]);
  const found = [];
  for (let handle = pkcs11.C_FindObjects(session); handle; handle = pkcs11.C_FindObjects(session)) found.push(handle);
  pkcs11.C_FindObjectsFinal(session);
  step("C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal", `${found.length} object(s) labelled "demo-rsa"`);
  for (const handle of found) {
    const [cls, label] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_CLASS }, { type: pkcs11js.CKA_LABEL }]);
    const isPublic = cls.value.readUInt32LE(0) === pkcs11js.CKO_PUBLIC_KEY;
    let detail = `${isPublic ? "public" : "private"} key "${label.value.toString()}"`;
    if (isPublic) {
      const [modulus, exponent] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }]);
      detail += `, modulus ${modulus.value.length * 8} bits, exponent 0x${exponent.value.toString("hex")}`;
    }
    step("C_GetAttributeValue", detail);
  }

  pkcs11.C_Logout(session);
  step("C_Logout");
  pkcs11.C_CloseSession(session);
  step("C_CloseSession");
} finally {
  pkcs11.C_Finalize();
  step("C_Finalize");
}
console.log("seed-demo: all steps succeeded");
