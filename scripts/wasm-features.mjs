// Marks a feature of a wasm module's `target_features` custom section as
// not used ('-' prefix), in place: the code is untouched. The build uses it
// to keep wasm-bindgen from its multi-value transform (it runs the transform
// when the section says "+multivalue", which Rust's std always does).
// Exports that return multiple values cost start-up: V8 in Node 20 compiles
// a TurboFan wrapper per such signature when the module is compiled, ~8 ms
// for our core module's ~50 signatures; single-result exports share V8's
// generic wrapper and compile nothing.

/** Reads an unsigned LEB128 at `pos`: [value, next position]. */
function uleb(bytes, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error("wasm: truncated LEB128");
    const b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
    if (shift > 35) throw new Error("wasm: LEB128 too long");
  }
}

/**
 * Sets `feature`'s prefix to '-' in `bytes` (a Uint8Array holding a wasm
 * module, changed in place). Returns true when the feature was listed.
 */
export function disableTargetFeature(bytes, feature) {
  const want = new TextEncoder().encode(feature);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new Error("not a wasm module (version 1)");
  const name = new TextEncoder().encode("target_features");
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, body] = uleb(bytes, pos + 1);
    const end = body + size;
    if (id === 0) {
      const [nameLen, nameAt] = uleb(bytes, body);
      const sectionName = bytes.subarray(nameAt, nameAt + nameLen);
      if (nameLen === name.length && sectionName.every((b, i) => b === name[i])) {
        let [count, at] = uleb(bytes, nameAt + nameLen);
        for (let i = 0; i < count; i++) {
          const prefixAt = at;
          const [len, textAt] = uleb(bytes, at + 1);
          const text = bytes.subarray(textAt, textAt + len);
          if (len === want.length && text.every((b, j) => b === want[j])) {
            bytes[prefixAt] = 0x2d; // '-'
            return true;
          }
          at = textAt + len;
          if (at > end) throw new Error("wasm: target_features overruns its section");
        }
        return false;
      }
    }
    pos = end;
  }
  return false;
}
