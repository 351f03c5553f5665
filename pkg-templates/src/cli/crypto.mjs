// `sign`, `verify`, `encrypt`, `decrypt`, `digest` of a file or stdin with
// a named key (pkcs11-tool --sign/--verify/--encrypt/--decrypt/--hash).
// Hash-and-sign and MAC mechanisms stream the input in 1 MiB parts;
// encryption works on the whole input (at most DATA_MAX). Encryption
// output is the IV (or nonce) followed by the ciphertext, which is what
// decryption expects.
import { LOGIN_OPTIONS, OBJECT_OPTIONS, SLOT_OPTIONS } from "./args.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { DATA_MAX, inputChunks, inputSize, readInput } from "./input.mjs";
import { mechanismFromName, mechanismName, nameOf } from "./names.mjs";
import { readAttributes } from "./attributes.mjs";
import { print, printJson, writeBinary } from "./output.mjs";
import { listObjects, selectOne } from "./select.mjs";

const randomBytes = (n) => globalThis.crypto.getRandomValues(Buffer.alloc(n));
const SIG_MAX = 8192; // ML-DSA-87: 4,627 bytes; RSA-8192: 1,024

/** Default mechanisms by key type name (CKK_*) and operation. */
const DEFAULTS = {
  sign: { CKK_RSA: "CKM_SHA256_RSA_PKCS", CKK_EC: "CKM_ECDSA_SHA256", CKK_EC_EDWARDS: "CKM_EDDSA", CKK_ML_DSA: "CKM_ML_DSA", CKK_AES: "CKM_AES_CMAC", secret: "CKM_SHA256_HMAC" },
  encrypt: { CKK_RSA: "CKM_RSA_PKCS_OAEP", CKK_AES: "CKM_AES_GCM", CKK_CHACHA20: "CKM_CHACHA20_POLY1305" },
};
DEFAULTS.verify = DEFAULTS.sign;
DEFAULTS.decrypt = DEFAULTS.encrypt;

// IV or nonce bytes written before the ciphertext, by mechanism name.
const IV_LEN = { CKM_AES_GCM: 12, CKM_CHACHA20_POLY1305: 12, CKM_AES_CBC: 16, CKM_AES_CBC_PAD: 16, CKM_AES_CTR: 16, CKM_AES_CTS: 16 };

/** A hash as typed (sha256, SHA-384, sha3-256, sha1) -> its CKM_ name without the prefix. */
function hashName(text) {
  const t = text.toUpperCase().replace(/-/g, "_");
  if (/^SHA_?1$/.test(t)) return "SHA_1";
  const sha3 = /^SHA3_?(\d{3})$/.exec(t);
  if (sha3) return `SHA3_${sha3[1]}`;
  const sha2 = /^SHA_?(\d{3})$/.exec(t);
  return sha2 ? `SHA${sha2[1]}` : t;
}

/** Digest and MGF1 of a PSS/OAEP mechanism: its own hash, else --hash, else SHA-256. */
function hashParams(C, name, hashOpt) {
  const own = /SHA3?_?\d+/.exec(name.replace(/^CKM_/, "").replace(/_RSA.*$/, ""));
  const hash = hashName(own ? own[0] : (hashOpt ?? "SHA256"));
  const digest = C[`CKM_${hash}`];
  const mgf = C[`CKG_MGF1_${hash === "SHA_1" ? "SHA1" : hash}`];
  if (digest === undefined || mgf === undefined) throw new UsageError(`unknown hash ${JSON.stringify(hashOpt ?? hash)}`);
  const len = { SHA_1: 20, SHA224: 28, SHA256: 32, SHA384: 48, SHA512: 64, SHA3_224: 28, SHA3_256: 32, SHA3_384: 48, SHA3_512: 64 }[hash];
  return { digest, mgf, len };
}

/** { mechanism, parameter } for `name`; `iv` for the IV mechanisms. */
function mechanismObject(C, mech, opts, iv) {
  const name = mechanismName(C, mech);
  if (/_PSS$/.test(name)) {
    const h = hashParams(C, name, opts.hash);
    return { mechanism: mech, parameter: { type: C.CK_PARAMS_RSA_PSS, hashAlg: h.digest, mgf: h.mgf, saltLen: h.len } };
  }
  if (name === "CKM_RSA_PKCS_OAEP") {
    const h = hashParams(C, "", opts.hash);
    return { mechanism: mech, parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: h.digest, mgf: h.mgf, source: C.CKZ_DATA_SPECIFIED } };
  }
  if (name === "CKM_AES_GCM") return { mechanism: mech, parameter: { type: C.CK_PARAMS_AES_GCM, iv, tagBits: 128 } };
  if (name === "CKM_AES_CTR") return { mechanism: mech, parameter: { type: C.CK_PARAMS_AES_CTR, counterBits: 128, cb: iv } };
  if (name === "CKM_CHACHA20_POLY1305") return { mechanism: mech, parameter: { type: C.CK_PARAMS_CHACHA20_POLY1305, nonce: iv } };
  if (IV_LEN[name]) return { mechanism: mech, parameter: iv };
  return { mechanism: mech };
}

