// `objects` (pkcs11-tool -O), `show` (one object's every attribute),
// `delete-object` (pkcs11-tool --delete-object).
import { LOGIN_OPTIONS, OBJECT_OPTIONS, SLOT_OPTIONS } from "./args.mjs";
import { allAttributeTypes, decodeAttribute, readAttributes, isValue } from "./attributes.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { nameOf } from "./names.mjs";
import { note, print, printJson, table } from "./output.mjs";
import { listObjects, selectOne } from "./select.mjs";

const flagsText = (o) => ["token", "private", "sensitive", "extractable"].filter((f) => o[f]).join(",");

function jsonObject(o) {
  const { handle, cls, keyType, keyTypeName, ...rest } = o;
  return { ...rest, keyType: keyTypeName ?? null };
}

async function objects(t) {
  const { opts } = t;
  const { session } = await t.open({ login: opts.login });
  const list = listObjects(t, session, opts);
  if (opts.json) return printJson({ loggedIn: !!opts.login, objects: list.map(jsonObject) });
  if (list.length === 0) print("(no objects)");
  else {
    const rows = list.map((o) => [o.uid.slice(0, 8), o.class, o.keyTypeName ?? "-", o.label, o.id || "-", flagsText(o), o.usages.join(",")]);
    print(table(["uid", "class", "type", "label", "id", "flags", "usages"], rows));
  }
  if (!opts.login) note("(public objects only: add --login to see private ones)");
}

// Certificate fields shown decoded (DER names, serial, validity).
async function certificateDetails(der) {
  const { describeCertificate } = await import("./certificates.mjs");
  return describeCertificate(der);
}

async function show(t) {
  const { opts, lib: C, p } = t;
  const { session } = await t.open({ login: opts.login });
  const o = selectOne(t, session, opts);
  const values = readAttributes(p, session, o.handle, allAttributeTypes(C));
  const attributes = {};
  const lines = [];
  for (const [type, v] of values) {
    const name = nameOf(C, "CKA", type);
    if (!isValue(v) && !Array.isArray(v)) {
      if (v.error === "CKR_ATTRIBUTE_SENSITIVE") {
        attributes[name] = { sensitive: true };
        lines.push([name, "(sensitive: never leaves the token)"]);
      }
      continue; // CKR_ATTRIBUTE_TYPE_INVALID: not an attribute of this object
    }
    const d = decodeAttribute(C, type, v, o);
    attributes[name] = d.json;
    // Long values (certificates, moduli) cut for the terminal; --json has them whole.
    lines.push([name, d.text.length > 100 ? `${d.text.slice(0, 64)}... (${v.length} bytes)` : d.text]);
  }
  let certificate;
  if (o.cls === C.CKO_CERTIFICATE && isValue(values.get(C.CKA_VALUE))) {
    certificate = await certificateDetails(Buffer.from(values.get(C.CKA_VALUE)));
  }
  if (opts.json) return printJson({ uid: o.uid, class: o.class, attributes, certificate });
  print(`${o.class} ${JSON.stringify(o.label)} (uid ${o.uid})`);
  print(table(["attribute", "value"], lines.map(([n, text]) => [`  ${n}`, text])).split("\n").slice(1).join("\n"));
  if (certificate) {
    print("certificate:");
    for (const [k, v] of Object.entries(certificate)) print(`  ${k}: ${v}`);
  }
}

async function deleteObject(t) {
  const { opts, p } = t;
  // Destroying a stored token object writes its tombstone: a login.
  const { session } = await t.open({ rw: true, login: true });
  let targets;
  if (opts.all) {
    if (opts.label === undefined && opts.id === undefined && opts.uid === undefined && opts.type === undefined) {
      throw new UsageError("--all needs at least one of --label, --id, --uid, --type");
    }
    targets = listObjects(t, session, opts);
    if (targets.length === 0) throw new CliError("no object matches");
  } else {
    targets = [selectOne(t, session, opts)];
  }
  for (const o of targets) p.C_DestroyObject(session, o.handle);
  if (opts.json) return printJson({ deleted: targets.map(jsonObject) });
  for (const o of targets) print(`Deleted ${o.class} ${JSON.stringify(o.label)} (uid ${o.uid}).`);
}

export default [
  {
    name: "objects",
    aliases: ["list-objects", "ls"],
    summary: "list objects: class, key type, label, id, flags and usages",
    usage: "pkcs11-wasm objects [--login] [--label L] [--id HEX] [--type CLASS] [--json]",
    description: ["Without --login only public objects are visible (PKCS#11 hides private ones)."],
    options: { ...SLOT_OPTIONS, ...LOGIN_OPTIONS, ...OBJECT_OPTIONS },
    examples: ["pkcs11-wasm objects --directory ./token --login", "pkcs11-wasm objects --type cert --json"],
    run: objects,
  },
  {
    name: "show",
    aliases: ["show-object", "read-object"],
    summary: "show every attribute of one object, decoded",
    usage: "pkcs11-wasm show (--label L | --id HEX | --uid UID) [--type CLASS] [--login]",
    description: ["Sensitive values are shown as such: they never leave the token."],
    options: { ...SLOT_OPTIONS, ...LOGIN_OPTIONS, ...OBJECT_OPTIONS },
    examples: ["pkcs11-wasm show --label 'signing key' --type privkey --login"],
    run: show,
  },
  {
    name: "delete-object",
    aliases: ["destroy-object", "rm"],
    summary: "destroy one object (or, with --all, every match)",
    usage: "pkcs11-wasm delete-object (--label L | --id HEX | --uid UID) [--type CLASS] [--all] [--login]",
    options: { ...SLOT_OPTIONS, ...LOGIN_OPTIONS, ...OBJECT_OPTIONS, all: { help: "destroy every object that matches" } },
    examples: ["pkcs11-wasm delete-object --label old-key --type secret --login"],
    run: deleteObject,
  },
];
