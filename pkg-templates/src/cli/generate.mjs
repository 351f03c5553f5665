// `generate` (pkcs11-tool --keygen / --keypairgen): a secret key or a key
// pair on the token, by key type (rsa:4096, ec:P-384, ed25519, aes:256...)
// or by any generation mechanism the token lists (--mechanism).
import { KEY_OPTIONS, LOGIN_OPTIONS, SLOT_OPTIONS } from "./args.mjs";
import { readAttributes } from "./attributes.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { mechanismFromName, mechanismName } from "./names.mjs";
import { print, printJson } from "./output.mjs";
import { parseHexId, protection, usageTemplate } from "./select.mjs";

// Named curves by the names people use (OIDs from SEC 2 and RFC 5639).
const CURVES = {
  "1.2.840.10045.3.1.7": ["p-256", "p256", "secp256r1", "prime256v1"],
  "1.3.132.0.34": ["p-384", "p384", "secp384r1"],
  "1.3.132.0.35": ["p-521", "p521", "secp521r1"],
  "1.3.132.0.10": ["secp256k1", "k-256"],
  "1.3.36.3.3.2.8.1.1.7": ["brainpoolp256r1"],
  "1.3.36.3.3.2.8.1.1.11": ["brainpoolp384r1"],
  "1.3.36.3.3.2.8.1.1.13": ["brainpoolp512r1"],
};

function curveOid(name) {
  if (/^\d+(\.\d+)+$/.test(name)) return name;
  const n = name.toLowerCase();
  const oid = Object.keys(CURVES).find((o) => CURVES[o].includes(n));
  if (!oid) throw new UsageError(`unknown curve ${JSON.stringify(name)}`, { hint: "use P-256, P-384, P-521, secp256k1, a brainpool name, or an OID" });
  return oid;
}

const PAIRS = {
  rsa: "CKM_RSA_PKCS_KEY_PAIR_GEN",
  ec: "CKM_EC_KEY_PAIR_GEN",
  ed25519: "CKM_EC_EDWARDS_KEY_PAIR_GEN",
  x25519: "CKM_EC_MONTGOMERY_KEY_PAIR_GEN",
  "ml-dsa": "CKM_ML_DSA_KEY_PAIR_GEN",
  "ml-kem": "CKM_ML_KEM_KEY_PAIR_GEN",
};
const SECRETS = { aes: "CKM_AES_KEY_GEN", generic: "CKM_GENERIC_SECRET_KEY_GEN", hmac: "CKM_GENERIC_SECRET_KEY_GEN", chacha20: "CKM_CHACHA20_KEY_GEN" };

/** Bits or bytes: aes:256 and aes:32 both mean 32 bytes (pkcs11-tool says AES:32). */
function aesBytes(size) {
  if ([128, 192, 256].includes(size)) return size / 8;
  if ([16, 24, 32].includes(size)) return size;
  throw new UsageError(`an AES key is 128, 192 or 256 bits, not ${size}`);
}

