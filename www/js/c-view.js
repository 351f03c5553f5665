// The same call as a C program would make it, for the conventions the
// JavaScript hides (PKCS#11 3.1 section 5.2): output buffers sized by a
// first call with a NULL pointer, the two-call C_GetAttributeValue, the
// C_FindObjects loop, and the count and length arguments pkcs11js fills
// in. Pure (names come from `names.attr`), so Node tests load it.
import { SIGNATURES, syncName } from "./signatures.js";

const lenOf = (v) => (v && typeof v.length === "number" ? v.length : "?");

/** Output-buffer calls: ask for the length, allocate, call again. */
function sized(rec, sig) {
  const i = sig.findIndex(([, k]) => k === "out");
  const out = sig[i][0];
  const len = `ul${out.slice(1)}Len`;
  const inputs = sig.slice(1, i).map(([name, kind], j) => (kind === "bytes" ? `${name}, ${lenOf(rec.args[j + 1])}` : name));
  const head = ["hSession", ...inputs].join(", ");
  const got = rec.ok && rec.value && typeof rec.value.length === "number" ? `  /* ${len} = ${rec.value.length} */` : "";
  if (rec.fn === "C_GenerateRandom") {
    return `${rec.fn}(hSession, pRandomData, ${rec.args[1]?.$out ?? "n"});  /* the length is an input: nothing to ask */`;
  }
  return [
    `CK_ULONG ${len};`,
    `${rec.fn}(${head}, NULL_PTR, &${len});  /* asks the size only */`,
    `CK_BYTE_PTR ${out} = malloc(${len});`,
    `${rec.fn}(${head}, ${out}, &${len});${got}`,
    `/* pkcs11js skips the first call: it passes your Buffer (${rec.args[i]?.$out ?? "?"} bytes) and its length;`,
    `   too small gives CKR_BUFFER_TOO_SMALL and the operation stays active. */`,
  ].join("\n");
}

function getAttributes(rec, names) {
  const t = rec.args[2] ?? [];
  const entries = t.map((a) => `{ ${names.attr(a.type)}, NULL_PTR, 0 }`).join(", ");
  const lines = [
    `CK_ATTRIBUTE pTemplate[] = { ${entries} };`,
    `C_GetAttributeValue(hSession, hObject, pTemplate, ${t.length});  /* fills each ulValueLen */`,
    "/* allocate each pValue with its ulValueLen, then: */",
    `C_GetAttributeValue(hSession, hObject, pTemplate, ${t.length});  /* fills each pValue */`,
  ];
  if (rec.rvName === "CKR_ATTRIBUTE_SENSITIVE") {
    lines.push("/* a secret attribute gets ulValueLen = CK_UNAVAILABLE_INFORMATION and the call returns CKR_ATTRIBUTE_SENSITIVE;",
      "   the other attributes of the template are still filled in */");
  }
  return lines.join("\n");
}

function findLoop(rec) {
  const n = rec.args[1] ?? 1;
  return [
    `CK_OBJECT_HANDLE phObject[${n}];`,
    "CK_ULONG ulObjectCount;",
    "do {",
    `  C_FindObjects(hSession, phObject, ${n}, &ulObjectCount);${rec.ok && Array.isArray(rec.value) ? `  /* this call: ${rec.value.length} */` : ""}`,
    "  /* use phObject[0 .. ulObjectCount - 1] */",
    "} while (ulObjectCount > 0);  /* 0 handles: the search is over; then C_FindObjectsFinal */",
  ].join("\n");
}

/** C text for a record, or null when the JavaScript call reads the same as C. */
export function cView(rec, names) {
  if (/Async$/.test(rec.fn)) {
    const fn = syncName(rec.fn);
    const base = cView({ ...rec, fn }, names);
    const note = `/* C has no ${rec.fn}: pkcs11js makes the ${fn} call off the calling thread and resolves a Promise;\n   a C application calls ${fn} from a thread of its own. */`;
    return base ? `${note}\n${base}` : `${note}\n${fn}(...);`;
  }
  const sig = SIGNATURES[rec.fn];
  if (!sig) return null;
  if (rec.fn === "C_GetAttributeValue") return getAttributes(rec, names);
  if (rec.fn === "C_FindObjects") return findLoop(rec);
  if (sig.some(([, k]) => k === "out")) return sized(rec, sig);
  const t = sig.findIndex(([, k]) => k === "template");
  if (t >= 0) {
    const made = { C_CreateObject: "phObject", C_CopyObject: "phNewObject", C_GenerateKey: "phKey", C_UnwrapKey: "phKey", C_DeriveKey: "phKey" }[rec.fn];
    const args = sig.map(([name, kind], i) => (kind === "template" ? `${name}, ${lenOf(rec.args[i])}` : kind === "bytes" ? `${name}, ${lenOf(rec.args[i])}` : name));
    if (rec.fn === "C_GenerateKeyPair") args.push("&hPublicKey", "&hPrivateKey");
    else if (made) args.push(`&${made.slice(1)}`);
    return `${rec.fn}(${args.join(", ")});  /* a template is an array of CK_ATTRIBUTE and its count */`;
  }
  return null;
}
