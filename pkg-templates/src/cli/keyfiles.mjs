// What a key file holds, read with Node's crypto (OpenSSL): PEM blocks
// (PKCS#8, encrypted PKCS#8, traditional RSA/EC private keys, SPKI and
// PKCS#1 public keys, certificates), DER of the same, JWK (one key or a
// set), or raw secret bytes when --type says so. Everything is parsed
// before anything is written, so a bad file changes nothing.
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { CliError } from "./errors.mjs";
import { getPin } from "./pins.mjs";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const PRIVATE_PEM = new Set(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]);
const PUBLIC_PEM = new Set(["PUBLIC KEY", "RSA PUBLIC KEY"]);
const CERT_PEM = new Set(["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"]);
const SKIPPED_PEM = new Set(["EC PARAMETERS"]); // openssl ecparam -genkey writes it before the key

const KINDS = { private: "a private key", public: "a public key", cert: "a certificate", secret: "a secret key" };

function opensslReason(e) {
  return String(e?.message ?? e).split("\n")[0].replace(/^error:[0-9A-F]+:/, "");
}

/** A secret key's type from a JWK `alg` (A128GCM, A256KW...) or --type. */
function secretItem(bytes, type, alg) {
  const aes = type === "aes" || (type !== "generic" && /^A(128|192|256)/.test(alg ?? ""));
  if (aes && ![16, 24, 32].includes(bytes.length)) throw new CliError(`an AES key is 16, 24 or 32 bytes; this one has ${bytes.length}`);
  if (bytes.length === 0) throw new CliError("the secret is empty");
  return { kind: "secret", keyType: aes ? "aes" : "generic", secret: bytes };
}

async function pemItems(text, name, opts) {
  const items = [];
  const begins = (text.match(/-----BEGIN /g) ?? []).length;
  let blocks = 0;
  for (const m of text.matchAll(PEM_BLOCK)) {
    blocks++;
    const [block, label, , endLabel] = m;
    if (label !== endLabel) throw new CliError(`${name}: damaged PEM (BEGIN ${label} ends with END ${endLabel})`);
    try {
      if (PRIVATE_PEM.has(label)) {
        const passphrase = label === "ENCRYPTED PRIVATE KEY" ? await getPin(opts, "passphrase") : undefined;
        items.push({ kind: "private", key: createPrivateKey(passphrase === undefined ? block : { key: block, passphrase }) });
      } else if (PUBLIC_PEM.has(label)) items.push({ kind: "public", key: createPublicKey(block) });
      else if (CERT_PEM.has(label)) items.push({ kind: "cert", der: new X509Certificate(block).raw });
      else if (!SKIPPED_PEM.has(label)) {
        throw new CliError(`${name}: a PEM "${label}" is not something to import`, { hint: "expected a private key, public key or certificate" });
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      // A wrong passphrase usually fails the padding check ("bad decrypt"),
      // but about one in 256 decrypts to garbage that fails later instead.
      if (label === "ENCRYPTED PRIVATE KEY") throw new CliError(`${name}: cannot decrypt the key (wrong passphrase, or a damaged file: ${opensslReason(e)})`);
      throw new CliError(`${name}: damaged ${label} PEM block (${opensslReason(e)})`);
    }
  }
  if (blocks < begins) throw new CliError(`${name}: truncated or damaged PEM (a BEGIN line without its END line)`);
  if (items.length === 0) throw new CliError(`${name}: no key or certificate in this PEM file`);
  return items;
}

/** Whether the bytes are a JSON text. */
function isJson(bytes) {
  try {
    JSON.parse(bytes.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

function jwkItems(text, name, type) {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${name}: not valid JSON (${e.message})`);
  }
  const keys = Array.isArray(json?.keys) ? json.keys : [json];
  return keys.map((jwk, i) => {
    const where = keys.length > 1 ? `${name} key ${i}` : name;
    if (!jwk || typeof jwk !== "object" || typeof jwk.kty !== "string") throw new CliError(`${where}: not a JWK (no "kty")`);
    try {
      if (jwk.kty === "oct") return secretItem(Buffer.from(jwk.k ?? "", "base64url"), type, jwk.alg);
      if (jwk.d !== undefined) return { kind: "private", key: createPrivateKey({ key: jwk, format: "jwk" }) };
      return { kind: "public", key: createPublicKey({ key: jwk, format: "jwk" }) };
    } catch (e) {
      if (e instanceof CliError) throw new CliError(`${where}: ${e.message}`);
      throw new CliError(`${where}: not a usable ${jwk.kty} JWK (${opensslReason(e)})`);
    }
  });
}

/** DER: a certificate, a private key (PKCS#8, PKCS#1, SEC 1) or a public key (SPKI, PKCS#1). */
function derItems(bytes, name) {
  const tries = [
    () => ({ kind: "cert", der: new X509Certificate(bytes).raw }),
    ...["pkcs8", "pkcs1", "sec1"].map((type) => () => ({ kind: "private", key: createPrivateKey({ key: bytes, format: "der", type }) })),
    ...["spki", "pkcs1"].map((type) => () => ({ kind: "public", key: createPublicKey({ key: bytes, format: "der", type }) })),
  ];
  if (bytes[0] === 0x30) {
    for (const attempt of tries) {
      try {
        return [attempt()];
      } catch {}
    }
  }
  throw new CliError(`${name}: not a key, certificate or JWK that can be read`, {
    hint: "expected PEM, DER or JWK; raw secret bytes need --type aes or --type generic",
  });
}

/**
 * The items in one input: [{ kind: private|public|cert|secret, key?,
 * der?, secret?, keyType? }]. `type`: auto, private, public, cert, jwk,
 * aes, generic (raw secret bytes), secret (= generic).
 */
export async function readKeyItems(bytes, name, opts) {
  const type = opts.type ?? "auto";
  if (type === "aes" || type === "generic" || type === "secret") {
    const text = bytes.toString("latin1").trimStart();
    // A JWK is JSON; raw key bytes begin with "{" once in ~256 keys and
    // are then still raw bytes.
    if (text.startsWith("{") && isJson(bytes)) return jwkItems(bytes.toString("utf8"), name, type);
    if (text.startsWith("-----BEGIN")) throw new CliError(`${name} is a PEM file, not raw secret bytes`, { hint: "leave out --type to import it" });
    try {
      return [secretItem(Buffer.from(bytes), type)];
    } catch (e) {
      throw new CliError(`${name}: ${e.message}`);
    }
  }
  const head = bytes.subarray(0, 64).toString("latin1").trimStart();
  if (type === "jwk" && !head.startsWith("{")) throw new CliError(`${name} is not a JWK (JSON)`);
  let items;
  if (head.startsWith("-----BEGIN") || (head.startsWith("-----") && bytes.includes("-----BEGIN"))) items = await pemItems(bytes.toString("utf8"), name, opts);
  else if (head.startsWith("{")) items = jwkItems(bytes.toString("utf8"), name, type);
  else if (bytes.includes("-----BEGIN")) items = await pemItems(bytes.toString("utf8"), name, opts);
  else items = derItems(bytes, name);
  if (KINDS[type]) {
    const wanted = items.filter((i) => i.kind === type);
    if (wanted.length === 0) {
      const has = [...new Set(items.map((i) => KINDS[i.kind]))].join(" and ");
      throw new CliError(`${name} holds ${has}, not ${KINDS[type]} (--type ${type})`);
    }
    return wanted;
  }
  return items;
}