/**
 * The key to use: found among `classes` (CKO_* names, in preference
 * order), logging in first when `login` or when no public object fits.
 */
async function findKey(t, op, classes) {
  const { opts, lib: C } = t;
  const wanted = classes.map((c) => C[c]);
  const tryFind = (session) => {
    const all = listObjects(t, session, opts).filter((o) => wanted.includes(o.cls));
    for (const cls of wanted) {
      const some = all.filter((o) => o.cls === cls);
      if (some.length === 1) return some[0];
      if (some.length > 1) throw new CliError(`${some.length} keys match`, { hint: "narrow it with --uid or --type" });
    }
    return undefined;
  };
  if (opts.label === undefined && opts.id === undefined && opts.uid === undefined) throw new UsageError(`name the key to ${op} with --label, --id or --uid`);
  const needLogin = opts.login || classes.every((c) => c !== "CKO_PUBLIC_KEY");
  const { slot, session } = await t.open({ login: needLogin });
  let key = tryFind(session);
  if (!key && !needLogin) {
    await t.login(slot, session, "user");
    key = tryFind(session);
  }
  if (!key) selectOne(t, session, opts, { classes: wanted, what: `key to ${op} with` }); // throws the reason
  return { session, key };
}

function chooseMechanism(t, op, key) {
  const C = t.lib;
  if (t.opts.mechanism !== undefined) return mechanismFromName(C, t.opts.mechanism);
  const ckk = nameOf(C, "CKK", key.keyType);
  const name = DEFAULTS[op][ckk] ?? (key.cls === C.CKO_SECRET_KEY ? DEFAULTS[op].secret : undefined);
  if (!name) throw new UsageError(`no default ${op} mechanism for a ${key.keyTypeName} key`, { hint: "name one with --mechanism" });
  return C[name];
}

const streams = (name) => /SHA|HMAC|CMAC/.test(name);

/** Feeds the input to `update` in parts, with a progress counter for large inputs. */
async function feed(t, path, update) {
  const size = inputSize(path);
  const counter = size === undefined || size > 32 * 1024 * 1024 ? t.progress.counter("reading", size, "bytes") : undefined;
  let done = 0;
  for await (const chunk of inputChunks(path)) {
    update(chunk);
    done += chunk.length;
    counter?.tick(done);
  }
  if (counter && done > 32 * 1024 * 1024) counter.done(done);
}

/** Signs (returns the signature) or verifies (throws CKR_SIGNATURE_INVALID); streams when the mechanism hashes. */
async function signOrVerify(t, op, session, key, mech, signature) {
  const { p, opts, lib: C } = t;
  const m = mechanismObject(C, mech, opts);
  const name = mechanismName(C, mech);
  if (op === "sign") p.C_SignInit(session, m, key.handle);
  else p.C_VerifyInit(session, m, key.handle);
  if (streams(name)) {
    await feed(t, opts.input, (chunk) => (op === "sign" ? p.C_SignUpdate(session, chunk) : p.C_VerifyUpdate(session, chunk)));
    return op === "sign" ? p.C_SignFinal(session, Buffer.alloc(SIG_MAX)) : p.C_VerifyFinal(session, signature);
  }
  const data = readInput(opts.input, { max: DATA_MAX, what: `one ${name} call` });
  return op === "sign" ? p.C_Sign(session, data, Buffer.alloc(SIG_MAX)) : p.C_Verify(session, data, signature);
}

const isEcdsa = (name) => /^CKM_ECDSA/.test(name);

function checkSignatureFormat(opts) {
  if (opts.signatureFormat !== undefined && !["raw", "der"].includes(opts.signatureFormat)) {
    throw new UsageError(`--signature-format ${opts.signatureFormat}?`, { hint: "use raw or der" });
  }
}

