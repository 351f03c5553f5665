// Every CKR_ return code with a one-sentence meaning (PKCS#11 3.1/3.2
// section 5.1, in our words), and the likely cause in the context of the
// call that returned it. Imports only pure modules: tests load this file
// in Node too.
import { SIGNATURES, pinOwner } from "./signatures.js";
import { attributeRules } from "./attr-rules.js";

export const MEANINGS = {
  CKR_OK: "The function completed successfully.",
  CKR_CANCEL: "An application callback asked the library to cancel the operation.",
  CKR_HOST_MEMORY: "The computer running the library ran out of memory.",
  CKR_SLOT_ID_INVALID: "The slot ID does not name a slot this library has.",
  CKR_GENERAL_ERROR: "Something unrecoverable went wrong inside the library or token.",
  CKR_FUNCTION_FAILED: "The function could not be done, for a reason no more specific code describes.",
  CKR_ARGUMENTS_BAD: "The arguments are malformed (a null pointer or an impossible combination).",
  CKR_NO_EVENT: "No slot event is waiting (C_WaitForSlotEvent with CKF_DONT_BLOCK).",
  CKR_NEED_TO_CREATE_THREADS: "The library needs to create threads but the application forbade it.",
  CKR_CANT_LOCK: "The library cannot do the locking the application asked for in C_Initialize.",
  CKR_ATTRIBUTE_READ_ONLY: "An attribute in the template cannot be set or changed by the application.",
  CKR_ATTRIBUTE_SENSITIVE: "The attribute's value is secret and the token will not reveal it.",
  CKR_ATTRIBUTE_TYPE_INVALID: "The attribute type is not valid for this object (or not known at all).",
  CKR_ATTRIBUTE_VALUE_INVALID: "An attribute in the template has a value that is not allowed.",
  CKR_ACTION_PROHIBITED: "The object's own policy forbids this action (for example CKA_COPYABLE or CKA_DESTROYABLE is false).",
  CKR_DATA_INVALID: "The plaintext input is not valid for this mechanism.",
  CKR_DATA_LEN_RANGE: "The plaintext input has a length this mechanism cannot take.",
  CKR_DEVICE_ERROR: "The token had a problem while doing the operation.",
  CKR_DEVICE_MEMORY: "The token has not enough memory for the request.",
  CKR_DEVICE_REMOVED: "The token was removed while the function was running.",
  CKR_ENCRYPTED_DATA_INVALID: "The ciphertext is not valid (a bad padding or a wrong authentication tag).",
  CKR_ENCRYPTED_DATA_LEN_RANGE: "The ciphertext has a length this mechanism cannot decrypt.",
  CKR_AEAD_DECRYPT_FAILED: "Authenticated decryption failed: the tag does not match the data.",
  CKR_FUNCTION_CANCELED: "The function was cancelled while running.",
  CKR_FUNCTION_NOT_PARALLEL: "No function is running in parallel in this session.",
  CKR_FUNCTION_NOT_SUPPORTED: "This library does not implement the function.",
  CKR_KEY_HANDLE_INVALID: "The key handle does not name a key this session can see.",
  CKR_KEY_SIZE_RANGE: "The key's size is outside what the mechanism supports.",
  CKR_KEY_TYPE_INCONSISTENT: "The key is of the wrong type for this mechanism.",
  CKR_KEY_NOT_NEEDED: "A key was given where none is needed.",
  CKR_KEY_CHANGED: "The key differs from the one used when the saved state was made.",
  CKR_KEY_NEEDED: "The saved state needs a key that was not supplied.",
  CKR_KEY_INDIGESTIBLE: "This key's value cannot be digested (C_DigestKey).",
  CKR_KEY_FUNCTION_NOT_PERMITTED: "The key's attributes do not allow this use (its CKA_ENCRYPT, CKA_SIGN, ... flag is false).",
  CKR_KEY_NOT_WRAPPABLE: "This key cannot be wrapped (for example it requires a trusted wrapping key, or it is a public key).",
  CKR_KEY_UNEXTRACTABLE: "The key's CKA_EXTRACTABLE is false, so it can never leave the token, not even wrapped.",
  CKR_MECHANISM_INVALID: "The mechanism is unknown or not allowed for this function or key.",
  CKR_MECHANISM_PARAM_INVALID: "The mechanism's parameter is missing, malformed or has a bad value.",
  CKR_OBJECT_HANDLE_INVALID: "The object handle does not name an object this session can see.",
  CKR_OPERATION_ACTIVE: "Another operation of this kind is already active in the session.",
  CKR_OPERATION_NOT_INITIALIZED: "No operation of this kind was started (call the matching ...Init first).",
  CKR_PIN_INCORRECT: "The PIN does not match the one stored on the token.",
  CKR_PIN_INVALID: "The new PIN contains characters the token does not accept.",
  CKR_PIN_LEN_RANGE: "The new PIN is shorter or longer than the token allows.",
  CKR_PIN_EXPIRED: "The PIN has expired and must be changed before it can be used.",
  CKR_PIN_LOCKED: "Too many wrong PINs were entered: this PIN is locked.",
  CKR_SESSION_CLOSED: "The session was closed while the function was running.",
  CKR_SESSION_COUNT: "The token cannot open another session.",
  CKR_SESSION_HANDLE_INVALID: "The session handle does not name an open session.",
  CKR_SESSION_PARALLEL_NOT_SUPPORTED: "Parallel sessions are not supported (CKF_SERIAL_SESSION must be set).",
  CKR_SESSION_READ_ONLY: "The session is read-only, and the function needs a read/write session.",
  CKR_SESSION_EXISTS: "A session is open on the token, and the function needs none to be.",
  CKR_SESSION_READ_ONLY_EXISTS: "A read-only session is open, so the SO cannot log in.",
  CKR_SESSION_READ_WRITE_SO_EXISTS: "The SO is logged in with a read/write session, so no read-only session can be opened.",
  CKR_SIGNATURE_INVALID: "The signature (or MAC) does not match the data and key.",
  CKR_SIGNATURE_LEN_RANGE: "The signature has the wrong length, so it cannot be valid.",
  CKR_TEMPLATE_INCOMPLETE: "The template lacks an attribute needed to make the object.",
  CKR_TEMPLATE_INCONSISTENT: "The template's attributes contradict each other or the mechanism.",
  CKR_TOKEN_NOT_PRESENT: "There is no token in the slot.",
  CKR_TOKEN_NOT_RECOGNIZED: "The library does not recognize the token in the slot.",
  CKR_TOKEN_WRITE_PROTECTED: "The token is write-protected.",
  CKR_UNWRAPPING_KEY_HANDLE_INVALID: "The unwrapping key handle does not name a key this session can see.",
  CKR_UNWRAPPING_KEY_SIZE_RANGE: "The unwrapping key's size is outside what the mechanism supports.",
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT: "The unwrapping key is of the wrong type for this mechanism.",
  CKR_USER_ALREADY_LOGGED_IN: "This user is already logged in (login state is shared by all sessions of the token).",
  CKR_USER_NOT_LOGGED_IN: "The function needs a logged-in user and none is.",
  CKR_USER_PIN_NOT_INITIALIZED: "The normal user's PIN has not been set yet (the SO sets it with C_InitPIN).",
  CKR_USER_TYPE_INVALID: "The user type is not CKU_SO, CKU_USER or CKU_CONTEXT_SPECIFIC.",
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: "A different user is already logged in; log out first.",
  CKR_USER_TOO_MANY_TYPES: "The token cannot have this many different users logged in at once.",
  CKR_WRAPPED_KEY_INVALID: "The wrapped key is not valid (it does not unwrap to a correct key).",
  CKR_WRAPPED_KEY_LEN_RANGE: "The wrapped key has a length this mechanism cannot unwrap.",
  CKR_WRAPPING_KEY_HANDLE_INVALID: "The wrapping key handle does not name a key this session can see.",
  CKR_WRAPPING_KEY_SIZE_RANGE: "The wrapping key's size is outside what the mechanism supports.",
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT: "The wrapping key is of the wrong type for this mechanism.",
  CKR_RANDOM_SEED_NOT_SUPPORTED: "The token's random number generator cannot be seeded.",
  CKR_RANDOM_NO_RNG: "The token has no random number generator.",
  CKR_DOMAIN_PARAMS_INVALID: "The domain parameters (for example a curve) are not valid or not supported.",
  CKR_CURVE_NOT_SUPPORTED: "The elliptic curve is not supported by this token.",
  CKR_BUFFER_TOO_SMALL: "The output buffer is too small for the result.",
  CKR_SAVED_STATE_INVALID: "The saved operation state is not valid for this session.",
  CKR_INFORMATION_SENSITIVE: "The information asked for is sensitive and will not be given out.",
  CKR_STATE_UNSAVEABLE: "The session's operation state cannot be saved.",
  CKR_CRYPTOKI_NOT_INITIALIZED: "C_Initialize has not been called yet (or C_Finalize was).",
  CKR_CRYPTOKI_ALREADY_INITIALIZED: "C_Initialize was already called.",
  CKR_MUTEX_BAD: "A bad mutex object was given to a locking callback.",
  CKR_MUTEX_NOT_LOCKED: "The mutex to unlock was not locked.",
  CKR_NEW_PIN_MODE: "The OTP token wants a new PIN to be set.",
  CKR_NEXT_OTP: "The OTP token wants the next one-time password.",
  CKR_EXCEEDED_MAX_ITERATIONS: "An iterative algorithm (such as key-pair generation) gave up after too many tries.",
  CKR_FIPS_SELF_TEST_FAILED: "A FIPS self test failed, so the token refuses to work.",
  CKR_LIBRARY_LOAD_FAILED: "A library the module needs could not be loaded.",
  CKR_PIN_TOO_WEAK: "The new PIN is too weak for the token's policy.",
  CKR_PUBLIC_KEY_INVALID: "The public key is not valid (for example a point not on the curve).",
  CKR_FUNCTION_REJECTED: "The token refused the request (for example the user declined it on the device).",
  CKR_TOKEN_RESOURCE_EXCEEDED: "The token has run out of a resource it needs for this.",
  CKR_OPERATION_CANCEL_FAILED: "The operation could not be cancelled.",
  CKR_KEY_EXHAUSTED: "The key has been used as many times as it is allowed to be.",
  CKR_PENDING: "The asynchronous operation has not finished yet.",
  CKR_SESSION_ASYNC_NOT_SUPPORTED: "The session does not support asynchronous operations.",
  CKR_SEED_RANDOM_REQUIRED: "The random number generator must be seeded first.",
  CKR_OPERATION_NOT_VALIDATED: "The operation is not validated (for example not in the token's FIPS boundary).",
  CKR_TOKEN_NOT_INITIALIZED: "The token has not been initialized with C_InitToken.",
  CKR_PARAMETER_SET_NOT_SUPPORTED: "The parameter set (for example an ML-DSA or ML-KEM size) is not supported.",
  CKR_VENDOR_DEFINED: "A code the vendor of the library defined (not one of the standard codes).",
};

