// `import` (softhsm2-util --import, pkcs11-tool --write-object): private
// keys (with their public key object), public keys, certificates, JWKs and
// raw secrets. Every file is read and parsed before the first object is
// created; if creating one fails, the ones made before it are destroyed.
import { basename, extname } from "node:path";
import { KEY_OPTIONS, LOGIN_OPTIONS, SLOT_OPTIONS } from "./args.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { KEY_FILE_MAX, readInput } from "./input.mjs";
import { CATEGORY_NAMES } from "./names.mjs";
import { print, printJson } from "./output.mjs";
import { findObjects, parseHexId, protection, usageTemplate } from "./select.mjs";

const TYPES = ["auto", "private", "public", "cert", "jwk", "aes", "generic", "secret"];

/** The objects (templates) for one parsed item. */
async function planItem(t, item, source, opts) {
  const C = t.lib;
  const { keyId, keyTemplates, privateParts, publicParts } = await import("./keys.mjs");
  const fileLabel = source === "stdin" ? "imported" : basename(source, extname(source));
  const label = opts.label ?? fileLabel;
  const fixedId = opts.id !== undefined ? parseHexId(opts.id) : undefined;
  const usage = (cls) => usageTemplate(C, cls, opts.usage);
  const keyOpts = { protection: protection(C, opts), privUsages: usage("CKO_PRIVATE_KEY"), pubUsages: usage("CKO_PUBLIC_KEY") };
  if (item.kind === "private" || item.kind === "public") {
    const parts = item.kind === "private" ? privateParts(item.key) : publicParts(item.key);
    const id = fixedId ?? keyId(parts);
    const { priv, pub } = keyTemplates(C, parts, { label, id, ...keyOpts });
    const objects = [];
    if (priv) objects.push({ what: "private key", template: priv, login: true });
    if (pub && !(priv && opts.noPublic)) objects.push({ what: "public key", template: pub });
    return { source, label, id, objects };
  }
  if (item.kind === "cert") {
    const { certificateInfo, certificateTemplate } = await import("./certificates.mjs");
    let info;
    try {
      info = await certificateInfo(item.der);
    } catch (e) {
      throw new CliError(`${source}: ${e.message}`);
    }
    const id = fixedId ?? info.id;
    const certLabel = opts.label ?? info.label ?? fileLabel;
    return { source, label: certLabel, id, cert: info, objects: [{ what: "certificate", template: certificateTemplate(C, item.der, info, { label: certLabel, id, category: 0 }) }] };
  }
  const keyType = item.keyType === "aes" ? C.CKK_AES : C.CKK_GENERIC_SECRET;
  const template = [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: keyType },
    { type: C.CKA_TOKEN, value: true },
    ...keyOpts.protection,
    { type: C.CKA_LABEL, value: label },
    { type: C.CKA_VALUE, value: item.secret },
    ...(fixedId ? [{ type: C.CKA_ID, value: fixedId }] : []),
    ...usage("CKO_SECRET_KEY"),
  ];
  return { source, label, id: fixedId, objects: [{ what: `${item.keyType === "aes" ? "AES" : "generic"} secret key`, template, login: true }] };
}

/**
 * CKA_CERTIFICATE_CATEGORY when not given: authority for a CA; token
 * user when a key with the certificate's CKA_ID is on the token (or comes
 * in this import); other entity otherwise.
 */
function fillCategories(t, session, plans, opts, { categoryFromWord }) {
  const C = t.lib;
  const importedIds = new Set(plans.filter((p) => !p.cert && p.id).map((p) => p.id.toString("hex")));
  for (const plan of plans) {
    if (!plan.cert) continue;
    let category;
    if (opts.category !== undefined) category = categoryFromWord(opts.category);
    else if (plan.cert.isCA) category = 2;
    else if (importedIds.has(plan.id.toString("hex")) || findObjects(t, session, { id: plan.id.toString("hex") }).length > 0) category = 1;
    else category = 3;
    plan.objects[0].template.find((a) => a.type === C.CKA_CERTIFICATE_CATEGORY).value = category;
    plan.category = CATEGORY_NAMES[category];
  }
}

