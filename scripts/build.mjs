#!/usr/bin/env node
// `npm run build`: assembles the npm package `pkcs11-wasm` in pkg/.
//   1. cargo rustc --release --target wasm32-unknown-unknown (incremental;
//      the core with a lower inline threshold),
//      twice from the same sources: the core module (feature split-core)
//      and the extra module (feature extra-module; see src/mech/proxy)
//   2. wasm-bindgen --target web (one glue per module for Node and browsers),
//      hardened by scripts/harden-glue.mjs (built-ins taken at load)
//   3. wasm-opt -O3 from the npm package `binaryen` (cached by input hash)
//   4. constants JS + .d.ts from src/constants.rs
//   5. esbuild: pkg/index.cjs, pkg/index.mjs (Node), pkg/browser.mjs
//      (and pkg/group.mjs, the token groups' code it imports when needed),
//      and with the wasm inlined pkg/inline.mjs (browsers, any bundler),
//      pkg/inline-node.mjs (bundlers targeting Node)
//   6. index.d.ts, index.d.mts, package.json, README.md, LICENSE
//   7. cli/ and bin/ (the pkcs11-wasm command); then prints the sizes.
// Options: --no-opt (skip wasm-opt, for quick iterations); --js-only (steps
// 4-7 only, reusing the last build's modules: after JS-only changes).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { disableTargetFeature } from "./wasm-features.mjs";
import { hardenGlue } from "./harden-glue.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const targetDir = process.env.CARGO_TARGET_DIR || join(root, "target");
const gen = join(targetDir, "js-gen");
const templates = join(root, "pkg-templates");
const pkg = join(root, "pkg");
const noOpt = process.argv.includes("--no-opt");
const jsOnly = process.argv.includes("--js-only");
// Functions binaryen must not inline into their one caller (each names a
// `#[inline(never)]` function in src/, matched by its path's last part). V8 optimizes a wasm function once
// its loops have run ~1.8 MB of its baseline code, counted by the loop's
// size: a loop over a token's records inlined into a large function that
// runs once (the load, the login, a search) got that whole function
// recompiled for nothing, on the cores the login needed. See
// `Module::apply_record`.
const NOT_INLINED = [
  "apply_record",
  "apply_token",
  "apply_counters",
  "apply_object",
  "apply_public",
  "defer_all_sealed",
  "unopened_handles",
  "records_from_wire",
];
const WASM_OPT_FLAGS = [
  ...NOT_INLINED.map((name) => `--no-inline=*::${name}::*`),
  "-O3",
  "--strip-debug",
  "--strip-producers",
];
const INLINE_WASM = "pkcs11_wasm_inline.mjs";
const INLINE_EXTRA = "pkcs11_wasm_extra_inline.mjs";

const started = Date.now();
const step = (what) => console.log(`\n== ${what}`);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });

function findTool(name) {
  const home = join(homedir(), ".cargo", "bin", name);
  try {
    execFileSync(name, ["--version"], { stdio: "ignore" });
    return name;
  } catch {
    if (existsSync(home)) return home;
    throw new Error(`${name} not found on PATH or in ~/.cargo/bin (run \`npm run setup\`)`);
  }
}

/** The exact wasm-bindgen version the crate locked; the CLI must match it. */
function lockedVersion(crate) {
  const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
  const m = new RegExp(`name = "${crate}"\\nversion = "([^"]+)"`).exec(lock);
  return m && m[1];
}