/** The one-sentence meaning of a CKR name (or of a TypeError from the facade). */
export function meaning(name) {
  if (!name) return "The JavaScript facade rejected the arguments before the token saw them (a TypeError).";
  return MEANINGS[name] ?? `A return code this page does not know (${name}).`;
}

const WHO = { SO: "the SO (security officer)", USER: "the normal user", CONTEXT: "the context-specific login" };
const PIN_OF = { SO: "SO PIN", USER: "user PIN", CONTEXT: "PIN" };

/** The argument of `call` whose spec name is one of `names`: [name, value] or null. */
function argNamed(call, ...names) {
  const sig = SIGNATURES[call.fn] ?? [];
  const i = sig.findIndex(([n]) => names.includes(n));
  return i < 0 ? null : [sig[i][0], call.args?.[i]?.$h ?? call.args?.[i]];
}
const templateArg = (call) => {
  const sig = SIGNATURES[call.fn] ?? [];
  const i = sig.findIndex(([, kind]) => kind === "template");
  return i < 0 ? [] : (call.args?.[i] ?? []);
};

/** PIN codes name the user whose PIN it is (the SO for C_InitToken, the one logged in for C_SetPIN...). */
function pinCause(call, state) {
  const who = pinOwner(call.fn, call.args, state.loggedIn) ?? "USER";
  const pin = PIN_OF[who];
  const flags = state.tokenFlags ?? [];
  const flagWho = who === "SO" ? "SO" : "USER";
  const len = state.pinLen ? `${state.pinLen.min} to ${state.pinLen.max} bytes` : "4 to 255 bytes";
  switch (call.rvName) {
    case "CKR_PIN_INCORRECT": {
      const what = {
        C_InitToken: "C_InitToken on a token that is already initialized needs its current SO PIN (the one the first C_InitToken set): re-initializing erases everything, so only the SO may do it.",
        C_SetPIN: `C_SetPIN changes the PIN of whoever is logged in (the normal user's when nobody is), so its old PIN (pOldPin) must be the current ${pin}${state.loggedIn ? "" : "; nobody is logged in, so that is the user PIN"}.`,
      }[call.fn] ?? `The PIN typed does not match the ${pin} (${who === "SO" ? "set with C_InitToken" : "set with C_InitPIN or C_SetPIN"}).`;
      const last = flags.includes(`CKF_${flagWho}_PIN_FINAL_TRY`);
      return `${what}${last ? ` One more wrong ${pin} locks it.` : ` Wrong tries are counted for ${WHO[who]} (the token sets CKF_${flagWho}_PIN_COUNT_LOW), and too many lock the ${pin}.`}`;
    }
    case "CKR_PIN_LOCKED":
      return who === "SO"
        ? "The SO PIN is locked after too many wrong tries. Nobody can unlock it: the token can no longer be re-initialized, only deleted (here: Reset demo tokens)."
        : "The user PIN is locked after too many wrong tries; the SO can give the user a new PIN with C_InitPIN.";
    case "CKR_PIN_LEN_RANGE":
    case "CKR_PIN_INVALID": {
      const which = { C_InitToken: "The SO PIN given to C_InitToken", C_InitPIN: "The user PIN given to C_InitPIN", C_SetPIN: `The new ${pin} (pNewPin)` }[call.fn] ?? `The ${pin} typed`;
      return call.rvName === "CKR_PIN_LEN_RANGE" ? `${which} has a length this token refuses: it accepts ${len}.` : `${which} has characters this token refuses.`;
    }
    default:
      return null;
  }
}

