// Error classes with pkcs11js's names, fields and message parsing, and the
// conversion of what the wasm shell throws (a CK_RV number) into them.
import names from "@gen/rv-names"; // CK_RV value -> CKR_* name

/**
 * The CKR_* name of a return value. Unlike pkcs11js, PKCS#11 3.x codes get
 * their real names; anything unknown is CKR_VENDOR_DEFINED, as there.
 */
export function rvName(rv) {
  return names.get(rv) ?? "CKR_VENDOR_DEFINED";
}

export class NativeError extends Error {
  constructor(message, method) {
    super(message || "");
    this.name = "NativeError";
    this.method = method || "";
    this.nativeStack = "";
    // "NAME:code" first line, optional native stack lines after it.
    const lines = this.message.split("\n");
    const m = /(\w+):(\d+)/.exec(this.message);
    if (m) {
      this.message = m[1];
      this.code = +m[2];
      if (lines.length > 1) {
        const at = /at PKCS11\.(\w+) \(/.exec(lines[1]);
        if (at) this.method = at[1];
        this.nativeStack = lines.slice(1).join("\n");
      }
    } else {
      this.message = lines[0];
      this.code = 0;
    }
  }
}

export class Pkcs11Error extends NativeError {
  constructor(message, code, method) {
    super(message, method);
    this.name = "Pkcs11Error";
    this.code = code || 0;
    const m = new RegExp(Pkcs11Error.messageReg).exec(message);
    if (m) {
      this.message = m[1];
      this.code = +m[2];
    }
  }
}

Pkcs11Error.messageReg = /(CKR_[^:]+):(\d+)/;
Pkcs11Error.isPkcs11 = function isPkcs11(message) {
  return new RegExp(Pkcs11Error.messageReg).test(message);
};

/** The error a failed C_* call throws: message = CKR name, code, method. */
export function pkcs11Error(rv, method) {
  // Same text shape as pkcs11js's native errors, so the parsing above
  // fills message, code, method and nativeStack.
  return new Pkcs11Error(`${rvName(rv)}:${rv}\n    at PKCS11.${method} (pkcs11-wasm)`);
}

/** Set by extra.js: the error of a call that needed the extra module before it was loaded. */
export const failHooks = { extraMissing: (_method) => undefined };

/**
 * Marks what the facade's machinery throws through a call on purpose (a
 * group call taken out for its Async form, group/composite.js): passed on
 * as is, not made into an error (whose stack would be captured for nothing).
 */
export const NOT_AN_ERROR = Symbol("pkcs11-wasm: not an error");

/** Converts whatever a shell call threw. */
export function fail(e, method) {
  if (e?.[NOT_AN_ERROR] === true) return e;
  const missing = failHooks.extraMissing(method);
  if (missing) return missing;
  if (typeof e === "number") return pkcs11Error(e, method);
  if (e instanceof TypeError) return e; // bad configuration: already explained
  // A wasm trap (a bug, never expected) or an engine error.
  return new NativeError(String((e && e.message) || e), method);
}

export function notLoaded() {
  return new NativeError("PKCS11 module not loaded yet");
}
