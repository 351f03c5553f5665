// `export` (pkcs11-tool --read-object): a public key as SPKI PEM/DER or JWK
// (from its public key object, or the public half of a private key), or a
// certificate as PEM/DER. Secret and private values are never exported.
import { writeFileSync } from "node:fs";
import { LOGIN_OPTIONS, OBJECT_OPTIONS, SLOT_OPTIONS } from "./args.mjs";
import { readAttributes, isValue } from "./attributes.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { print, printJson, writeBinary } from "./output.mjs";
import { findObjects, listObjects, selectOne, summarize } from "./select.mjs";

const FORMATS = ["pem", "der", "jwk"];

const pemArmor = (label, der) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;

/** The object to export: --type picks; else a public key, a certificate, then a private key. */
function choose(t, session, opts) {
  if (opts.type !== undefined) return selectOne(t, session, opts);
  if (opts.label === undefined && opts.id === undefined && opts.uid === undefined) throw new UsageError("name what to export with --label, --id or --uid");
  const all = listObjects(t, session, opts);
  for (const cls of ["pubkey", "cert", "privkey"]) {
    const some = all.filter((o) => o.class === cls);
    if (some.length === 1) return some[0];
    if (some.length > 1) throw new CliError(`${some.length} ${cls} objects match`, { hint: "narrow it with --uid or --id" });
  }
  return selectOne(t, session, opts); // says what is missing or ambiguous
}

/** SPKI DER (and a KeyObject when Node knows the type) of a public key object. */
async function publicKeyOf(t, session, obj) {
  const C = t.lib;
  const p = t.p;
  const { partsFromAttributes, pqcOid, spkiOf } = await import("./keys.mjs");
  let source = obj;
  if (obj.cls === C.CKO_PRIVATE_KEY) {
    const pubs = obj.id ? findObjects(t, session, { id: obj.id, type: "pubkey" }) : [];
    if (pubs.length === 1) source = summarize(t, session, pubs[0], C.CKO_PUBLIC_KEY);
    else {
      // No public key object: the private key's CKA_PUBLIC_KEY_INFO, when the token filled it in.
      const info = readAttributes(p, session, obj.handle, [C.CKA_PUBLIC_KEY_INFO]).get(C.CKA_PUBLIC_KEY_INFO);
      if (!isValue(info) || info.length === 0) throw new CliError("no public key object has this private key's CKA_ID, and it has no CKA_PUBLIC_KEY_INFO");
      return withKey(Buffer.from(info), obj);
    }
  } else if (obj.cls !== C.CKO_PUBLIC_KEY) {
    throw new CliError(`a ${obj.class} object has no public key to export`);
  }
  const kt = source.keyType;
  let spki;
  if (kt === C.CKK_ML_DSA || kt === C.CKK_ML_KEM) {
    const a = readAttributes(p, session, source.handle, [C.CKA_PARAMETER_SET, C.CKA_VALUE]);
    const oid = pqcOid(C, kt === C.CKK_ML_DSA ? "ML_DSA" : "ML_KEM", a.get(C.CKA_PARAMETER_SET).readUInt32LE(0));
    spki = spkiOf({ oid, point: a.get(C.CKA_VALUE) });
  } else {
    const types = kt === C.CKK_RSA ? [C.CKA_MODULUS, C.CKA_PUBLIC_EXPONENT] : [C.CKA_EC_PARAMS, C.CKA_EC_POINT];
    const a = readAttributes(p, session, source.handle, types);
    if (![...a.values()].every(isValue)) throw new CliError("this key's public values cannot be read");
    const parts = partsFromAttributes(C, kt, a);
    if (!parts) throw new CliError(`${source.keyTypeName} keys cannot be exported here`);
    spki = spkiOf(parts);
  }
  return withKey(spki, source);
}

/** { spki, key (a KeyObject when Node knows the key type), from }. */
async function withKey(spki, from) {
  const { createPublicKey } = await import("node:crypto");
  let key;
  try {
    key = createPublicKey({ key: spki, format: "der", type: "spki" });
  } catch {}
  return { spki, key, from };
}

async function exportCommand(t) {
  const { opts, lib: C, p } = t;
  const format = (opts.format ?? "pem").toLowerCase();
  if (!FORMATS.includes(format)) throw new UsageError(`--format ${format}?`, { hint: "use pem, der or jwk" });
  const { session } = await t.open({ login: opts.login });
  const obj = choose(t, session, opts);
  let out;
  if (obj.cls === C.CKO_CERTIFICATE) {
    if (format === "jwk") throw new UsageError("a certificate has no JWK form", { hint: "use --format pem or der" });
    const { X509Certificate } = await import("node:crypto");
    const der = Buffer.from(readAttributes(p, session, obj.handle, [C.CKA_VALUE]).get(C.CKA_VALUE));
    out = format === "der" ? der : Buffer.from(new X509Certificate(der).toString());
  } else {
    const { spki, key } = await publicKeyOf(t, session, obj);
    if (format === "der") out = Buffer.from(spki);
    else if (format === "pem") out = Buffer.from(key ? key.export({ type: "spki", format: "pem" }) : pemArmor("PUBLIC KEY", spki));
    else {
      if (!key) throw new CliError("Node cannot write this key type as a JWK", { hint: "use --format pem or der" });
      out = Buffer.from(JSON.stringify(key.export({ format: "jwk" }), null, 2) + "\n");
    }
  }
  const what = obj.cls === C.CKO_CERTIFICATE ? "certificate" : "public key";
  if (opts.json) {
    if (opts.output) writeOutput(opts.output, out, format);
    return printJson({ object: what, label: obj.label, uid: obj.uid, format, ...(opts.output ? { file: opts.output } : { data: format === "der" ? out.toString("base64") : out.toString("utf8") }) });
  }
  writeOutput(opts.output, out, format);
}

function writeOutput(path, bytes, format) {
  if (format === "der") return writeBinary(path, bytes);
  if (path && path !== "-") {
    try {
      writeFileSync(path, bytes);
    } catch (e) {
      throw new CliError(`cannot write ${path}: ${e.code ?? e.message}`);
    }
  } else print(bytes.toString("utf8").replace(/\n$/, ""));
}

export default [
  {
    name: "export",
    aliases: ["read-object", "export-key"],
    summary: "export a public key (PEM, DER or JWK) or a certificate (PEM or DER)",
    usage: "pkcs11-wasm export (--label L | --id HEX | --uid UID) [--type pubkey|cert] [--format pem|der|jwk] [-o FILE]",
    description: [
      "Without --type: the matching public key, else certificate, else the public half of",
      "a private key (its public key object, same CKA_ID). Public objects need no PIN.",
    ],
    options: {
      ...SLOT_OPTIONS,
      ...LOGIN_OPTIONS,
      ...OBJECT_OPTIONS,
      format: { value: "FMT", help: "pem (default), der or jwk" },
      output: { short: "o", value: "FILE", help: "write to FILE (default: stdout)" },
    },
    examples: ["pkcs11-wasm export --label signing --format pem -o signing.pub.pem", "pkcs11-wasm export --label server --type cert --format der -o server.der"],
    run: exportCommand,
  },
];