async function sign(t) {
  const { opts, lib: C } = t;
  checkSignatureFormat(opts);
  const { session, key } = await findKey(t, "sign", ["CKO_PRIVATE_KEY", "CKO_SECRET_KEY"]);
  const mech = chooseMechanism(t, "sign", key);
  let sig = Buffer.from(await signOrVerify(t, "sign", session, key, mech));
  if (opts.signatureFormat === "der" && isEcdsa(mechanismName(C, mech))) sig = (await import("./der.mjs")).ecdsaRawToDer(sig);
  if (opts.json) {
    if (opts.output) writeBinary(opts.output, sig);
    return printJson({ mechanism: mechanismName(C, mech), key: key.uid, signature: sig.toString("base64"), ...(opts.output ? { file: opts.output } : {}) });
  }
  writeBinary(opts.output, sig);
}

async function verify(t) {
  const { opts, lib: C } = t;
  if (!opts.signature) throw new UsageError("verify needs --signature FILE");
  checkSignatureFormat(opts);
  let sig = readInput(opts.signature, { max: 64 * 1024, what: "a signature" });
  const { session, key } = await findKey(t, "verify", ["CKO_PUBLIC_KEY", "CKO_SECRET_KEY"]);
  const mech = chooseMechanism(t, "verify", key);
  const name = mechanismName(C, mech);
  if (opts.signatureFormat === "der" && isEcdsa(name)) {
    const { partsFromAttributes } = await import("./keys.mjs");
    const attrs = readAttributes(t.p, session, key.handle, [C.CKA_EC_PARAMS, C.CKA_EC_POINT]);
    const len = (partsFromAttributes(C, key.keyType, attrs).point.length - 1) / 2; // 04 || X || Y
    try {
      sig = (await import("./der.mjs")).ecdsaDerToRaw(sig, len);
    } catch (e) {
      throw new CliError(`the signature is not a DER ECDSA signature (${e.message})`);
    }
  }
  await signOrVerify(t, "verify", session, key, mech, sig);
  if (opts.json) return printJson({ valid: true, mechanism: name, key: key.uid });
  print("Signature is valid.");
}

async function encryptOrDecrypt(t, op) {
  const { opts, p, lib: C } = t;
  const classes = op === "encrypt" ? ["CKO_SECRET_KEY", "CKO_PUBLIC_KEY"] : ["CKO_SECRET_KEY", "CKO_PRIVATE_KEY"];
  const { session, key } = await findKey(t, op, classes);
  const mech = chooseMechanism(t, op, key);
  const name = mechanismName(C, mech);
  let data = readInput(opts.input, { max: DATA_MAX, what: `one ${name} call` });
  const ivLen = IV_LEN[name] ?? 0;
  let iv;
  if (op === "encrypt") iv = ivLen ? randomBytes(ivLen) : undefined;
  else {
    if (data.length < ivLen) throw new CliError(`the input is shorter than the ${ivLen}-byte IV that ${name} ciphertext starts with`);
    iv = ivLen ? data.subarray(0, ivLen) : undefined;
    data = data.subarray(ivLen);
  }
  const m = mechanismObject(C, mech, opts, iv);
  const out = Buffer.alloc(data.length + 1024);
  let result;
  if (op === "encrypt") {
    p.C_EncryptInit(session, m, key.handle);
    result = p.C_Encrypt(session, data, out);
  } else {
    p.C_DecryptInit(session, m, key.handle);
    result = p.C_Decrypt(session, data, out);
  }
  const bytes = op === "encrypt" && iv ? Buffer.concat([iv, result]) : Buffer.from(result);
  if (opts.json) {
    if (opts.output) writeBinary(opts.output, bytes, { secret: op === "decrypt" });
    return printJson({ mechanism: name, key: key.uid, bytes: bytes.length, ...(opts.output ? { file: opts.output } : { data: bytes.toString("base64") }) });
  }
  writeBinary(opts.output, bytes, { secret: op === "decrypt" });
}

/** A token session for digests: the chosen token, or a throwaway in-memory one. */
async function digestSession(t) {
  const { p } = t;
  if (t.config) return t.session(t.slot("token"));
  const [slot] = p.C_GetSlotList(false);
  p.C_InitToken(slot, randomBytes(16).toString("hex"), "digest");
  return p.C_OpenSession(slot, t.lib.CKF_SERIAL_SESSION);
}

async function digest(t) {
  const { opts, p, lib: C } = t;
  const mech = mechanismFromName(C, opts.mechanism ?? "SHA256");
  const session = await digestSession(t);
  p.C_DigestInit(session, { mechanism: mech });
  await feed(t, opts.input, (chunk) => p.C_DigestUpdate(session, chunk));
  const hash = Buffer.from(p.C_DigestFinal(session, Buffer.alloc(64)));
  const name = opts.input && opts.input !== "-" ? opts.input : "-";
  if (opts.json) return printJson({ mechanism: mechanismName(C, mech), digest: hash.toString("hex"), input: name });
  if (opts.binary) return writeBinary(opts.output, hash);
  print(`${hash.toString("hex")}  ${name}`);
}

