// This package's CK_PARAMS_* tags (the `type` of a mechanism parameter
// object, as pkcs11js's): one list for the facade (mechanism.js) and the
// constants-only entry (entry-constants.js), which must not pull in the
// parameter tables.
export const CK_PARAMS_AES_CTR = 0x1000;
export const CK_PARAMS_KEY_DERIVATION_STRING_DATA = 0x1001;
export const CK_PARAMS_CHACHA20_POLY1305 = 0x1002;
export const CK_PARAMS_EDDSA = 0x1003;
export const CK_PARAMS_HKDF = 0x1004;
export const CK_PARAMS_PKCS5_PBKD2 = 0x1005;
export const CK_PARAMS_SP800_108_KDF = 0x1006;
export const CK_PARAMS_RSA_AES_KEY_WRAP = 0x1007;
export const CK_PARAMS_SIGN_ADDITIONAL_CONTEXT = 0x1008;
export const CK_PARAMS_GCM_MESSAGE = 0x1009;
export const CK_PARAMS_CHACHA20_POLY1305_MESSAGE = 0x100a;
