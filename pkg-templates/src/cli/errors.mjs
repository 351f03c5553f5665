// What a failure looks like to the person at the shell: one line naming the
// CKR code (when the token said one) and what to do; no stack trace unless
// PKCS11_WASM_DEBUG is set. Exit status: 1 for a failure, 2 for a usage
// error (bad arguments, missing configuration or PIN source).

/** A failure the user can act on (bad file, nothing selected...). */
export class CliError extends Error {
  constructor(message, { hint, code } = {}) {
    super(message);
    this.name = "CliError";
    this.hint = hint;
    this.code = code; // a CKR_* name when the failure is the token's answer
  }
}

/** A mistake in the command line itself (exit status 2). */
export class UsageError extends CliError {
  constructor(message, opts) {
    super(message, opts);
    this.name = "UsageError";
  }
}

// What to do about the CKR codes people meet at the shell.
const HINTS = {
  CKR_PIN_INCORRECT: "the PIN is wrong: check PKCS11_WASM_PIN / PKCS11_WASM_SO_PIN or the --pin-fd input",
  CKR_PIN_LOCKED: "the PIN is locked after too many wrong tries: the SO can set a new user PIN with `pkcs11-wasm unlock-pin`; a locked SO PIN leaves only `pkcs11-wasm delete-token`",
  CKR_PIN_LEN_RANGE: "the PIN is too short or too long for this token (see minPinLen / maxPinLen in `pkcs11-wasm slots --json`)",
  CKR_PIN_INVALID: "the PIN has characters this token refuses",
  CKR_USER_PIN_NOT_INITIALIZED: "this token has no user PIN yet: set one with `pkcs11-wasm unlock-pin` (SO PIN needed)",
  CKR_USER_NOT_LOGGED_IN: "this needs a login: add --login (the PIN comes from PKCS11_WASM_PIN, --pin-fd or the prompt)",
  CKR_TOKEN_NOT_RECOGNIZED: "the token's storage is of a newer format or is not a token: use a newer pkcs11-wasm, or check the configured storage",
  CKR_TOKEN_NOT_PRESENT: "there is no token in this slot",
  CKR_SLOT_ID_INVALID: "no such slot: `pkcs11-wasm slots` lists them",
  CKR_MECHANISM_INVALID: "the token has no such mechanism for this: `pkcs11-wasm mechanisms` lists them",
  CKR_MECHANISM_PARAM_INVALID: "the mechanism's parameters do not fit (IV, hash or data length)",
  CKR_KEY_TYPE_INCONSISTENT: "this key's type does not go with the mechanism: pick another --mechanism or key",
  CKR_KEY_FUNCTION_NOT_PERMITTED: "the key's usage attributes do not allow this (see `pkcs11-wasm show`)",
  CKR_KEY_SIZE_RANGE: "the key size is outside what the mechanism takes (`pkcs11-wasm mechanisms` shows the range)",
  CKR_CURVE_NOT_SUPPORTED: "the token does not implement this curve",
  CKR_SIGNATURE_INVALID: "the signature does not match the data and key",
  CKR_SIGNATURE_LEN_RANGE: "the signature has the wrong length for this key (ECDSA: --signature-format raw|der)",
  CKR_ENCRYPTED_DATA_INVALID: "the ciphertext is damaged, or was made with another key or mechanism",
  CKR_ENCRYPTED_DATA_LEN_RANGE: "the ciphertext has the wrong length for this key or mechanism",
  CKR_DATA_LEN_RANGE: "the input is too long (or too short) for this key and mechanism",
  CKR_ATTRIBUTE_SENSITIVE: "the value is sensitive and never leaves the token",
  CKR_ATTRIBUTE_VALUE_INVALID: "an attribute value was refused (key material of the wrong size or form?)",
  CKR_TEMPLATE_INCONSISTENT: "the token refused this combination of attributes",
  CKR_TEMPLATE_INCOMPLETE: "an attribute the token needs is missing",
  CKR_SESSION_EXISTS: "another session is open on this token",
  CKR_DEVICE_ERROR: "writing the token storage failed (disk full, permissions?)",
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: "another user is logged in",
};

function hintFor(code) {
  return HINTS[code];
}

/** The name of a Pkcs11Error's code, or undefined for other errors. */
function ckrOf(e) {
  return e && e.name === "Pkcs11Error" && /^CKR_/.test(e.message) ? e.message : undefined;
}

/**
 * { message, code, rv, method, usage } for any thrown value: Pkcs11Error
 * (from the library), TypeError from the library's argument and
 * configuration checks (user errors there), CliError, anything else.
 */
export function describe(e) {
  const code = ckrOf(e);
  if (code) {
    const hint = e.hint ?? hintFor(code);
    const what = e.context ? `${e.context}: ` : "";
    const message = `${what}${e.method ? `${e.method} failed: ` : ""}${code}${hint ? `: ${hint}` : ""}`;
    return { message, code, rv: e.code, method: e.method || undefined, usage: false };
  }
  if (e instanceof CliError) {
    return { message: e.hint ? `${e.message}: ${e.hint}` : e.message, code: e.code, usage: e instanceof UsageError };
  }
  const text = String(e?.message ?? e).replace(/^pkcs11-wasm: /, "");
  if (e instanceof TypeError && /configuration|storage|pkcs11-wasm/.test(e.message)) return { message: text, usage: true };
  return { message: text, usage: false, unexpected: !(e instanceof Error && /^pkcs11-wasm: /.test(e.message)) };
}
