// Lesson 8: what is stored. The raw IndexedDB records next to the objects
// the token shows: public objects are readable, private ones ciphertext.
import { el, K, H, note, ensureUser, aesTemplate } from "./common.js";
import { decodeRecord } from "../records.js";
import { renderValue } from "../render-attrs.js";
import { CKA, nameOf } from "../names.js";
import { shortHex } from "../bytes.js";

function recordTable(records, model) {
  const byUid = new Map(model.slot.objects.map((o) => [o.uid, o]));
  return el("table", { class: "records" },
    el("thead", {}, el("tr", {}, el("th", {}, "IndexedDB key"), el("th", {}, "what it holds"), el("th", {}, "as the token shows it"))),
    el("tbody", {}, records.map((raw) => {
      const r = decodeRecord(raw.key, raw.value);
      let stored;
      if (r.kind === 3) stored = el("div", {}, el("div", { class: "muted small" }, `${r.attrs.length} attributes in clear${r.recordVersion ? `, record version ${r.recordVersion}` : ""}, ${r.mac ? "HMAC" : "SHA-256 checksum"} ${r.checksum.slice(0, 16)}…`), el("ul", { class: "plain" }, r.attrs.map((a) => {
        const v = renderValue(a.type, a.value);
        return el("li", {}, el("code", {}, nameOf(CKA, a.type)), " ", v.detail?.startsWith("as text") ? v.detail.slice(9) : v.text);
      })));
      else if (r.kind === 4) stored = el("div", {}, el("div", { class: "muted small" }, `${r.recordVersion ? `record version ${r.recordVersion}, ` : ""}nonce ${r.nonce}`), el("code", { class: "cipher" }, shortHex(r.ciphertext, 48)));
      else if (r.kind === 5) stored = el("div", {}, el("div", { class: "muted small" }, `record version ${r.recordVersion}, HMAC ${r.mac.slice(0, 16)}…`), "the object was destroyed; this outranks any older copy of it");
      else if (r.kind === 1) stored = el("div", {}, `label “${r.label}”, serial ${r.serial}; PIN-wrapped master keys and settings (${r.rest} more bytes)`);
      else stored = el("div", {}, el("code", {}, shortHex(raw.value, 32)));
      const o = r.uid ? byUid.get(r.uid) : null;
      return el("tr", { class: `kind-${r.kind}` },
        el("td", { class: "mono" }, raw.key, el("div", { class: "muted small" }, `${r.size} bytes`)),
        el("td", {}, el("strong", {}, r.kindName), stored),
        el("td", {}, o ? `#${o.handle} ${o.label ? `“${o.label}”` : ""} (${o.className.toLowerCase().replace(/_/g, " ")}${o.private ? ", private" : ""})` : r.kind === 4 ? "not visible: log in as USER" : "–"),
      );
    })));
}

export default {
  id: "storage",
  title: "What is stored",
  summary: "The raw IndexedDB records: public objects in clear but signed, private ones as AES-GCM ciphertext.",
  intro: "Token objects are kept in this browser's IndexedDB, one record per object (each slot's token in its own database). Public objects are stored readable, signed with an HMAC under a key derived from the token's master key (so an edited or planted record is refused once someone logs in); private ones are encrypted with AES-256-GCM under the master key, which is itself wrapped under keys derived from the PINs (PBKDF2-HMAC-SHA256; 100,000 iterations in this demo, the least a stored token accepts; 600,000 by default). A destroyed object leaves a small signed tombstone, so no older copy can come back; after 10,000 later writes to the token (the configuration's tombstoneWrites) it is deleted, so destroyed objects do not pile up.",
  spec: ["storageObjects", "C_CreateObject", "C_GenerateKey"],
  steps: [
    {
      title: "Store a public and a private token object",
      explain: "Both have CKA_TOKEN true, so they are written to storage; one is CKA_PRIVATE false, one true.",
      call: "C_CreateObject(hSession, pTemplate); C_GenerateKey(hSession, { mechanism: CKM_AES_KEY_GEN }, pTemplate)",
      run: async (L) => {
        const s = await ensureUser(L);
        const pub = await L.must("C_CreateObject", [H(s), [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: false }, { type: K.CKA_LABEL, value: "public note" }, { type: K.CKA_VALUE, value: new TextEncoder().encode("anyone can read this") }]]);
        const priv = await L.must("C_GenerateKey", [H(s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("stored secret key", [{ type: K.CKA_TOKEN, value: true }, { type: K.CKA_SENSITIVE, value: true }])]);
        return note(`Public data object #${pub} and private key #${priv} are on the token.`);
      },
    },
    {
      title: "Read the raw records",
      explain: "The page now opens the first token's IndexedDB database directly (not through PKCS#11) and decodes each record. Compare the middle column with the right one: the private key's attributes, even its label, are ciphertext at rest.",
      run: async (L) => {
        const st = await L.token.storedRecords(0);
        if (!st.available) return note("This build of the package keeps the token in memory only (persistence is not in it yet), so there is nothing stored to show.");
        // The model read each object's CKA_UNIQUE_ID: it is the record's uid.
        await L.refresh();
        return [note(`${st.records.length} records in database “${st.dbName}”, store “records”.`), recordTable(st.records, L.model)];
      },
    },
  ],
  outro: "At rest, a private object is only ciphertext: without a PIN, the master key stays wrapped and the records are unreadable.",
};
