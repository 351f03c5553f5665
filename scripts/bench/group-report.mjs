// The token-group rows of `npm run bench`: run.mjs calls runGroupBench()
// (group.mjs in a child process, so that its SoftHSM and worker threads
// start clean) and prints groupReport() after the main table.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fmtTime } from "./report.mjs";

/** Runs group.mjs; returns its result, or { why } when it could not run. */
export function runGroupBench({ here, env, quick, noSoftHSM, log }) {
  log("token groups: scripts/bench/group.mjs (per-call overhead, RSA-2048 C_SignAsync throughput)");
  const args = [join(here, "group.mjs"), "--json", ...(quick ? ["--quick"] : []), ...(noSoftHSM ? ["--no-softhsm"] : [])];
  const r = spawnSync(process.execPath, args, { env, encoding: "utf8", timeout: 600_000, stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) return { why: `group.mjs failed (${r.status ?? r.signal}): ${r.error ?? ""}` };
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

const pct = (s) => `±${Math.round(((s.p75 - s.p25) / 2 / s.median) * 100)}%`;
const times = (s) => `${fmtTime(s.median)} ${pct(s)}`;
const ratio = (s) => `${s.median.toFixed(2)}x ${pct(s)}`;

/** The rows as text (md false) or Markdown. */
export function groupReport(result, md) {
  if (result.why) return `Token groups: not measured (${result.why})`;
  const lines = [];
  const row = (cells) => lines.push(md ? `| ${cells.join(" | ")} |` : cells.join("  |  "));
  lines.push(md ? "| operation | group | plain slot | group/plain | target |" : "Token groups: per-call overhead (wall time)");
  if (md) lines.push("|---|--:|--:|--:|--:|");
  for (const r of result.rows.filter((x) => x.plain)) {
    const met = r.target ? `<= ${r.target.max} ${r.ratio.median <= r.target.max ? (md ? "✓" : "met") : md ? "✗" : "MISSED"}` : "";
    row([r.label, times(r.group), times(r.plain), ratio(r.ratio), met]);
  }
  lines.push("");
  lines.push(md ? "| operation | per signature | signatures/s |" : `Token groups: RSA-2048 signing throughput, ${result.inFlight} C_SignAsync in flight (wall time, ${result.nproc} cores)`);
  if (md) lines.push("|---|--:|--:|");
  for (const r of result.rows.filter((x) => x.perSignature)) row([r.label, times(r.perSignature), result.rows && Math.round(r.perSecond).toString()]);
  const sp = result.speedup;
  lines.push("");
  const met = sp.twoOverOne.median >= sp.target.min;
  lines.push(
    `Throughput of 2 thread members / 1: ${ratio(sp.twoOverOne)} (target >= ${sp.target.min}: ${met ? (md ? "✓" : "met") : md ? "✗" : "MISSED"})` +
      (sp.twoOverSoftHSM ? `; 2 thread members / SoftHSM's C_SignAsync: ${ratio(sp.twoOverSoftHSM)}` : "") +
      (sp.softhsmInFlight ? `; control: SoftHSM with calls in flight / one at a time: ${ratio(sp.softhsmInFlight)} (about 2x when the process has both cores to itself)` : "") +
      (result.softhsm ? ` (${result.softhsm})` : Object.keys(result.skipped).length ? ` (SoftHSM skipped: ${Object.values(result.skipped).join("; ")})` : "") +
      `; load average after: ${result.loadavg.join(", ")}; the machine's parallelism then (pure work split over 2 workers / 1): ${result.machineParallelism.toFixed(2)}x.`,
  );
  return lines.join("\n");
}
