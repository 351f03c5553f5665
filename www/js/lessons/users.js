// Lesson 3: the two users. The SO initializes the token and the user PIN;
// the USER works with keys. Includes a wrong PIN and its counter flag.
import { K, H, RW, note, aesTemplate } from "./common.js";
import { CKS, nameOf } from "../names.js";

export default {
  id: "users",
  title: "The two users: SO and USER",
  summary: "C_InitToken, SO login, C_InitPIN, a wrong PIN, USER login, C_SetPIN.",
  intro: "PKCS#11 has two users. The Security Officer (SO) owns the token: initializes it and sets the user's PIN, but cannot use private keys. The normal user (USER) does the cryptography. This lesson re-initializes the demo token in slot 0, which erases its objects.",
  spec: ["C_InitToken", "C_InitPIN", "C_Login", "C_Logout", "C_SetPIN"],
  steps: [
    {
      title: "Close every session",
      explain: "C_InitToken refuses to run while a session of the token is open (CKR_SESSION_EXISTS).",
      call: "C_CloseAllSessions(slotID)",
      run: async (L) => {
        await L.must("C_CloseAllSessions", [H(L.slot)]);
        return note("No sessions are open now.");
      },
      freehand: { action: "close-all", accept: (r) => r.fn === "C_CloseAllSessions" },
    },
    {
      title: "The SO initializes the token",
      explain: "C_InitToken sets the SO PIN and the label, and erases every object. On a new token any SO PIN is accepted; afterwards it must be the current SO PIN (a wrong one is CKR_PIN_INCORRECT, counted against the SO).",
      call: "C_InitToken(slotID, pPin, pLabel)",
      run: async (L) => {
        await L.must("C_InitToken", [H(L.slot), L.pins.so, "playground"]);
        return note(`Token “playground” initialized with SO PIN “${L.pins.so}”. Its flags now say CKF_TOKEN_INITIALIZED, and not CKF_USER_PIN_INITIALIZED.`);
      },
      freehand: { action: "init-token", prefill: (L) => ({ soPin: L.pins.so, label: "playground" }), accept: (r) => r.fn === "C_InitToken" },
    },
    {
      title: "The SO logs in",
      explain: "The SO needs a read/write session (CKR_SESSION_READ_ONLY_EXISTS otherwise).",
      call: "C_OpenSession(slotID, CKF_SERIAL_SESSION | CKF_RW_SESSION); C_Login(hSession, CKU_SO, pPin)",
      run: async (L) => {
        L.vars.s = await L.must("C_OpenSession", [H(L.slot), RW()]);
        await L.must("C_Login", [H(L.vars.s), K.CKU_SO, L.pins.so]);
        const info = await L.must("C_GetSessionInfo", [H(L.vars.s)]);
        return note(`Session #${L.vars.s}: ${nameOf(CKS, info.state)}.`);
      },
    },
    {
      title: "The SO cannot make keys",
      explain: "Keys are private objects, and private objects belong to the USER. Expect CKR_USER_NOT_LOGGED_IN.",
      run: async (L) => {
        const r = await L.expect("C_GenerateKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 32 }]], "CKR_USER_NOT_LOGGED_IN");
        return L.explained(r, "As expected:");
      },
    },
    {
      title: "The SO sets the user PIN",
      explain: "C_InitPIN, as SO, gives the normal user a PIN (and is how a locked user PIN is reset). Then the SO logs out.",
      call: "C_InitPIN(hSession, pPin); C_Logout(hSession)",
      run: async (L) => {
        await L.must("C_InitPIN", [H(L.vars.s), L.pins.user]);
        await L.must("C_Logout", [H(L.vars.s)]);
        return note(`User PIN set to “${L.pins.user}”; the SO logged out.`);
      },
      freehand: { action: "init-pin", prefill: (L) => ({ session: L.vars.s, pin: L.pins.user }), accept: (r) => r.fn === "C_InitPIN" },
    },
    {
      title: "A wrong user PIN",
      explain: "A wrong PIN returns CKR_PIN_INCORRECT and is counted: the token sets CKF_USER_PIN_COUNT_LOW, and after too many the PIN locks (CKR_PIN_LOCKED).",
      call: "C_Login(hSession, CKU_USER, pPin)",
      run: async (L) => {
        const r = await L.expect("C_Login", [H(L.vars.s), K.CKU_USER, "0000-wrong"], "CKR_PIN_INCORRECT");
        await L.refresh();
        return [L.explained(r, "As expected:"), note(`Token flags now include: ${L.model.slot.tokenFlags.filter((f) => /PIN/.test(f)).join(", ")}.`)];
      },
      freehand: { action: "login", prefill: (L) => ({ session: L.vars.s, userType: K.CKU_USER, pin: "0000-wrong" }), failureOk: true, accept: (r) => r.fn === "C_Login" && r.rvName === "CKR_PIN_INCORRECT" },
    },
    {
      title: "The USER logs in and works",
      explain: "With the right PIN the session becomes “user functions”, the counter flag clears, and key generation works.",
      call: "C_Login(hSession, CKU_USER, pPin); C_GenerateKey(hSession, pMechanism, pTemplate)",
      run: async (L) => {
        await L.must("C_Login", [H(L.vars.s), K.CKU_USER, L.pins.user]);
        const info = await L.must("C_GetSessionInfo", [H(L.vars.s)]);
        const key = await L.must("C_GenerateKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("made by the USER")]);
        return note(`Session #${L.vars.s}: ${nameOf(CKS, info.state)}; new key #${key}.`);
      },
      freehand: { action: "login", prefill: (L) => ({ session: L.vars.s, userType: K.CKU_USER, pin: L.pins.user }), accept: (r) => r.fn === "C_Login" && r.ok },
    },
    {
      title: "The USER changes the PIN",
      explain: "C_SetPIN changes the PIN of whoever is logged in (here the USER), given the current one: a wrong old PIN is CKR_PIN_INCORRECT, counted like a failed login. The lesson changes the PIN and then back, so the demo PIN stays the one shown.",
      call: "C_SetPIN(hSession, pOldPin, pNewPin)",
      run: async (L) => {
        const pin = L.pins.user;
        const changed = pin === "user-pin-5678" ? "user-pin-1234" : "user-pin-5678";
        const r = await L.expect("C_SetPIN", [H(L.vars.s), "0000-wrong", changed], "CKR_PIN_INCORRECT");
        await L.must("C_SetPIN", [H(L.vars.s), pin, changed]);
        await L.must("C_SetPIN", [H(L.vars.s), changed, pin]);
        return [L.explained(r, "With a wrong old PIN:"), note(`With the right one the PIN became “${changed}”, then “${pin}” again.`)];
      },
      freehand: { action: "set-pin", prefill: (L) => ({ session: L.vars.s, oldPin: L.pins.user, newPin: L.pins.user }), accept: (r) => r.fn === "C_SetPIN" && r.ok },
    },
  ],
  outro: "Two roles, two PINs: the SO administers, the USER uses. Both PINs protect the token's master key (lesson 8).",
};
