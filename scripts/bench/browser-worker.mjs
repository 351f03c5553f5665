// The browser variant's Web Worker: the crypto rows of the Node bench, on
// this package (pkg/browser.mjs) and on the browser's WebCrypto, with the
// same harness (wall time), interleaved. Served by browser.mjs; started by
// browser.html. Message in: { scale, only }; out: { progress } lines, then
// { measured } or { error }.
import { makeData } from "./data.mjs";
import { measure, setClock } from "./harness.mjs";
import { initToken, pkcs11Rows, workSession } from "./pkcs11-rows.mjs";
import { isCryptoRow, ROWS } from "./rows.mjs";
import { webcryptoRows } from "./webcrypto-rows.mjs";

const SO_PIN = "bench-so-5678";
const USER_PIN = "bench-user-1234";

onmessage = async (e) => {
  const { scale, only } = e.data;
  const wanted = (id) => isCryptoRow(id) && (!only || new RegExp(only).test(id));
  try {
    setClock("wall");
    const ours = await import("/pkg/browser.mjs");
    await ours.init();
    const DATA = await makeData();
    // The crypto rows only: an in-memory token (the browser default would
    // be an IndexedDB one).
    const p11 = new ours.PKCS11({ kdfIterations: 1500, slots: [{ storage: "memory" }] });
    p11.C_Initialize();
    const [slot] = p11.C_GetSlotList(true);
    initToken(p11, ours, slot, "bench-browser", SO_PIN, USER_PIN);
    const session = workSession(p11, ours, slot, USER_PIN);
    const impls = {
      ours: pkcs11Rows({ p11, C: ours, DATA, slot, session, login: {} }),
      webcrypto: await webcryptoRows(crypto.subtle, DATA),
    };
    const measured = {};
    for (const row of ROWS) {
      if (!wanted(row.id)) continue;
      const byImpl = {};
      for (const [name, rows] of Object.entries(impls)) if (rows[row.id]) byImpl[name] = rows[row.id];
      if (Object.keys(byImpl).length === 0) continue;
      const t0 = performance.now();
      Object.assign(
        measured,
        await measure(row.id, byImpl, {
          budgetMs: (row.budget ?? 3000) * scale,
          minRounds: scale < 1 ? Math.min(row.minRounds ?? 7, 5) : row.minRounds,
          maxRounds: row.maxRounds,
        }),
      );
      const got = measured[row.id];
      const line = Object.entries(got).map(([n, r]) => `${n} ${r.stats.median.toPrecision(3)} ms`);
      postMessage({ progress: `${row.id}: ${line.join(", ")} (${((performance.now() - t0) / 1000).toFixed(1)} s)` });
    }
    postMessage({ measured, userAgent: navigator.userAgent, crossOriginIsolated: self.crossOriginIsolated });
  } catch (err) {
    postMessage({ error: String(err?.stack || err) });
  }
};
