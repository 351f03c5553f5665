// SoftHSMv2 through the npm package pkcs11js, for the side-by-side rows.
// Neither is a dependency of this repository:
//   - Debian's `softhsm2` is used when installed; when it is missing and we
//     run as root with apt-get, it is installed (`apt-get install -y
//     softhsm2`) and we say so;
//   - pkcs11js (a native addon) is installed on demand into a cache
//     directory, node_modules/.cache/pkcs11-wasm-bench (git-ignored), with
//     `npm install --no-save --prefix <cache> pkcs11js@2`, which compiles
//     the addon with node-gyp. PKCS11JS_DIR may name a node_modules
//     directory that already holds it (as for tests/js/example.test.mjs).
// Either one unavailable: `available()` says why and the bench runs the
// other columns.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SO_PIN = "bench-so-5678";
export const USER_PIN = "bench-user-1234";

const LIB_CANDIDATES = [
  process.env.SOFTHSM2_LIB,
  "/usr/lib/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/local/lib/softhsm/libsofthsm2.so",
].filter(Boolean);

const findLib = () => LIB_CANDIDATES.find((p) => existsSync(p));
const hasCommand = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

/** The SoftHSM library path, installing Debian's package when we may. */
function softhsmLibrary(log) {
  let lib = findLib();
  if (lib && hasCommand("softhsm2-util")) return { lib };
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !hasCommand("apt-get")) {
    return { why: "Debian's softhsm2 is not installed (install it with `apt-get install softhsm2`; the bench installs it itself only when run as root)" };
  }
  log("softhsm2 is not installed: running `apt-get install -y softhsm2` (we run as root)");
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "softhsm2"], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    }).status === 0;
  if (!install()) {
    log("apt-get install failed: running `apt-get update` and trying once more");
    spawnSync("apt-get", ["update"], { stdio: ["ignore", "inherit", "inherit"] });
    install();
  }
  lib = findLib();
  return lib ? { lib } : { why: "apt-get install softhsm2 failed" };
}

/** pkcs11js from PKCS11JS_DIR, the repository, or the bench's cache. */
function loadPkcs11js(root, log) {
  const tries = [];
  if (process.env.PKCS11JS_DIR) tries.push(join(process.env.PKCS11JS_DIR, "noop.js"));
  tries.push(join(root, "noop.js"));
  const cache = join(root, "node_modules", ".cache", "pkcs11-wasm-bench");
  tries.push(join(cache, "noop.js"));
  for (const base of tries) {
    try {
      const req = createRequire(base);
      return { pkcs11js: req("pkcs11js"), path: req.resolve("pkcs11js"), from: base };
    } catch {}
  }
  if (!hasCommand("npm")) return { why: "pkcs11js is not installed and npm is not on PATH" };
  log(`pkcs11js is not a dependency: installing it into ${cache} (npm install --no-save pkcs11js@2; node-gyp compiles its addon)`);
  mkdirSync(cache, { recursive: true });
  const r = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock", "--prefix", cache, "pkcs11js@2"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) return { why: `npm install pkcs11js failed (exit ${r.status}): a C++ toolchain and Python are needed for node-gyp` };
  try {
    const req = createRequire(join(cache, "noop.js"));
    return { pkcs11js: req("pkcs11js"), path: req.resolve("pkcs11js"), from: join(cache, "noop.js") };
  } catch (e) {
    return { why: `pkcs11js installed but does not load: ${e.message}` };
  }
}

/**
 * Where both token stores go (ours and SoftHSM's: the same file system, so
 * that the token-level rows compare the tokens and not the storage): tmpfs
 * (/dev/shm) unless `onDisk`, since the latency of a shared VM's disk (a
 * SoftHSM token-object create took ~50 ms on ext4 here under load, ~0.15 ms
 * on tmpfs) measures the disk rather than the token.
 */
export function storeBase(onDisk = false) {
  const tmpfs = !onDisk && existsSync("/dev/shm");
  return { base: tmpfs ? "/dev/shm" : tmpdir(), tmpfs };
}

/**
 * SoftHSM ready to bench, or { why }. Makes a temporary token directory
 * (under storeBase(onDisk)) with a configuration file per store (`main`:
 * tokens bench-work and bench-login; `startup`: one token the start-up
 * rows fill with 1,000 objects), each token initialized with softhsm2-util.
 */
export function available(root, log, onDisk = false) {
  const found = softhsmLibrary(log);
  if (!found.lib) return { why: found.why };
  const js = loadPkcs11js(root, log);
  if (!js.pkcs11js) return { why: js.why };

  const { base, tmpfs } = storeBase(onDisk);
  const dir = mkdtempSync(join(base, "pkcs11-wasm-bench-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const conf = {};
  for (const store of ["main", "startup"]) {
    const tokens = join(dir, store);
    mkdirSync(tokens);
    conf[store] = join(dir, `${store}.conf`);
    writeFileSync(conf[store], `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  }
  const initToken = (store, label) =>
    execFileSync("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", USER_PIN], {
      env: { ...process.env, SOFTHSM2_CONF: conf[store] },
      stdio: ["ignore", "ignore", "pipe"],
    });
  try {
    initToken("main", "bench-work");
    initToken("main", "bench-login");
    initToken("startup", "bench-startup");
  } catch (e) {
    return { why: `softhsm2-util --init-token failed: ${String(e.stderr || e.message).trim()}` };
  }
  const version = safe(() => execFileSync("softhsm2-util", ["--version"], { encoding: "utf8" }).trim());
  const pkcs11jsVersion = safe(() => createRequire(js.from)("pkcs11js/package.json").version);
  return { lib: found.lib, pkcs11js: js.pkcs11js, pkcs11jsPath: js.path, pkcs11jsVersion, version, conf, dir, tmpfs };
}

function safe(f) {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** A loaded, initialized SoftHSM module using configuration `confPath`. */
export function openSoftHSM(env, confPath) {
  process.env.SOFTHSM2_CONF = confPath; // read by C_Initialize
  const p11 = new env.pkcs11js.PKCS11();
  p11.load(env.lib);
  p11.C_Initialize();
  return p11;
}

/** The slot whose token has `label` (labels are blank-padded to 32). */
export function slotByLabel(p11, label) {
  for (const slot of p11.C_GetSlotList(true)) {
    if (p11.C_GetTokenInfo(slot).label.trim() === label) return slot;
  }
  throw new Error(`no SoftHSM token labelled ${label}`);
}
