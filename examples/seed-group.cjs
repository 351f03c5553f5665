// The seed scenario (open a session, log in, generate an AES key, encrypt,
// decrypt) against a token group of three members: one virtual slot over
// three replicas of one token, each member in its own token directory, the
// third in its own worker thread. Then the part a group is for: a member
// goes away, calls go on, a key made meanwhile reaches it when it comes
// back. Run: `npm run build`, then `node examples/seed-group.cjs`.
//
// The group's configuration is an ordinary `slots` entry; with it in a file
// named by PKCS11_WASM_CONF, any pkcs11js program (examples/seed-demo.cjs
// included) runs on the group unchanged.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const pkcs11js = require("pkcs11-wasm");
const { CKF_SERIAL_SESSION, CKF_RW_SESSION, CKU_SO, CKU_USER } = pkcs11js;

const SO_PIN = "so-pin-1234";
const USER_PIN = "user-pin-1234";
const base = fs.mkdtempSync(path.join(os.tmpdir(), "seed-group-"));
const config = {
  kdfIterations: "insecure-test", // a demo: logins in milliseconds (stored tokens default to 600,000 and accept no fewer than 100,000)
  slots: [
    {
      group: {
        members: [
          { storage: { directory: path.join(base, "hsm-a") } },
          { storage: { directory: path.join(base, "hsm-b") } },
          { storage: { directory: path.join(base, "hsm-c") }, thread: true },
        ],
        balance: "least-busy",
      },
    },
  ],
};

let stepNumber = 0;
function step(name, detail) {
  stepNumber++;
  console.log(`${String(stepNumber).padStart(2)}. ${name}${detail === undefined ? "" : `: ${detail}`}`);
}
const hexStart = (b) => `${b.subarray(0, 16).toString("hex")}... (${b.length} bytes)`;

const pkcs11 = new pkcs11js.PKCS11(config);
// Which member served each call, for the steps below.
let served = [];
pkcs11.ongroupcall = (ev) => served.push(ev.member);
pkcs11.ongroupevent = (ev) => console.log(`    [group] member ${ev.member} ${ev.kind}${ev.message ? `: ${ev.message}` : ""}`);
const by = () => {
  const who = [...new Set(served)].sort().join(", ");
  served = [];
  return `member${who.includes(",") ? "s" : ""} ${who}`;
};

pkcs11.C_Initialize();
step("C_Initialize", `a group of ${pkcs11.groupStatus(0).members.length} members in ${base}`);
try {
  const [slot] = pkcs11.C_GetSlotList(true);
  step("C_GetSlotInfo", pkcs11.C_GetSlotInfo(slot).slotDescription.trim());
  pkcs11.C_InitToken(slot, SO_PIN, "seed group");
  step("C_InitToken", `initialized on ${by()}, its records copied to the others`);
  const session = pkcs11.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
  step("C_OpenSession", `one session of the group = a session on ${by()}`);
  pkcs11.C_Login(session, CKU_SO, SO_PIN);
  pkcs11.C_InitPIN(session, USER_PIN);
  pkcs11.C_Logout(session);
  pkcs11.C_Login(session, CKU_USER, USER_PIN);
  step("C_Login(CKU_USER)", `PIN checked on one member, then every member logged in (${by()})`);

  const aes = { mechanism: pkcs11js.CKM_AES_KEY_GEN };
  const keyTemplate = (label) => [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
  ];
  const key = pkcs11.C_GenerateKey(session, aes, keyTemplate("seed-key"));
  step("C_GenerateKey", `AES-256 token key made once on ${by()}, its sealed record on every member`);

  const message = Buffer.from("Hello from a token group!");
  const gcm = (iv) => ({ mechanism: pkcs11js.CKM_AES_GCM, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv, tagBits: 128 } });
  const roundTrip = () => {
    const iv = pkcs11.C_GenerateRandom(session, Buffer.alloc(12));
    pkcs11.C_EncryptInit(session, gcm(iv), key);
    const sealed = pkcs11.C_Encrypt(session, message, Buffer.alloc(message.length + 16));
    pkcs11.C_DecryptInit(session, gcm(iv), key);
    const opened = pkcs11.C_Decrypt(session, sealed, Buffer.alloc(sealed.length));
    if (!opened.equals(message)) throw new Error("AES-GCM round trip failed");
    return sealed;
  };
  step("C_Encrypt/C_Decrypt (AES-GCM)", `${hexStart(roundTrip())} on ${by()}`);
  for (let i = 0; i < 30; i++) roundTrip();
  step("30 more round trips", `spread over ${by()} (least busy first, ties in turn)`);

  pkcs11.disableMember(slot, 1);
  step("disableMember(slot, 1)", "member 1 unplugged");
  for (let i = 0; i < 10; i++) roundTrip();
  step("10 round trips", `served by ${by()}: no call failed`);
  pkcs11.C_GenerateKey(session, aes, keyTemplate("made-while-away"));
  step("C_GenerateKey", `a second key while member 1 is away (on ${by()})`);

  pkcs11
    .enableMember(slot, 1)
    .then(() => {
      step("enableMember(slot, 1)", "member 1 resynced (it got the new key), logged in again, serving");
      const status = pkcs11.groupStatus(slot);
      for (const m of status.members) step("groupStatus", `member ${m.index} ${m.state}, ${m.served} calls served, ${m.storage}`);
      pkcs11.disableMember(slot, 0);
      pkcs11.disableMember(slot, 2);
      pkcs11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: "made-while-away" }]);
      const found = pkcs11.C_FindObjects(session, 10);
      pkcs11.C_FindObjectsFinal(session);
      step("C_FindObjects", `member 1 alone holds ${found.length} key "made-while-away" (${by()})`);
      pkcs11.C_Logout(session);
      pkcs11.C_CloseSession(session);
      return pkcs11.C_FinalizeAsync();
    })
    .then(() => {
      step("C_FinalizeAsync");
      fs.rmSync(base, { recursive: true, force: true });
      console.log("seed-group: all steps succeeded");
    })
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
} catch (e) {
  pkcs11.C_Finalize();
  throw e;
}
