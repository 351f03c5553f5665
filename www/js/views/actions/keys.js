// The Keys and Crypto forms. `a` is the Actions instance (../actions.js): its
// control builders (session, object, mech...), call helpers, `ctx`.
import { el } from "../../dom.js";
import { OUT } from "../../client.js";
import { K } from "../../names.js";
import { keyTemplate, pairTemplates } from "../../mech-defaults.js";
import { toHex } from "../../bytes.js";
import { templateEditor, dataInput, bytesOutput } from "../widgets.js";
import { text, wrapData } from "../form-controls.js";

export function keysActions(a) {
  const ctx = a.ctx;
  const out = (b, title, store) => {
    if (store) ctx.outputs[store] = b;
    return bytesOutput(b, title);
  };
  return [
    {
      id: "generate-key", group: "Keys", title: "Generate a secret key", fns: "C_GenerateKey",
      help: "Every secret-key generation mechanism this token lists. Change the template rows freely.",
      controls: () => {
        const mech = a.mech("CKF_GENERATE", "Mechanism", "CKM_AES_KEY_GEN");
        const params = a.params(mech);
        const info = () => ctx.model.mechanismsWith("CKF_GENERATE").find((m) => m.name === mech.get())?.info;
        const t = templateEditor(keyTemplate(mech.get(), info()));
        mech.el.addEventListener("change", () => t.set(keyTemplate(mech.get(), info())));
        return [a.session(), mech, params, { name: "template", root: t.root, get: t.value, set: t.set }];
      },
      run: async (c) => (await a.call("C_GenerateKey", [a.needSession(c), a.mechArg(c), c.template.get()], (r) => el("p", { class: "ok-line" }, `New key: object #${r.value}.`)))[1],
    },
    {
      id: "generate-pair", group: "Keys", title: "Generate a key pair", fns: "C_GenerateKeyPair",
      help: "Every key-pair mechanism this token lists. RSA-4096 takes a few seconds: the token works in a Web Worker, so the page stays responsive.",
      controls: () => {
        const mech = a.mech("CKF_GENERATE_KEY_PAIR", "Mechanism", "CKM_EC_KEY_PAIR_GEN");
        const d = pairTemplates(mech.get());
        const pub = templateEditor(d.pub, "Public key template");
        const priv = templateEditor(d.priv, "Private key template");
        mech.el.addEventListener("change", () => {
          const x = pairTemplates(mech.get());
          pub.set(x.pub);
          priv.set(x.priv);
        });
        return [a.session(), mech, { name: "pub", root: pub.root, get: pub.value, set: pub.set }, { name: "priv", root: priv.root, get: priv.value, set: priv.set }];
      },
      run: async (c) => (await a.call("C_GenerateKeyPair", [a.needSession(c), a.mechArg(c), c.pub.get(), c.priv.get()], (r) => el("p", { class: "ok-line" }, `Public key #${r.value.publicKey}, private key #${r.value.privateKey}.`)))[1],
    },
    {
      id: "wrap", group: "Keys", title: "Wrap a key", fns: "C_WrapKey",
      help: "Encrypts a key under another key so it can leave the token; works for sensitive keys as long as they are extractable.",
      controls: () => {
        const mech = a.mech("CKF_WRAP", "Mechanism", "CKM_AES_KEY_WRAP_KWP", "wrap");
        // Only extractable secret and private keys can be wrapped.
        return [a.session(), mech, a.params(mech), a.key("wrappingKey", "Wrapping key", mech, "wrap"), a.object("key", "Key to wrap", (o) => (o.cls === K.CKO_SECRET_KEY || o.cls === K.CKO_PRIVATE_KEY) && o.extractable === true, (objs) => objs.findLast((o) => !o.usage.includes("wrap")))];
      },
      run: async (c) => (await a.call("C_WrapKey", [a.needSession(c), a.mechArg(c), a.needObject(c, "wrappingKey"), a.needObject(c, "key"), OUT(16384)], (r) => {
        ctx.outputs.wrapMech = c.mechanism.get();
        return out(r.value, "Wrapped key", "wrapped");
      }))[1],
    },
    {
      id: "unwrap", group: "Keys", title: "Unwrap a key", fns: "C_UnwrapKey",
      help: "Decrypts a wrapped key back into a new key object, with the attributes the template gives.",
      controls: () => {
        const mech = ctx.outputs.wrapMech ? a.mech("CKF_UNWRAP", "Mechanism", ctx.outputs.wrapMech) : a.mech("CKF_UNWRAP", "Mechanism", "CKM_AES_KEY_WRAP_KWP", "unwrap");
        const t = templateEditor([["CKA_CLASS", "CKO_SECRET_KEY"], ["CKA_KEY_TYPE", "CKK_AES"], ["CKA_LABEL", "unwrapped key"], ["CKA_TOKEN", "false"], ["CKA_ENCRYPT", "true"], ["CKA_DECRYPT", "true"]]);
        return [a.session(), mech, a.params(mech), a.key("unwrappingKey", "Unwrapping key", mech, "unwrap"), { name: "wrapped", ...wrapData(dataInput("Wrapped key", ctx.outputs.wrapped ? toHex(ctx.outputs.wrapped) : "", "hex")) }, { name: "template", root: t.root, get: t.value, set: t.set }];
      },
      run: async (c) => (await a.call("C_UnwrapKey", [a.needSession(c), a.mechArg(c), a.needObject(c, "unwrappingKey"), c.wrapped.get(), c.template.get()], (r) => el("p", { class: "ok-line" }, `Unwrapped: object #${r.value}.`)))[1],
    },
    {
      id: "derive", group: "Keys", title: "Derive a key", fns: "C_DeriveKey",
      help: "Makes a new key from a base key (HKDF, ECDH, concatenation...).",
      controls: () => {
        const mech = a.mech("CKF_DERIVE", "Mechanism", "CKM_HKDF_DERIVE", "derive");
        const t = templateEditor([["CKA_CLASS", "CKO_SECRET_KEY"], ["CKA_KEY_TYPE", "CKK_AES"], ["CKA_VALUE_LEN", "32"], ["CKA_LABEL", "derived key"], ["CKA_TOKEN", "false"], ["CKA_ENCRYPT", "true"], ["CKA_DECRYPT", "true"]]);
        return [a.session(), mech, a.params(mech), a.key("baseKey", "Base key", mech, "derive"), { name: "template", root: t.root, get: t.value, set: t.set }];
      },
      run: async (c) => (await a.call("C_DeriveKey", [a.needSession(c), a.mechArg(c), a.needObject(c, "baseKey"), c.template.get()], (r) => el("p", { class: "ok-line" }, `Derived: object #${r.value}.`)))[1],
    },
    cipher(a, "encrypt", "Encrypt", "C_EncryptInit", "C_Encrypt", "CKF_ENCRYPT", "ENCRYPT", "ciphertext"),
    cipher(a, "decrypt", "Decrypt", "C_DecryptInit", "C_Decrypt", "CKF_DECRYPT", "DECRYPT", "plaintext"),
    {
      id: "sign", group: "Crypto", title: "Sign or MAC", fns: "C_SignInit + C_Sign",
      help: "Signs the data with a private key (or MACs it with a secret key).",
      controls: () => {
        const mech = a.mech("CKF_SIGN", "Mechanism", "CKM_ECDSA_SHA256", "sign");
        return [a.session(), mech, a.key("key", "Key", mech, "sign"), a.params(mech), { name: "data", ...wrapData(dataInput("Data", "message to sign")) }];
      },
      run: async (c) => {
        const s = a.needSession(c);
        return a.pair("C_SignInit", [s, a.mechArg(c), a.needObject(c, "key")], "C_Sign", [s, c.data.get(), OUT(8192)], (r) => {
          ctx.outputs.signedData = c.data.get();
          ctx.outputs.signMech = c.mechanism.get();
          return out(r.value, "Signature", "signature");
        });
      },
    },
    {
      id: "verify", group: "Crypto", title: "Verify", fns: "C_VerifyInit + C_Verify",
      help: "Checks a signature with the public key (or the MAC with the secret key). A mismatch is CKR_SIGNATURE_INVALID.",
      controls: () => {
        const mech = ctx.outputs.signMech ? a.mech("CKF_VERIFY", "Mechanism", ctx.outputs.signMech) : a.mech("CKF_VERIFY", "Mechanism", "CKM_ECDSA_SHA256", "verify");
        const data = dataInput("Data", "message to sign");
        if (ctx.outputs.signedData) data.setBytes(ctx.outputs.signedData);
        const sig = dataInput("Signature", ctx.outputs.signature ? toHex(ctx.outputs.signature) : "", "hex");
        return [a.session(), mech, a.key("key", "Key", mech, "verify"), a.params(mech), { name: "data", ...wrapData(data) }, { name: "signature", ...wrapData(sig) }];
      },
      run: async (c) => {
        const s = a.needSession(c);
        return a.pair("C_VerifyInit", [s, a.mechArg(c), a.needObject(c, "key")], "C_Verify", [s, c.data.get(), c.signature.get()], () => el("p", { class: "ok-line" }, "The signature is valid."));
      },
    },
    {
      id: "digest", group: "Crypto", title: "Digest (hash)", fns: "C_DigestInit + C_Digest",
      help: "Hashing needs a session but no key and no login.",
      controls: () => [a.session(), a.mech("CKF_DIGEST", "Mechanism", "CKM_SHA256"), { name: "data", ...wrapData(dataInput("Data", "hello")) }],
      run: async (c) => {
        const s = a.needSession(c);
        return a.pair("C_DigestInit", [s, a.mechArg(c)], "C_Digest", [s, c.data.get(), OUT(128)], (r) => out(r.value, "Digest", "digest"));
      },
    },
    {
      id: "random", group: "Crypto", title: "Random bytes", fns: "C_GenerateRandom",
      help: "From the platform's CSPRNG (crypto.getRandomValues); needs only a session.",
      controls: () => [a.session(), text("length", "Length (bytes)", "32", { inputmode: "numeric" })],
      run: async (c) => {
        const s = a.needSession(c);
        const n = a.needCount(c.length, "Length", 1, 65536);
        return (await a.call("C_GenerateRandom", [s, OUT(n)], (r) => out(r.value, "Random bytes", "random")))[1];
      },
    },
  ];
}

