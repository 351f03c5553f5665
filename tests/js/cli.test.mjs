// The `pkcs11-wasm` command (issue 13), installed from the packed tarball
// as a user installs it: the seed scenario typed into a shell, --help and
// an example for every command, the --json shapes scripts rely on, exit
// statuses, digest against Node's crypto, group status, progress lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SO_PIN, USER_PIN, cli, fails, initToken, installed, ok, pins, scratch } from "./fixtures/cli-install.mjs";

const COMMANDS = [
  "slots", "mechanisms", "init", "set-pin", "unlock-pin", "delete-token", "objects", "show", "delete-object",
  "generate", "import", "export", "sign", "verify", "encrypt", "decrypt", "digest", "backup", "restore", "clone",
  "backup-info", "group",
];

test("the seed scenario from a shell: init a token and PIN, generate an AES key, encrypt and decrypt a file", (t) => {
  const s = scratch(t);
  writeFileSync(s.path("notes.txt"), "the seed scenario, from the shell\n".repeat(100));
  const script = `
    set -e
    export PKCS11_WASM_SO_PIN='${SO_PIN}' PKCS11_WASM_PIN='${USER_PIN}'
    pkcs11-wasm init --directory ./token --label 'seed token'
    pkcs11-wasm generate --directory ./token --key-type aes:256 --label data-key
    pkcs11-wasm encrypt --directory ./token --label data-key -i notes.txt -o notes.enc
    pkcs11-wasm decrypt --directory ./token --label data-key -i notes.enc -o notes.out
    cmp notes.txt notes.out
    pkcs11-wasm objects --directory ./token --login
  `;
  const r = spawnSync("sh", ["-c", script], {
    cwd: s.dir,
    encoding: "utf8",
    env: { ...process.env, PATH: `${dirname(installed().bin)}:${process.env.PATH}`, PKCS11_WASM_CONF: s.conf },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Token "seed token" initialized in slot 0 \(serial [0-9a-f]{16}\); user PIN set\./);
  assert.match(r.stdout, /Generated AES-256 key "data-key"/);
  assert.match(r.stdout, /secret\s+aes\s+data-key\s+-\s+token,private,sensitive\s+encrypt,decrypt/);
  const sealed = readFileSync(s.path("notes.enc"));
  assert.equal(sealed.length, 12 + 3400 + 16, "IV, ciphertext, GCM tag");
  assert.ok(!sealed.includes("seed scenario"), "the file is encrypted");
});

test("every command has --help with an example, and the top-level help lists them", () => {
  const top = ok(["--help"]).stdout;
  for (const name of COMMANDS) {
    assert.match(top, new RegExp(`^  ${name} `, "m"), `top help lists ${name}`);
    const help = ok([name, "--help"]).stdout;
    assert.match(help, new RegExp(`^Usage: pkcs11-wasm ${name}`), `${name} --help: usage`);
    assert.match(help, /^Examples?:\n  .*pkcs11-wasm /m, `${name} --help: an example`);
    assert.equal(ok(["help", name]).stdout, help);
  }
  assert.match(ok(["--version"]).stdout, /^\d+\.\d+\.\d+/);
  assert.match(fails(["frobnicate"], {}, 2).line, /unknown command "frobnicate"/);
  assert.match(fails(["slots", "--frobnicate"], {}, 2).line, /unknown option --frobnicate for `slots`/);
  assert.match(ok(["--show-slots", "--help"]).stdout, /^Usage: pkcs11-wasm slots/, "softhsm2-util's spelling works");
});

test("where tokens are: no configuration is a usage error; --config and PKCS11_WASM_CONF name the slots", (t) => {
  const s = scratch(t);
  assert.match(fails(["slots"], {}, 2).line, /no token storage is configured: pass --directory DIR/);
  // A mistyped directory is an error, not a new empty token directory.
  assert.match(fails(["objects", "--directory", s.path("typo")]).line, /typo: no such token directory: `pkcs11-wasm init --directory .*typo` creates one$/);
  assert.equal(existsSync(s.path("typo")), false);
  const conf = s.path("two.json");
  writeFileSync(conf, JSON.stringify({ kdfIterations: "insecure-test", slots: [{ storage: { directory: s.path("a") } }, { storage: { directory: s.path("b") } }] }));
  ok(["init", "--config", conf, "--label", "first"], { env: pins(s) });
  ok(["init", "--label", "second"], { env: { ...pins(s), PKCS11_WASM_CONF: conf } });
  const slots = ok(["slots", "--json", "--config", conf]).json().slots;
  assert.deepEqual(slots.map((x) => [x.id, x.token.label, x.storage.kind]), [[0, "first", "directory"], [1, "second", "directory"]]);
  // Slots by id, label or serial; several tokens need one named.
  const serial = slots[1].token.serial;
  for (const name of ["1", "second", serial]) assert.equal(ok(["mechanisms", "--config", conf, "--slot", name, "--json"]).json().slot, 1);
  assert.match(fails(["objects", "--config", conf]).line, /2 tokens are configured: name one with --slot/);
  assert.match(fails(["objects", "--config", conf, "--slot", "third"]).line, /no slot or token named "third"/);
  assert.match(fails(["init", "--config", conf, "--label", "x"], { env: pins(s) }).line, /no free slot/);
  assert.match(fails(["init", "--config", conf, "--slot", "0", "--label", "x"], { env: pins(s) }).line, /already holds the token "first".*--force/);
});

test("--json shapes: slots, init, generate, objects, show, mechanisms, errors", (t) => {
  const s = scratch(t);
  const dir = s.path("token");
  const env = pins(s);
  const init = ok(["init", "--directory", dir, "--label", "json token", "--json"], { env }).json();
  assert.deepEqual(Object.keys(init).sort(), ["label", "serial", "slot"]);
  assert.equal(init.label, "json token");
  const [slot] = ok(["slots", "--directory", dir, "--json"]).json().slots;
  assert.deepEqual(slot.storage, { kind: "directory", name: dir });
  assert.equal(slot.token.serial, init.serial);
  assert.deepEqual(slot.token.flags.slice(0, 3), ["initialized", "user-pin-set", "login-required"]);
  assert.equal(slot.token.publicObjects, 0);
  for (const k of ["minPinLen", "maxPinLen", "model", "manufacturer"]) assert.ok(k in slot.token, k);

  const gen = ok(["generate", "--directory", dir, "--key-type", "ec:P-256", "--label", "ec", "--json"], { env }).json();
  assert.equal(gen.generated, "EC P-256 key pair");
  assert.equal(gen.mechanism, "CKM_EC_KEY_PAIR_GEN");
  assert.match(gen.id, /^[0-9a-f]{40}$/);
  assert.deepEqual(gen.objects.map((o) => o.object), ["public key", "private key"]);

  const pub = ok(["objects", "--directory", dir, "--json"]).json();
  assert.equal(pub.loggedIn, false);
  assert.deepEqual(pub.objects.map((o) => o.class), ["pubkey"]);
  const all = ok(["objects", "--directory", dir, "--json", "--login"], { env }).json();
  const priv = all.objects.find((o) => o.class === "privkey");
  assert.deepEqual(
    { ...priv, uid: undefined },
    { uid: undefined, class: "privkey", keyType: "ec", label: "ec", id: gen.id, token: true, private: true, sensitive: true, extractable: false, usages: priv.usages },
  );
  assert.ok(priv.usages.includes("sign"));

  const shown = ok(["show", "--directory", dir, "--uid", priv.uid.slice(0, 8), "--login", "--json"], { env }).json();
  assert.equal(shown.attributes.CKA_CLASS, "CKO_PRIVATE_KEY");
  assert.equal(shown.attributes.CKA_KEY_TYPE, "CKK_EC");
  assert.deepEqual(shown.attributes.CKA_EC_PARAMS, { curve: "secp256r1 (P-256)", hex: "06082a8648ce3d030107" });
  assert.deepEqual(shown.attributes.CKA_VALUE, { sensitive: true });
  assert.equal(shown.attributes.CKA_SENSITIVE, true);

  const mechs = ok(["mechanisms", "--directory", dir, "--json"]).json().mechanisms;
  const gcm = mechs.find((m) => m.name === "CKM_AES_GCM");
  assert.ok(gcm.functions.includes("encrypt") && gcm.minKeySize === 16);

  // Errors: JSON on stdout, one line on stderr, the CKR code by name.
  const err = cli(["objects", "--directory", dir, "--login", "--json"], { env: { ...env, PKCS11_WASM_PIN: "not-the-pin" } });
  assert.equal(err.status, 1);
  assert.deepEqual(Object.keys(err.json().error), ["code", "rv", "function", "message"]);
  assert.equal(err.json().error.code, "CKR_PIN_INCORRECT");
  assert.equal(err.json().error.rv, 0xa0);
  assert.equal(err.json().error.function, "C_Login");
  const usage = cli(["objects", "--directory", dir, "--pin", "1234", "--json"]);
  assert.equal(usage.status, 2);
  assert.equal(usage.json().error.code, null);
});

test("digest hashes like Node's crypto, with or without a configured token, from a file or stdin", (t) => {
  const s = scratch(t);
  const data = Buffer.from("digest me ".repeat(300_000)); // 3 MB: several 1 MiB parts
  writeFileSync(s.path("data"), data);
  for (const [m, node] of [["SHA256", "sha256"], ["sha3-256", "sha3-256"], ["CKM_SHA512", "sha512"]]) {
    const want = createHash(node).update(data).digest("hex");
    assert.equal(ok(["digest", "-m", m, "-i", s.path("data")]).stdout, `${want}  ${s.path("data")}\n`);
  }
  const dir = initToken(s);
  const r = ok(["digest", "--directory", dir, "--json"], { input: data }).json();
  assert.deepEqual(r, { mechanism: "CKM_SHA256", digest: createHash("sha256").update(data).digest("hex"), input: "-" });
});

test("group status: a plain token directory has no token groups", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  assert.equal(ok(["group", "status", "--directory", dir]).stdout, "This configuration has no token groups.\n");
  assert.deepEqual(ok(["group", "status", "--directory", dir, "--json"]).json(), { groups: [] });
  assert.match(fails(["group", "rebalance", "--directory", dir], {}, 2).line, /unknown group command "rebalance"/);
});

