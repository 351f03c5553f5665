// pkcs11-wasm: the PKCS#11 3.x functions (pkcs11js has none), named and
// shaped in pkcs11js's style: handles are Buffers, output goes into the
// caller's Buffer and comes back as `out.subarray(0, n)`, failures throw
// Pkcs11Error, and C's NULL is `null`.
//
// Message parameters carry outputs. As in C, C_EncryptMessage,
// C_EncryptMessageBegin and the last C_EncryptMessageNext write the
// generated IV into `parameter.iv` and the tag into `parameter.tag` (the
// caller's own Buffers, changed in place; CK_PARAMS_GCM_MESSAGE and
// CK_PARAMS_CHACHA20_POLY1305_MESSAGE). Decryption reads the tag from
// `parameter.tag` (with the last part, for C_DecryptMessageNext).
//
// The calls that produce output have callback and ...Async forms, added
// by async.js from `OPS_3X`; the others are defined here.
import { count, countBetween, bytes, handle, number, optionalString } from "./args.js";
import { u8 } from "./bytes.js";
import { fail } from "./errors.js";
import * as mechanism from "./mechanism.js";
import { PKCS11, MODULE, into } from "./pkcs11.js";

const EMPTY = new Uint8Array(0);

function exec(method, f) {
  try {
    return f();
  } catch (e) {
    throw fail(e, method);
  }
}

function define(name, fn) {
  Object.defineProperty(PKCS11.prototype, name, { value: fn, writable: true, configurable: true });
}

/** Bytes that may be null (C's NULL_PTR, 0): associated data. */
function optionalBytes(v, i) {
  return v === undefined || v === null ? EMPTY : bytes(v, i);
}

/** A mechanism that may be null: `{kind, param}` or undefined. */
function optionalMechanism(m, i) {
  return m === null ? undefined : mechanism.parse(m, i);
}

/**
 * An encryption step's answer (`[iv_len u32][iv][tag_len u32][tag][data]`,
 * see src/wasm.rs): writes the IV and tag into the caller's parameter
 * Buffers and returns the ciphertext.
 */
function unpack(answer, param) {
  const dv = new DataView(answer.buffer, answer.byteOffset, answer.byteLength);
  const ivLen = dv.getUint32(0, true);
  const iv = answer.subarray(4, 4 + ivLen);
  const tagLen = dv.getUint32(4 + ivLen, true);
  const tagAt = 8 + ivLen;
  const tag = answer.subarray(tagAt, tagAt + tagLen);
  // The engine made them from these very fields, so they fit.
  if (ivLen > 0) u8(param.iv).set(iv);
  if (tagLen > 0) u8(param.tag).set(tag);
  return answer.subarray(tagAt + tagLen);
}

// --- sync-only functions ---

