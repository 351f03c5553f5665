// Finding objects (by label, id, unique id, class) and summarizing them
// for lists: class, key type, label, id, flags, usages.
import { bool, readAttributes, ulong, isValue } from "./attributes.mjs";
import { CliError, UsageError } from "./errors.mjs";
import { classFromWord, classWord, keyTypeWord, nameOf } from "./names.mjs";

const USAGES = [
  ["CKA_ENCRYPT", "encrypt"],
  ["CKA_DECRYPT", "decrypt"],
  ["CKA_SIGN", "sign"],
  ["CKA_VERIFY", "verify"],
  ["CKA_SIGN_RECOVER", "sign-recover"],
  ["CKA_VERIFY_RECOVER", "verify-recover"],
  ["CKA_WRAP", "wrap"],
  ["CKA_UNWRAP", "unwrap"],
  ["CKA_DERIVE", "derive"],
  ["CKA_ENCAPSULATE", "encapsulate"],
  ["CKA_DECAPSULATE", "decapsulate"],
];
export const USAGE_WORDS = USAGES.map(([, w]) => w);

// The usage attributes of each key class (CKO_* name).
const CLASS_USAGES = {
  CKO_SECRET_KEY: ["encrypt", "decrypt", "sign", "verify", "wrap", "unwrap", "derive"],
  CKO_PRIVATE_KEY: ["decrypt", "sign", "sign-recover", "unwrap", "derive", "decapsulate"],
  CKO_PUBLIC_KEY: ["encrypt", "verify", "verify-recover", "wrap", "derive", "encapsulate"],
};

const usageAttr = (lib, word) => lib[USAGES.find(([, w]) => w === word)[0]];

/** The usage attributes (type numbers) a class has, that the package names. */
function classUsageTypes(lib, clsName) {
  return (CLASS_USAGES[clsName] ?? []).map((w) => usageAttr(lib, w)).filter((t) => t !== undefined);
}

/**
 * Template entries for --usage LIST on a key of class `clsName`: the
 * listed usages true, the class's others false. undefined: no --usage.
 */
export function usageTemplate(lib, clsName, list) {
  if (list === undefined) return [];
  const words = list.split(",").map((w) => w.trim().toLowerCase()).filter(Boolean);
  for (const w of words) if (!USAGE_WORDS.includes(w)) throw new UsageError(`unknown usage ${JSON.stringify(w)}`, { hint: `use ${USAGE_WORDS.join(", ")}` });
  return (CLASS_USAGES[clsName] ?? [])
    .filter((w) => usageAttr(lib, w) !== undefined)
    .map((w) => ({ type: usageAttr(lib, w), value: words.includes(w) }));
}

