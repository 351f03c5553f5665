// Bench rows of the `pkcs11-wasm` command line (issue 13): how long a
// command that needs no login takes to answer, as a user runs it (a fresh
// Node process per sample, from spawn to exit), on a token directory of
// 1,000 objects (500 public data objects, 500 private AES keys). Target:
// under 300 ms. Node's own start-up (`node -e 0`) is shown for reference.
// Each sample also reports the child's CPU time (user + system, from a
// preloaded exit hook), which a busy machine disturbs less than wall time.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { summarize } from "./harness.mjs";
import { fmtTime } from "./report.mjs";

const TARGET_MS = 300;
const OBJECTS = 1000;

// Preloaded into each child: its CPU time and lifetime, on stderr at exit.
const EXIT_HOOK =
  "data:text/javascript," +
  encodeURIComponent(
    'import { writeSync } from "node:fs";' +
      'process.on("exit", () => { const u = process.cpuUsage();' +
      'writeSync(2, "\\ncli-bench " + JSON.stringify({ cpu: (u.user + u.system) / 1000, life: performance.now() }) + "\\n"); });',
  );

export const CLI_ROWS = [
  { id: "cli.slots", label: "`pkcs11-wasm slots` (table of slots; counts public objects)", args: (dir) => ["slots", "--directory", dir] },
  { id: "cli.objects", label: "`pkcs11-wasm objects` (lists the 500 public objects)", args: (dir) => ["objects", "--directory", dir] },
  { id: "cli.show", label: "`pkcs11-wasm show --label data-7` (every attribute of one object)", args: (dir) => ["show", "--directory", dir, "--label", "data-7"] },
  { id: "cli.node", label: "`node -e 0` (Node's own start-up, for reference)", node: true },
];

/** Fills a token directory with the benchmark's 1,000 objects (in this process). */
async function fill(pkg, dir) {
  const C = await import(pathToFileURL(join(pkg, "index.mjs")).href);
  const p = new C.PKCS11({ kdfIterations: "insecure-test", slots: [{ storage: { directory: dir } }] });
  p.C_Initialize();
  const [slot] = p.C_GetSlotList(false);
  p.C_InitToken(slot, "bench-so-5678", "cli bench");
  const s = p.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
  p.C_Login(s, C.CKU_SO, "bench-so-5678");
  p.C_InitPIN(s, "bench-user-1234");
  p.C_Logout(s);
  p.C_Login(s, C.CKU_USER, "bench-user-1234");
  for (let i = 0; i < OBJECTS / 2; i++) {
    p.C_CreateObject(s, [
      { type: C.CKA_CLASS, value: C.CKO_DATA },
      { type: C.CKA_TOKEN, value: true },
      { type: C.CKA_PRIVATE, value: false },
      { type: C.CKA_LABEL, value: `data-${i}` },
      { type: C.CKA_VALUE, value: Buffer.alloc(64, i) },
    ]);
    p.C_CreateObject(s, [
      { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
      { type: C.CKA_TOKEN, value: true },
      { type: C.CKA_LABEL, value: `key-${i}` },
      { type: C.CKA_VALUE, value: crypto.getRandomValues(Buffer.alloc(32)) },
    ]);
  }
  await p.C_FinalizeAsync();
}

function sample(row, bin, dir) {
  const args = row.node ? ["--import", EXIT_HOOK, "-e", "0"] : ["--import", EXIT_HOOK, bin, ...row.args(dir)];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, PKCS11_WASM_CONF: "" } });
  const wall = performance.now() - t0;
  const m = /cli-bench (\{.*\})/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${row.id}: exit ${r.status}: ${r.stderr}`);
  return { wall, cpu: JSON.parse(m[1]).cpu };
}

/**
 * Measures the rows `wanted` (by id) in rounds (each round runs every row
 * once, in a rotated order) until ~`budgetMs` is spent. Returns
 * { rows: [{ id, label, wall, cpu (summaries), met }] } or undefined.
 */
export async function cliRows({ pkg, base, log, scale = 1, wanted = () => true }) {
  const rows = CLI_ROWS.filter((r) => wanted(r.id));
  if (rows.length === 0) return undefined;
  const dir = mkdtempSync(join(base, "pkcs11-wasm-bench-cli-"));
  try {
    log(`command line: filling a token directory with ${OBJECTS.toLocaleString("en")} objects`);
    await fill(pkg, join(dir, "token"));
    const bin = join(pkg, "bin", "pkcs11-wasm.mjs");
    const samples = Object.fromEntries(rows.map((r) => [r.id, []]));
    for (const r of rows) sample(r, bin, join(dir, "token")); // warm the file cache
    const budget = 20_000 * scale;
    const t0 = performance.now();
    for (let round = 0; round < 5 || (performance.now() - t0 < budget && round < 41); round++) {
      for (let k = 0; k < rows.length; k++) {
        const r = rows[(k + round) % rows.length];
        samples[r.id].push(sample(r, bin, join(dir, "token")));
      }
    }
    const out = rows.map((r) => {
      const wall = summarize(samples[r.id].map((x) => x.wall));
      const cpu = summarize(samples[r.id].map((x) => x.cpu));
      return { id: r.id, label: r.label, wall, cpu, met: r.node ? undefined : wall.median < TARGET_MS };
    });
    log(`command line: ${out.map((r) => `${r.id} ${r.wall.median.toFixed(0)} ms`).join(", ")}`);
    return { targetMs: TARGET_MS, objects: OBJECTS, rows: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rows as a plain or Markdown table. */
export function cliReport(cli, md = false) {
  const header = ["command (fresh process; token of 1,000 objects)", "wall (median)", "CPU (median)", `target < ${cli.targetMs} ms`];
  const cell = (s) => `${fmtTime(s.median)} ±${Math.round(((s.p75 - s.p25) / 2 / s.median) * 100)}%`;
  const body = cli.rows.map((r) => [r.label, cell(r.wall), cell(r.cpu), r.met === undefined ? "" : r.met ? (md ? "✓" : "met") : md ? "✗" : "MISSED"]);
  if (md) return [`| ${header.join(" | ")} |`, `|---|--:|--:|--:|`, ...body.map((b) => `| ${b.join(" | ")} |`)].join("\n");
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [header, ...body].map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}
