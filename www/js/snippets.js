// Turns recorded calls into a Node program that runs unchanged with the
// package: `node snippet.js` after installing pkcs11-wasm built from its
// repository (it is not on the npm registry yet).
// Handles become variables named after the call that made them; bytes the
// token produced (ciphertexts, signatures, wrapped keys) are passed on by
// variable, since a fresh token in Node makes different keys.
import { SIGNATURES, RESULTS } from "./signatures.js";
import { writer } from "./jsvalue.js";
import { toHex, asText } from "./bytes.js";

const OUTPUT_NAMES = {
  C_Encrypt: "encrypted", C_Decrypt: "decrypted", C_Sign: "signature", C_Digest: "digest",
  C_WrapKey: "wrapped", C_GenerateRandom: "random",
  C_EncryptUpdate: "encryptedPart", C_EncryptFinal: "lastEncryptedPart", C_DecryptUpdate: "part", C_DecryptFinal: "lastPart",
  C_SignFinal: "signature", C_DigestFinal: "digest",
  C_EncryptAsync: "encrypted", C_DecryptAsync: "decrypted", C_SignAsync: "signature", C_DigestAsync: "digest",
};
// Calls that return a Promise (pkcs11js's Async forms, pkcs11-wasm's enableMember): awaited.
const awaited = (fn) => /Async$/.test(fn) || fn === "enableMember";
// Failures that on a token group depend on which member served the call (one unplugged).
const MEMBER_DEPENDENT = new Set(["CKR_DEVICE_ERROR", "CKR_DEVICE_REMOVED", "CKR_TOKEN_NOT_PRESENT"]);
/** A token group of in-memory members, for a playground slot that is a group. */
const groupConfig = (n) => `{ group: { members: [${Array.from({ length: n }, (_, i) => `{ storage: { memory: "member-${i}" } }`).join(", ")}] } }`;
const OBJECT_NAMES = {
  C_GenerateKey: "key", C_CreateObject: "object", C_CopyObject: "copy", C_UnwrapKey: "unwrapped", C_DeriveKey: "derived",
};

/**
 * `records`: trace records (inspection calls are skipped unless their
 * results are used). `ctx`: { kdfIterations, slotCount, slotIndex(n),
 * setup: [{ slotIndex, label, soPin, userPin, userPinInitialized }] (the
 * tokens initialized when the page started), mark: seq of the call to
 * point out, groupSlots: indexes of the slots that are token groups (in
 * Node: groups of in-memory members), groupCall(record): whether a call
 * was made on a group }.
 */