// --- 1. cargo (both builds write the same file: each is copied aside) ---
// The core module is what every page downloads, so LLVM's inliner is held
// to a threshold of 50 (225 at opt-level 3) in our crate's compilation,
// which also runs the whole module's link-time optimization: the engine's
// cold code shrinks by a quarter. `cargo rustc` passes the flag to that
// last compiler call only: the dependencies keep their own inlining (the
// SHA-1 rounds, for one, stay inside its compression function) and are
// shared with the extra module's build, which keeps the default (Ed25519,
// X25519 and ChaCha20 are measured against libsodium.js). Our hot kernels'
// small helpers are #[inline(always)] / #[inline] for this.
const CORE_INLINE_THRESHOLD = 50;
const cargoOut = join(targetDir, "wasm32-unknown-unknown", "release", "pkcs11_wasm.wasm");
mkdirSync(gen, { recursive: true });
const rawWasm = join(gen, "core-raw.wasm");
const rawExtra = join(gen, "extra-raw.wasm");
const builds = [
  ["split-core", rawWasm, ["--", "-C", `llvm-args=-inline-threshold=${CORE_INLINE_THRESHOLD}`]],
  ["extra-module", rawExtra, []],
];
for (const [feature, copy, rustc] of jsOnly ? [] : builds) {
  const args = ["rustc", "--release", "--lib", "--target", "wasm32-unknown-unknown", "--features", feature, ...rustc];
  step(`cargo ${args.join(" ")}`);
  run("cargo", args);
  // No multi-value exports: see scripts/wasm-features.mjs (start-up).
  const raw = readFileSync(cargoOut);
  if (!disableTargetFeature(raw, "multivalue")) console.log("(no multivalue target feature to turn off)");
  writeFileSync(copy, raw);
}

// --- 2. wasm-bindgen ---
step("wasm-bindgen --target web");
const bindgen = findTool("wasm-bindgen");
const want = lockedVersion("wasm-bindgen");
const have = execFileSync(bindgen, ["--version"], { encoding: "utf8" }).trim().split(" ").pop();
if (want && have !== want) {
  throw new Error(`wasm-bindgen CLI ${have} does not match the crate's ${want}: cargo install wasm-bindgen-cli --version ${want}`);
}
const glueDir = join(gen, "glue");
const extraGlueDir = join(gen, "glue-extra");
for (const [dir, name, input] of jsOnly
  ? []
  : [
      [glueDir, "pkcs11_wasm", rawWasm],
      [extraGlueDir, "pkcs11_wasm_extra", rawExtra],
    ]) {
  rmSync(dir, { recursive: true, force: true });
  run(bindgen, ["--target", "web", "--no-typescript", "--out-dir", dir, "--out-name", name, input]);
  copyFileSync(join(dir, `${name}.js`), join(dir, `${name}.bindgen.js`));
}
// The glue with every use of wasm memory through built-ins taken at load
// (scripts/harden-glue.mjs), from wasm-bindgen's output (also after
// --js-only, so changes to the rewrites need no Rust build).
for (const [dir, name] of [
  [glueDir, "pkcs11_wasm"],
  [extraGlueDir, "pkcs11_wasm_extra"],
]) {
  const pristine = join(dir, `${name}.bindgen.js`);
  if (!existsSync(pristine)) throw new Error(`${relative(root, pristine)} missing: run a full build (without --js-only)`);
  writeFileSync(join(dir, `${name}.js`), hardenGlue(readFileSync(pristine, "utf8"), name));
}

