// Inputs shared by every implementation, fresh random bytes per run. Works
// in Node and in browsers (the browser variant runs the same rows): Buffers
// where a global Buffer exists (pkcs11js wants them), Uint8Arrays otherwise.
const KIB = 1024;

const wrap = (u8) => (globalThis.Buffer ? globalThis.Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength) : u8);

export function random(n) {
  const u8 = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(u8.subarray(i, Math.min(n, i + 65536)));
  return wrap(u8);
}

/** A zeroed output buffer. */
export const alloc = (n) => wrap(new Uint8Array(n));

export async function makeData() {
  const message = random(32);
  return {
    plain: { 64: random(64), "1k": random(KIB), "1m": random(KIB * KIB) },
    iv12: random(12),
    iv16: random(16),
    message,
    messageHash: wrap(new Uint8Array(await crypto.subtle.digest("SHA-256", message))),
    objectCount: 1000,
    memoryObjectCount: 10_000,
    // The labels the find row looks up: a fixed shuffle of 0..999.
    findOrder: Array.from({ length: 1000 }, (_, i) => (i * 617 + 211) % 1000),
  };
}
