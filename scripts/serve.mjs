// A small static file server for the playground: www/ at /, the built
// package pkg/ at /pkg/ (so the page imports /pkg/browser.mjs), and the
// repository's README.md at /README.md (lessons link its sections).
// Local use only: binds 127.0.0.1, GET/HEAD only, no directory listings,
// and never serves a file outside its roots. Every answer is cross-origin
// isolated (COOP + COEP): the token group's members are Web Workers that
// answer through SharedArrayBuffer, which only such pages get. Run it
// (`node scripts/serve.mjs`, PORT to choose the port) or import `serve`
// (the end-to-end tests start it on a free port).
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = resolve(fileURLToPath(new URL("..", import.meta.url)));
const files = new Map([["/README.md", join(repo, "README.md")]]);
const mounts = [
  ["/pkg/", join(repo, "pkg")],
  ["/", join(repo, "www")],
];
const host = "127.0.0.1";

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/** The file a URL path names, or null when it is outside every root. */
async function locate(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const file1 = files.get(decoded);
  if (file1) {
    const info = await stat(file1).catch(() => null);
    return info?.isFile() ? { path: file1, size: info.size } : null;
  }
  const [prefix, root] = mounts.find(([p]) => decoded.startsWith(p));
  let file = resolve(root, "." + sep + decoded.slice(prefix.length));
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    // Symlinks must not lead out of the root either.
    const real = await realpath(file);
    const realRoot = await realpath(root);
    if (!real.startsWith(realRoot + sep)) return null;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : null;
  } catch {
    return null;
  }
}

// Cross-origin isolation: the page may only embed same-origin resources
// (it loads nothing else) and gets SharedArrayBuffer in return.
const ISOLATION = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
};

function reply(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff", ...ISOLATION });
  res.end(text + "\n");
}

async function handle(req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, "method not allowed");
  const urlPath = new URL(req.url, "http://localhost").pathname;
  const found = await locate(urlPath);
  if (!found) {
    const hint = urlPath.startsWith("/pkg/") ? " (run `npm run build` to create pkg/)" : "";
    return reply(res, 404, "not found" + hint);
  }
  res.writeHead(200, {
    "content-type": types[extname(found.path).toLowerCase()] || "application/octet-stream",
    "content-length": found.size,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...ISOLATION,
  });
  if (req.method === "HEAD") return res.end();
  createReadStream(found.path).on("error", () => res.destroy()).pipe(res);
}

/** Starts the server on 127.0.0.1:`port` (0: any free port); resolves to { server, port }. */
export function serve(port) {
  const server = createServer(handle);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve({ server, port: server.address().port }));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const port = Number(process.env.PORT || 8080);
  serve(port).then(
    () => console.log(`pkcs11-wasm playground: http://localhost:${port}/  (Ctrl-C to stop)`),
    (err) => {
      console.error(err.code === "EADDRINUSE" ? `port ${port} is in use: set PORT=<another port>` : err.message);
      process.exit(1);
    },
  );
}