// --- 3. wasm-opt (slow: skipped when its input has not changed) ---
mkdirSync(pkg, { recursive: true });
const outWasm = join(pkg, "pkcs11_wasm_bg.wasm");
const outExtra = join(pkg, "pkcs11_wasm_extra_bg.wasm");
const keep = new Set();
for (const [bgWasm, out] of jsOnly
  ? []
  : [
      [join(glueDir, "pkcs11_wasm_bg.wasm"), outWasm],
      [join(extraGlueDir, "pkcs11_wasm_extra_bg.wasm"), outExtra],
    ]) {
  if (noOpt) {
    step("wasm-opt skipped (--no-opt)");
    copyFileSync(bgWasm, out);
    continue;
  }
  const key = createHash("sha256").update(readFileSync(bgWasm)).update(WASM_OPT_FLAGS.join(" ")).digest("hex");
  const cached = join(gen, `opt-${key.slice(0, 16)}.wasm`);
  keep.add(cached);
  if (existsSync(cached)) {
    step(`wasm-opt: unchanged input, using the cached output (${relative(root, out)})`);
  } else {
    step(`wasm-opt ${WASM_OPT_FLAGS.join(" ")} (binaryen from npm): ${relative(root, out)}`);
    const wasmOpt = join(root, "node_modules", ".bin", "wasm-opt");
    if (!existsSync(wasmOpt)) throw new Error("node_modules/.bin/wasm-opt missing: run `npm install` (devDependency binaryen)");
    run(wasmOpt, [...WASM_OPT_FLAGS, bgWasm, "-o", cached]);
  }
  copyFileSync(cached, out);
}
for (const f of readdirSync(gen)) if (/^opt-[0-9a-f]{16}\.wasm$/.test(f) && !keep.has(join(gen, f)) && !noOpt && !jsOnly) rmSync(join(gen, f));

// --- 4. constants ---
step("constants from src/constants.rs");
const constantsJs = join(gen, "constants.js");
const rvNamesJs = join(gen, "rv-names.js");
const constantValuesJs = join(gen, "constant-values.js");
const constantsDts = generateConstants(join(root, "src", "constants.rs"), constantsJs, rvNamesJs);
writeConstantValues([constantsJs, join(templates, "src", "param-tags.js")], constantValuesJs);

