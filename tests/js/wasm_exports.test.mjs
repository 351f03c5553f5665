// The shape of the built modules' exports, which start-up depends on
// (issue 15, item 2): V8 in Node 20 compiles a TurboFan wrapper for each
// signature of an exported function that returns several values, when the
// module is compiled (~8 ms for the core's ~50 such signatures, before the
// build turned wasm-bindgen's multi-value transform off); single-result
// exports share its generic wrapper. Also the build's helper that turns it
// off (scripts/wasm-features.mjs). Needs `npm run build`.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { disableTargetFeature } from "../../scripts/wasm-features.mjs";

const pkg = new URL("../../pkg/", import.meta.url);

/** A minimal reader of the sections this test needs. */
function parse(bytes) {
  let pos = 8;
  const u = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  const name = () => {
    const n = u();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  /** Skips a limits field: a flag, the minimum and (flag bit 0) a maximum. */
  const limits = () => {
    const hasMax = bytes[pos++] & 1;
    u();
    if (hasMax) u();
  };
  const types = [];
  const funcTypes = []; // imported functions first, as in the index space
  const exports = [];
  const features = [];
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u();
    const end = pos + size;
    if (id === 1) {
      for (let n = u(); n > 0; n--) {
        assert.equal(bytes[pos++], 0x60, "function types only");
        const params = u();
        pos += params; // value types are one byte each in these modules
        const results = u();
        pos += results;
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = u(); n > 0; n--) {
        name();
        name();
        const kind = bytes[pos++];
        if (kind === 0) funcTypes.push(u());
        else if (kind === 1) (pos++, limits()); // table: element type, limits
        else if (kind === 2) limits(); // memory
        else if (kind === 3) pos += 2; // global: value type, mutability
        else assert.fail(`import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let n = u(); n > 0; n--) funcTypes.push(u());
    } else if (id === 7) {
      for (let n = u(); n > 0; n--) {
        const exportName = name();
        const kind = bytes[pos++];
        const index = u();
        if (kind === 0) exports.push({ name: exportName, type: types[funcTypes[index]] });
      }
    } else if (id === 0 && name() === "target_features") {
      for (let n = u(); n > 0; n--) {
        const prefix = String.fromCharCode(bytes[pos++]);
        features.push(prefix + name());
      }
    }
    pos = end;
  }
  return { exports, features };
}

for (const file of ["pkcs11_wasm_bg.wasm", "pkcs11_wasm_extra_bg.wasm"]) {
  test(`${file}: no exported function returns more than one value`, () => {
    const { exports } = parse(readFileSync(new URL(file, pkg)));
    assert.ok(exports.length > 3, "exports found");
    const multi = exports.filter((e) => e.type.results > 1).map((e) => e.name);
    assert.deepEqual(multi, []);
  });
}

/** A module with only a target_features section listing `list` ("+name"). */
function withFeatures(list) {
  const enc = (s) => [s.length, ...new TextEncoder().encode(s)];
  const body = [...enc("target_features"), list.length, ...list.flatMap((f) => [f.charCodeAt(0), ...enc(f.slice(1))])];
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, body.length, ...body]);
}

test("disableTargetFeature marks one feature '-' in place and leaves the rest", () => {
  const bytes = withFeatures(["+simd128", "+multivalue", "+reference-types"]);
  const before = bytes.length;
  assert.equal(disableTargetFeature(bytes, "multivalue"), true);
  assert.equal(bytes.length, before);
  assert.deepEqual(parse(bytes).features, ["+simd128", "-multivalue", "+reference-types"]);
  // A feature that is not listed, or a name that only starts like one.
  assert.equal(disableTargetFeature(bytes, "bulk-memory"), false);
  assert.equal(disableTargetFeature(bytes, "simd"), false);
  assert.deepEqual(parse(bytes).features, ["+simd128", "-multivalue", "+reference-types"]);
});

test("disableTargetFeature refuses what is not a wasm module and a section that overruns", () => {
  assert.throws(() => disableTargetFeature(new TextEncoder().encode("not a wasm module"), "multivalue"), /not a wasm module/);
  const bytes = withFeatures(["+multivalue"]);
  bytes[8 + 2 + 1 + 15] = 5; // the count: claims 5 features, holds 1
  assert.throws(() => disableTargetFeature(bytes, "simd128"), /overruns|truncated/);
});

test("the built modules say multivalue is not used (what keeps wasm-bindgen from returning several values)", () => {
  for (const file of ["pkcs11_wasm_bg.wasm", "pkcs11_wasm_extra_bg.wasm"]) {
    const { features } = parse(readFileSync(new URL(file, pkg)));
    // wasm-opt may drop the section; if it is there, it must not claim multivalue.
    assert.ok(!features.includes("+multivalue"), `${file}: ${features.join(" ")}`);
  }
});