export function snippet(records, ctx) {
  const used = new Set();
  const names = new Map(); // "session:1" -> "session1"
  const outputs = new Map(); // hex -> variable
  const counters = {};
  let needHandle = false;
  let needExpect = false;
  let needMaybe = false;
  const isAsync = records.some((r) => r.group !== "inspect" && awaited(r.fn));
  const onGroup = records.some((r) => r.group !== "inspect" && ctx.groupCall?.(r));
  const fresh = (base) => `${base}${(counters[base] = (counters[base] ?? 0) + 1)}`;

  const w = writer({
    mode: "code",
    use: (n) => used.add(n),
    handle: (n, kind) => {
      if (kind === "slot") return `slots[${ctx.slotIndex(n)}]`;
      const found = names.get(`${kind}:${n}`) ?? (kind === "object" ? names.get(`object:${n}`) : undefined);
      if (found) return found;
      needHandle = true;
      return `handle(${n}) /* a ${kind} from before this snippet */`;
    },
  });
  const argText = (fn, args) => {
    const sig = SIGNATURES[fn] ?? [];
    return args.map((a, i) => {
      const kind = sig[i]?.[1];
      if (kind === "bytes" && ArrayBuffer.isView(a) && outputs.has(toHex(a))) return outputs.get(toHex(a));
      return w.arg(kind, a);
    });
  };

  const body = [];
  // As many in-memory slots as the playground has IndexedDB ones.
  const slotConfigs = Array.from({ length: ctx.slotCount ?? 1 }, (_, i) => (ctx.groupSlots?.includes(i) ? groupConfig(ctx.groupMembers ?? 3) : '{ storage: "memory" }'));
  const slotList = slotConfigs.length > 1 ? `, slots: [${slotConfigs.join(", ")}]` : "";
  const config = `{ kdfIterations: ${ctx.kdfIterations}${slotList} }`;
  const emitSetup = () => {
    const tokens = ctx.setup ?? [];
    if (!tokens.length) return;
    body.push("", "// Set-up: in Node the tokens start empty; make them like the playground's.");
    used.add("CKF_SERIAL_SESSION").add("CKF_RW_SESSION").add("CKU_SO");
    for (const t of tokens) {
      const slot = `slots[${t.slotIndex}]`;
      body.push(`pkcs11.C_InitToken(${slot}, ${JSON.stringify(t.soPin)}, ${JSON.stringify(t.label)});`);
      if (!t.userPinInitialized) continue;
      body.push(
        "{",
        `  const s = pkcs11.C_OpenSession(${slot}, CKF_SERIAL_SESSION | CKF_RW_SESSION);`,
        `  pkcs11.C_Login(s, CKU_SO, ${JSON.stringify(t.soPin)});`,
        `  pkcs11.C_InitPIN(s, ${JSON.stringify(t.userPin)});`,
        "  pkcs11.C_CloseSession(s);",
        "}",
      );
    }
    body.push("");
  };

  let skipInit = false;
  let prev = null; // the last record written
  for (const r of records) {
    if (r.group !== "inspect" && r.fn !== "deleteToken") prev = r;
    if (r.fn === "C_Initialize") {
      if (skipInit) {
        skipInit = false;
        continue;
      }
      body.push("pkcs11.C_Initialize();", "const slots = pkcs11.C_GetSlotList(false);");
      if (r.seq === 1 || r.origin === "page start") emitSetup();
      continue;
    }
    if (r.fn === "deleteToken") {
      // A reset wipes every token: one fresh module stands for all of them.
      if (prev?.fn === "deleteToken") continue;
      prev = r;
      body.push(
        "",
        "// The playground wiped its demo tokens here (pkcs11-wasm's deleteToken); a fresh module does the same in memory.",
        "pkcs11.close();",
        `pkcs11 = new pkcs11js.PKCS11(${config});`,
        "pkcs11.C_Initialize();",
      );
      names.clear();
      skipInit = true;
      continue;
    }
    // The page's own inspection calls are not part of what the learner did.
    if (r.group === "inspect") continue;
    const args = argText(r.fn, r.args);
    let call = `${awaited(r.fn) ? "await " : ""}pkcs11.${r.fn}(${args.join(", ")})`;
    if (r.seq === ctx.mark) body.push("", "// ---- the call you picked ----");
    if (!r.ok) {
      const dependent = MEMBER_DEPENDENT.has(r.rvName) && ctx.groupCall?.(r);
      if (dependent) needMaybe = true;
      else needExpect = true;
      const f = isAsync ? `async () => ${call}` : `() => ${call}`;
      body.push(`${isAsync ? "await " : ""}${dependent ? "maybeError" : "expectError"}(${JSON.stringify(r.rvName ?? "TypeError")}, ${f});`);
      continue;
    }
    const kind = RESULTS[r.fn];
    if (kind === "session") {
      const v = fresh("session");
      names.set(`session:${r.value}`, v);
      body.push(`const ${v} = ${call};`);
    } else if (kind === "object") {
      const v = fresh(OBJECT_NAMES[r.fn] ?? "object");
      names.set(`object:${r.value}`, v);
      body.push(`const ${v} = ${call};`);
    } else if (kind === "keypair") {
      const pub = fresh("publicKey");
      const priv = fresh("privateKey");
      names.set(`object:${r.value.publicKey}`, pub);
      names.set(`object:${r.value.privateKey}`, priv);
      body.push(`const { publicKey: ${pub}, privateKey: ${priv} } = ${call};`);
    } else if (kind === "objects") {
      const v = fresh("found");
      (r.value ?? []).forEach((h, i) => names.set(`object:${h}`, `${v}[${i}]`));
      body.push(`const ${v} = ${call};`);
    } else if (OUTPUT_NAMES[r.fn]) {
      const v = fresh(OUTPUT_NAMES[r.fn]);
      if (r.value && ArrayBuffer.isView(r.value)) outputs.set(toHex(r.value), v);
      // Text (a decrypted message) prints as text, anything else as hex.
      const t = r.value && ArrayBuffer.isView(r.value) ? asText(r.value) : null;
      body.push(`const ${v} = ${call};`, `console.log("${r.fn}:", ${v}.toString(${t ? '"utf8"' : '"hex"'}));`);
    } else if (r.fn === "C_Verify" || r.fn === "C_VerifyFinal") {
      body.push(`console.log("C_Verify:", ${call});`);
    } else if (/^C_Get/.test(r.fn) || r.fn === "groupStatus") {
      body.push(`console.log("${r.fn}:", ${call});`);
    } else {
      body.push(`${call};`);
    }
  }
  body.push("", "pkcs11.C_Finalize();");

  const head = [
    "// Generated by the pkcs11-wasm playground from the calls it made.",
    "// Runs in Node 20+ with the pkcs11-wasm package, which is not on the npm",
    "// registry yet: build it in a clone of its repository (npm run build), then",
    "//   npm install /path/to/pkcs11-wasm/pkg && node this-file.js",
    'const pkcs11js = require("pkcs11-wasm");',
  ];
  const consts = [...used].sort();
  if (consts.length) head.push(`const { ${consts.join(", ")} } = pkcs11js;`);
  head.push("", `// The playground lowers the PIN key derivation (default 600,000 iterations) so logins are instant.`);
  head.push(`let pkcs11 = new pkcs11js.PKCS11(${config});`);
  if (needHandle) {
    head.push(
      "",
      "// Handles the playground had before this sequence (a fresh token in Node may not have them).",
      "function handle(n) {",
      "  const b = Buffer.alloc(8);",
      "  b.writeBigUInt64LE(BigInt(n));",
      "  return b;",
      "}",
    );
  }
  const [fnKw, callKw] = isAsync ? ["async function", "await "] : ["function", ""];
  if (needExpect) {
    head.push(
      "",
      "// Calls that failed in the playground fail here too, with the same CKR_ code.",
      `${fnKw} expectError(name, f) {`,
      "  try {",
      `    ${callKw}f();`,
      "  } catch (e) {",
      "    if (e.message === name || e.name === name) return console.log(`expected failure: ${name}`);",
      "    throw e;",
      "  }",
      "  throw new Error(`expected ${name}`);",
      "}",
    );
  }
  if (needMaybe) {
    head.push(
      "",
      "// Failed in the playground because of the member that served the call (one was unplugged);",
      "// here another member may serve it, so it may succeed.",
      `${fnKw} maybeError(name, f) {`,
      "  try {",
      `    ${callKw}f();`,
      "    console.log(`succeeded here (the playground got ${name})`);",
      "  } catch (e) {",
      "    if (e.message !== name) throw e;",
      "    console.log(`failed as in the playground: ${name}`);",
      "  }",
      "}",
    );
  }
  if (onGroup) {
    head.push(
      "",
      "// The token group's members are in memory, in this thread. Which member serves a call",
      "// depends on what is in flight: here calls run one after another, so other members may",
      "// serve them than in the playground (its members were Web Workers, its calls concurrent).",
    );
  }
  if (isAsync) return [...head, "", "(async () => {", ...body, "})().catch((e) => {", "  console.error(e);", "  process.exitCode = 1;", "});", ""].join("\n");
  return [...head, "", ...body, ""].join("\n");
}
