// Prints the token's mechanism list as a Markdown table (for README),
// straight from C_GetMechanismList / C_GetMechanismInfo of the built package.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkcs11js = require("../pkg/index.cjs");

const names = new Map();
for (const [name, value] of Object.entries(pkcs11js)) {
  if (name.startsWith("CKM_") && typeof value === "number" && !names.has(value)) names.set(value, name);
}
const FLAGS = [
  ["CKF_ENCRYPT", "encrypt"], ["CKF_DECRYPT", "decrypt"], ["CKF_DIGEST", "digest"], ["CKF_SIGN", "sign"],
  ["CKF_VERIFY", "verify"], ["CKF_GENERATE", "generate"], ["CKF_GENERATE_KEY_PAIR", "generate pair"],
  ["CKF_WRAP", "wrap"], ["CKF_UNWRAP", "unwrap"], ["CKF_DERIVE", "derive"],
  ["CKF_ENCAPSULATE", "encapsulate"], ["CKF_DECAPSULATE", "decapsulate"],
  ["CKF_MESSAGE_ENCRYPT", "message encrypt"], ["CKF_MESSAGE_SIGN", "message sign"],
];

const p = new pkcs11js.PKCS11();
p.C_Initialize();
const [slot] = p.C_GetSlotList(false);
const rows = p.C_GetMechanismList(slot).map((m) => {
  const info = p.C_GetMechanismInfo(slot, m);
  const uses = FLAGS.filter(([f]) => pkcs11js[f] !== undefined && info.flags & pkcs11js[f]).map(([, label]) => label);
  const sizes = info.minKeySize || info.maxKeySize ? `${info.minKeySize}–${info.maxKeySize}` : "–";
  return `| ${names.get(m) ?? `0x${m.toString(16)}`} | ${sizes} | ${uses.join(", ")} |`;
});
p.C_Finalize();
console.log(`${rows.length} mechanisms (key sizes in the unit PKCS#11 gives each: bits for RSA/EC, bytes for most secret keys).\n`);
console.log("| mechanism | key size | functions |\n|---|---|---|");
console.log(rows.join("\n"));