// --- 5. esbuild ---
step("esbuild: index.cjs, index.mjs, browser.mjs, inline.mjs, inline-node.mjs");
const src = join(templates, "src");
const version = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))[1];
// The inlined module (inline.mjs, inline-node.mjs import it): one file, so
// that bundlers bring it in only with the entries that use it.
writeFileSync(join(pkg, INLINE_WASM), `// pkcs11_wasm_bg.wasm, base64 (generated by scripts/build.mjs)\nexport default "${readFileSync(outWasm).toString("base64")}";\n`);
writeFileSync(join(pkg, INLINE_EXTRA), `// pkcs11_wasm_extra_bg.wasm, base64 (generated by scripts/build.mjs)\nexport default "${readFileSync(outExtra).toString("base64")}";\n`);
const inlineWasm = {
  name: "inline-wasm",
  setup(b) {
    b.onResolve({ filter: /^@gen\/wasm-inline$/ }, () => ({ path: `./${INLINE_WASM}`, external: true }));
    b.onResolve({ filter: /^@gen\/wasm-extra-inline$/ }, () => ({ path: `./${INLINE_EXTRA}`, external: true }));
  },
};
// pkg-templates/package.json says "sideEffects": false for the package's
// users (nothing in it is needed unless one of its exports is); our own
// sources do have side effects (async.js, durable.js patch PKCS11).
const ownSources = {
  name: "own-sources",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.importer.startsWith(src) ? { path: join(args.resolveDir, args.path), sideEffects: true } : undefined,
    );
  },
};
// browser.mjs leaves the token groups' code (group/composite.js and what
// only it needs) to group.mjs beside it, imported when a configuration
// has groups (group/lazy.js, group/load-async.js). group.mjs is a factory
// `(require) => exports`, CommonJS inside: each module it shares with
// browser.mjs is a `require("<id>")` that browser.mjs answers with that
// module's namespace (@gen/group-shared, made below), so the two share
// one wasm instance, one platform object, one set of classes.
// The Node entries (index.cjs, index.mjs) do the same with group-node.cjs,
// a factory of the same kind: in index.cjs its code was parsed by every
// require() of the package. inline-node.mjs and inline.mjs keep it inside.
const GROUP_CHUNK = "group.mjs";
const NODE_GROUP_CHUNK = "group-node.cjs";
// The ids of the modules each chunk requires from its bundle (@gen/group-shared
// for browser.mjs, @gen/group-shared-node for the Node entries), filled by buildGroupChunk().
const groupShared = { browser: [], node: [] };
const sharedId = (path) => {
  for (const [alias, target] of Object.entries(common.alias)) if (target === path) return alias;
  return relative(src, path);
};
const groupChunk = {
  name: "group-chunk",
  setup(b) {
    b.onResolve({ filter: /^@gen\/group-shared(-node)?$/ }, (args) => ({
      path: args.path.endsWith("-node") ? "node" : "browser",
      namespace: "group-shared",
    }));
    b.onLoad({ filter: /.*/, namespace: "group-shared" }, (args) => ({
      contents: [
        ...groupShared[args.path].map((id, i) => `import * as m${i} from ${JSON.stringify(id.startsWith("@gen/") ? common.alias[id] : join(src, id))};`),
        `export default {${groupShared[args.path].map((id, i) => ` ${JSON.stringify(id)}: m${i}`).join(",")} };`,
      ].join("\n"),
      resolveDir: src,
    }));
  },
};
const common = {
  bundle: true,
  alias: {
    "@gen/glue": join(glueDir, "pkcs11_wasm.js"),
    "@gen/extra-glue": join(extraGlueDir, "pkcs11_wasm_extra.js"),
    "@gen/constants": constantsJs,
    "@gen/constant-values": constantValuesJs,
    "@gen/rv-names": rvNamesJs,
  },
  define: { PKCS11_WASM_VERSION: JSON.stringify(version) },
  plugins: [inlineWasm, groupChunk, ownSources],
  target: "es2022",
  keepNames: true, // class names (Pkcs11Error...) survive bundling
  legalComments: "none",
  logLevel: "warning",
  banner: { js: "// pkcs11-wasm: generated by scripts/build.mjs; sources in pkg-templates/src and src/wasm.rs" },
};
/** The names an entry exports, as esbuild sees them. */
async function exportsOf(entry) {
  const probe = await esbuild.build({ ...common, entryPoints: [entry], format: "esm", write: false, metafile: true, outdir: pkg });
  return Object.values(probe.metafile.outputs)[0].exports;
}
const names = await exportsOf(join(src, "entry-browser.js"));
const constantNames = await exportsOf(join(src, "entry-constants.js"));
// ES entries are built from a small wrapper so that they have a default
// export (the form pkcs11js users write: `import pkcs11js from ...`).
// Browser entries: a plain object of every export, made where nothing
// else refers to it, so that bundlers drop it (and what only it uses,
// such as the inlined wasm) when the default import is not used.
const withDefault = (entry, all = names) => ({
  contents: [
    `export * from ${JSON.stringify(entry)};`,
    `import {\n  ${all.join(",\n  ")},\n} from ${JSON.stringify(entry)};`,
    `const api = {\n  ${all.join(",\n  ")},\n};`,
    "export default api;",
    "",
  ].join("\n"),
  resolveDir: src,
  sourcefile: `${entry} (with default export)`,
});
// What pages download is minified (whitespace, syntax, local identifiers;
// keepNames above keeps the class and function names errors and the API
// show): browser.mjs and the group worker. The Node entries stay readable:
// their size is not downloaded.
const browserBuild = { ...common, platform: "browser", minify: true };

/** The inputs (paths relative to the working directory, made absolute) of a build. */
const inputsOf = (metafile) => new Set(Object.keys(metafile.inputs).filter((p) => !p.includes(":")).map((p) => join(process.cwd(), p)));

/**
 * Builds a group chunk (`out`, a factory `(require) => exports`):
 * composite.js and what it needs that the bundle of `options` + `entry`
 * does not have (what the bundle has is required from it); records which
 * modules the bundle must hand over (groupShared[target]).
 */