export function parseHexId(text, flag = "--id") {
  const h = text.replace(/[:\s]/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new UsageError(`${flag} needs hex bytes, not ${JSON.stringify(text)}`);
  return Buffer.from(h, "hex");
}

/** Handles of the objects the session sees that match the selectors. */
export function findObjects(t, session, sel = {}) {
  const C = t.lib;
  const tmpl = [];
  if (sel.label !== undefined) tmpl.push({ type: C.CKA_LABEL, value: sel.label });
  if (sel.id !== undefined) tmpl.push({ type: C.CKA_ID, value: parseHexId(sel.id) });
  if (sel.type !== undefined) tmpl.push({ type: C.CKA_CLASS, value: classFromWord(C, sel.type) });
  if (sel.uid !== undefined && sel.uid.length === 32) tmpl.push({ type: C.CKA_UNIQUE_ID, value: sel.uid });
  const p = t.p;
  p.C_FindObjectsInit(session, tmpl);
  let found = [];
  try {
    for (;;) {
      const batch = p.C_FindObjects(session, 1000);
      found.push(...batch);
      if (batch.length < 1000) break;
    }
  } finally {
    p.C_FindObjectsFinal(session);
  }
  if (sel.uid !== undefined && sel.uid.length !== 32) {
    found = found.filter((h) => {
      const v = readAttributes(p, session, h, [C.CKA_UNIQUE_ID]).get(C.CKA_UNIQUE_ID);
      return isValue(v) && Buffer.from(v).toString("utf8").startsWith(sel.uid);
    });
  }
  return found;
}

/** A summary of one object: what `objects` lists. */
export function summarize(t, session, handle) {
  const C = t.lib;
  const p = t.p;
  const base = readAttributes(p, session, handle, [C.CKA_CLASS, C.CKA_LABEL, C.CKA_UNIQUE_ID, C.CKA_TOKEN, C.CKA_PRIVATE]);
  const val = (m, type) => (isValue(m.get(type)) ? Buffer.from(m.get(type)) : undefined);
  const cls = ulong(val(base, C.CKA_CLASS));
  const clsName = cls === undefined ? undefined : nameOf(C, "CKO", cls);
  const isKey = ["CKO_SECRET_KEY", "CKO_PRIVATE_KEY", "CKO_PUBLIC_KEY"].includes(clsName);
  const more = [C.CKA_ID];
  if (isKey) more.push(C.CKA_KEY_TYPE, ...classUsageTypes(C, clsName));
  if (clsName === "CKO_SECRET_KEY" || clsName === "CKO_PRIVATE_KEY") more.push(C.CKA_SENSITIVE, C.CKA_EXTRACTABLE);
  if (clsName === "CKO_CERTIFICATE") more.push(C.CKA_CERTIFICATE_TYPE, C.CKA_CERTIFICATE_CATEGORY);
  const m = readAttributes(p, session, handle, more);
  const flag = (map, type) => (val(map, type) ? bool(val(map, type)) : undefined);
  const usages = isKey ? USAGES.filter(([a]) => C[a] !== undefined && flag(m, C[a])).map(([, w]) => w) : [];
  const keyType = isKey ? ulong(val(m, C.CKA_KEY_TYPE)) : undefined;
  return {
    handle,
    uid: val(base, C.CKA_UNIQUE_ID)?.toString("utf8") ?? "",
    class: classWord(C, cls),
    cls,
    keyType,
    keyTypeName: keyType === undefined ? undefined : keyTypeWord(C, keyType),
    label: val(base, C.CKA_LABEL)?.toString("utf8") ?? "",
    id: val(m, C.CKA_ID)?.toString("hex") ?? "",
    token: flag(base, C.CKA_TOKEN),
    private: flag(base, C.CKA_PRIVATE),
    sensitive: flag(m, C.CKA_SENSITIVE),
    extractable: flag(m, C.CKA_EXTRACTABLE),
    usages,
  };
}

/** Exactly one object matching `sel` (among `classes`, CKO_* values, if given). */
export function selectOne(t, session, sel, { classes, what = "object" } = {}) {
  if (sel.label === undefined && sel.id === undefined && sel.uid === undefined) {
    throw new UsageError(`name the ${what} with --label, --id or --uid`);
  }
  let found = findObjects(t, session, sel).map((h) => summarize(t, session, h));
  if (classes) found = found.filter((o) => classes.includes(o.cls));
  if (found.length === 1) return found[0];
  const named = [sel.label && `label ${JSON.stringify(sel.label)}`, sel.id && `id ${sel.id}`, sel.uid && `uid ${sel.uid}`].filter(Boolean).join(", ");
  if (found.length === 0) {
    throw new CliError(`no ${what} with ${named}${t.loggedIn ? "" : " among the public objects"}`, {
      hint: t.loggedIn ? "`pkcs11-wasm objects --login` lists them" : "add --login to see private objects; `pkcs11-wasm objects` lists them",
    });
  }
  throw new CliError(`${found.length} objects match ${named} (${found.map((o) => `${o.class} ${o.uid.slice(0, 8)}`).join(", ")})`, {
    hint: "narrow it with --type or --uid",
  });
}