test("group status: each member of a token group with its state, calls and last error", (t) => {
  const members = ["m0", "m1", "m2"];
  const s = scratch(t);
  const conf = s.path("group.json");
  writeFileSync(
    conf,
    JSON.stringify({ kdfIterations: "insecure-test", slots: [{ group: { members: members.map((m) => ({ storage: { directory: s.path(m) } })) } }] }),
  );
  const env = pins(s, { PKCS11_WASM_CONF: conf });
  ok(["init", "--label", "grouped"], { env });
  ok(["generate", "--key-type", "aes:256", "--label", "k"], { env });
  const json = ok(["group", "status", "--json"], { env }).json();
  assert.equal(json.groups.length, 1);
  assert.deepEqual(json.groups[0].status.members.map((m) => m.state), ["live", "live", "live"]);
  assert.match(ok(["group", "status"], { env }).stdout, /slot 0: token group of 3 \(3 live\)/);
  // Every member holds the key: a replica.
  for (const m of members) ok(["objects", "--directory", s.path(m), "--login"], { env: pins(s) });
  // A member whose token directory became a file is lost; the group goes on.
  rmSync(s.path("m2"), { recursive: true });
  writeFileSync(s.path("m2"), "not a directory");
  const after = ok(["group", "status", "--json"], { env }).json().groups[0].status.members;
  assert.deepEqual(after.map((m) => m.state), ["live", "live", "lost"]);
  assert.ok(after[2].lastError, "the lost member says why");
  assert.match(ok(["objects", "--login"], { env }).stdout, /\bk\b/);
});

test("--progress names the slow steps on stderr (login, key generation); without it, nothing when not a terminal", (t) => {
  const s = scratch(t);
  const dir = s.path("token");
  const r = ok(["init", "--directory", dir, "--label", "p", "--progress"], { env: pins(s) });
  assert.match(r.stderr, /^initializing the token \(deriving the SO PIN key\)\.\.\.$/m);
  assert.match(r.stderr, /^logging in as SO \(deriving the PIN key\): done \(\d+\.\d\d s\)$/m);
  assert.match(r.stderr, /^setting the user PIN \(deriving its key\): done/m);
  const g = ok(["generate", "--directory", dir, "--key-type", "rsa:2048", "--label", "r", "--progress"], { env: pins(s) });
  assert.match(g.stderr, /^generating RSA-2048 key pair: done/m);
  assert.equal(ok(["generate", "--directory", dir, "--key-type", "aes", "--label", "a"], { env: pins(s) }).stderr, "");
});
