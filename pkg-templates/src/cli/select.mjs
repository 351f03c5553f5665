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

/** CKA_PRIVATE, CKA_SENSITIVE, CKA_EXTRACTABLE of a new private or secret key (--not-sensitive, --extractable). */
export function protection(C, opts) {
  return [
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_SENSITIVE, value: !opts.notSensitive },
    { type: C.CKA_EXTRACTABLE, value: !!opts.extractable },
  ];
}

export function parseHexId(text, flag = "--id") {
  const h = text.replace(/[:\s]/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new UsageError(`${flag} needs hex bytes, not ${JSON.stringify(text)}`);
  return Buffer.from(h, "hex");
}

/** Handles of the objects the session sees that match the selectors (`cls`: a CKO_* value). */
export function findObjects(t, session, sel = {}) {
  const C = t.lib;
  const tmpl = [];
  if (sel.label !== undefined) tmpl.push({ type: C.CKA_LABEL, value: sel.label });
  if (sel.id !== undefined) tmpl.push({ type: C.CKA_ID, value: parseHexId(sel.id) });
  if (sel.type !== undefined || sel.cls !== undefined) tmpl.push({ type: C.CKA_CLASS, value: sel.cls ?? classFromWord(C, sel.type) });
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

const BASE = ["CKA_CLASS", "CKA_LABEL", "CKA_UNIQUE_ID", "CKA_TOKEN", "CKA_PRIVATE"];
const LISTED_CLASSES = ["CKO_DATA", "CKO_CERTIFICATE", "CKO_PUBLIC_KEY", "CKO_PRIVATE_KEY", "CKO_SECRET_KEY"];

const typeLists = new WeakMap(); // lib -> Map(key -> attribute types), made once

function cached(C, key, make) {
  if (!typeLists.has(C)) typeLists.set(C, new Map());
  const lists = typeLists.get(C);
  if (!lists.has(key)) lists.set(key, make());
  return lists.get(key);
}

const baseTypes = (C) => cached(C, "base", () => BASE.map((n) => C[n]));
const summaryTypes = (C, clsName) => cached(C, `${clsName} and base`, () => [...baseTypes(C), ...classAttributes(C, clsName)]);

/** The attributes a summary reads for objects of class `clsName` (beyond BASE). */
function classAttributes(C, clsName) {
  const isKey = ["CKO_SECRET_KEY", "CKO_PRIVATE_KEY", "CKO_PUBLIC_KEY"].includes(clsName);
  const more = isKey || clsName === "CKO_CERTIFICATE" ? [C.CKA_ID] : [];
  if (isKey) more.push(C.CKA_KEY_TYPE, ...classUsageTypes(C, clsName));
  if (clsName === "CKO_SECRET_KEY" || clsName === "CKO_PRIVATE_KEY") more.push(C.CKA_SENSITIVE, C.CKA_EXTRACTABLE);
  if (clsName === "CKO_CERTIFICATE") more.push(C.CKA_CERTIFICATE_TYPE, C.CKA_CERTIFICATE_CATEGORY);
  return more;
}

/**
 * A summary of one object: what `objects` lists. With its class known
 * (`knownClass`, a CKO_* value) one C_GetAttributeValue reads it all;
 * else the class is read first.
 */
export function summarize(t, session, handle, knownClass) {
  const C = t.lib;
  const p = t.p;
  const knownName = knownClass === undefined ? undefined : nameOf(C, "CKO", knownClass);
  let m = readAttributes(p, session, handle, knownName ? summaryTypes(C, knownName) : baseTypes(C));
  const val = (type) => {
    const v = m.get(type);
    return Buffer.isBuffer(v) ? v : isValue(v) ? Buffer.from(v) : undefined;
  };
  const cls = ulong(val(C.CKA_CLASS));
  const clsName = cls === undefined ? undefined : nameOf(C, "CKO", cls);
  if (!knownName) {
    const more = cached(C, clsName, () => classAttributes(C, clsName));
    if (more.length > 0) m = new Map([...m, ...readAttributes(p, session, handle, more)]);
  }
  const isKey = ["CKO_SECRET_KEY", "CKO_PRIVATE_KEY", "CKO_PUBLIC_KEY"].includes(clsName);
  const flag = (type) => (val(type) ? bool(val(type)) : undefined);
  const usages = isKey ? USAGES.filter(([a]) => C[a] !== undefined && flag(C[a])).map(([, w]) => w) : [];
  const keyType = isKey ? ulong(val(C.CKA_KEY_TYPE)) : undefined;
  return {
    handle,
    uid: val(C.CKA_UNIQUE_ID)?.toString("utf8") ?? "",
    class: classWord(C, cls),
    cls,
    keyType,
    keyTypeName: keyType === undefined ? undefined : keyTypeWord(C, keyType),
    label: val(C.CKA_LABEL)?.toString("utf8") ?? "",
    id: val(C.CKA_ID)?.toString("hex") ?? "",
    token: flag(C.CKA_TOKEN),
    private: flag(C.CKA_PRIVATE),
    sensitive: flag(C.CKA_SENSITIVE),
    extractable: flag(C.CKA_EXTRACTABLE),
    usages,
  };
}

/**
 * Summaries of every object matching `sel`, found class by class so that
 * each object costs one C_GetAttributeValue (a token directory checks for
 * other writers at each call); objects of other classes come last.
 */
export function listObjects(t, session, sel = {}) {
  const C = t.lib;
  if (sel.type !== undefined) return findObjects(t, session, sel).map((h) => summarize(t, session, h, classFromWord(C, sel.type)));
  const out = [];
  for (const name of LISTED_CLASSES) for (const h of findObjects(t, session, { ...sel, cls: C[name] })) out.push(summarize(t, session, h, C[name]));
  const all = findObjects(t, session, sel);
  if (all.length > out.length) {
    const seen = new Set(out.map((o) => Buffer.from(o.handle).toString("hex")));
    for (const h of all) if (!seen.has(Buffer.from(h).toString("hex"))) out.push(summarize(t, session, h));
  }
  return out;
}

/** Exactly one object matching `sel` (among `classes`, CKO_* values, if given). */
export function selectOne(t, session, sel, { classes, what = "object" } = {}) {
  if (sel.label === undefined && sel.id === undefined && sel.uid === undefined) {
    throw new UsageError(`name the ${what} with --label, --id or --uid`);
  }
  let found = listObjects(t, session, sel);
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
