// A server-side bundle (bundler targeting Node): the "module" condition
// gives the entry with the wasm inlined, so nothing has to sit beside it.
import pkcs11js from "pkcs11-wasm";

const p11 = new pkcs11js.PKCS11();
p11.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: 1000 }) });
const [slot] = p11.C_GetSlotList(false);
p11.C_InitToken(slot, "so-pin-1234", "server bundle");
const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
const digest = p11.C_DigestInit(session, { mechanism: pkcs11js.CKM_SHA256 });
const out = p11.C_Digest(session, Buffer.from("abc"), Buffer.alloc(32));
p11.C_Finalize();
console.log(JSON.stringify({ digest: out.toString("hex"), unused: digest }));