const methods = {
  /** C_LoginUser (3.0): like C_Login; the token has no user names, so `username` is accepted and not used. */
  C_LoginUser(session, userType, pin, username) {
    const m = this[MODULE]();
    countBetween(2, 4, arguments.length);
    const h = handle(session, 0);
    const user = number(userType, 1);
    const p = optionalString(pin, 2);
    const name = optionalString(username, 3);
    exec("C_LoginUser", () => m.login_user(h, user, p, name));
  },

  /** C_SessionCancel (3.0): ends the operations whose CKF_* function flags are set. */
  C_SessionCancel(session, flags) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const f = number(flags, 1);
    exec("C_SessionCancel", () => m.session_cancel(h, f));
  },

  C_MessageEncryptInit(session, mech, key) {
    initProcess(this, "C_MessageEncryptInit", "message_encrypt_init", arguments.length, session, mech, key);
  },
  C_EncryptMessageBegin(session, parameter, associatedData) {
    const m = this[MODULE]();
    count(3, arguments.length);
    const h = handle(session, 0);
    const p = mechanism.messageParameter(parameter, 1);
    const aad = optionalBytes(associatedData, 2);
    unpack(exec("C_EncryptMessageBegin", () => m.encrypt_message_begin(h, p, aad)), parameter);
  },
  C_MessageEncryptFinal(session) {
    endProcess(this, "C_MessageEncryptFinal", "message_encrypt_final", arguments.length, session);
  },

  C_MessageDecryptInit(session, mech, key) {
    initProcess(this, "C_MessageDecryptInit", "message_decrypt_init", arguments.length, session, mech, key);
  },
  C_DecryptMessageBegin(session, parameter, associatedData) {
    const m = this[MODULE]();
    count(3, arguments.length);
    const h = handle(session, 0);
    const p = mechanism.messageParameter(parameter, 1);
    const aad = optionalBytes(associatedData, 2);
    exec("C_DecryptMessageBegin", () => m.decrypt_message_begin(h, p, aad));
  },
  C_MessageDecryptFinal(session) {
    endProcess(this, "C_MessageDecryptFinal", "message_decrypt_final", arguments.length, session);
  },

  C_MessageSignInit(session, mech, key) {
    initProcess(this, "C_MessageSignInit", "message_sign_init", arguments.length, session, mech, key);
  },
  C_SignMessageBegin(session, parameter) {
    beginMessage(this, "C_SignMessageBegin", "sign_message_begin", arguments.length, session, parameter);
  },
  C_MessageSignFinal(session) {
    endProcess(this, "C_MessageSignFinal", "message_sign_final", arguments.length, session);
  },

  C_MessageVerifyInit(session, mech, key) {
    initProcess(this, "C_MessageVerifyInit", "message_verify_init", arguments.length, session, mech, key);
  },
  C_VerifyMessageBegin(session, parameter) {
    beginMessage(this, "C_VerifyMessageBegin", "verify_message_begin", arguments.length, session, parameter);
  },
  C_MessageVerifyFinal(session) {
    endProcess(this, "C_MessageVerifyFinal", "message_verify_final", arguments.length, session);
  },

  /** C_VerifySignatureInit (3.2): verification with the signature given up front; `mech` null ends it. */
  C_VerifySignatureInit(session, mech, key, signature) {
    const m = this[MODULE]();
    count(4, arguments.length);
    const h = handle(session, 0);
    const mk = optionalMechanism(mech, 1);
    const k = handle(key, 2);
    const sig = bytes(signature, 3);
    exec("C_VerifySignatureInit", () => m.verify_signature_init(h, mk?.kind, mk?.param, k, sig));
  },
  C_VerifySignatureUpdate(session, data) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const d = bytes(data, 1);
    exec("C_VerifySignatureUpdate", () => m.verify_signature_update(h, d));
  },
};

/** (session, mechanism | null, key): null ends the process (NULL_PTR). */
function initProcess(self, method, fn, argc, session, mech, key) {
  const m = self[MODULE]();
  count(3, argc);
  const h = handle(session, 0);
  const mk = optionalMechanism(mech, 1);
  const k = handle(key, 2);
  exec(method, () => m[fn](h, mk?.kind, mk?.param, k));
}

function endProcess(self, method, fn, argc, session) {
  const m = self[MODULE]();
  count(1, argc);
  const h = handle(session, 0);
  exec(method, () => m[fn](h));
}

function beginMessage(self, method, fn, argc, session, parameter) {
  const m = self[MODULE]();
  count(2, argc);
  const h = handle(session, 0);
  const p = mechanism.messageParameter(parameter, 1);
  exec(method, () => m[fn](h, p));
}

for (const [name, fn] of Object.entries(methods)) define(name, fn);

// --- calls with callback and Async forms: [sync argument count, prep] as in async.js ---

