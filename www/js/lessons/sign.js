// Lesson 5: signing, verifying and hashing.
import { K, H, note, bytes, ensureUser, usageFlags } from "./common.js";
import { toHex } from "../bytes.js";

const DATA = "I owe you 10 euros.";

export default {
  id: "sign",
  title: "Signing, verifying and hashing",
  summary: "An EC key pair, ECDSA with SHA-256, a tampered message, and SHA-256 digests.",
  intro: "A signature proves who made a message and that it was not changed. The private key signs (and never leaves the token); anyone with the public key verifies.",
  spec: ["C_GenerateKeyPair", "C_SignInit", "C_Sign", "C_VerifyInit", "C_Verify", "C_DigestInit", "C_Digest"],
  steps: [
    {
      title: "Generate an EC P-256 key pair",
      explain: "C_GenerateKeyPair takes two templates. CKA_EC_PARAMS names the curve by its OID (P-256 is 1.2.840.10045.3.1.7). Each template gives its key one use, verify or sign, and turns off the usages this token would otherwise switch on; the private key is sensitive.",
      call: "C_GenerateKeyPair(hSession, { mechanism: CKM_EC_KEY_PAIR_GEN }, pPublicKeyTemplate, pPrivateKeyTemplate)",
      run: async (L) => {
        L.vars.s = await ensureUser(L);
        const pair = await L.must("C_GenerateKeyPair", [H(L.vars.s), { mechanism: K.CKM_EC_KEY_PAIR_GEN },
          [{ type: K.CKA_EC_PARAMS, value: Uint8Array.from([6, 8, 42, 134, 72, 206, 61, 3, 1, 7]) }, { type: K.CKA_TOKEN, value: false }, { type: K.CKA_LABEL, value: "lesson 5 public" }, ...usageFlags(["CKA_VERIFY"], ["CKA_VERIFY", "CKA_ENCRYPT", "CKA_WRAP"])],
          [{ type: K.CKA_TOKEN, value: false }, { type: K.CKA_PRIVATE, value: true }, { type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_LABEL, value: "lesson 5 private" }, ...usageFlags(["CKA_SIGN"], ["CKA_SIGN", "CKA_DECRYPT", "CKA_UNWRAP"])]]);
        Object.assign(L.vars, pair);
        return note(`Public key #${pair.publicKey} (verify), private key #${pair.privateKey} (sign).`);
      },
      freehand: { action: "generate-pair", prefill: () => ({ mechanism: "CKM_EC_KEY_PAIR_GEN" }), accept: (r, L) => r.fn === "C_GenerateKeyPair" && r.ok && Object.assign(L.vars, r.value) && (L.vars.s = r.args[0].$h) !== undefined },
    },
    {
      title: "Sign a message",
      explain: "CKM_ECDSA_SHA256 hashes the data with SHA-256 and signs the hash. ECDSA signatures are random: sign twice, get two different valid signatures.",
      call: "C_SignInit(hSession, { mechanism: CKM_ECDSA_SHA256 }, hKey); C_Sign(hSession, pData, pSignature)",
      run: async (L) => {
        await L.must("C_SignInit", [H(L.vars.s), { mechanism: K.CKM_ECDSA_SHA256 }, H(L.vars.privateKey)]);
        L.vars.sig = await L.must("C_Sign", [H(L.vars.s), new TextEncoder().encode(DATA), { $out: 256 }]);
        return [note(`“${DATA}” signed:`), bytes(L.vars.sig, "Signature (r ‖ s)")];
      },
    },
    {
      title: "Verify it",
      explain: "C_Verify returns CKR_OK (true in JavaScript), or fails with CKR_SIGNATURE_INVALID.",
      call: "C_VerifyInit(hSession, { mechanism: CKM_ECDSA_SHA256 }, hKey); C_Verify(hSession, pData, pSignature)",
      run: async (L) => {
        await L.must("C_VerifyInit", [H(L.vars.s), { mechanism: K.CKM_ECDSA_SHA256 }, H(L.vars.publicKey)]);
        const ok = await L.must("C_Verify", [H(L.vars.s), new TextEncoder().encode(DATA), L.vars.sig]);
        return note(`C_Verify returned ${ok}.`);
      },
    },
    {
      title: "Change one character",
      explain: "“10” becomes “70”. The signature no longer matches: CKR_SIGNATURE_INVALID.",
      run: async (L) => {
        await L.must("C_VerifyInit", [H(L.vars.s), { mechanism: K.CKM_ECDSA_SHA256 }, H(L.vars.publicKey)]);
        const r = await L.expect("C_Verify", [H(L.vars.s), new TextEncoder().encode(DATA.replace("10", "70")), L.vars.sig], "CKR_SIGNATURE_INVALID");
        return L.explained(r, "As expected:");
      },
    },
    {
      title: "Hash with SHA-256",
      explain: "Digests need no key and no login. The page checks the token's answer against the browser's own WebCrypto SHA-256.",
      call: "C_DigestInit(hSession, { mechanism: CKM_SHA256 }); C_Digest(hSession, pData, pDigest)",
      run: async (L) => {
        const data = new TextEncoder().encode(DATA);
        await L.must("C_DigestInit", [H(L.vars.s), { mechanism: K.CKM_SHA256 }]);
        const d = await L.must("C_Digest", [H(L.vars.s), data, { $out: 32 }]);
        const web = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
        return [bytes(d, "SHA-256 from the token"), note(toHex(d) === toHex(web) ? "WebCrypto computes the same digest." : "WebCrypto disagrees!")];
      },
      freehand: { action: "digest", prefill: () => ({ mechanism: "CKM_SHA256" }), accept: (r) => r.fn === "C_Digest" && r.ok },
    },
  ],
  outro: "Sign with the private key, verify with the public one; hashing is the first half of most signatures.",
};