async function importCommand(t, positionals) {
  const { opts, p } = t;
  if (positionals.length === 0) throw new UsageError("import needs a FILE (or - for stdin)");
  const type = opts.type ?? "auto";
  if (!TYPES.includes(type)) throw new UsageError(`--type ${type}?`, { hint: `use ${TYPES.join(", ")}` });
  const { readKeyItems } = await import("./keyfiles.mjs");
  const parsed = [];
  for (const file of positionals) {
    const name = file === "-" ? "stdin" : file;
    const bytes = readInput(file, { max: KEY_FILE_MAX, what: "a key, certificate or JWK file" });
    if (bytes.length === 0) throw new CliError(`${name} is empty`);
    for (const item of await readKeyItems(bytes, name, opts)) parsed.push({ item, name });
  }
  const plans = [];
  for (const { item, name } of parsed) plans.push(await planItem(t, item, name, opts));
  // Every write to a stored token needs a login, public objects included:
  // the token signs each record it stores (README, security model).
  const { slot, session } = await t.open({ rw: true, login: true });
  fillCategories(t, session, plans, opts, await import("./certificates.mjs"));
  const created = [];
  const counter = plans.length > 20 ? t.progress.counter("importing", plans.length) : undefined;
  try {
    for (const [i, plan] of plans.entries()) {
      for (const o of plan.objects) {
        const handle = p.C_CreateObject(session, o.template);
        created.push({ handle, plan, what: o.what });
      }
      counter?.tick(i + 1);
    }
  } catch (e) {
    for (const c of created.reverse()) {
      try {
        p.C_DestroyObject(session, c.handle);
      } catch {}
    }
    e.context = `importing ${created.length > 0 ? "stopped; nothing kept" : "failed"}`;
    throw e;
  }
  counter?.done();
  await p.flush();
  const C = t.lib;
  const rows = created.map((c) => {
    const uid = Buffer.from(p.C_GetAttributeValue(session, c.handle, [{ type: C.CKA_UNIQUE_ID }])[0].value).toString("utf8");
    return { object: c.what, label: c.plan.label, id: c.plan.id ? c.plan.id.toString("hex") : "", uid, source: c.plan.source, ...(c.plan.category ? { category: c.plan.category } : {}) };
  });
  if (opts.json) return printJson({ slot: slot.id, imported: rows });
  for (const r of rows) print(`Imported ${r.object} "${r.label}"${r.id ? ` id ${r.id}` : ""}${r.category ? ` (${r.category})` : ""} from ${r.source} (uid ${r.uid}).`);
}

export default [
  {
    name: "import",
    aliases: ["import-key", "write-object"],
    summary: "import private keys, public keys, certificates, JWKs or raw secrets",
    usage: "pkcs11-wasm import FILE... [--type TYPE] [--label L] [--id HEX] [--login]",
    description: [
      "Reads PKCS#8 (also encrypted), traditional RSA/EC, SPKI and PKCS#1 keys, X.509",
      "certificates (PEM or DER) and JWKs (RSA, EC on the token's curves, Ed25519, X25519,",
      "oct). A private key gets its public key object too (--no-public: not). CKA_ID",
      "defaults to SHA-1 of the public key (RSA modulus or EC point), the same for a key",
      "and its certificate. Certificates get CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER",
      "and CKA_CERTIFICATE_CATEGORY (authority for a CA, token user when its key is on",
      "the token, else other entity). Raw secret bytes need --type aes|generic.",
      "Private keys and secrets are sensitive and not extractable unless you say so.",
      "Importing logs in as the user: a stored token writes no object without a login.",
      "The passphrase of an encrypted key: $PKCS11_WASM_KEY_PASSPHRASE, --passphrase-fd N or a prompt.",
    ],
    options: {
      ...SLOT_OPTIONS,
      ...LOGIN_OPTIONS,
      type: { value: "TYPE", help: `what the files hold: ${TYPES.join(", ")} (default auto)` },
      ...KEY_OPTIONS,
      label: { value: "LABEL", help: "CKA_LABEL (default: the certificate's CN or the file name)" },
      category: { value: "CAT", help: "certificate category: user, authority, other, unspecified" },
      "no-public": { help: "do not create the public key object of a private key" },
      "passphrase-fd": { value: "N", help: "read an encrypted key's passphrase from file descriptor N" },
    },
    examples: [
      "pkcs11-wasm import server.key --label server --login      # PKCS#8 or traditional PEM",
      "pkcs11-wasm import server.crt                              # the certificate (the user PIN is asked too)",
      "pkcs11-wasm import aes.bin --type aes --label backup-key --login",
    ],
    run: importCommand,
  },
];
