// Writes call arguments as JavaScript, for the trace (short form) and for
// snippets (the exact code that runs in Node). Numbers are named wherever
// the argument or attribute says what they are (CKA_, CKM_, CKU_, ...).
import { K, CKA, CKM, CKO, CKK, CKC, CKU, CKD, CKG_MGF, CK_PARAMS, nameOf, flagNames, SESSION_FLAGS } from "./names.js";
import { attrKind } from "./attr-kinds.js";
import { toHex, asText } from "./bytes.js";

// Parameter fields whose numbers are constants of a known family.
const FIELD_TABLE = {
  type: CK_PARAMS,
  hashAlg: CKM,
  prfHashMechanism: CKM,
  prfType: CKM,
  mgf: CKG_MGF,
  kdf: CKD,
};

/**
 * `opts.mode`: "display" or "code"; `opts.handle(n, kind)` names a handle
 * in code mode; `opts.use(name)` collects the constants a snippet needs.
 */
export function writer(opts) {
  const code = opts.mode === "code";
  const constant = (table, v) => {
    const name = nameOf(table, v);
    if (name.startsWith("0x")) return name;
    opts.use?.(name);
    return name;
  };
  const bytes = (b, hint) => {
    if (!code) {
      const t = asText(b);
      if (t !== null && t.length > 0 && t.length <= 40 && hint !== "hex") return JSON.stringify(t);
      return b.length <= 16 ? `<${toHex(b) || "empty"}>` : `<${b.length} bytes ${toHex(b.subarray(0, 6))}…>`;
    }
    const t = asText(b);
    if (t !== null && t.length > 0 && hint !== "hex" && !/[\\"\n\r\t]/.test(t)) return `Buffer.from(${JSON.stringify(t)})`;
    return `Buffer.from("${toHex(b)}", "hex")`;
  };
  const handle = (n, kind) => (code ? opts.handle(n, kind) : `${kind}#${n}`);

  function attrValue(type, v) {
    if (v === undefined || v === null) return "null";
    if (Array.isArray(v)) return template(v);
    if (typeof v === "boolean") return String(v);
    if (typeof v === "string") return JSON.stringify(v);
    if (v instanceof Date) return `new Date(${JSON.stringify(v.toISOString())})`;
    if (typeof v === "number") {
      const k = attrKind(type);
      if (k === "class") return constant(CKO, v);
      if (k === "keyType") return constant(CKK, v);
      if (k === "certType") return constant(CKC, v);
      if (k === "mechType") return constant(CKM, v);
      return String(v);
    }
    if (ArrayBuffer.isView(v)) return bytes(v);
    return value(v);
  }

  function template(t) {
    if (t.length === 0) return "[]";
    const items = t.map((a) => `{ type: ${constant(CKA, a.type)}${"value" in a && a.value !== undefined ? `, value: ${attrValue(a.type, a.value)}` : ""} }`);
    return code ? `[\n  ${items.join(",\n  ")},\n]` : `[${items.join(", ")}]`;
  }

  function value(v, field) {
    if (v === undefined) return "undefined";
    if (v === null) return "null";
    if (typeof v === "number") return FIELD_TABLE[field] ? constant(FIELD_TABLE[field], v) : String(v);
    if (typeof v === "boolean") return String(v);
    if (typeof v === "string") return JSON.stringify(v);
    if (ArrayBuffer.isView(v)) return bytes(v);
    if (Array.isArray(v)) return `[${v.map((x) => value(x)).join(", ")}]`;
    if ("$h" in v) return handle(v.$h, "object");
    if ("$out" in v) return code ? `Buffer.alloc(${v.$out})` : `out[${v.$out}]`;
    const parts = Object.entries(v).map(([k, x]) => `${k}: ${value(x, k)}`);
    return `{ ${parts.join(", ")} }`;
  }

  function mechanism(m) {
    const parts = [`mechanism: ${constant(CKM, m.mechanism)}`];
    if (m.parameter !== undefined && m.parameter !== null) parts.push(`parameter: ${value(m.parameter)}`);
    return `{ ${parts.join(", ")} }`;
  }

  /** One argument of a given signature kind. */
  function arg(kind, v) {
    switch (kind) {
      case "slot":
      case "session":
      case "object":
        return handle(v.$h ?? v, kind);
      case "flags": {
        const names = flagNames(v, SESSION_FLAGS);
        names.forEach((n) => !n.startsWith("0x") && opts.use?.(n));
        return names.join(" | ") || "0";
      }
      case "user":
        return constant(CKU, v);
      case "mechType":
        return constant(CKM, v);
      case "mech":
        return mechanism(v);
      case "template":
        return template(v);
      case "pin":
      case "text":
        return JSON.stringify(v);
      case "bytes":
        return bytes(v);
      case "out":
        return code ? `Buffer.alloc(${v.$out})` : `out[${v.$out}]`;
      default:
        return value(v);
    }
  }
  return { arg, value, template, mechanism };
}

/** "0x00000003" style numbers never need an import; everything else does. */
export const isConstantName = (s) => /^CK[A-Z_]*[A-Z0-9_]+$/.test(s) && K[s] !== undefined;
