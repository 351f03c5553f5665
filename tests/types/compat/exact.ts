// Type-level checks between pkcs11js 2.1.7's typings (the ambient module
// "pkcs11js" of ../pkcs11js-2.1.7/index.d.ts) and ours (pkg/index.d.ts):
// every constant and class it exports exists here; its data interfaces
// are mutually assignable with ours (code that reads a field gets the
// type it got from pkcs11js, code that builds one is accepted); the
// shapes it lets callers pass in (templates, mechanisms) are accepted;
// an instance of our PKCS11 serves where its PKCS11 is expected.
import type * as ref from "pkcs11js";
import * as ours from "../../../pkg/index.js";

/** Compiles only when A and B are assignable to each other. */
function mutual<A, B>(ok: [A] extends [B] ? ([B] extends [A] ? true : "not assignable back") : "not assignable") {
  return ok;
}
/** Compiles only when A is assignable to B. */
function accepts<A, B>(ok: [A] extends [B] ? true : "not accepted") {
  return ok;
}

// Every value pkcs11js exports (its ~650 constants, PKCS11, NativeError, Pkcs11Error).
type Missing = Exclude<keyof typeof ref, keyof typeof ours>;
export const noneMissing: [Missing] extends [never] ? true : Missing = true;
// Constants are numbers on both sides.
type NotNumber = { [K in keyof typeof ref]: (typeof ref)[K] extends number ? ((typeof ours)[K & keyof typeof ours] extends number ? never : K) : never }[keyof typeof ref];
export const allNumbers: [NotNumber] extends [never] ? true : NotNumber = true;

export const checks = [
  mutual<ref.Handle, ours.Handle>(true),
  mutual<ref.Version, ours.Version>(true),
  mutual<ref.ModuleInfo, ours.ModuleInfo>(true),
  mutual<ref.SlotInfo, ours.SlotInfo>(true),
  mutual<ref.TokenInfo, ours.TokenInfo>(true),
  mutual<ref.MechanismInfo, ours.MechanismInfo>(true),
  mutual<ref.SessionInfo, ours.SessionInfo>(true),
  mutual<ref.AttributeResult, ours.AttributeResult>(true),
  mutual<ref.TemplateResult, ours.TemplateResult>(true),
  mutual<ref.KeyPair, ours.KeyPair>(true),
  mutual<ref.InitializationOptions, ours.InitializationOptions>(true),
  mutual<ref.IParams, ours.IParams>(true),
  mutual<ref.ECDH1, ours.ECDH1>(true),
  mutual<ref.AesCBC, ours.AesCBC>(true),
  mutual<ref.AesCCM, ours.AesCCM>(true),
  mutual<ref.AesGCM, ours.AesGCM>(true),
  mutual<ref.RsaOAEP, ours.RsaOAEP>(true),
  mutual<ref.RsaPSS, ours.RsaPSS>(true),
  mutual<ref.Ecdh2Derive, ours.Ecdh2Derive>(true),
  mutual<ref.EcmqvDerive, ours.EcmqvDerive>(true),
  mutual<ref.X942DH1Derive, ours.X942DH1Derive>(true),
  mutual<ref.X942DH2Derive, ours.X942DH2Derive>(true),
  mutual<ref.X942MQvDeriveParams, ours.X942MQvDeriveParams>(true),
  mutual<ref.RC2CBCParams, ours.RC2CBCParams>(true),
  mutual<ref.RC2MACGeneralParams, ours.RC2MACGeneralParams>(true),
  mutual<ref.RC5Params, ours.RC5Params>(true),
  mutual<ref.RC5CBCParams, ours.RC5CBCParams>(true),
  mutual<ref.RC5MACGeneralParams, ours.RC5MACGeneralParams>(true),
  mutual<ref.DesCbcEncryptDataParams, ours.DesCbcEncryptDataParams>(true),
  mutual<ref.SkipjackPrivateWrapParams, ours.SkipjackPrivateWrapParams>(true),
  mutual<ref.SkipjackRelayXParams, ours.SkipjackRelayXParams>(true),
  mutual<ref.PbeParams, ours.PbeParams>(true),
  mutual<ref.KeyWrapSetOaepParams, ours.KeyWrapSetOaepParams>(true),
  mutual<ref.GcmParams, ours.GcmParams>(true),
  mutual<ref.CcmParams, ours.CcmParams>(true),
  mutual<ref.GostR3410DeriveParams, ours.GostR3410DeriveParams>(true),
  mutual<ref.GostR3410KeyWrapParams, ours.GostR3410KeyWrapParams>(true),
  // Inputs: ours accepts more (any Uint8Array, template values, null parameters).
  accepts<ref.Attribute, ours.Attribute>(true),
  accepts<ref.Template, ours.Template>(true),
  accepts<ref.Mechanism, ours.Mechanism>(true),
  accepts<ours.PKCS11, ref.PKCS11>(true),
  accepts<ours.Pkcs11Error, ref.Pkcs11Error>(true),
  accepts<ours.NativeError, ref.NativeError>(true),
];
