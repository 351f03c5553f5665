// The package's public surface, as the browser entries export it: the
// PKCS11 class, the error classes, every CK* constant (pkcs11js's 655 plus
// the PKCS#11 3.x names) and pkcs11-wasm's own parameter tags.
export * from "./api.js";
export * from "@gen/constants";
