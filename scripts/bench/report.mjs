// Formatting: the results as a plain-text table (terminal) and as Markdown
// (README), both from the JSON the bench writes.
import { sizeLines } from "./sizes.mjs";
import { PEER_GROUP } from "./peer-groups.mjs";
import { PEERS } from "./peer-rows.mjs";

const IMPLS = [
  ["ours", "ours"],
  ["softhsm", "SoftHSM"],
  ["webcrypto", "WebCrypto"],
];

export function fmtTime(ms) {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

/** Half the interquartile range, as a percentage of the median. */
function spread(s) {
  return `±${Math.round(((s.p75 - s.p25) / 2 / s.median) * 100)}%`;
}

const timeCell = (r) => (r ? `${fmtTime(r.stats.median)} ${spread(r.stats)}` : "-");

function ratioCell(s) {
  if (!s || !Number.isFinite(s.median)) return "-";
  const v = s.median;
  const shown = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
  return `${shown}x ${spread(s)}`;
}

function targetCell(row, md) {
  if (!row.target) return "";
  const bound = `<= ${row.target.max}`;
  if (row.met === undefined) return `${bound}: n/a`;
  if (md) return `${bound} ${row.met ? "✓" : "✗"}`;
  return `${bound}: ${row.met ? "met" : "MISSED"}`;
}

/** Footnote numbers for the rows' notes (same text, same number). */
function footnotes(rows) {
  const texts = [];
  const mark = new Map();
  for (const r of rows) {
    if (!r.note) continue;
    if (!texts.includes(r.note)) texts.push(r.note);
    mark.set(r.id, texts.indexOf(r.note) + 1);
  }
  return { texts, mark };
}

function tableRows(result, md) {
  const { texts, mark } = footnotes(result.rows);
  const main = result.rows.filter((r) => r.group !== PEER_GROUP.title);
  const header = ["operation", ...IMPLS.map(([, t]) => t), "ours/SoftHSM", "ours/WebCrypto", "target (ours/SoftHSM)"];
  const body = [];
  let group;
  for (const r of main) {
    if (r.group !== group) {
      group = r.group;
      body.push({ group });
    }
    const m = mark.get(r.id);
    const label = m ? `${r.label} [${m}]` : r.label;
    body.push([
      label,
      ...IMPLS.map(([k]) => timeCell(r.impls[k])),
      ratioCell(r.ratios.softhsm),
      ratioCell(r.ratios.webcrypto),
      targetCell(r, md),
    ]);
  }
  return { header, body, texts };
}

/**
 * The peers' table: every row some WebAssembly/JS peer ran, ours and each
 * peer, and ours / the fastest of them (target <= 1).
 */
function peerTable(result, md, mark) {
  const rows = result.rows.filter((r) => r.peer);
  if (!rows.length) return undefined;
  const header = ["operation", "ours", ...PEERS.map(([, t]) => t), "ours/fastest peer", "target"];
  const body = [];
  let group;
  for (const r of rows) {
    const g = r.group === PEER_GROUP.title ? "Hashes, MACs, AEADs, Edwards/Montgomery" : r.group;
    if (g !== group) {
      group = g;
      body.push({ group });
    }
    const m = mark.get(r.id);
    const fastest = PEERS.find(([k]) => k === r.peer.fastest)[1];
    const verdict = r.peer.met ? (md ? "✓" : "met") : md ? "✗" : "MISSED";
    body.push([
      m ? `${r.label} [${m}]` : r.label,
      timeCell(r.impls.ours),
      ...PEERS.map(([k]) => timeCell(r.impls[k])),
      `${ratioCell(r.peer.ratio)} (${fastest})`,
      `<= 1 ${verdict}`,
    ]);
  }
  return { header, body };
}

const PEER_TITLE =
  "Versus WebAssembly/JavaScript peers (same process, interleaved rounds; ours through the PKCS#11 API, Init + call):";

/** The browser variant's table: ours vs the browser's WebCrypto. */
function browserRows(result) {
  const header = ["operation (browser Worker)", "ours", "WebCrypto", "ours/WebCrypto"];
  const body = [];
  let group;
  for (const r of result.browser.rows) {
    if (r.group !== group) {
      group = r.group;
      body.push({ group });
    }
    body.push([r.label, timeCell(r.impls.ours), timeCell(r.impls.webcrypto), ratioCell(r.ratios.webcrypto)]);
  }
  return { header, body };
}

function browserTitle(result) {
  const b = result.browser;
  return `Browser variant: ${b.browser}, headless, in a Web Worker${b.crossOriginIsolated ? " (cross-origin isolated)" : ""}; wall time.`;
}

function plainTable(header, body) {
  const cells = [header, ...body.filter(Array.isArray)];
  const width = header.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join("  ");
  const out = [line(header), width.map((w) => "-".repeat(w)).join("  ")];
  for (const b of body) out.push(Array.isArray(b) ? line(b) : `-- ${b.group}`);
  return out;
}

function markdownTable(header, body) {
  const esc = (s) => s.replace(/\|/g, "\\|");
  const out = [`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i === 0 ? "---" : "--:")).join("|")}|`];
  for (const b of body) {
    out.push(Array.isArray(b) ? `| ${b.map(esc).join(" | ")} |` : `| **${esc(b.group)}** ${"| ".repeat(header.length - 1)}|`);
  }
  return out;
}

export function textReport(result) {
  const { header, body, texts } = tableRows(result, false);
  const out = plainTable(header, body);
  const peers = peerTable(result, false, footnotes(result.rows).mark);
  if (peers) out.push("", PEER_TITLE, ...plainTable(peers.header, peers.body));
  out.push("", legend(result));
  texts.forEach((t, i) => out.push(`[${i + 1}] ${t}`));
  if (result.browser) {
    const b = browserRows(result);
    out.push("", browserTitle(result), ...plainTable(b.header, b.body));
  }
  out.push("", ...extras(result, false));
  return out.join("\n");
}

export function markdownReport(result) {
  const { header, body, texts } = tableRows(result, true);
  const out = markdownTable(header, body);
  const peers = peerTable(result, true, footnotes(result.rows).mark);
  if (peers) out.push("", PEER_TITLE, "", ...markdownTable(peers.header, peers.body));
  out.push("", legend(result), "");
  texts.forEach((t, i) => out.push(`${i + 1}. ${t}`));
  if (result.browser) {
    const b = browserRows(result);
    out.push("", browserTitle(result), "", ...markdownTable(b.header, b.body));
  }
  out.push("", ...extras(result, true));
  return out.join("\n");
}

function legend(result) {
  const clock =
    result.clock === "cpu"
      ? "CPU time of the process (user + system, all threads; the machine was busy, see below)"
      : "wall time";
  return `Medians per operation (${clock}); ±: half the interquartile range over the rounds; ratios: median of the per-round ratios (rounds interleave the implementations).`;
}

/** Machine, throughput, sizes and memory lines. */
function extras(result, md) {
  const out = [];
  const li = md ? "- " : "";
  const m = result.machine;
  out.push(`${li}Run ${result.date}: ${m.cpu}, ${m.nproc} cores (nproc), ${m.os}; Node ${m.node}; ours ${result.versions.ours ?? ""}${result.versions.oursStore ? ` (${result.versions.oursStore})` : ""}; ${result.versions.softhsm ?? "SoftHSM: not run"}${result.versions.pkcs11js ? ` via pkcs11js ${result.versions.pkcs11js}` : ""}; total ${Math.round(result.seconds)} s.`);
  const busy = Math.max(m.loadavg.before[0], m.loadavg.after[0]);
  out.push(`${li}Load average (1 min) ${m.loadavg.before[0]} before, ${m.loadavg.after[0]} after; bench at nice ${m.nice}.${busy > m.nproc ? " The machine was busy with other work: figures are noisier than usual; ratios from interleaved rounds hold better than absolute times." : ""}`);
  const peerVersions = PEERS.filter(([k]) => result.versions[k]).map(([k, t]) => `${t} ${result.versions[k]}`);
  if (peerVersions.length) out.push(`${li}Peers: ${peerVersions.join(", ")} (noble: @noble/hashes, ciphers and curves of one release).`);
  for (const [k, why] of Object.entries(result.skipped)) out.push(`${li}${k} not run: ${why}`);
  const bulk = result.rows.filter((r) => r.bytes);
  if (bulk.length) {
    const tp = (r, k) => (r.impls[k] ? `${Math.round(r.bytes / 1e6 / (r.impls[k].stats.median / 1000))}` : "-");
    out.push(`${li}Throughput (MB/s, ours / SoftHSM / WebCrypto): ${bulk.map((r) => `${r.label.replace(/ (of )?1 MiB.*/, "")} ${tp(r, "ours")} / ${tp(r, "softhsm")} / ${tp(r, "webcrypto")}`).join("; ")}.`);
  }
  if (result.sizes) out.push(...sizeLines(result.sizes, li, md));
  const mem = result.memory;
  if (mem?.ours) {
    const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
    const o = mem.ours;
    let s = `${li}Memory after creating ${o.objects.toLocaleString("en")} session objects (AES-256 keys with labels): ours wasm linear memory ${mib(o.wasmBefore)} -> ${mib(o.wasmAfter)} (+${Math.round((o.wasmAfter - o.wasmBefore) / o.objects)} B/object), process RSS +${mib(o.rssAfter - o.rssBefore)}`;
    if (mem.softhsm) s += `; SoftHSM process RSS +${mib(mem.softhsm.rssAfter - mem.softhsm.rssBefore)}`;
    out.push(s + ".");
  }
  const st = mem?.oursState;
  if (st?.session && st.token && st.churn) {
    const b = (n) => `${Math.round(n).toLocaleString("en")} B`;
    const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;
    out.push(`${li}State per object (ours, ${st.session.objects.toLocaleString("en")} alive, AES-256 keys with labels, in-memory token): session object ${b(st.session.wasmPerObject)} of wasm memory; token object ${b(st.token.wasmPerObject)} of wasm memory + ${b(st.token.heapPerObject)} of JS heap (the handle the caller keeps included); each measured in a fresh process.`);
    const churn = (c, what) =>
      `${what}: wasm memory ${mib(c.start.wasm)} -> ${mib(c.end.wasm)} (${c.end.wasm === c.start.wasm ? "no growth" : `+${mib(c.end.wasm - c.start.wasm)}`}), JS heap ${mib(c.start.heap)} -> ${mib(c.end.heap)}, RSS ${mib(c.start.rss)} -> ${mib(c.end.rss)}, ${c.usPerCycle.toFixed(1)} µs per cycle`;
    out.push(`${li}${st.churn.session.cycles.toLocaleString("en")} create/destroy cycles (after 1,000 warm-up cycles): ${churn(st.churn.session, "session objects")}; ${churn(st.churn.token, "token objects (flushed every 1,000)")}.`);
    if (st.stored) {
      const c = st.stored;
      const perCycle = (c.end.wasm - c.start.wasm) / c.cycles;
      const mid = c.mid ? ` (half-way: wasm ${mib(c.mid.wasm)}, JS heap ${mib(c.mid.heap)})` : "";
      out.push(`${li}The same cycles on a stored token (a named memory store; each destroyed object leaves a signed tombstone until 10,000 later writes age it out; ${(c.warmup ?? 1000).toLocaleString("en")} warm-up cycles): ${churn(c, "token objects")}${mid}; ${perCycle.toFixed(0)} B of wasm memory per destroyed object.`);
    }
  }
  return out;
}
