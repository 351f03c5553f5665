// ES module consumer under `module: node16`: the default import is the
// whole API, as with `import pkcs11js from "pkcs11js"`.
import pkcs11js from "pkcs11-wasm";
import { PKCS11, Pkcs11Error, CKA_CLASS, init } from "pkcs11-wasm";
import * as ns from "pkcs11-wasm";
import inline from "pkcs11-wasm/inline";

const same: typeof ns.PKCS11 = pkcs11js.PKCS11;
const lib = new pkcs11js.PKCS11();
lib.C_Initialize();
const slots: Buffer[] = lib.C_GetSlotList(true);
const error: typeof Pkcs11Error = pkcs11js.Pkcs11Error;
const ready: Promise<void> = init();
const inlineReady: Promise<void> = inline.init();
export const used = [same, slots, error, ready, inlineReady, new PKCS11(), CKA_CLASS + pkcs11js.CKA_CLASS + ns.CKO_DATA];
