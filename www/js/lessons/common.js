// Helpers lessons share: the pieces of an outcome, and getting the token
// into the state a lesson starts from (every call made is traced).
import { el } from "../dom.js";
import { K } from "../names.js";
import { H } from "../client.js";
import { bytesOutput } from "../views/widgets.js";

export { el, K, H };
export const RW = () => K.CKF_SERIAL_SESSION | K.CKF_RW_SESSION;
export const note = (text) => el("p", { class: "ok-line" }, text);
export const bytes = (b, title) => bytesOutput(b, title);
export const code = (t) => el("code", {}, t);

/** A secret AES key template (session object unless `token`). */
export function aesTemplate(label, extra = []) {
  return [
    { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY },
    { type: K.CKA_KEY_TYPE, value: K.CKK_AES },
    { type: K.CKA_VALUE_LEN, value: 32 },
    { type: K.CKA_LABEL, value: label },
    { type: K.CKA_TOKEN, value: false },
    ...extra,
  ];
}

/** Makes sure the token has an SO PIN and a user PIN (lesson 3 explains how). */
export async function ensureReady(L) {
  const flags = L.model.slot.tokenFlags;
  const done = [];
  if (!flags.includes("CKF_TOKEN_INITIALIZED")) {
    if (L.model.sessions.size) await L.must("C_CloseAllSessions", [H(L.slot)]);
    await L.must("C_InitToken", [H(L.slot), L.pins.so, "playground"]);
    done.push("initialized the token (C_InitToken, SO PIN " + L.pins.so + ")");
  }
  if (!L.model.slot.tokenFlags.includes("CKF_USER_PIN_INITIALIZED")) {
    // The SO may only log in when no read-only session is open.
    for (const [h, s] of L.model.sessions) if (!s.rw) await L.must("C_CloseSession", [H(h)]);
    if (L.model.loggedIn === "USER") await L.must("C_Logout", [H(L.model.defaultSession())]);
    const s = await L.must("C_OpenSession", [H(L.slot), RW()]);
    if (L.model.loggedIn !== "SO") await L.must("C_Login", [H(s), K.CKU_SO, L.pins.so]);
    await L.must("C_InitPIN", [H(s), L.pins.user]);
    await L.must("C_CloseSession", [H(s)]);
    done.push("set the user PIN (C_InitPIN, user PIN " + L.pins.user + ")");
  }
  return done;
}

/** A R/W session with the USER logged in; returns its handle. */
export async function ensureUser(L) {
  await ensureReady(L);
  if (L.model.loggedIn === "SO") await L.must("C_Logout", [H(L.model.defaultSession())]);
  let s = [...L.model.sessions.entries()].find(([, v]) => v.rw)?.[0];
  if (s === undefined) s = await L.must("C_OpenSession", [H(L.slot), RW()]);
  if (L.model.loggedIn !== "USER") await L.must("C_Login", [H(s), K.CKU_USER, L.pins.user]);
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
