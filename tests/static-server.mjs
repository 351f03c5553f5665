// A static server for the browser tests, on 127.0.0.1 and a free port:
// URL prefixes mapped to directories (a bundler's output at /, or /pkg/
// and /fixtures/), optionally cross-origin isolated (COOP/COEP, which
// SharedArrayBuffer and so token groups' Web Worker members need).
// Records every path it could not serve.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
const ISOLATED = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
};

/** `roots`: { "/prefix/": directory }; resolves { origin, missing, close }. */
export function serveRoots(roots, { isolated = false, index = "index.html" } = {}) {
  const missing = [];
  const prefixes = Object.keys(roots).sort((a, b) => b.length - a.length);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    const tail = prefix === undefined ? undefined : decodeURIComponent(url.pathname.slice(prefix.length));
    const rel = tail === undefined ? undefined : tail === "" ? index : normalize(tail).replace(/^\/+/, "");
    if (rel === undefined || rel.startsWith("..")) return res.writeHead(404).end();
    try {
      const body = await readFile(join(roots[prefix], rel));
      res.writeHead(200, { "content-type": TYPES[extname(rel)] ?? "application/octet-stream", "cache-control": "no-store", ...(isolated ? ISOLATED : {}) });
      res.end(body);
    } catch {
      missing.push(rel);
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ origin: `http://127.0.0.1:${server.address().port}`, missing, close: () => new Promise((r) => server.close(r)) }),
    ),
  );
}

/** One directory served at /. */
export const serveDir = (dir) => serveRoots({ "/": dir });
