// The conformance behaviour of a plain slot holds on a group's virtual
// slot: the existing semantics, facade and PKCS#11 3.x test files run
// unchanged in a child process whose every slot is a token group (the
// configuration comes from PKCS11_WASM_CONF, as it would for an
// application), with in-thread members, and the 3.x file again with
// thread members (worker_threads).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./fixtures/group-helpers.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));

/** `n` group slots of two members each (named memory stores, or threads). */
function config(n, thread) {
  const tag = `${process.pid}-${thread ? "t" : "l"}`;
  const member = (i, x) => ({ storage: { memory: `conf-${tag}-${i}-${x}` }, ...(thread ? { thread: true } : {}) });
  return { slots: Array.from({ length: n }, (_, i) => ({ group: { members: [member(i, "a"), member(i, "b")] } })) };
}

function runAgainstGroups(file, n, thread) {
  const tmp = tempDir("pkcs11-wasm-conformance-");
  try {
    const conf = join(tmp.dir, "groups.json");
    writeFileSync(conf, JSON.stringify(config(n, thread)));
    // NODE_TEST_CONTEXT would make the child report to this runner instead of printing TAP.
    const { NODE_TEST_CONTEXT, ...env } = process.env;
    const r = spawnSync(process.execPath, ["--test", "--test-reporter=tap", join(here, file)], {
      env: { ...env, PKCS11_WASM_CONF: conf },
      encoding: "utf8",
      timeout: 240000,
    });
    const out = r.stdout + r.stderr;
    const failing = out.split("\n").filter((l) => /^not ok/.test(l));
    assert.equal(r.status, 0, `${file} on groups${thread ? " (thread members)" : ""}: ${failing.join("; ")}\n${out.slice(-3000)}`);
    const pass = Number(/^# pass (\d+)/m.exec(out)?.[1]);
    assert.ok(pass > 0, `${file}: tests ran (${pass} passed)`);
    return pass;
  } finally {
    tmp.remove();
  }
}

test("semantics.test.mjs on token groups", () => {
  runAgainstGroups("semantics.test.mjs", 32, false);
});

test("facade.test.mjs on token groups", () => {
  runAgainstGroups("facade.test.mjs", 4, false);
});

test("pkcs11_3x.test.mjs on token groups, in-thread and thread members", () => {
  runAgainstGroups("pkcs11_3x.test.mjs", 2, false);
  runAgainstGroups("pkcs11_3x.test.mjs", 1, true);
});