/** The Encrypt and Decrypt forms: Init + one-shot call, remembering what Decrypt needs. */
function cipher(a, id, title, initFn, fn, flag, usage, what) {
  const ctx = a.ctx;
  return {
    id, group: "Crypto", title, fns: `${initFn} + ${fn}`,
    help: id === "encrypt" ? "Encrypts data with a key whose CKA_ENCRYPT is true. AES-GCM gets a fresh random IV by default." : "Decrypts with the same mechanism and parameter (IV) used to encrypt; the last ciphertext and IV are filled in.",
    controls: () => {
      const mech = id === "decrypt" && ctx.outputs.lastCipherMech ? a.mech(flag, "Mechanism", ctx.outputs.lastCipherMech) : a.mech(flag, "Mechanism", "CKM_AES_GCM", usage.toLowerCase(), ctx.outputs.lastCipherKey);
      const params = a.params(mech);
      if (id === "decrypt" && ctx.outputs.lastParamText && mech.get() === ctx.outputs.lastCipherMech) params.set(ctx.outputs.lastParamText);
      const data = dataInput(id === "encrypt" ? "Plaintext" : "Ciphertext", id === "encrypt" ? "Hello, PKCS#11" : "", id === "encrypt" ? "text" : "hex");
      if (id === "decrypt" && ctx.outputs.ciphertext) data.setBytes(ctx.outputs.ciphertext);
      const key = a.key("key", "Key", mech, usage.toLowerCase(), undefined, (objs) => objs.find((o) => o.handle === ctx.outputs.lastCipherKey));
      return [a.session(), mech, key, params, { name: "data", ...wrapData(data) }];
    },
    run: async (c) => {
      const s = a.needSession(c);
      const mech = a.mechArg(c);
      // Remember the parameter so Decrypt can default to the same one.
      const paramText = Object.fromEntries([...c.parameter.root.querySelectorAll("input")].map((i) => [i.closest(".field").querySelector("label").textContent.replace(/ \(.*/, ""), i.value]));
      const input = c.data.get();
      return a.pair(initFn, [s, mech, a.needObject(c, "key")], fn, [s, input, OUT(input.length + 1024)], (r) => {
        if (id === "encrypt") Object.assign(ctx.outputs, { lastCipherMech: c.mechanism.get(), lastParamText: paramText, lastCipherKey: Number(c.key.get()) });
        ctx.outputs[what] = r.value;
        return bytesOutput(r.value, what === "ciphertext" ? "Ciphertext" : "Plaintext");
      });
    },
  };
}
