// Decodes the token's raw IndexedDB records (src/store/format.rs):
// "P11W", format version, kind; 1 token, 2 PIN counters, 3 public object
// in the clear, 4 sealed object (AES-256-GCM), 5 tombstone of a destroyed
// object. Format 2 object records carry a record version after the uid;
// token, public and tombstone records end with an HMAC-SHA256 under a key
// derived from the master key (format 1 had a SHA-256 checksum there).
import { toHex, asText } from "./bytes.js";

const KINDS = { 1: "token", 2: "PIN counters", 3: "public object (clear, signed)", 4: "sealed object (encrypted)", 5: "tombstone (destroyed object)" };

export function decodeRecord(key, b) {
  const r = { key, size: b.length, hex: toHex(b) };
  if (b.length < 6 || asText(b.subarray(0, 4)) !== "P11W") return { ...r, kindName: "unknown (no P11W magic)" };
  r.version = b[4];
  r.kind = b[5];
  r.kindName = KINDS[r.kind] ?? `kind ${r.kind}`;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    if (r.kind === 1) {
      r.tokenId = toHex(b.subarray(6, 22));
      r.label = (asText(b.subarray(22, 54)) ?? "").trimEnd();
      r.serial = (asText(b.subarray(54, 70)) ?? "").trimEnd();
      r.rest = b.length - 70;
    } else if (r.kind >= 3 && r.kind <= 5) {
      const uidLen = b[6];
      r.uid = asText(b.subarray(7, 7 + uidLen));
      let off = 7 + uidLen;
      if (r.version >= 2) {
        r.recordVersion = dv.getBigUint64(off).toString();
        off += 8;
      }
      if (r.kind === 5) {
        r.mac = toHex(b.subarray(off, off + 32));
      } else if (r.kind === 4) {
        r.nonce = toHex(b.subarray(off, off + 12));
        r.ciphertext = b.subarray(off + 12);
      } else {
        const n = dv.getUint32(off);
        off += 4;
        r.attrs = [];
        for (let i = 0; i < n; i++) {
          const type = Number(dv.getBigUint64(off));
          const len = dv.getUint32(off + 8);
          r.attrs.push({ type, value: b.slice(off + 12, off + 12 + len) });
          off += 12 + len;
        }
        r.checksum = toHex(b.subarray(off, off + 32)); // a MAC in format 2
        r.mac = r.version >= 2 ? r.checksum : undefined;
      }
    }
  } catch {
    r.error = "truncated record";
  }
  return r;
}
