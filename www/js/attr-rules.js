// Why an attribute in a template is read-only for a call (PKCS#11 3.1
// section 4.1 and the attribute tables of 4.4-4.10): one sentence per
// attribute of the template that a rule covers. Pure: Node tests load it.

// Only the token sets these; they record a key's history.
const TOKEN_SET = new Set(["CKA_LOCAL", "CKA_ALWAYS_SENSITIVE", "CKA_NEVER_EXTRACTABLE", "CKA_KEY_GEN_MECHANISM", "CKA_UNIQUE_ID"]);
// Given when the object is made, never changed afterwards.
const FIXED = new Set([
  "CKA_CLASS", "CKA_KEY_TYPE", "CKA_VALUE_LEN", "CKA_VALUE", "CKA_EC_PARAMS", "CKA_EC_POINT", "CKA_MODULUS", "CKA_MODULUS_BITS",
  "CKA_PUBLIC_EXPONENT", "CKA_PRIVATE_EXPONENT", "CKA_PARAMETER_SET", "CKA_CERTIFICATE_TYPE",
]);
// Fixed by C_SetAttributeValue, but a copy may change them (4.4).
const COPY_MAY_CHANGE = new Set(["CKA_TOKEN", "CKA_PRIVATE", "CKA_MODIFIABLE"]);

const isTrue = (v) => v === true || (v instanceof Uint8Array && v.length === 1 && v[0] === 1);
const isFalse = (v) => v === false || (v instanceof Uint8Array && v.length === 1 && v[0] === 0);

/** `attrs`: [{ name: "CKA_EXTRACTABLE", value }]; returns sentences (maybe none). */
export function attributeRules(fn, attrs) {
  const changing = fn === "C_SetAttributeValue" || fn === "C_CopyObject";
  const out = [];
  for (const { name, value } of attrs) {
    if (TOKEN_SET.has(name)) {
      out.push(`${name} is set by the token itself (it records how the key came to be), never by an application, not even when the object is made.`);
    } else if (!changing) {
      continue;
    } else if (name === "CKA_EXTRACTABLE" && isTrue(value)) {
      out.push("CKA_EXTRACTABLE can be changed from true to false, never back: once a key is unextractable it can never leave the token, not even wrapped.");
    } else if (name === "CKA_SENSITIVE" && isFalse(value)) {
      out.push("CKA_SENSITIVE can be changed from false to true, never back: a value once hidden stays hidden.");
    } else if (name === "CKA_COPYABLE" && isTrue(value)) {
      out.push("CKA_COPYABLE can be changed from true to false, never back.");
    } else if (COPY_MAY_CHANGE.has(name) && fn === "C_SetAttributeValue") {
      out.push(`${name} cannot change on an existing object; a copy (C_CopyObject) may give it another value.`);
    } else if (FIXED.has(name)) {
      out.push(`${name} is fixed once the object exists: it is given when the object is made${fn === "C_CopyObject" ? ", and a copy keeps it" : ""}.`);
    }
  }
  return out;
}