/** CKR_ATTRIBUTE_READ_ONLY names the attribute at fault and its rule. */
function readOnlyCause(call, state) {
  const names = templateArg(call).map((a) => ({ name: state.attrName?.(a.type) ?? `attribute 0x${a.type.toString(16)}`, value: a.value }));
  const lines = attributeRules(call.fn, names);
  if (lines.length) return lines.join(" ");
  const list = names.map((a) => a.name).join(", ");
  const which = names.length === 1 ? list : `One of ${list || "the attributes"}`;
  return `${which} cannot be set by this call: some attributes are fixed once the object exists (CKA_CLASS, CKA_KEY_TYPE, CKA_VALUE_LEN...), some only the token sets (CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE), and CKA_SENSITIVE and CKA_EXTRACTABLE only change one way.`;
}

/** CKR_ATTRIBUTE_SENSITIVE says which of the object's flags hides the value. */
function sensitiveCause(call, state) {
  const [, h] = argNamed(call, "hObject") ?? [];
  const o = h === undefined ? null : state.objectFacts?.(h);
  const asked = templateArg(call).map((a) => state.attrName?.(a.type)).filter(Boolean);
  const what = asked.length === 1 ? asked[0] : "the value asked for";
  if (!o || (o.sensitive === undefined && o.extractable === undefined)) {
    return `${what} is secret: the key's CKA_SENSITIVE is true or its CKA_EXTRACTABLE is false, so the token never reveals it in the clear. The key can still be used.`;
  }
  const why = [];
  if (o.sensitive) why.push("its CKA_SENSITIVE is true");
  if (o.extractable === false) why.push("its CKA_EXTRACTABLE is false");
  const not = o.sensitive ? "" : " (CKA_SENSITIVE is false here: CKA_EXTRACTABLE false alone is enough)";
  return `The token will not reveal ${what} of #${h} because ${why.join(" and ") || "it is a secret attribute"}${why.length === 1 ? not : ""}. The key can still be used${o.extractable ? ", and wrapped under another key (C_WrapKey)" : ""}.`;
}

