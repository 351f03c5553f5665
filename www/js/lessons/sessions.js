// Lesson 2: slots hold tokens; sessions are read-only or read/write, and
// session objects die with their session while token objects stay.
import { K, H, RW, note, ensureReady } from "./common.js";
import { CKS, nameOf, flagNames, TOKEN_FLAGS, SLOT_FLAGS, trimPad } from "../names.js";

const dataObject = (label, token) => [
  { type: K.CKA_CLASS, value: K.CKO_DATA },
  { type: K.CKA_LABEL, value: label },
  { type: K.CKA_TOKEN, value: token },
  { type: K.CKA_PRIVATE, value: false },
  { type: K.CKA_VALUE, value: new TextEncoder().encode(`${label}, made in lesson 2`) },
];

export default {
  id: "sessions",
  title: "Slots, tokens and sessions",
  summary: "What a slot is, read-only vs read/write sessions, session vs token objects.",
  intro: "A slot is where a token sits (like a card reader and its card). Applications reach a token through sessions, which are read-only or read/write, and which see the same objects.",
  spec: ["C_GetSlotList", "C_GetSlotInfo", "C_GetTokenInfo", "C_OpenSession", "C_GetSessionInfo", "C_CloseAllSessions", "storageObjects"],
  steps: [
    {
      title: "List the slots and look at the token",
      explain: "C_GetSlotList(true) lists the slots with a token present (this page's module has three: lesson 10 is about the second, lesson 11 about the third, a group of three members behind one slot). C_GetSlotInfo and C_GetTokenInfo describe the first; their flags are bit fields, named here.",
      call: "C_GetSlotList(tokenPresent = true); C_GetSlotInfo(slotID); C_GetTokenInfo(slotID)",
      run: async (L) => {
        await ensureReady(L);
        const slots = await L.must("C_GetSlotList", [true]);
        const si = await L.must("C_GetSlotInfo", [H(slots[0])]);
        const ti = await L.must("C_GetTokenInfo", [H(slots[0])]);
        return note(`${slots.length} slots: ${slots.join(", ")}. Slot ${slots[0]} “${trimPad(si.slotDescription)}” (${flagNames(si.flags, SLOT_FLAGS).join(", ")}) holds token “${trimPad(ti.label)}”, serial ${trimPad(ti.serialNumber)}, flags: ${flagNames(ti.flags, TOKEN_FLAGS).join(", ")}.`);
      },
    },
    {
      title: "Open a read-only session",
      explain: "Without CKF_RW_SESSION the session is read-only: it can read and use objects, and make session objects, but not change the token.",
      call: "C_OpenSession(slotID, CKF_SERIAL_SESSION); C_GetSessionInfo(hSession)",
      run: async (L) => {
        L.vars.ro = await L.must("C_OpenSession", [H(L.slot), K.CKF_SERIAL_SESSION]);
        const info = await L.must("C_GetSessionInfo", [H(L.vars.ro)]);
        return note(`Session #${L.vars.ro}: state ${nameOf(CKS, info.state)}.`);
      },
      freehand: { action: "open-session", prefill: () => ({ rw: false }), accept: (r, L) => r.fn === "C_OpenSession" && !(r.args[1] & K.CKF_RW_SESSION) && (L.vars.ro = r.value) !== undefined },
    },
    {
      title: "Try to store a token object from it",
      explain: "A token object (CKA_TOKEN true) is written to the token, which a read-only session may not do. Expect CKR_SESSION_READ_ONLY.",
      run: async (L) => {
        const r = await L.expect("C_CreateObject", [H(L.vars.ro), dataObject("token note", true)], "CKR_SESSION_READ_ONLY");
        return L.explained(r, "As expected:");
      },
    },
    {
      title: "A session object is fine",
      explain: "A session object (CKA_TOKEN false) lives in memory for the life of the session, so a read-only session may make one. CKA_PRIVATE false keeps it public: nobody is logged in.",
      run: async (L) => {
        L.vars.sessionObject = await L.must("C_CreateObject", [H(L.vars.ro), dataObject("session note", false)]);
        return note(`Object #${L.vars.sessionObject} exists (see the Objects list: “session”).`);
      },
    },
    {
      title: "Open a read/write session and store a token object",
      explain:
        "With CKF_RW_SESSION the session may write to the token. On a stored token, pkcs11-wasm also asks for a login: it signs every record it writes with a key that only a login unlocks, so that a record planted in storage is never trusted (PKCS#11 itself would let a R/W public session store a public object). So: try, see CKR_USER_NOT_LOGGED_IN, log in as the user, store, log out. Both sessions see both objects: a token object belongs to the token, a session object to the application that made it, not to one session (it lives until the session that made it closes).",
      call: "C_OpenSession(slotID, CKF_SERIAL_SESSION | CKF_RW_SESSION); C_CreateObject(hSession, pTemplate); C_Login(hSession, CKU_USER, pPin); C_CreateObject(hSession, pTemplate); C_Logout(hSession)",
      run: async (L) => {
        L.vars.rw = await L.must("C_OpenSession", [H(L.slot), RW()]);
        await L.expect("C_CreateObject", [H(L.vars.rw), dataObject("token note", true)], "CKR_USER_NOT_LOGGED_IN");
        await L.must("C_Login", [H(L.vars.rw), K.CKU_USER, L.pins.user]);
        L.vars.tokenObject = await L.must("C_CreateObject", [H(L.vars.rw), dataObject("token note", true)]);
        await L.must("C_Logout", [H(L.vars.rw)]);
        return note(`Session #${L.vars.rw} is R/W; object #${L.vars.tokenObject} is stored on the token (public: visible without a login).`);
      },
    },
    {
      title: "Close all sessions, open one again",
      explain: "C_CloseAllSessions ends every session of the token. Session objects go with them; token objects stay, here in IndexedDB, so they survive even a page reload (lesson 7).",
      call: "C_CloseAllSessions(slotID); C_OpenSession(slotID, CKF_SERIAL_SESSION)",
      run: async (L) => {
        await L.must("C_CloseAllSessions", [H(L.slot)]);
        L.vars.ro2 = await L.must("C_OpenSession", [H(L.slot), K.CKF_SERIAL_SESSION]);
        await L.refresh();
        const labels = L.model.objects.map((o) => o.label);
        return note(`The new session #${L.vars.ro2} sees ${labels.filter((l) => l === "token note").length} “token note” and ${labels.filter((l) => l === "session note").length} “session note”.`);
      },
    },
  ],
  outro: "Sessions are cheap views on a token: read-only unless asked, and all sharing one login state (lesson 3).",
};