async function buildGroupChunk({ target, options, entry, out, header, wrap }) {
  const probe = (e) => esbuild.build({ ...options, ...e, format: "esm", write: false, metafile: true, outdir: pkg }).then((r) => inputsOf(r.metafile));
  const inBundle = await probe(entry);
  const composite = join(src, "group", "composite.js");
  const inChunk = await probe({ stdin: { contents: `export * from ${JSON.stringify(composite)};`, resolveDir: src } });
  const shared = new Set([...inChunk].filter((p) => inBundle.has(p)));
  if (shared.has(composite)) throw new Error(`the ${target} bundle has group/composite.js: something imports it statically`);
  const fromBundle = {
    name: "from-bundle",
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.fromBundle || args.kind === "entry-point") return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { fromBundle: true } });
        if (r.errors.length > 0 || !shared.has(r.path)) return r.errors.length > 0 ? undefined : { path: r.path, sideEffects: true };
        return { path: sharedId(r.path), external: true };
      });
    },
  };
  const built = await esbuild.build({
    ...options,
    plugins: [fromBundle],
    entryPoints: [composite],
    format: "cjs",
    write: false,
    metafile: true,
    outfile: join(pkg, out),
    banner: undefined,
  });
  const used = Object.values(built.metafile.outputs)[0].imports.filter((i) => i.external).map((i) => i.path);
  groupShared[target] = [...new Set(used)].sort();
  const body = `var module = { exports: {} }, exports = module.exports;\n${built.outputFiles[0].text}return module.exports;\n`;
  writeFileSync(join(pkg, out), `${common.banner.js}: ${header}\n${wrap(body)}`);
}
const browserEntry = withDefault(join(src, "entry-browser.js"));
await buildGroupChunk({
  target: "browser",
  options: browserBuild,
  entry: { stdin: browserEntry },
  out: GROUP_CHUNK,
  header: "the token groups' code, imported by browser.mjs when a configuration has groups",
  wrap: (body) => `export default function (require) {\n${body}}\n`,
});
const nodeBuild = { ...common, platform: "node", logOverride: { "empty-import-meta": "silent" } };
await buildGroupChunk({
  target: "node",
  options: nodeBuild,
  entry: { entryPoints: [join(src, "entry-node-cjs.js")] },
  out: NODE_GROUP_CHUNK,
  header: "the token groups' code, required by index.cjs and index.mjs when a configuration has groups",
  wrap: (body) => `module.exports = function (require) {\n${body}};\n`,
});
const constantsBuild = { ...common, plugins: [], keepNames: false, platform: "neutral" };
await Promise.all([
  esbuild.build({ ...browserBuild, stdin: browserEntry, outfile: join(pkg, "browser.mjs"), format: "esm" }),
  // Not minified: the whitespace minifier drops /* @__PURE__ */, and
  // bundlers need it on `init` to leave the inlined wasm out of bundles
  // that only use constants (tests/js/packaging_bundlers.test.mjs); next
  // to the inlined module the comments weigh little.
  esbuild.build({ ...common, stdin: withDefault(join(src, "entry-inline.js")), outfile: join(pkg, "inline.mjs"), platform: "browser", format: "esm" }),
  // pkcs11-wasm/constants: ES module and CommonJS (a plain object, as
  // index.cjs: the same generated literal, no getter per constant).
  esbuild.build({ ...constantsBuild, stdin: withDefault(join(src, "entry-constants.js"), constantNames), outfile: join(pkg, "constants.mjs"), format: "esm" }),
  esbuild.build({
    ...constantsBuild,
    stdin: { contents: `module.exports = { ...require("@gen/constant-values").default };`, resolveDir: src, sourcefile: "constants (CommonJS)" },
    outfile: join(pkg, "constants.cjs"),
    format: "cjs",
  }),
]);
// The import() of group.mjs (group/load-async.js) is for the browser to
// run, not for a bundler to follow: the minifier drops the comments that
// tell webpack and Vite so, so they are put back here.
{
  const file = join(pkg, "browser.mjs");
  const code = readFileSync(file, "utf8");
  const calls = code.split("import(").length - 1;
  if (calls !== 1) throw new Error(`browser.mjs has ${calls} import() calls; expected one (group.mjs): mark the new one for bundlers`);
  writeFileSync(file, code.replace("import(", "import(/* webpackIgnore: true */ /* @vite-ignore */ "));
}
// Node ES entries: the default is the very object the CommonJS entry
// exports (node.js), and every name is exported from it.
const fromApi = (entry) => ({
  contents: `import api from ${JSON.stringify(entry)};\nexport default api;\nexport const {\n  ${names.join(",\n  ")},\n} = api;\n`,
  resolveDir: src,
  sourcefile: `${entry} (named exports)`,
});
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: [join(src, "entry-node-cjs.js")],
    outfile: join(pkg, "index.cjs"),
    platform: "node",
    format: "cjs",
    // The glue's default wasm URL uses import.meta; the Node entries never ask for it.
    logOverride: { "empty-import-meta": "silent" },
  }),
  esbuild.build({ ...common, stdin: fromApi(join(src, "entry-node-esm.js")), outfile: join(pkg, "index.mjs"), platform: "node", format: "esm" }),
  esbuild.build({ ...common, stdin: fromApi(join(src, "entry-inline-node.js")), outfile: join(pkg, "inline-node.mjs"), platform: "node", format: "esm" }),
  // Token groups' thread members: a worker per member (group/worker-*.js).
  esbuild.build({ ...common, entryPoints: [join(src, "group", "worker-node.js")], outfile: join(pkg, "group-worker.cjs"), platform: "node", format: "cjs", logOverride: { "empty-import-meta": "silent" } }),
  esbuild.build({ ...browserBuild, entryPoints: [join(src, "group", "worker-browser.js")], outfile: join(pkg, "group-worker.mjs"), format: "esm" }),
]);

