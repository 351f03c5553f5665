// Bad input files given to `pkcs11-wasm import` (issue 13): a truncated
// PEM, PEMs of the wrong kind, random bytes, a 50 MB file, broken JSON.
// Each gives exit status 1 and one clear line on stderr, and the token's
// storage is byte for byte what it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { truncateSync, writeFileSync } from "node:fs";
import { fails, initToken, ok, pins, scratch, snapshot } from "./fixtures/cli-install.mjs";
import { generateKeyPair } from "./fixtures/node-keys.mjs";

const armor = (label, der) => `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END ${label}-----\n`;

test("bad files: one clear error each, and the token is left as it was", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const env = pins(s);
  const { privateKey, publicKey } = generateKeyPair("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" });
  ok(["import", "--directory", dir, "-", "--label", "existing"], { env, input: pem });
  const before = snapshot(dir);
  const file = (name, bytes) => {
    writeFileSync(s.path(name), bytes);
    return s.path(name);
  };
  const big = s.path("big.bin");
  writeFileSync(big, "");
  truncateSync(big, 50 * 1024 * 1024);
  const cases = [
    [[file("truncated.pem", pem.slice(0, pem.length / 2))], /truncated\.pem: truncated or damaged PEM \(a BEGIN line without its END line\)$/],
    [[file("cut-body.pem", pem.slice(0, 400) + "\n-----END PRIVATE KEY-----\n")], /cut-body\.pem: damaged PRIVATE KEY PEM block \(/],
    [[file("request.csr", armor("CERTIFICATE REQUEST", crypto.randomBytes(300)))], /request\.csr: a PEM "CERTIFICATE REQUEST" is not something to import: expected a private key, public key or certificate$/],
    [[file("openssh.key", armor("OPENSSH PRIVATE KEY", crypto.randomBytes(300)))], /openssh\.key: a PEM "OPENSSH PRIVATE KEY" is not something to import/],
    [[file("pub.pem", publicKey.export({ type: "spki", format: "pem" })), "--type", "cert"], /pub\.pem holds a public key, not a certificate \(--type cert\)$/],
    [[file("key.pem", pem), "--type", "public"], /key\.pem holds a private key, not a public key \(--type public\)$/],
    [[file("random.bin", crypto.randomBytes(4096))], /random\.bin: not a key, certificate or JWK that can be read: expected PEM, DER or JWK; raw secret bytes need --type aes or --type generic$/],
    [[s.path("random.bin"), "--type", "aes"], /random\.bin: an AES key is 16, 24 or 32 bytes; this one has 4096$/],
    [[big], /big\.bin is 50\.0 MiB: too large for a key, certificate or JWK file \(at most 1\.0 MiB\)$/],
    [[file("broken.jwk", '{"kty": "EC", "crv": "P-256", ')], /broken\.jwk: not valid JSON/],
    [[file("nokty.json", '{"keys": [{"k": "AAAA"}]}')], /nokty\.json: not a JWK \(no "kty"\)$/],
    [[file("empty.pem", "")], /empty\.pem is empty$/],
    [[s.path("missing.pem")], /cannot read .*missing\.pem: no such file$/],
    // A good file and a bad one: nothing from the good one is kept either.
    [[file("good.pem", generateKeyPair("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" })), s.path("random.bin")], /random\.bin: not a key/],
  ];
  for (const [args, message] of cases) {
    const r = fails(["import", "--directory", dir, ...args], { env });
    assert.match(r.line, message, args.join(" "));
    assert.deepEqual(snapshot(dir), before, `${args.join(" ")}: the token's files are unchanged`);
  }
  // 50 MB on stdin is cut off at the limit, not read whole.
  const r = fails(["import", "--directory", dir, "-"], { env, input: Buffer.alloc(50 * 1024 * 1024) });
  assert.match(r.line, /stdin is over 1\.0 MiB: too large for a key, certificate or JWK file/);
  assert.deepEqual(snapshot(dir), before);
  const objects = ok(["objects", "--directory", dir, "--login", "--json"], { env }).json().objects;
  assert.deepEqual(objects.map((o) => o.label).sort(), ["existing", "existing"]);
});

test("a failure while creating objects removes the ones already made in that import", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  const env = pins(s);
  const key = generateKeyPair("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" });
  writeFileSync(s.path("a.pem"), key);
  // A key on a binary curve: OpenSSL reads it, the token has no such curve.
  writeFileSync(s.path("b.pem"), generateKeyPair("ec", { namedCurve: "sect233k1" }).privateKey.export({ type: "pkcs8", format: "pem" }));
  const r = fails(["import", "--directory", dir, s.path("a.pem"), s.path("b.pem")], { env });
  assert.match(r.line, /^pkcs11-wasm: importing stopped; nothing kept: C_CreateObject failed: CKR_CURVE_NOT_SUPPORTED: the token does not implement this curve$/);
  assert.deepEqual(ok(["objects", "--directory", dir, "--login", "--json"], { env }).json().objects, []);
});
