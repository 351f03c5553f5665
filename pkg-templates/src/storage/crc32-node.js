// CRC-32 of bytes for the token directory's object cache (Node entries):
// node:zlib's, loaded at the first use rather than at start-up (it costs
// ~0.7 ms; node:crypto, with its Web Crypto, would cost 3-4 ms). zlib.crc32
// is in Node 20.15 and later; without it there is no object cache.
import { createRequire } from "node:module";
import * as path from "node:path";

let zlib;

/** The CRC-32 of `bytes`, or undefined where node:zlib has no crc32. */
export function crc32(bytes) {
  zlib ??= createRequire(path.resolve("pkcs11-wasm.cjs"))("node:zlib");
  return typeof zlib.crc32 === "function" ? zlib.crc32(bytes) >>> 0 : undefined;
}