// --- 6. declarations, package.json, README ---
step("index.d.ts, package.json, README.md");
const dts = readFileSync(join(templates, "index.d.ts"), "utf8").replace("// @@CONSTANTS@@", constantsDts);
writeFileSync(join(pkg, "index.d.ts"), dts);
// ES module typings: the same declarations, plus the default export.
copyFileSync(join(templates, "index.d.mts"), join(pkg, "index.d.mts"));
// pkcs11-wasm/constants: the constants' declarations only.
const extensionTags = dts.split("\n").filter((l) => /^export const CK_PARAMS_\w+: number;$/.test(l));
const constantsOnly = ["// Typings of pkcs11-wasm/constants (generated by scripts/build.mjs).", constantsDts, ...extensionTags, ""].join("\n");
writeFileSync(join(pkg, "constants.d.ts"), constantsOnly);
writeFileSync(join(pkg, "constants.d.mts"), constantsOnly.replace("\n", "\nimport * as constants from \"./constants.js\";\nexport default constants;\n"));
const manifest = JSON.parse(readFileSync(join(templates, "package.json"), "utf8"));
manifest.version = version;
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
copyFileSync(join(templates, "README.md"), join(pkg, "README.md"));
copyFileSync(join(templates, "LICENSE"), join(pkg, "LICENSE"));

// --- 7. the `pkcs11-wasm` command: its ES modules copied as they are (it
// loads the library through the package's own ../index.mjs, and its
// parsing dependencies only in the commands that need them) ---
step("cli/, bin/ (the pkcs11-wasm command)");
for (const dir of ["cli", "bin"]) rmSync(join(pkg, dir), { recursive: true, force: true });
cpSync(join(templates, "src", "cli"), join(pkg, "cli"), { recursive: true });
cpSync(join(templates, "bin"), join(pkg, "bin"), { recursive: true });
chmodSync(join(pkg, "bin", "pkcs11-wasm.mjs"), 0o755);

