// CK_*_INFO structures from the shell's C layout (CK_ULONG = 8 bytes LE,
// versions 2 bytes, no padding) into pkcs11js's objects: same key order,
// text fields decoded over their full fixed width (no trimming), counts as
// the low 32 bits (napi_create_uint32), token memory sizes as BigInt.
import { text, out } from "./bytes.js";

function reader(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  return {
    text(n) {
      const s = text(bytes.subarray(off, off + n));
      off += n;
      return s;
    },
    ulong() {
      const v = dv.getUint32(off, true);
      off += 8;
      return v;
    },
    bigint() {
      const v = dv.getBigUint64(off, true);
      off += 8;
      return v;
    },
    version() {
      const v = { major: bytes[off], minor: bytes[off + 1] };
      off += 2;
      return v;
    },
    /** utcTime: at most 16 characters, up to the first NUL (pkcs11js uses strncpy). */
    utcTime() {
      const field = bytes.subarray(off, off + 16);
      off += 16;
      const nul = field.indexOf(0);
      return text(nul < 0 ? field : field.subarray(0, nul));
    },
    handle() {
      const h = out(bytes.slice(off, off + 8));
      off += 8;
      return h;
    },
  };
}

export function moduleInfo(bytes) {
  const r = reader(bytes);
  return {
    cryptokiVersion: r.version(),
    manufacturerID: r.text(32),
    flags: r.ulong(),
    libraryDescription: r.text(32),
    libraryVersion: r.version(),
  };
}

export function slotInfo(bytes) {
  const r = reader(bytes);
  return {
    slotDescription: r.text(64),
    manufacturerID: r.text(32),
    flags: r.ulong(),
    hardwareVersion: r.version(),
    firmwareVersion: r.version(),
  };
}

export function tokenInfo(bytes) {
  const r = reader(bytes);
  // Read in C order, then lay out in pkcs11js's key order.
  const label = r.text(32);
  const manufacturerID = r.text(32);
  const model = r.text(16);
  const serialNumber = r.text(16);
  const flags = r.ulong();
  const maxSessionCount = r.ulong();
  const sessionCount = r.ulong();
  const maxRwSessionCount = r.ulong();
  const rwSessionCount = r.ulong();
  const maxPinLen = r.ulong();
  const minPinLen = r.ulong();
  const totalPublicMemory = r.bigint();
  const freePublicMemory = r.bigint();
  const totalPrivateMemory = r.bigint();
  const freePrivateMemory = r.bigint();
  const hardwareVersion = r.version();
  const firmwareVersion = r.version();
  const utcTime = r.utcTime();
  return {
    label,
    manufacturerID,
    model,
    serialNumber,
    flags,
    maxSessionCount,
    sessionCount,
    maxRwSessionCount,
    rwSessionCount,
    maxPinLen,
    minPinLen,
    hardwareVersion,
    firmwareVersion,
    utcTime,
    totalPublicMemory,
    freePublicMemory,
    totalPrivateMemory,
    freePrivateMemory,
  };
}

export function sessionInfo(bytes) {
  const r = reader(bytes);
  return { slotID: r.handle(), state: r.ulong(), flags: r.ulong(), deviceError: r.ulong() };
}

export function mechanismInfo(bytes) {
  const r = reader(bytes);
  return { minKeySize: r.ulong(), maxKeySize: r.ulong(), flags: r.ulong() };
}
