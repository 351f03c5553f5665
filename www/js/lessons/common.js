// Helpers lessons share: the pieces of an outcome, and getting a token
// into the state a lesson starts from (every call made is traced).
import { el } from "../dom.js";
import { K } from "../names.js";
import { H } from "../client.js";
import { bytesOutput } from "../views/widgets.js";
import { DEFAULT_PINS } from "../views/actions.js";

export { el, K, H };
export const RW = () => K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION;
export const note = (text) => el("p", { class: "ok-line" }, text);
export const bytes = (b, title) => bytesOutput(b, title);
export const code = (t) => el("code", {}, t);
export const text = (b) => new TextDecoder().decode(b);

/**
 * A secret AES key template (session object unless `token`). Private, as
 * every secret key here; the usage flags it names are the only ones on:
 * the others are set false (this token's defaults turn several on).
 */
export function aesTemplate(label, extra = [], usage = ["CKA_ENCRYPT", "CKA_DECRYPT"]) {
  const flags = usageFlags(usage);
  const base = [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY },
    { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
    { type: K.CKA_VALUE_LEN, value: 32 },
    { type: K.CKA_LABEL, value: label },
    { type: K.CKA_TOKEN, value: false },
    { type: K.CKA_PRIVATE, value: true },
  ];
  // An attribute given twice makes the template inconsistent: `extra` wins.
  const unless = (list) => list.filter((a) => !extra.some((x) => x.type === a.type));
  return [...unless(base), ...extra, ...unless(flags)];
}

/**
 * Usage attributes with exactly `on` true and the others false (usage
 * flags a template leaves out take the token's defaults, several of them
 * true here). `names`: the usages that apply to the key's class.
 */
export function usageFlags(on, names = ["CKA_ENCRYPT", "CKA_DECRYPT", "CKA_SIGN", "CKA_VERIFY", "CKA_WRAP", "CKA_UNWRAP"]) {
  return names.map((n) => ({ type: K[n], value: on.includes(n) }));
}

/** The demo PINs of a slot's token: the remembered ones for the first slot, the defaults elsewhere. */
export const pinsFor = (L, slot) => (slot === L.slot ? L.pins : DEFAULT_PINS);

/** Makes sure a slot's token has an SO PIN and a user PIN (lesson 3 explains how). */
export async function ensureReady(L, slot = L.slot) {
  const pins = pinsFor(L, slot);
  const sessionsOn = () => [...L.model.sessions.entries()].filter(([, s]) => s.slot === slot);
  const done = [];
  if (!L.model.initialized(slot)) {
    if (sessionsOn().length) await L.must("C_CloseAllSessions", [H(slot)]);
    await L.must("C_InitToken", [H(slot), pins.so, slot === L.slot ? "playground" : "second token"]);
    done.push(`initialized the token (C_InitToken, SO PIN “${pins.so}”)`);
  }
  if (!L.model.slotById(slot).tokenFlags.includes("CKF_USER_PIN_INITIALIZED")) {
    // The SO may only log in when no read-only session is open.
    for (const [h, s] of sessionsOn()) if (!s.rw) await L.must("C_CloseSession", [H(h)]);
    if (L.model.loggedInOn(slot) === "USER") await L.must("C_Logout", [H(L.model.defaultSession(slot))]);
    const s = await L.must("C_OpenSession", [H(slot), RW()]);
    if (L.model.loggedInOn(slot) !== "SO") await L.must("C_Login", [H(s), K.CKU_SO, pins.so]);
    await L.must("C_InitPIN", [H(s), pins.user]);
    await L.must("C_CloseSession", [H(s)]);
    done.push(`set the user PIN (C_InitPIN, user PIN “${pins.user}”)`);
  }
  return done;
}

/** A R/W session on a slot's token with the USER logged in; returns its handle. */
export async function ensureUser(L, slot = L.slot) {
  await ensureReady(L, slot);
  if (L.model.loggedInOn(slot) === "SO") await L.must("C_Logout", [H(L.model.defaultSession(slot))]);
  let s = [...L.model.sessions.entries()].find(([, v]) => v.rw && v.slot === slot)?.[0];
  if (s === undefined) s = await L.must("C_OpenSession", [H(slot), RW()]);
  else L.keep({ kind: "session", value: s, slot });
  if (L.model.loggedInOn(slot) !== "USER") await L.must("C_Login", [H(s), K.CKU_USER, pinsFor(L, slot).user]);
  else L.keep({ kind: "login", slot, user: "USER" });
  return s;
}

/** The parameters of the last successful C_EncryptInit in the trace. */
export function lastEncryptMechanism(token) {
  for (let i = token.records.length - 1; i >= 0; i--) {
    const r = token.records[i];
    if (r.fn === "C_EncryptInit" && r.ok) return { mechanism: r.args[1], key: r.args[2].$h };
  }
  return null;
}

/** C_DecryptInit + C_Decrypt of `ct`, as text. */
export async function decryptText(L, session, mechanism, key, ct) {
  await L.must("C_DecryptInit", [H(session), mechanism, H(key)]);
  return text(await L.must("C_Decrypt", [H(session), ct, { $out: ct.length }]));
}

/** A 12-byte IV and the AES-GCM mechanism using it. */
export function gcm(iv) {
  return { mechanism: K.CKM_AES_GCM, parameter: { type: K.CK_PARAMS_AES_GCM, iv, tagBits: 128 } };
}