// --- sizes ---
step(`pkg/ (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const kb = (n) => (n / 1024).toFixed(1).padStart(8) + " KiB";
for (const f of ["pkcs11_wasm_bg.wasm", "pkcs11_wasm_extra_bg.wasm", INLINE_WASM, INLINE_EXTRA, "index.cjs", "index.mjs", "browser.mjs", GROUP_CHUNK, "inline.mjs", "index.d.ts"]) {
  const p = join(pkg, f);
  const raw = statSync(p).size;
  const gz = gzipSync(readFileSync(p), { level: 9 }).length;
  console.log(`${relative(root, p).padEnd(28)} ${kb(raw)} raw ${kb(gz)} gzip`);
}

/**
 * Writes constants.js (`export const NAME = value;` for every
 * `pub const NAME: CK_ULONG = value;`) and rv-names.js (CK_RV -> CKR_*
 * name, for error messages), and returns the matching .d.ts lines.
 * Values above 2^32-1 (only CK_UNAVAILABLE_INFORMATION, ~0) get their low
 * 32 bits: that is how every CK_ULONG number reads through this API (as in
 * pkcs11js, where ulong results are uint32s), so comparisons keep working.
 */
function generateConstants(rsFile, jsFile, rvFile) {
  const line = /^pub const ([A-Za-z_][A-Za-z0-9_]*): CK_ULONG = (0x[0-9A-Fa-f_]+|[0-9_]+);(.*)$/;
  const js = ["// Generated from src/constants.rs by scripts/build.mjs.", ""];
  const dts = [];
  const rv = new Map();
  let total = 0;
  let pkcs11js = 0;
  for (const l of readFileSync(rsFile, "utf8").split("\n")) {
    const m = line.exec(l.trim());
    if (!m) continue;
    const [, name, literal, comment] = m;
    let value = BigInt(literal.replace(/_/g, ""));
    if (value > 0xffffffffn) value &= 0xffffffffn;
    const hex = "0x" + value.toString(16).toUpperCase();
    js.push(`export const ${name} = ${hex};`);
    if (name.startsWith("CKR_") && !rv.has(hex)) rv.set(hex, name);
    const v3 = /\/\/ 3\.x\s*$/.test(comment);
    dts.push(`export const ${name}: number;${v3 ? " // PKCS#11 3.x (not in pkcs11js)" : ""}`);
    total++;
    if (!v3) pkcs11js++;
  }
  if (pkcs11js !== 655) console.warn(`warning: ${pkcs11js} pkcs11js constants (expected 655)`);
  writeFileSync(jsFile, js.join("\n") + "\n");
  const entries = [...rv].map(([v, n]) => `  [${v}, "${n}"],`);
  writeFileSync(rvFile, ["// Generated from src/constants.rs by scripts/build.mjs.", "export default new Map([", ...entries, "]);", ""].join("\n"));
  console.log(`${total} constants (${pkcs11js} of them pkcs11js's)`);
  return dts.join("\n");
}

/**
 * Writes constant-values.js: every `export const NAME = 0x...;` of `files`
 * (constants.js, param-tags.js) as one object literal (`export default {
 * NAME: value, ... }`), sorted by name as an ES namespace is. The Node
 * entries and constants.cjs export it as plain data: cheaper to load than
 * esbuild's CommonJS form of a namespace (a getter per export, then a copy).
 */
function writeConstantValues(files, outFile) {
  const values = new Map();
  for (const f of files) for (const m of readFileSync(f, "utf8").matchAll(/^export const (\w+) = (0x[0-9A-Fa-f]+);$/gm)) values.set(m[1], m[2]);
  const names = [...values.keys()].sort();
  const body = names.map((n) => `  ${n}: ${values.get(n)},`);
  writeFileSync(outFile, ["// Generated from src/constants.rs and pkg-templates/src/param-tags.js by scripts/build.mjs.", "export default {", ...body, "};", ""].join("\n"));
}