/** { kind, mech, pair, what, pub, priv, secret } for --key-type / --mechanism. */
async function plan(C, opts) {
  const [kindText, argText] = (opts.keyType ?? "").split(":");
  let [kind, arg] = [kindText.toLowerCase(), argText];
  let mech;
  if (opts.mechanism !== undefined) {
    mech = mechanismFromName(C, opts.mechanism);
    const name = mechanismName(C, mech);
    kind = Object.keys(PAIRS).find((k) => PAIRS[k] === name) ?? (name === "CKM_ECDSA_KEY_PAIR_GEN" ? "ec" : undefined);
    if (!kind) kind = Object.keys(SECRETS).find((k) => SECRETS[k] === name) ?? "secret";
  } else if (!kind) {
    throw new UsageError("generate needs --key-type TYPE or --mechanism CKM_...", { hint: "e.g. --key-type aes:256, rsa:3072, ec:P-256, ed25519" });
  }
  const size = arg !== undefined ? Number(arg) : opts.size !== undefined ? Number(opts.size) : undefined;
  if (size !== undefined && !Number.isInteger(size) && !["ec", "ml-dsa", "ml-kem"].includes(kind)) throw new UsageError(`bad key size ${arg ?? opts.size}`);
  const v = (type, value) => ({ type: C[type], value });
  if (PAIRS[kind]) {
    const { oidDer } = await import("./der.mjs");
    mech ??= C[PAIRS[kind]];
    if (kind === "rsa") {
      const bits = size ?? 2048;
      return { mech, pair: true, what: `RSA-${bits} key pair`, pub: [v("CKA_MODULUS_BITS", bits), v("CKA_PUBLIC_EXPONENT", Buffer.from([1, 0, 1]))] };
    }
    if (kind === "ec") {
      const curve = arg ?? opts.curve ?? "P-256";
      return { mech, pair: true, what: `EC ${curve} key pair`, pub: [v("CKA_EC_PARAMS", oidDer(curveOid(curve)))] };
    }
    if (kind === "ed25519" || kind === "x25519") {
      return { mech, pair: true, what: `${kind === "ed25519" ? "Ed25519" : "X25519"} key pair`, pub: [v("CKA_EC_PARAMS", oidDer(kind === "ed25519" ? "1.3.101.112" : "1.3.101.110"))] };
    }
    const family = kind === "ml-dsa" ? "ML_DSA" : "ML_KEM";
    const level = String(arg ?? opts.size ?? (kind === "ml-dsa" ? 65 : 768));
    const set = C[`CKP_${family}_${level}`];
    if (set === undefined) throw new UsageError(`no ${kind.toUpperCase()} parameter set ${level}`, { hint: kind === "ml-dsa" ? "use 44, 65 or 87" : "use 512, 768 or 1024" });
    return { mech, pair: true, what: `${kind.toUpperCase()}-${level} key pair`, pub: [v("CKA_PARAMETER_SET", set)] };
  }
  mech ??= C[SECRETS[kind]];
  if (mech === undefined) throw new UsageError(`unknown key type ${JSON.stringify(opts.keyType)}`, { hint: "use rsa, ec, ed25519, x25519, ml-dsa, ml-kem, aes, generic, chacha20" });
  if (kind === "aes") {
    const bytes = aesBytes(size ?? 256);
    return { mech, pair: false, what: `AES-${bytes * 8} key`, secret: [v("CKA_VALUE_LEN", bytes)] };
  }
  if (kind === "generic" || kind === "hmac") return { mech, pair: false, what: `${size ?? 32}-byte generic secret`, secret: [v("CKA_VALUE_LEN", size ?? 32)] };
  if (kind === "chacha20") return { mech, pair: false, what: "ChaCha20 key", secret: [] };
  return { mech, pair: false, what: `${mechanismName(C, mech)} key`, secret: size !== undefined ? [v("CKA_VALUE_LEN", size)] : [] };
}

/** CKA_ID of a new key pair from its public key object (keys.mjs keyId; ML-*: SHA-1 of CKA_VALUE). */
async function pairId(t, session, pub) {
  const C = t.lib;
  const kt = readAttributes(t.p, session, pub, [C.CKA_KEY_TYPE]).get(C.CKA_KEY_TYPE).readUInt32LE(0);
  if (kt === C.CKK_ML_DSA || kt === C.CKK_ML_KEM) {
    const { createHash } = await import("node:crypto");
    return createHash("sha1").update(readAttributes(t.p, session, pub, [C.CKA_VALUE]).get(C.CKA_VALUE)).digest();
  }
  const { keyId, partsFromAttributes } = await import("./keys.mjs");
  const types = kt === C.CKK_RSA ? [C.CKA_MODULUS, C.CKA_PUBLIC_EXPONENT] : [C.CKA_EC_PARAMS, C.CKA_EC_POINT];
  return keyId(partsFromAttributes(C, kt, readAttributes(t.p, session, pub, types)));
}

