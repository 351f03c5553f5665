// The rows only the peer comparison has (issue 15, item 3); the rows the
// main table already has (SHA-256, HMAC, AES-GCM, P-256, RSA) are shared
// with the peers too. Ratios: ours / the fastest peer, target <= 1.
const MIB = 1024 * 1024;

export const PEER_GROUP = {
  title: "Versus WebAssembly/JS peers (ours through PKCS#11)",
  rows: [
    { id: "sha1.1m", label: "SHA-1 of 1 MiB (Init + Digest)", bytes: MIB },
    { id: "sha512.1m", label: "SHA-512 of 1 MiB (Init + Digest)", bytes: MIB },
    { id: "sha3_256.1m", label: "SHA3-256 of 1 MiB (Init + Digest)", bytes: MIB },
    {
      id: "pbkdf2.sha256",
      label: "PBKDF2-HMAC-SHA256, 10,000 iterations, 32 bytes",
      note: "ours: C_GenerateKey(CKM_PKCS5_PBKD2) making a session object (destroyed after each batch, untimed)",
    },
    { id: "chacha.enc.1m", label: "ChaCha20-Poly1305 encrypt 1 MiB", bytes: MIB },
    { id: "chacha.dec.1m", label: "ChaCha20-Poly1305 decrypt 1 MiB", bytes: MIB },
    { id: "ed25519.sign.1k", label: "Ed25519 sign 1 KiB" },
    { id: "ed25519.verify.1k", label: "Ed25519 verify 1 KiB" },
    {
      id: "x25519.derive",
      label: "X25519 shared secret",
      note: "ours: C_DeriveKey(CKM_ECDH1_DERIVE, CKD_NULL) making a session object (destroyed after each batch, untimed)",
    },
  ],
};

