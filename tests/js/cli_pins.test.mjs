// PINs through the `pkcs11-wasm` command (issue 13): the messages of a
// wrong PIN, the last try and a locked PIN; unlocking by the SO; changing
// PINs; PINs from the environment, a file descriptor and a terminal
// prompt that does not echo; never from the command line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, openSync, writeFileSync } from "node:fs";
import { SO_PIN, USER_PIN, cli, fails, hasScript, initToken, ok, onTerminal, pins, scratch } from "./fixtures/cli-install.mjs";

const list = (dir) => ["objects", "--directory", dir, "--login"];

test("wrong, last-try and locked user PINs each say what happened and what to do; the SO unlocks", (t) => {
  const s = scratch(t, { maxPinTries: 3 });
  const dir = initToken(s);
  const wrong = pins(s, { PKCS11_WASM_PIN: "not-the-pin" });
  assert.equal(
    fails(list(dir), { env: wrong }).line,
    "pkcs11-wasm: C_Login failed: CKR_PIN_INCORRECT: the user PIN is wrong (check PKCS11_WASM_PIN or the --pin-fd input)",
  );
  assert.equal(
    fails(list(dir), { env: wrong }).line,
    "pkcs11-wasm: C_Login failed: CKR_PIN_INCORRECT: the user PIN is wrong; one try is left before it locks (check PKCS11_WASM_PIN or the --pin-fd input)",
  );
  assert.equal(
    fails(list(dir), { env: wrong }).line,
    "pkcs11-wasm: C_Login failed: CKR_PIN_INCORRECT: the user PIN is wrong, and now locked after too many wrong tries: the SO can set a new one with `pkcs11-wasm unlock-pin`",
  );
  const locked = fails(list(dir), { env: pins(s) });
  assert.equal(locked.line, "pkcs11-wasm: C_Login failed: CKR_PIN_LOCKED: the user PIN is locked after too many wrong tries: the SO can set a new one with `pkcs11-wasm unlock-pin`");
  const json = cli([...list(dir), "--json"], { env: pins(s) }).json();
  assert.deepEqual(json.error, { code: "CKR_PIN_LOCKED", rv: 0xa4, function: "C_Login", message: locked.line.replace(/^pkcs11-wasm: /, "") });
  const flags = ok(["slots", "--directory", dir, "--json"], { env: { PKCS11_WASM_CONF: s.conf } }).json().slots[0].token.flags;
  assert.ok(flags.includes("user-pin-locked"), flags.join());

  const unlocked = ok(["unlock-pin", "--directory", dir], { env: pins(s, { PKCS11_WASM_NEW_PIN: "fresh-user-pin" }) });
  assert.match(unlocked.stdout, /^New user PIN set on "cli test" \(slot 0, serial [0-9a-f]+\) \(it was locked: now unlocked\)\.$/m);
  ok(list(dir), { env: pins(s, { PKCS11_WASM_PIN: "fresh-user-pin" }) });
  fails(list(dir), { env: pins(s) });
});

test("set-pin changes the user PIN and (--so) the SO PIN; the old ones stop working", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  assert.match(ok(["set-pin", "--directory", dir], { env: pins(s, { PKCS11_WASM_NEW_PIN: "second-user-pin" }) }).stdout, /^User PIN of "cli test" .* changed\.$/m);
  fails(list(dir), { env: pins(s) });
  ok(list(dir), { env: pins(s, { PKCS11_WASM_PIN: "second-user-pin" }) });
  ok(["set-pin", "--so", "--directory", dir], { env: pins(s, { PKCS11_WASM_NEW_SO_PIN: "second-so-pin" }) });
  assert.match(fails(["unlock-pin", "--directory", dir], { env: pins(s, { PKCS11_WASM_NEW_PIN: "x-user-pin" }) }).line, /CKR_PIN_INCORRECT: the SO PIN is wrong/);
  ok(["unlock-pin", "--directory", dir], { env: pins(s, { PKCS11_WASM_SO_PIN: "second-so-pin", PKCS11_WASM_NEW_PIN: "third-user-pin" }) });
  ok(list(dir), { env: pins(s, { PKCS11_WASM_PIN: "third-user-pin" }) });
  assert.match(fails(["set-pin", "--directory", dir], { env: pins(s, { PKCS11_WASM_PIN: "third-user-pin", PKCS11_WASM_NEW_PIN: "abc" }) }).line, /C_SetPIN failed: CKR_PIN_LEN_RANGE/);
});

