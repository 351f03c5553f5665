// The Token and Sessions forms. `a` is the Actions instance (../actions.js): its
// control builders (session, object, mech...), call helpers, `ctx`.
import { el } from "../../dom.js";
import { H } from "../../client.js";
import { K, flagNames, MECH_FLAGS } from "../../names.js";
import { text, choice, check } from "../form-controls.js";

export function tokenActions(a) {
  const ctx = a.ctx;
  const pins = ctx.pins;
  return [
    {
      id: "init-token", group: "Token", title: "Initialize token", fns: "C_InitToken",
      help: "The SO sets the token's label and SO PIN. This erases every object on the token; no session may be open.",
      controls: () => [a.slot(), text("soPin", "SO PIN", pins.so), text("label", "Label", "playground")],
      run: async (c) => (await a.call("C_InitToken", [H(Number(c.slot.get())), c.soPin.get(), c.label.get()], () => el("p", { class: "ok-line" }, "Token initialized. Next: open a R/W session, log in as SO and set the user PIN.")))[1],
    },
    {
      id: "init-pin", group: "Token", title: "Set the user PIN (as SO)", fns: "C_InitPIN",
      help: "Only the SO, logged in on a R/W session, can give the normal user a PIN (or reset a locked one).",
      controls: () => [a.session(), text("pin", "New user PIN", pins.user)],
      run: async (c) => (await a.call("C_InitPIN", [a.needSession(c), c.pin.get()]))[1],
    },
    {
      id: "set-pin", group: "Token", title: "Change the PIN", fns: "C_SetPIN",
      help: "Changes the PIN of whoever is logged in on the session's token: the SO's when the SO is, otherwise the normal user's (also when nobody is logged in). The old PIN must be that user's current one.",
      controls: () => [a.session(), text("oldPin", "Old PIN", pins.user), text("newPin", "New PIN", pins.user)],
      run: async (c) => (await a.call("C_SetPIN", [a.needSession(c), c.oldPin.get(), c.newPin.get()]))[1],
    },
    {
      id: "mechanism-info", group: "Token", title: "Mechanism info", fns: "C_GetMechanismInfo",
      help: "What a mechanism can do on this token (its CKF_ flags) and the key sizes it takes: a key outside them is refused (CKR_KEY_SIZE_RANGE).",
      controls: () => [a.slot(), choice("type", "Mechanism", (ctx.model.slot?.mechanisms ?? []).map((m) => [m.name, m.name]), "CKM_RSA_PKCS_KEY_PAIR_GEN")],
      run: async (c) => (await a.call("C_GetMechanismInfo", [H(Number(c.slot.get())), K[c.type.get()]], (r) =>
        el("p", { class: "ok-line" }, `${c.type.get()}: key sizes ${r.value.minKeySize} to ${r.value.maxKeySize} (bits for RSA and EC, bytes for AES and generic secrets); flags ${flagNames(r.value.flags, MECH_FLAGS).join(" | ")}.`)))[1],
    },
    {
      id: "open-session", group: "Sessions", title: "Open a session", fns: "C_OpenSession",
      help: "Every call that touches objects needs a session. Read-only sessions can read and use objects; read/write ones can also create, change and destroy token objects.",
      controls: () => [a.slot(), check("rw", "read/write (CKF_RW_SESSION)", true)],
      run: async (c) => (await a.call("C_OpenSession", [H(Number(c.slot.get())), K.CKF_SERIAL_SESSION | (c.rw.get() ? K.CKF_RW_SESSION : 0)], (r) => el("p", { class: "ok-line" }, `Session #${r.value} is open.`)))[1],
    },
    {
      id: "close-session", group: "Sessions", title: "Close a session", fns: "C_CloseSession",
      help: "Closing a session destroys its session objects; closing the last one logs the user out.",
      controls: () => [a.session()],
      run: async (c) => (await a.call("C_CloseSession", [a.needSession(c)]))[1],
    },
    {
      id: "close-all", group: "Sessions", title: "Close all sessions", fns: "C_CloseAllSessions",
      help: "Closes every session of the slot's token (and so logs out).",
      controls: () => [a.slot()],
      run: async (c) => (await a.call("C_CloseAllSessions", [H(Number(c.slot.get()))]))[1],
    },
    {
      id: "login", group: "Sessions", title: "Log in", fns: "C_Login",
      help: "Logging in is per token: every session of the token changes state. SO administers the token; USER uses private objects.",
      controls: () => [a.session(), choice("userType", "User", [[K.CKU_USER, "CKU_USER (normal user)"], [K.CKU_SO, "CKU_SO (security officer)"]], K.CKU_USER), text("pin", "PIN", pins.user, { autocomplete: "off" })],
      run: async (c) => (await a.call("C_Login", [a.needSession(c), Number(c.userType.get()), c.pin.get()]))[1],
    },
    {
      id: "logout", group: "Sessions", title: "Log out", fns: "C_Logout",
      help: "Back to public sessions on the whole token.",
      controls: () => [a.session()],
      run: async (c) => (await a.call("C_Logout", [a.needSession(c)]))[1],
    },
  ];
}
