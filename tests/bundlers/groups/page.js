// The token groups' code (group.mjs) on a page's main thread, imported
// from browser.mjs as is (tests/js/packaging_group_chunk_browser.test.mjs):
// ?mode=async: no preload; a plain configuration, then sync C_Initialize
// of a group (a TypeError), then C_InitializeAsync (loads it);
// ?mode=preload: init({ groups: true }), then sync C_Initialize works.
import * as P from "/pkg/browser.mjs";

const mode = new URLSearchParams(location.search).get("mode");
const member = (name) => ({ storage: { memory: `${mode}-${name}` } });
const config = { kdfIterations: "insecure-test", slots: [{ group: { members: [member("a"), member("b")] } }] };
const out = {};
const fetchedGroup = () => performance.getEntriesByType("resource").filter((r) => r.name.endsWith("/group.mjs")).length;
try {
  await P.init(mode === "preload" ? { groups: true } : undefined);
  if (mode === "async") {
    const plain = new P.PKCS11({ slots: [{ storage: "memory" }] });
    await plain.C_InitializeAsync();
    plain.C_Finalize();
    out.fetchedForPlain = fetchedGroup();
  }
  const p = new P.PKCS11(config);
  try {
    p.C_Initialize();
    out.sync = { ok: true };
  } catch (e) {
    out.sync = { name: e.name, message: e.message };
    await p.C_InitializeAsync();
  }
  const [slot] = p.C_GetSlotList(false);
  p.C_InitToken(slot, "so-pin-1234", "page group");
  out.label = p.C_GetTokenInfo(slot).label.trimEnd();
  out.members = p.groupStatus(slot).members.map((m) => m.state);
  p.C_Finalize();
  out.fetched = fetchedGroup();
} catch (e) {
  out.error = String(e?.stack ?? e);
}
window.result = out;