/** Invalid handles: the trace's story of the handle, when it has one. */
function handleCause(call, state) {
  const fallback = "The object no longer exists, belongs to a closed session, or is private and nobody is logged in as USER.";
  if (call.rvName === "CKR_SESSION_HANDLE_INVALID") {
    const [, s] = argNamed(call, "hSession") ?? [];
    return (s !== undefined && state.sessionStory?.(s)) || "That session was closed (or the token was reset); open a new one.";
  }
  const names = {
    CKR_KEY_HANDLE_INVALID: ["hKey", "hBaseKey"],
    CKR_OBJECT_HANDLE_INVALID: ["hObject"],
    CKR_WRAPPING_KEY_HANDLE_INVALID: ["hWrappingKey"],
    CKR_UNWRAPPING_KEY_HANDLE_INVALID: ["hUnwrappingKey"],
  }[call.rvName];
  const [, h] = argNamed(call, ...names) ?? [];
  return (h !== undefined && state.objectStory?.(h)) || fallback;
}

/**
 * The likely cause in this context. `call`: { fn, args, rvName };
 * `state` (all optional): { loggedIn: "USER" | "SO" | null on the call's
 * token, tokenFlags, pinLen: { min, max }, attrName(type),
 * objectFacts(handle), keyFacts(handle), objectStory(handle),
 * sessionStory(handle), mechInfo(type) -> { name, minKeySize, maxKeySize },
 * group: the groupStatus of the call's slot when it is a token group }.
 * Returns a sentence or null.
 */