async function generate(t) {
  const { opts, p, lib: C } = t;
  const pl = await plan(C, opts);
  const { slot, session } = await t.open({ rw: true, login: true });
  const flag = pl.pair ? C.CKF_GENERATE_KEY_PAIR : C.CKF_GENERATE;
  let info;
  try {
    info = p.C_GetMechanismInfo(slot.handle, pl.mech);
  } catch {}
  if (!info || !(info.flags & flag)) {
    throw new CliError(`the token has no ${mechanismName(C, pl.mech)} for ${pl.pair ? "key pair" : "key"} generation`, { hint: "`pkcs11-wasm mechanisms` lists them" });
  }
  const label = opts.label ?? (opts.keyType ?? mechanismName(C, pl.mech)).toLowerCase();
  const fixedId = opts.id !== undefined ? parseHexId(opts.id) : undefined;
  const common = [
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_LABEL, value: label },
    ...(fixedId ? [{ type: C.CKA_ID, value: fixedId }] : []),
  ];
  const secretFlags = protection(C, opts);
  const usage = (cls) => usageTemplate(C, cls, opts.usage);
  const made = [];
  let id = fixedId;
  if (pl.pair) {
    const pub = [...common, { type: C.CKA_PRIVATE, value: false }, ...pl.pub, ...usage("CKO_PUBLIC_KEY")];
    const priv = [...common, ...secretFlags, ...usage("CKO_PRIVATE_KEY")];
    const keys = await t.progress.step(`generating ${pl.what}`, () => p.C_GenerateKeyPair(session, { mechanism: pl.mech }, pub, priv));
    if (!fixedId) {
      id = await pairId(t, session, keys.publicKey);
      for (const h of [keys.publicKey, keys.privateKey]) p.C_SetAttributeValue(session, h, [{ type: C.CKA_ID, value: id }]);
    }
    made.push(["public key", keys.publicKey], ["private key", keys.privateKey]);
  } else {
    const tmpl = [{ type: C.CKA_CLASS, value: C.CKO_SECRET_KEY }, ...common, ...secretFlags, ...pl.secret, ...usage("CKO_SECRET_KEY")];
    made.push(["secret key", await t.progress.step(`generating ${pl.what}`, () => p.C_GenerateKey(session, { mechanism: pl.mech }, tmpl))]);
  }
  await p.flush();
  const objects = made.map(([what, h]) => ({ object: what, uid: readAttributes(p, session, h, [C.CKA_UNIQUE_ID]).get(C.CKA_UNIQUE_ID).toString("utf8") }));
  const result = { slot: slot.id, generated: pl.what, mechanism: mechanismName(C, pl.mech), label, id: id ? id.toString("hex") : "", objects };
  if (opts.json) return printJson(result);
  print(`Generated ${pl.what} "${label}"${result.id ? ` id ${result.id}` : ""} (${objects.map((o) => `${o.object} uid ${o.uid}`).join(", ")}).`);
}

export default [
  {
    name: "generate",
    aliases: ["keygen", "keypairgen", "generate-key"],
    summary: "generate a secret key or a key pair on the token",
    usage: "pkcs11-wasm generate (--key-type TYPE[:SIZE] | --mechanism CKM_...) [--label L] [--id HEX]",
    description: [
      "Types: rsa[:BITS] (2048), ec[:CURVE] (P-256; P-384, P-521, secp256k1...), ed25519,",
      "x25519, ml-dsa[:44|65|87], ml-kem[:512|768|1024], aes[:BITS] (256), generic[:BYTES] (32,",
      "for HMAC), chacha20; or any generation mechanism the token lists (--mechanism, with",
      "--size for CKA_VALUE_LEN / modulus bits). A pair's CKA_ID is SHA-1 of its public key,",
      "as import gives. Keys are sensitive and not extractable unless you say so.",
    ],
    options: {
      ...SLOT_OPTIONS,
      "key-type": { value: "TYPE", help: "what to generate (see above)" },
      mechanism: { short: "m", value: "CKM", help: "a generation mechanism by name (CKM_SHA256_KEY_GEN...)" },
      size: { value: "N", help: "key size: bits (RSA, AES) or bytes (generic secrets)" },
      curve: { value: "CURVE", help: "EC curve (with --mechanism CKM_EC_KEY_PAIR_GEN)" },
      ...KEY_OPTIONS,
      label: { value: "LABEL", help: "CKA_LABEL (default: the type)" },
      "pin-fd": LOGIN_OPTIONS["pin-fd"],
    },
    examples: [
      "pkcs11-wasm generate --key-type aes:256 --label data-key",
      "pkcs11-wasm generate --key-type rsa:4096 --label signing --usage sign,verify",
      "pkcs11-wasm generate --mechanism CKM_SHA256_KEY_GEN --size 32 --label mac-key",
    ],
    run: generate,
  },
];