export const OPS_3X = {
  /** (session, parameter, associatedData, plaintext, out) -> ciphertext; IV and tag into `parameter`. */
  C_EncryptMessage: [
    5,
    (m, a) => {
      const h = handle(a[0], 0);
      const p = mechanism.messageParameter(a[1], 1);
      const aad = optionalBytes(a[2], 2);
      const d = bytes(a[3], 3);
      const o = bytes(a[4], 4);
      return () => into(a[4], unpack(m.encrypt_message(h, p, aad, d, o.byteLength), a[1]));
    },
  ],
  /** (session, parameter, plaintextPart, out, flags): CKF_END_OF_MESSAGE ends the message and writes the tag. */
  C_EncryptMessageNext: [
    5,
    (m, a) => {
      const h = handle(a[0], 0);
      const p = mechanism.messageParameter(a[1], 1);
      const d = bytes(a[2], 2);
      const o = bytes(a[3], 3);
      const f = number(a[4], 4);
      return () => into(a[3], unpack(m.encrypt_message_next(h, p, d, o.byteLength, f), a[1]));
    },
  ],
  /** (session, parameter, associatedData, ciphertext, out) -> plaintext; the tag is read from `parameter`. */
  C_DecryptMessage: [
    5,
    (m, a) => {
      const h = handle(a[0], 0);
      const p = mechanism.messageParameter(a[1], 1);
      const aad = optionalBytes(a[2], 2);
      const d = bytes(a[3], 3);
      const o = bytes(a[4], 4);
      return () => into(a[4], m.decrypt_message(h, p, aad, d, o.byteLength));
    },
  ],
  C_DecryptMessageNext: [
    5,
    (m, a) => {
      const h = handle(a[0], 0);
      const p = mechanism.messageParameter(a[1], 1);
      const d = bytes(a[2], 2);
      const o = bytes(a[3], 3);
      const f = number(a[4], 4);
      return () => into(a[3], m.decrypt_message_next(h, p, d, o.byteLength, f));
    },
  ],
  /** (session, parameter, data, out) -> signature. */
  C_SignMessage: [
    4,
    (m, a) => {
      const h = handle(a[0], 0);
      const p = mechanism.messageParameter(a[1], 1);
      const d = bytes(a[2], 2);
      const o = bytes(a[3], 3);
      return () => into(a[3], m.sign_message(h, p, d, o.byteLength));
    },
  ],
  /** (session, parameter, dataPart, out | null): with a Buffer, the last part: returns the signature; else null. */
  C_SignMessageNext: [
    4,
    (m, a) => {
      const h = handle(a[0], 0);
      const p = mechanism.messageParameter(a[1], 1);
      const d = bytes(a[2], 2);
      const last = a[3] !== null && a[3] !== undefined;
      const o = last ? bytes(a[3], 3) : undefined;
      return () => {
        const sig = m.sign_message_next(h, p, d, last, o?.byteLength);
        return last ? into(a[3], sig) : null;
      };
    },
  ],
  /** (session, parameter, data, signature) -> true, or throws CKR_SIGNATURE_INVALID. */
  C_VerifyMessage: [
    4,
    (m, a) => {
      const h = handle(a[0], 0);
      const p = mechanism.messageParameter(a[1], 1);
      const d = bytes(a[2], 2);
      const s = bytes(a[3], 3);
      return () => (m.verify_message(h, p, d, s), true);
    },
  ],
  /** (session, parameter, dataPart, signature | null): with a signature, the last part: true or throws; else null. */
  C_VerifyMessageNext: [
    4,
    (m, a) => {
      const h = handle(a[0], 0);
      const p = mechanism.messageParameter(a[1], 1);
      const d = bytes(a[2], 2);
      const last = a[3] !== null && a[3] !== undefined;
      const s = last ? bytes(a[3], 3) : undefined;
      return () => (m.verify_message_next(h, p, d, s), last ? true : null);
    },
  ],
  /** (session, data) -> true, or throws CKR_SIGNATURE_INVALID. */
  C_VerifySignature: [
    2,
    (m, a) => {
      const h = handle(a[0], 0);
      const d = bytes(a[1], 1);
      return () => (m.verify_signature(h, d), true);
    },
  ],
  /** (session) -> true, or throws CKR_SIGNATURE_INVALID. */
  C_VerifySignatureFinal: [
    1,
    (m, a) => {
      const h = handle(a[0], 0);
      return () => (m.verify_signature_final(h), true);
    },
  ],
};
