// The seed scenario against a group of three (examples/seed-group.cjs),
// and the unchanged pkcs11js program examples/seed-demo.cjs run on a group
// through PKCS11_WASM_CONF.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./fixtures/group-helpers.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));

function run(file, env = {}) {
  const r = spawnSync(process.execPath, [join(repo, "examples", file)], { cwd: repo, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `${file}: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test("examples/seed-group.cjs: the seed scenario on a group of three, a member away and back", () => {
  const out = run("seed-group.cjs");
  assert.match(out, /seed-group: all steps succeeded/);
  assert.match(out, /10 round trips: served by members 0, 2: no call failed/);
  assert.match(out, /member 1 alone holds 1 key "made-while-away"/);
});

test("examples/seed-demo.cjs runs unchanged on a group named by PKCS11_WASM_CONF", () => {
  const tmp = tempDir("pkcs11-wasm-group-demo-");
  try {
    const conf = join(tmp.dir, "group.json");
    const members = ["a", "b", "c"].map((x) => ({ storage: { directory: join(tmp.dir, x) } }));
    writeFileSync(conf, JSON.stringify({ kdfIterations: "insecure-test", slots: [{ group: { members } }] }));
    assert.match(run("seed-demo.cjs", { PKCS11_WASM_CONF: conf }), /seed-demo: all steps succeeded/);
  } finally {
    tmp.remove();
  }
});