test("PINs never on the command line; from a file descriptor (several lines for several PINs); none at all is a usage error", (t) => {
  const s = scratch(t);
  const dir = initToken(s);
  for (const flag of ["--pin", "--so-pin", "--new-pin"]) {
    const r = fails([...list(dir), flag, USER_PIN], {}, 2);
    assert.match(r.line, new RegExp(`^pkcs11-wasm: ${flag} is not accepted: a PIN on the command line shows up in ps and shell history: set PKCS11_WASM_PIN`));
  }
  const pinFile = s.path("pins");
  writeFileSync(pinFile, `${USER_PIN}\n`);
  const fd = openSync(pinFile, "r");
  t.after(() => closeSync(fd));
  ok([...list(dir), "--pin-fd", "3"], { env: { PKCS11_WASM_CONF: s.conf }, stdio3: fd });
  writeFileSync(s.path("two"), `${USER_PIN}\nfd-user-pin\n`);
  const two = openSync(s.path("two"), "r");
  t.after(() => closeSync(two));
  ok(["set-pin", "--directory", dir, "--pin-fd", "3", "--new-pin-fd", "3"], { env: { PKCS11_WASM_CONF: s.conf }, stdio3: two });
  ok(list(dir), { env: pins(s, { PKCS11_WASM_PIN: "fd-user-pin" }) });
  assert.equal(
    fails(list(dir), { env: { PKCS11_WASM_CONF: s.conf } }, 2).line,
    "pkcs11-wasm: no user PIN: set PKCS11_WASM_PIN, pass --pin-fd N, or run on a terminal to be asked",
  );
});

test("on a terminal the PINs are asked without echo (init asks each new PIN twice)", { skip: !hasScript && "util-linux `script` is not installed" }, async (t) => {
  const s = scratch(t);
  const dir = s.path("token");
  const env = { PKCS11_WASM_CONF: s.conf };
  const init = await onTerminal(["init", "--directory", dir, "--label", "typed"], { env, answers: [SO_PIN, SO_PIN, USER_PIN, USER_PIN] });
  assert.equal(init.status, 0, init.output);
  assert.match(init.output, /SO PIN: [\s\S]*SO PIN again: [\s\S]*User PIN: [\s\S]*User PIN again: /);
  assert.ok(!init.output.includes(SO_PIN) && !init.output.includes(USER_PIN), `no PIN echoed: ${init.output}`);
  assert.match(init.output, /Token "typed" initialized/);
  const listed = await onTerminal([...list(dir), "--type", "secret"], { env, answers: [USER_PIN] });
  assert.equal(listed.status, 0, listed.output);
  assert.match(listed.output, /User PIN: [\s\S]*\(no objects\)/);
  assert.ok(!listed.output.includes(USER_PIN));
  const mismatch = await onTerminal(["set-pin", "--directory", dir], { env, answers: [USER_PIN, "one-new-pin", "another-pin"] });
  assert.equal(mismatch.status, 2);
  assert.match(mismatch.output, /pkcs11-wasm: the two PINs typed differ/);
});

test("a locked SO PIN leaves delete-token, which asks for --yes off a terminal", (t) => {
  const s = scratch(t, { maxPinTries: 2 });
  const dir = initToken(s);
  const badSo = pins(s, { PKCS11_WASM_SO_PIN: "wrong-so-pin", PKCS11_WASM_NEW_PIN: "whatever-pin" });
  fails(["unlock-pin", "--directory", dir], { env: badSo });
  assert.match(fails(["unlock-pin", "--directory", dir], { env: badSo }).line, /CKR_PIN_INCORRECT: the SO PIN is wrong, and now locked after too many wrong tries: the token can only be deleted now \(`pkcs11-wasm delete-token`\)/);
  assert.match(fails(["init", "--directory", dir, "--label", "again", "--force"], { env: pins(s) }).line, /CKR_PIN_LOCKED/);
  assert.match(fails(["delete-token", "--directory", dir], {}, 2).line, /delete-token deletes "cli test" \(slot 0, serial [0-9a-f]+\) and all its objects for good: add --yes/);
  assert.match(ok(["delete-token", "--directory", dir, "--yes"]).stdout, /^Token "cli test" .* deleted, with its storage\.$/m);
  assert.equal(existsSync(dir), false, "the token directory is gone");
  ok(["init", "--directory", dir, "--label", "again"], { env: pins(s) });
});