export function likelyCause(call, state = {}) {
  const { fn, rvName } = call;
  const op = fn.replace(/^C_/, "").replace(/(Init|Update|Final)$/, "");
  const key = state.keyFacts?.(call.args?.[2]?.$h) ?? null;
  switch (rvName) {
    case "CKR_USER_NOT_LOGGED_IN":
      if (state.loggedIn === "SO") return "The SO is logged in, not the USER: only the normal user may create or use private objects and keys. Log out and C_Login as USER.";
      if (/Generate|Create|Unwrap|Derive|Copy|Destroy|SetAttributeValue/.test(fn)) {
        return "New keys are private objects by default (CKA_PRIVATE true), and private objects can only be made after C_Login as USER. And on a stored token, pkcs11-wasm writes any token object (public ones too) only after a login: it signs every stored record with a key that the login unlocks, so that nothing planted in storage is ever trusted.";
      }
      return "Private objects are only usable after C_Login as USER.";
    case "CKR_PIN_INCORRECT":
    case "CKR_PIN_LOCKED":
    case "CKR_PIN_LEN_RANGE":
    case "CKR_PIN_INVALID":
      return pinCause(call, state);
    case "CKR_USER_PIN_NOT_INITIALIZED":
      return "The SO must first log in and call C_InitPIN to give the user a PIN (lesson 3).";
    case "CKR_SESSION_READ_ONLY":
      return "This session was opened without CKF_RW_SESSION; open a read/write session to create, change or destroy token objects.";
    case "CKR_SESSION_READ_ONLY_EXISTS":
      return "The SO may only log in when every session of the token is read/write: close the read-only sessions first.";
    case "CKR_SESSION_EXISTS":
      return "C_InitToken needs every session of the token closed: close them first (C_CloseAllSessions).";
    case "CKR_SESSION_HANDLE_INVALID":
    case "CKR_OBJECT_HANDLE_INVALID":
    case "CKR_KEY_HANDLE_INVALID":
    case "CKR_WRAPPING_KEY_HANDLE_INVALID":
    case "CKR_UNWRAPPING_KEY_HANDLE_INVALID":
      return handleCause(call, state);
    case "CKR_USER_ALREADY_LOGGED_IN":
      return "Login is per token, not per session: every session of this token is already logged in.";
    case "CKR_USER_ANOTHER_ALREADY_LOGGED_IN":
      return `${state.loggedIn === "SO" ? "The SO" : state.loggedIn === "USER" ? "The normal user" : "Another user"} is logged in on this token; C_Logout first.`;
    case "CKR_ATTRIBUTE_SENSITIVE":
      return sensitiveCause(call, state);
    case "CKR_KEY_UNEXTRACTABLE":
      return "The key to wrap has CKA_EXTRACTABLE false, and that can never be turned back on.";
    case "CKR_KEY_FUNCTION_NOT_PERMITTED":
      return `The key does not allow ${op.toLowerCase()}: its matching usage attribute (CKA_${op.toUpperCase().replace("UNWRAPKEY", "UNWRAP").replace("WRAPKEY", "WRAP").replace("DERIVEKEY", "DERIVE")}) is false. Set it when you generate the key.`;
    case "CKR_KEY_TYPE_INCONSISTENT":
      return "This mechanism needs a different kind of key (for example an AES mechanism with an EC key); pick a key whose type matches the mechanism.";
    case "CKR_MECHANISM_INVALID":
      return "The token does not list this mechanism for this function, or the key's CKA_ALLOWED_MECHANISMS excludes it.";
    case "CKR_MECHANISM_PARAM_INVALID":
      return "Check the parameter: IV or nonce length (12 bytes for GCM, 16 for CBC), tag size, hash and MGF pairing.";
    case "CKR_TEMPLATE_INCOMPLETE":
      return "A required attribute is missing: for example CKA_VALUE_LEN for an AES key, CKA_MODULUS_BITS for RSA, CKA_EC_PARAMS for EC, CKA_CLASS or CKA_VALUE when creating.";
    case "CKR_TEMPLATE_INCONSISTENT":
      return "Two attributes contradict each other, or one contradicts the mechanism (for example a CKA_KEY_TYPE the mechanism does not make).";
    case "CKR_ATTRIBUTE_VALUE_INVALID": {
      const attrs = (call.args ?? []).filter(Array.isArray).flat().map((a) => [state.attrName?.(a.type), a.value]);
      const len = attrs.find(([n]) => n === "CKA_VALUE_LEN")?.[1];
      if (fn === "C_GenerateKey" && state.mechInfo?.(call.args?.[1]?.mechanism)?.name === "CKM_AES_KEY_GEN" && ![16, 24, 32].includes(len)) {
        return `CKA_VALUE_LEN ${len ?? "(missing)"} is not an AES key size: AES keys are 16, 24 or 32 bytes (C_GetMechanismInfo gives only the range, 16 to 32).`;
      }
      const names = [...new Set(attrs.map(([n]) => n).filter(Boolean))];
      return `One value is not allowed${names.length ? ` (the template has ${names.join(", ")})` : ""}: for example an AES CKA_VALUE_LEN other than 16, 24 or 32, or a curve this token does not know.`;
    }
    case "CKR_ATTRIBUTE_READ_ONLY":
      return readOnlyCause(call, state);
    case "CKR_ATTRIBUTE_TYPE_INVALID": {
      const names = templateArg(call).map((a) => state.attrName?.(a.type)).filter(Boolean);
      return `${names.length ? `${names.join(" or ")} does` : "That attribute does"} not belong to this kind of object (for example CKA_MODULUS on an AES key).`;
    }
    case "CKR_ENCRYPTED_DATA_INVALID":
    case "CKR_AEAD_DECRYPT_FAILED":
      return "The ciphertext, IV, AAD or key differ from the ones used to encrypt (with GCM, any change breaks the tag).";
    case "CKR_DATA_LEN_RANGE":
      return "Block modes without padding (ECB, CBC, key wrap) need data in whole 16-byte blocks; RSA limits the input to the modulus size.";
    case "CKR_ENCRYPTED_DATA_LEN_RANGE":
      return "The ciphertext's length cannot come from this mechanism (for example not a whole number of blocks).";
    case "CKR_SIGNATURE_INVALID":
      return "The data or the signature changed, or a different key or mechanism was used to sign.";
    case "CKR_SIGNATURE_LEN_RANGE":
      return "The signature has the wrong size for this key and mechanism.";
    case "CKR_OPERATION_NOT_INITIALIZED":
      return `Call C_${op}Init before C_${op}${/Update|Final$/.test(fn) ? "Update / Final" : ""} (an operation also ends when its last call returns a result or an error other than CKR_BUFFER_TOO_SMALL).`;
    case "CKR_OPERATION_ACTIVE":
      return "Finish (or cancel) the operation already running in this session first.";
    case "CKR_WRAPPED_KEY_INVALID":
      return "The bytes are not a key wrapped under this unwrapping key with this mechanism.";
    case "CKR_KEY_NOT_WRAPPABLE":
      return "Only secret and private keys can be wrapped here; a public key is not secret and has no wrapped form.";
    case "CKR_BUFFER_TOO_SMALL": {
      const sig = SIGNATURES[fn] ?? [];
      const i = sig.findIndex(([, kind]) => kind === "out");
      const name = i < 0 ? "the output buffer" : sig[i][0];
      const size = i < 0 ? null : call.args?.[i]?.$out;
      const lenName = i < 0 ? "its length" : `*pul${sig[i][0].slice(1)}Len`;
      return `The output buffer ${name}${size !== null && size !== undefined ? ` (${size} bytes)` : ""} is smaller than the result. In C the token also writes the size it needs into ${lenName}, and the operation stays active: call again with a buffer that big, or first call with ${name} = NULL_PTR just to learn the size (PKCS#11 3.1 section 5.2). In JavaScript you pass a Buffer large enough.`;
    }
    case "CKR_DEVICE_ERROR":
      if (!state.group) return null;
      if (/(Update|Final)$/.test(fn)) {
        return `This slot is a token group, and this multi-part operation lived on one member, which was lost or unplugged before this call: the data fed so far was in that member's memory and cannot move to another. The operation is over and the session stays usable: start again with C_${op}Init (a single-part call would have been run again on a live member, with no error).`;
      }
      return "This slot is a token group: the member serving the call failed in a way the group could not hide.";
    case "CKR_DEVICE_REMOVED":
    case "CKR_TOKEN_NOT_PRESENT":
      if (!state.group) return null;
      return "This slot is a token group and no member is live (all unplugged or lost), so the slot has no token. Plug a member back (Members, under the slot): the sessions and the login come back with it.";
    case "CKR_CRYPTOKI_NOT_INITIALIZED":
      return "Call C_Initialize first.";
    case "CKR_TOKEN_NOT_RECOGNIZED":
    case "CKR_TOKEN_NOT_INITIALIZED":
      return "The token has not been initialized yet: use Initialize token (C_InitToken) first.";
    case "CKR_KEY_SIZE_RANGE": {
      const m = call.args?.[1]?.mechanism;
      const info = m === undefined ? null : state.mechInfo?.(m);
      // The size asked for, from the templates of a key generation.
      const sizes = (call.args ?? []).filter(Array.isArray).flat()
        .map((a) => [state.attrName?.(a.type), a.value]).filter(([n, v]) => (n === "CKA_MODULUS_BITS" || n === "CKA_VALUE_LEN") && typeof v === "number");
      const asked = sizes.length ? `the template asks for ${sizes[0][1]} (${sizes[0][0]})` : "the key asked for or used is outside that range";
      if (info) return `C_GetMechanismInfo says this token's ${info.name} works with sizes ${info.minKeySize} to ${info.maxKeySize} (bits for RSA and EC, bytes for AES and generic secrets); ${asked}.`;
      return "The key is too short or too long for this mechanism (C_GetMechanismInfo gives its min and max key size).";
    }
    case "CKR_ACTION_PROHIBITED":
      return "This object has CKA_COPYABLE, CKA_DESTROYABLE or CKA_MODIFIABLE set to false.";
    case "CKR_FUNCTION_NOT_SUPPORTED":
      return "pkcs11-wasm does not implement this function.";
    case "CKR_USER_TYPE_INVALID":
      return "Use CKU_SO (0) or CKU_USER (1).";
    default:
      if (key && rvName?.startsWith("CKR_KEY")) return `The key is ${key}.`;
      return null;
  }
}
