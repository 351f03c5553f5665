// Lesson 1, the seed scenario: session, USER login, AES key, encrypt,
// decrypt, close. The first thing a newcomer should be able to finish.
import { el, K, H, RW, note, bytes, code, aesTemplate, ensureReady, lastEncryptMechanism, gcm, decryptText } from "./common.js";
import { randomBytes } from "../bytes.js";

const MESSAGE = "Meet me at the token at noon.";

export default {
  id: "seed",
  title: "Encrypt and decrypt with a token key",
  summary: "Open a session, log in, generate an AES key, encrypt, decrypt, close.",
  intro: "A PKCS#11 token keeps keys where applications cannot read them; applications ask it to use them. This lesson is the whole round trip in eight calls: open a session, log in, generate a key, encrypt (two calls), decrypt (two calls), close. On a new token a first step sets it up (five more calls, once). Press “Run step” for each step, or “Do it yourself” to use the form and come back.",
  spec: ["C_OpenSession", "C_Login", "C_GenerateKey", "C_EncryptInit", "C_DecryptInit", "C_CloseSession", "secretKeys"],
  steps: [
    {
      title: "Get the token ready",
      explain: "A token needs an owner (the Security Officer, SO) and a normal user with a PIN before anyone can keep keys on it. If this token is new, this step does it for you: C_InitToken, then C_OpenSession, C_Login as SO, C_InitPIN and C_CloseSession (lesson 3 is about them).",
      run: async (L) => {
        const done = await ensureReady(L);
        return note(done.length ? `Done: ${done.join("; ")}.` : "Already ready: the token has an SO PIN and a user PIN (from an earlier visit). Nothing to do.");
      },
    },
    {
      title: "Open a read/write session",
      explain: "A session is a connection between the application and the token. CKF_SERIAL_SESSION is always required; CKF_RW_SESSION lets it create objects.",
      call: "C_OpenSession(slotID, CKF_SERIAL_SESSION | CKF_RW_SESSION)",
      run: async (L) => {
        L.vars.session = await L.must("C_OpenSession", [H(L.slot), RW()]);
        return note(`Session #${L.vars.session} is open. Look at it in the Sessions list: R/W, public (nobody is logged in yet).`);
      },
      freehand: {
        action: "open-session",
        prefill: () => ({ rw: true }),
        accept: (r, L) => r.fn === "C_OpenSession" && (L.vars.session = r.value) !== undefined,
      },
    },
    {
      title: "Log in as the normal user",
      explain: "Keys are private objects: only the USER, after C_Login with the user PIN, can make or use them. Login is per token, so all its sessions become “user functions”.",
      call: "C_Login(hSession, CKU_USER, pPin)",
      run: async (L) => {
        if (L.model.loggedIn === "USER") return note("The USER is already logged in on this token (login is per token, not per session), so there is nothing to do.");
        if (L.model.loggedIn === "SO") await L.must("C_Logout", [H(L.vars.session)]);
        await L.must("C_Login", [H(L.vars.session), K.CKU_USER, L.pins.user]);
        return note(`Logged in. Session #${L.vars.session} is now R/W · user functions.`);
      },
      freehand: {
        action: "login",
        prefill: (L) => ({ session: L.vars.session, userType: K.CKU_USER, pin: L.pins.user }),
        accept: (r) => r.fn === "C_Login" && r.args[1] === K.CKU_USER,
      },
    },
    {
      title: "Generate an AES-256 key",
      explain: "The token makes the key itself, with CKM_AES_KEY_GEN. The template says what the key is (AES, 32 bytes, a session object: CKA_TOKEN false, private), that its value stays secret (CKA_SENSITIVE true) and what it may do: encrypt and decrypt. Usage flags a template leaves out take the token's defaults (this token turns sign, verify, wrap and unwrap on), so the template turns those off.",
      call: "C_GenerateKey(hSession, { mechanism: CKM_AES_KEY_GEN }, pTemplate)",
      run: async (L) => {
        L.vars.key = await L.must("C_GenerateKey", [H(L.vars.session), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("lesson 1 key", [{ type: K.CKA_SENSITIVE, value: true }])]);
        return note(`Key object #${L.vars.key}, usage encrypt and decrypt. Select it in the Objects list: its CKA_VALUE shows as “sensitive”, because CKA_SENSITIVE is true (and CKA_EXTRACTABLE, left to the token's default, is false).`);
      },
      freehand: {
        action: "generate-key",
        prefill: (L) => ({
          session: L.vars.session,
          mechanism: "CKM_AES_KEY_GEN",
          template: [["CKA_LABEL", "lesson 1 key"], ["CKA_TOKEN", "false"], ["CKA_PRIVATE", "true"], ["CKA_SENSITIVE", "true"], ["CKA_VALUE_LEN", "32"],
            ["CKA_ENCRYPT", "true"], ["CKA_DECRYPT", "true"], ["CKA_SIGN", "false"], ["CKA_VERIFY", "false"], ["CKA_WRAP", "false"], ["CKA_UNWRAP", "false"]],
        }),
        accept: (r, L) => r.fn === "C_GenerateKey" && r.args[1].mechanism === K.CKM_AES_KEY_GEN && (L.vars.key = r.value) !== undefined,
      },
    },
    {
      title: "Encrypt a message with AES-GCM",
      explain: "Cryptographic operations come in two calls: C_EncryptInit chooses the mechanism (AES-GCM, with a fresh 12-byte IV) and the key; C_Encrypt does the work. The result is the ciphertext followed by a 16-byte authentication tag.",
      call: "C_EncryptInit(hSession, { mechanism: CKM_AES_GCM, parameter }, hKey); C_Encrypt(hSession, pData, pEncryptedData)",
      run: async (L) => {
        L.vars.gcm = gcm(randomBytes(12));
        await L.must("C_EncryptInit", [H(L.vars.session), L.vars.gcm, H(L.vars.key)]);
        const data = new TextEncoder().encode(MESSAGE);
        L.vars.ciphertext = await L.must("C_Encrypt", [H(L.vars.session), data, { $out: data.length + 16 }]);
        return [note(`“${MESSAGE}” is now:`), bytes(L.vars.ciphertext, "Ciphertext + tag")];
      },
      freehand: {
        action: "encrypt",
        prefill: (L) => ({ session: L.vars.session, key: L.vars.key, mechanism: "CKM_AES_GCM" }),
        accept: (r, L) => {
          if (r.fn !== "C_Encrypt") return false;
          L.vars.ciphertext = r.value;
          const m = lastEncryptMechanism(L.token);
          L.vars.gcm = m.mechanism;
          L.vars.key = m.key;
          return true;
        },
      },
    },
    {
      title: "Decrypt it again",
      explain: "Decryption needs the same key, mechanism and IV. With GCM the token also checks the tag: any change to the ciphertext gives CKR_ENCRYPTED_DATA_INVALID instead of wrong plaintext.",
      call: "C_DecryptInit(hSession, pMechanism, hKey); C_Decrypt(hSession, pEncryptedData, pData)",
      run: async (L) => {
        return note(`Back to: “${await decryptText(L, L.vars.session, L.vars.gcm, L.vars.key, L.vars.ciphertext)}”`);
      },
      freehand: {
        action: "decrypt",
        prefill: (L) => ({ session: L.vars.session, key: L.vars.key }),
        accept: (r) => r.fn === "C_Decrypt",
      },
    },
    {
      title: "Close the session",
      explain: "Closing the last session logs the user out, and destroys the session's objects: our key was a session object (CKA_TOKEN false), so it is gone too. Token objects (CKA_TOKEN true) would stay.",
      call: "C_CloseSession(hSession)",
      run: async (L) => {
        await L.must("C_CloseSession", [H(L.vars.session)]);
        return [note("Closed. Every call you made is in the trace (on the right; on a small screen behind “Trace” at the bottom)."), el("p", {}, "Press ", code("copy as JS"), " on the last call (or “Copy all as JS”) to get a Node program that makes the same calls with the package, and “in C” under a call to see it as C.")];
      },
      freehand: {
        action: "close-session",
        prefill: (L) => ({ session: L.vars.session }),
        accept: (r) => r.fn === "C_CloseSession",
      },
    },
  ],
  outro: "That is the core of PKCS#11: sessions, login, keys the token keeps, and Init + operation calls. Lesson 2 looks closer at slots, tokens and sessions.",
};
