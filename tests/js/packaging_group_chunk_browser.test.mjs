// The token groups' code (group.mjs) in Debian's headless Chromium, on a
// page's main thread importing browser.mjs as is (issue 15, item 1): not
// fetched for a configuration without groups; a synchronous C_Initialize
// of a group before it is loaded is a TypeError naming the two ways out;
// C_InitializeAsync fetches it (once) and initializes; init({ groups: true })
// makes the synchronous call work. The page is tests/bundlers/groups/.
// Web Worker members: tests/e2e/group_workers.test.mjs. Needs `npm run build`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { repoPages } from "./fixtures/repo-pages.mjs";

const open = repoPages();
const run = async (mode) => (await open(`/tests/bundlers/groups/index.html?mode=${mode}`)).result;

test("main thread, no preload: group.mjs not fetched without groups; sync C_Initialize is a TypeError; C_InitializeAsync loads it", async () => {
  const result = await run("async");
  assert.equal(result.fetchedForPlain, 0);
  assert.equal(result.sync.name, "TypeError");
  assert.match(result.sync.message, /token groups, whose code \(group\.mjs\) .*`await pkcs11\.C_InitializeAsync\(\)`.*`await init\(\{ groups: true \}\)`/);
  assert.equal(result.label, "page group");
  assert.deepEqual(result.members, ["live", "live"]);
  assert.equal(result.fetched, 1, "fetched once");
});

test("main thread, init({ groups: true }): sync C_Initialize works", async () => {
  const result = await run("preload");
  assert.deepEqual(result.sync, { ok: true });
  assert.equal(result.label, "page group");
  assert.equal(result.fetched, 1);
});
