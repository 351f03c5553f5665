// Lesson 10: several slots, several tokens. The module is configured with
// three slots; the second starts free (the third is lesson 11's token
// group). Initialize it, and see that each token has its own users, login
// state and objects.
import { el, K, H, RW, note, aesTemplate, ensureUser, pinsFor } from "./common.js";
import { nameOf, CKS, flagNames, TOKEN_FLAGS, trimPad } from "../names.js";

const LABEL = "first token key";

function slotTable(rows) {
  return el("table", { class: "records slots-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "slot"), el("th", {}, "slot description"), el("th", {}, "token"))),
    el("tbody", {}, rows.map((r) => el("tr", {}, el("td", { class: "mono" }, String(r.id)), el("td", {}, r.description), el("td", {}, r.token)))));
}

/** The worker's configuration as the JavaScript that makes it, one slot a line. */
function configText(config = {}) {
  const { slots = [], ...rest } = config;
  const top = Object.entries(rest).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ");
  const lines = slots.map((s) => (s.group
    ? `    { group: { members: [${s.group.members.length} members, each its own IndexedDB database] } }, // lesson 11`
    : `    { storage: { indexedDB: ${JSON.stringify(s.storage?.indexedDB ?? "")} } },`));
  return `new PKCS11({\n  ${top},\n  slots: [\n${lines.join("\n")}\n  ],\n})`;
}

export default {
  id: "tokens",
  title: "Several slots, several tokens",
  summary: "A second slot with a free token: initialize it; each token keeps its own users and objects.",
  intro: "A module offers slots, and each slot holds a token with its own SO, user, PINs, login state and objects. This page's module is configured with three slots, each token stored in IndexedDB: the first two are plain tokens, each in its own database, and the second starts free (its token is not initialized yet); the third is a token group, the subject of lesson 11.",
  spec: ["C_GetSlotList", "C_GetSlotInfo", "C_GetTokenInfo", "C_InitToken", "C_OpenSession", "C_FindObjectsInit", "C_Logout"],
  steps: [
    {
      title: "The configuration, and every slot",
      explain: "The configuration lists the slots, and each slot's storage; their IDs are their places in the list and never change. C_GetSlotList(false) lists every slot, with a token or not; C_GetTokenInfo says whether each token is initialized (CKF_TOKEN_INITIALIZED).",
      call: "C_GetSlotList(tokenPresent = false); C_GetSlotInfo(slotID); C_GetTokenInfo(slotID)",
      run: async (L) => {
        const ids = await L.must("C_GetSlotList", [false]);
        if (ids.length < 2) throw new Error("this build of the page has only one slot");
        const rows = [];
        for (const id of ids) {
          const si = await L.must("C_GetSlotInfo", [H(id)]);
          const ti = await L.must("C_GetTokenInfo", [H(id)]);
          const flags = flagNames(ti.flags, TOKEN_FLAGS);
          rows.push({ id, description: trimPad(si.slotDescription), token: flags.includes("CKF_TOKEN_INITIALIZED") ? `“${trimPad(ti.label)}”` : "not initialized (free)" });
        }
        L.vars.second = ids[1];
        return [el("pre", { class: "config" }, configText(L.token.info?.config)), slotTable(rows)];
      },
    },
    {
      title: "Initialize the second token",
      explain: "C_InitToken on slot 1 gives its token an SO PIN and a label; the first token is not touched. Then its SO sets its user PIN. With a `slots` configuration the module keeps exactly the slots listed: initializing the free one adds no new free slot (SoftHSM, configured differently, would). If an earlier run initialized it, this wipes it and starts again.",
      call: "C_InitToken(slotID = 1, pPin, pLabel); C_OpenSession(slotID = 1, ...); C_Login(hSession, CKU_SO, pPin); C_InitPIN(hSession, pPin)",
      run: async (L) => {
        const slot = L.vars.second;
        const pins = pinsFor(L, slot);
        if ([...L.model.sessions.values()].some((v) => v.slot === slot)) await L.must("C_CloseAllSessions", [H(slot)]);
        // Already initialized (an earlier run): re-initializing needs its SO PIN, and wipes it.
        await L.must("C_InitToken", [H(slot), pins.so, "second token"]);
        const s = await L.must("C_OpenSession", [H(slot), RW()]);
        await L.must("C_Login", [H(s), K.CKU_SO, pins.so]);
        await L.must("C_InitPIN", [H(s), pins.user]);
        await L.must("C_CloseSession", [H(s)]);
        const slots = await L.must("C_GetSlotList", [false]);
        return note(`Slot ${slot} now holds token “second token” (SO PIN “${pins.so}”, user PIN “${pins.user}”). C_GetSlotList still lists ${slots.length} slots.`);
      },
      freehand: { action: "init-token", prefill: (L) => ({ slot: L.vars.second, soPin: pinsFor(L, L.vars.second).so, label: "second token" }), accept: (r, L) => r.fn === "C_InitToken" && r.args[0].$h === L.vars.second },
    },
    {
      title: "A key in the first token",
      explain: "The USER of the first token makes a key there.",
      call: "C_GenerateKey(hSession, { mechanism: CKM_AES_KEY_GEN }, pTemplate)",
      run: async (L) => {
        L.vars.s0 = await ensureUser(L, L.slot);
        L.vars.key = await L.must("C_GenerateKey", [H(L.vars.s0), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate(LABEL)]);
        return note(`Key #${L.vars.key} “${LABEL}” in the token of slot ${L.slot}.`);
      },
    },
    {
      title: "The second token does not see it",
      explain: "A session of slot 1, with slot 1's USER logged in, searches for that label: nothing. Using the first token's key handle through it fails too (CKR_KEY_HANDLE_INVALID): a session sees only its own token's objects.",
      call: "C_OpenSession(slotID = 1, ...); C_Login(hSession, CKU_USER, pPin); C_FindObjectsInit(hSession, [CKA_LABEL]); C_FindObjects; C_EncryptInit(hSession, pMechanism, hKey)",
      run: async (L) => {
        L.vars.s1 = await ensureUser(L, L.vars.second);
        await L.must("C_FindObjectsInit", [H(L.vars.s1), [{ type: K.CKA_LABEL, value: LABEL }]]);
        const found = await L.must("C_FindObjects", [H(L.vars.s1), 10]);
        await L.must("C_FindObjectsFinal", [H(L.vars.s1)]);
        const r = await L.expect("C_EncryptInit", [H(L.vars.s1), { mechanism: K.CKM_AES_ECB }, H(L.vars.key)], "CKR_KEY_HANDLE_INVALID");
        return [note(`Slot ${L.vars.second}'s search for “${LABEL}” found ${found.length} objects. The Objects lists show each token's own.`), L.explained(r, `Key #${L.vars.key} through session #${L.vars.s1}:`)];
      },
    },
    {
      title: "Two tokens, two logins",
      explain: "Login state is per token: logging out of the second token leaves the first one's USER logged in.",
      call: "C_Logout(hSession of slot 1); C_GetSessionInfo(hSession) for each",
      run: async (L) => {
        await L.must("C_Logout", [H(L.vars.s1)]);
        const a = await L.must("C_GetSessionInfo", [H(L.vars.s0)]);
        const b = await L.must("C_GetSessionInfo", [H(L.vars.s1)]);
        return note(`Session #${L.vars.s0} (slot ${L.slot}): ${nameOf(CKS, a.state)}. Session #${L.vars.s1} (slot ${L.vars.second}): ${nameOf(CKS, b.state)}.`);
      },
    },
  ],
  outro: "Slots are places, tokens are what sits in them; each token has its own users, login state and objects. Keys do not move between tokens except wrapped (lesson 6).",
};