const USE_KEY_OPTIONS = { ...SLOT_OPTIONS, ...LOGIN_OPTIONS, ...OBJECT_OPTIONS };
const IO_OPTIONS = {
  mechanism: { short: "m", value: "CKM", help: "mechanism (default: by key type, see above)" },
  input: { short: "i", value: "FILE", help: "input file (default: stdin)" },
  output: { short: "o", value: "FILE", help: "output file (default: stdout; never a terminal)" },
};
const HASH_OPTION = { hash: { value: "HASH", help: "hash for PSS/OAEP without one in their name (sha256 default, sha1, sha384...)" } };
const SIG_FORMAT = { "signature-format": { value: "FMT", help: "ECDSA signatures: raw (r||s, PKCS#11's; default) or der (OpenSSL's)" } };

export default [
  {
    name: "sign",
    aliases: [],
    summary: "sign a file or stdin with a private or secret key",
    usage: "pkcs11-wasm sign --label KEY [-m CKM] [-i FILE] [-o SIG]",
    description: ["Default mechanisms: RSA SHA256-RSA-PKCS, EC ECDSA-SHA256, Ed25519 EDDSA, ML-DSA ML-DSA,", "AES AES-CMAC, generic secrets SHA256-HMAC. Needs the user PIN."],
    options: { ...USE_KEY_OPTIONS, ...IO_OPTIONS, ...HASH_OPTION, ...SIG_FORMAT },
    examples: ["pkcs11-wasm sign --label signing -i report.pdf -o report.sig", "pkcs11-wasm sign --label signing -m SHA256-RSA-PKCS-PSS < data > data.sig"],
    run: sign,
  },
  {
    name: "verify",
    aliases: [],
    summary: "verify a signature of a file or stdin (exit status 0 when valid)",
    usage: "pkcs11-wasm verify --label KEY --signature SIG [-m CKM] [-i FILE]",
    description: ["Uses the public key object (no PIN needed), or a secret key for MACs (PIN needed)."],
    options: { ...USE_KEY_OPTIONS, ...IO_OPTIONS, ...HASH_OPTION, ...SIG_FORMAT, signature: { short: "s", value: "FILE", help: "the signature" } },
    examples: ["pkcs11-wasm verify --label signing -i report.pdf --signature report.sig"],
    run: verify,
  },
  {
    name: "encrypt",
    aliases: [],
    summary: "encrypt a file or stdin (output: IV or nonce, then ciphertext)",
    usage: "pkcs11-wasm encrypt --label KEY [-m CKM] [-i FILE] [-o FILE]",
    description: ["Defaults: AES AES-GCM (random 12-byte IV, 128-bit tag), RSA RSA-PKCS-OAEP (SHA-256),", "ChaCha20 ChaCha20-Poly1305. At most 256 MiB per call."],
    options: { ...USE_KEY_OPTIONS, ...IO_OPTIONS, ...HASH_OPTION },
    examples: ["pkcs11-wasm encrypt --label data-key -i secret.txt -o secret.enc"],
    run: (t) => encryptOrDecrypt(t, "encrypt"),
  },
  {
    name: "decrypt",
    aliases: [],
    summary: "decrypt what `encrypt` wrote (IV or nonce first)",
    usage: "pkcs11-wasm decrypt --label KEY [-m CKM] [-i FILE] [-o FILE]",
    options: { ...USE_KEY_OPTIONS, ...IO_OPTIONS, ...HASH_OPTION },
    examples: ["pkcs11-wasm decrypt --label data-key -i secret.enc -o secret.txt"],
    run: (t) => encryptOrDecrypt(t, "decrypt"),
  },
  {
    name: "digest",
    aliases: ["hash"],
    summary: "hash a file or stdin on the token (prints hex like sha256sum)",
    usage: "pkcs11-wasm digest [-m SHA256] [-i FILE] [--binary [-o FILE]]",
    description: ["Needs no PIN, and no configured token (a throwaway in-memory one is used then)."],
    options: {
      ...SLOT_OPTIONS,
      mechanism: { short: "m", value: "CKM", help: "digest mechanism (default SHA256; SHA384, SHA3-256...)" },
      input: IO_OPTIONS.input,
      output: IO_OPTIONS.output,
      binary: { help: "write the raw digest instead of hex" },
    },
    examples: ["pkcs11-wasm digest -m SHA3-256 -i release.tar.gz"],
    run: digest,
  },
];
