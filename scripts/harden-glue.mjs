// The wasm-bindgen glue reads and writes wasm memory through built-ins it
// looks up when it runs: typed-array methods and getters (`subarray`,
// `set`, `slice`, `length`), the `buffer` getter of WebAssembly.Memory,
// DataView methods, `Function.prototype.call`/`apply`, `instanceof`,
// TextDecoder/TextEncoder, `crypto.getRandomValues`, global constructors.
// A script that replaces one of them after the package has loaded would
// be handed a view whose `.buffer` is the whole memory, keys included.
// `hardenGlue` rewrites the glue so that every such access goes through
// built-ins taken when the glue loads (as Node's own `primordials` do),
// and views of wasm memory never reach a function anyone else can
// replace. Each rewrite must match: a wasm-bindgen that writes its glue
// differently fails the build rather than shipping an unhardened glue.
// (The host AES of node-host-aes.js is outside this: node:crypto's cipher
// objects call methods a script can reach; PKCS11_WASM_HOST_AES=0 keeps
// AES in wasm.)

const PRELUDE = `// pkcs11-wasm (scripts/harden-glue.mjs): built-ins taken at load.
const $apply = Reflect.apply;
const $U8 = Uint8Array;
const $U32 = Uint32Array;
const $F64 = Float64Array;
const $DV = DataView;
const $TextDecoder = TextDecoder;
const $getter = (o, n) => Object.getOwnPropertyDescriptor(o, n).get;
const $TA = Object.getPrototypeOf($U8.prototype);
const $set = $TA.set;
const $fill = $TA.fill;
const $taLength = $getter($TA, "length");
const $taBuffer = $getter($TA, "buffer");
const $dvBuffer = $getter($DV.prototype, "buffer");
const $Uint8Array = $U8;
const $Uint32Array = $U32;
const $Float64Array = $F64;
const $taTag = $getter($TA, Symbol.toStringTag);
const $memBuffer = $getter(WebAssembly.Memory.prototype, "buffer");
const $decode = $TextDecoder.prototype.decode;
const $encode = TextEncoder.prototype.encode;
const $isView = ArrayBuffer.isView;
const $dvGetInt32 = $DV.prototype.getInt32;
const $dvSetInt32 = $DV.prototype.setInt32;
const $dvGetUint32 = $DV.prototype.getUint32;
const $dvSetUint32 = $DV.prototype.setUint32;
const $dvGetFloat64 = $DV.prototype.getFloat64;
const $dvSetFloat64 = $DV.prototype.setFloat64;
// The memory's DataView methods, called with the methods taken at load
// (own properties on the DataView would cost V8's fast path).
function $dv_getInt32(at, le) { return $apply($dvGetInt32, getDataViewMemory0(), [at, le]); }
function $dv_setInt32(at, v, le) { $apply($dvSetInt32, getDataViewMemory0(), [at, v, le]); }
function $dv_getUint32(at, le) { return $apply($dvGetUint32, getDataViewMemory0(), [at, le]); }
function $dv_setUint32(at, v, le) { $apply($dvSetUint32, getDataViewMemory0(), [at, v, le]); }
function $dv_getFloat64(at, le) { return $apply($dvGetFloat64, getDataViewMemory0(), [at, le]); }
function $dv_setFloat64(at, v, le) { $apply($dvSetFloat64, getDataViewMemory0(), [at, v, le]); }
const $abByteLength = $getter(ArrayBuffer.prototype, "byteLength");
let $memory = null;
/** The current ArrayBuffer of the module's memory: read again only when the last one was detached (the memory grew) or the module was instantiated anew. */
function $buffer() {
    if ($memory === null || $apply($abByteLength, $memory, []) === 0) $memory = $apply($memBuffer, wasm.memory, []);
    return $memory;
}
/** A copy of \`len\` bytes at \`ptr\`, in a new array. */
function $copyU8(ptr, len) {
    const c = new $U8(len);
    $apply($set, c, [new $U8($buffer(), ptr >>> 0, len)]);
    return c;
}
function $copyF64(ptr, len) {
    const c = new $F64(len);
    $apply($set, c, [new $F64($buffer(), ptr >>> 0, len)]);
    return c;
}
/** \`x.length\`, from the internal slot when \`x\` is a typed array. */
function $length(x) { return $isView(x) ? $apply($taLength, x, []) : x.length; }
/** Whether \`x\` is a Uint8Array, by its internal slot (no @@hasInstance). */
function $isU8(x) { return $apply($taTag, x, []) === "Uint8Array"; }
let $random;
/** Random bytes into memory at \`ptr\`, drawn into a new array (getRandomValues is taken at the first draw: reading globalThis.crypto loads Web Crypto in Node). */
function $randomInto(ptr, len) {
    if ($random === undefined) {
        const c = globalThis.crypto;
        const f = c.getRandomValues;
        $random = (a) => $apply(f, c, [a]);
    }
    const tmp = new $U8(len);
    $random(tmp);
    $apply($set, new $U8($buffer(), ptr >>> 0, len), [tmp]);
    $apply($fill, tmp, [0]);
}
`;

/** [what, pattern, replacement, count]: count = exact matches in every glue, "core" = at least one in the core's glue, "optional" = any. */
const REWRITES = [
  // Views of memory: new, with no species and no prototype lookups.
  ["getArrayU8FromWasm0", "return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);", "return new $U8($buffer(), ptr, len);", 1],
  ["getArrayF64FromWasm0", "return getFloat64ArrayMemory0().subarray(ptr / 8, ptr / 8 + len);", "return new $F64($buffer(), ptr, len);", "optional"],
  // Copies out of memory.
  ["copies of U8 results", /getArrayU8FromWasm0\(([^()]*)\)\.slice\(\)/g, "$$copyU8($1)", "core"],
  ["copies of F64 results", /getArrayF64FromWasm0\(([^()]*)\)\.slice\(\)/g, "$$copyF64($1)", "optional"],
  ["Uint8Array::from", "const ret = new Uint8Array(getArrayU8FromWasm0(arg0, arg1));", "const ret = $copyU8(arg0, arg1);", "core"],
  ["strings", "return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));", "return decodeText($copyU8(ptr, len));", "core"],
  ["decoder (Safari reset)", "cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });\n        cachedTextDecoder.decode();", "cachedTextDecoder = new $TextDecoder('utf-8', { ignoreBOM: true });\n        $apply($decode, cachedTextDecoder, []);", "core"],
  ["decoder", "return cachedTextDecoder.decode(bytes);", "return $apply($decode, cachedTextDecoder, [bytes]);", "core"],
  // Copies into memory. Strings: encoded into a new array, then copied
  // (encodeInto would be handed a view of memory).
  ["passStringToWasm0", /function passStringToWasm0\(arg, malloc, realloc\) \{[\s\S]*?\n\}\n/g,
    "function passStringToWasm0(arg, malloc, realloc) {\n    const buf = $$apply($$encode, cachedTextEncoder, [arg]);\n    const ptr = malloc(buf.length, 1) >>> 0;\n    $$apply($$set, getUint8ArrayMemory0(), [buf, ptr]);\n    WASM_VECTOR_LEN = buf.length;\n    return ptr;\n}\n", "core"],
  // Sized by the real length: a caller's array whose `length` property
  // says less than it holds overflowed the heap (the copy takes the real one).
  ["passArray8ToWasm0",
    "    const ptr = malloc(arg.length * 1, 1) >>> 0;\n    getUint8ArrayMemory0().set(arg, ptr / 1);\n    WASM_VECTOR_LEN = arg.length;",
    "    const len = $length(arg);\n    const ptr = malloc(len, 1) >>> 0;\n    $apply($set, getUint8ArrayMemory0(), [arg, ptr]);\n    WASM_VECTOR_LEN = len;", "core"],
  ["passArray32ToWasm0",
    "    const ptr = malloc(arg.length * 4, 4) >>> 0;\n    getUint32ArrayMemory0().set(arg, ptr / 4);\n    WASM_VECTOR_LEN = arg.length;",
    "    const len = $length(arg);\n    const ptr = malloc(len * 4, 4) >>> 0;\n    $apply($set, getUint32ArrayMemory0(), [arg, ptr / 4]);\n    WASM_VECTOR_LEN = len;", "optional"],
  // A `&mut [u8]` copied back: the built-in `set` on the array itself
  // (the facade passes Uint8Arrays), whose properties are not read. A new
  // view over `arg2.buffer` read a property of the caller's object and
  // moved a small array's bytes off the JS heap: ~0.8 µs per call.
  ["copy_to_typed_array", "new Uint8Array(arg2.buffer, arg2.byteOffset, arg2.byteLength).set(getArrayU8FromWasm0(arg0, arg1));", "$apply($set, arg2, [getArrayU8FromWasm0(arg0, arg1)]);", "core"],
  ["raw_copy_to_ptr", "Uint8Array.prototype.set.call(getArrayU8FromWasm0(arg0, arg1), arg2);", "$apply($set, getArrayU8FromWasm0(arg0, arg1), [arg2]);", "core"],
  ["copy_from", "arg0.set(getArrayU8FromWasm0(arg1, arg2));", "$apply($set, arg0, [getArrayU8FromWasm0(arg1, arg2)]);", "core"],
  ["getRandomValues", "globalThis.crypto.getRandomValues(getArrayU8FromWasm0(arg0, arg1));", "$randomInto(arg0, arg1);", 1],
  // The memory views and their caches: the memory's buffer by the getter
  // taken at load, compared by identity (no byteLength/detached reads).
  ["typed-array caches", /if \(cached(\w+)ArrayMemory0 === null \|\| cached\1ArrayMemory0\.byteLength === 0\) \{\n(\s+)cached\1ArrayMemory0 = new \1Array\(wasm\.memory\.buffer\);/g,
    "if (cached$1ArrayMemory0 === null || $apply($$taBuffer, cached$1ArrayMemory0, []) !== $$buffer()) {\n$2cached$1ArrayMemory0 = new $$$1Array($$buffer());", undefined],
  ["DataView cache",
    "if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)) {\n        cachedDataViewMemory0 = new DataView(wasm.memory.buffer);",
    "if (cachedDataViewMemory0 === null || $apply($dvBuffer, cachedDataViewMemory0, []) !== $buffer()) {\n        cachedDataViewMemory0 = new $DV($buffer());",
    "core"],
  ["DataView methods", /getDataViewMemory0\(\)\.(getInt32|setInt32|getUint32|setUint32|getFloat64|setFloat64)\(/g, "$$dv_$1(", "core"],
  ["a new instance", "    wasmModule = module;\n", "    wasmModule = module;\n    $memory = null;\n", 1],
  // Calls that would look up Function.prototype.call/apply or @@hasInstance.
  ["handleError", "return f.apply(this, args);", "return $apply(f, this, args);", 1],
  ["Function::call0", "const ret = arg0.call(arg1);", "const ret = $apply(arg0, arg1, []);", "core"],
  ["Function::call1", "const ret = arg0.call(arg1, arg2);", "const ret = $apply(arg0, arg1, [arg2]);", "core"],
  ["instanceof Uint8Array", "result = arg0 instanceof Uint8Array;", "result = $isU8(arg0);", "core"],
  ["length", /const ret = arg0\.length;/g, "const ret = $length(arg0);", "core"],
  ["new Uint8Array(x)", "const ret = new Uint8Array(arg0);", "const ret = new $U8(arg0);", "core"],
];

/**
 * `text` (wasm-bindgen's glue) with every rewrite applied and the prelude
 * added; throws if a required pattern is missing or something that reads
 * wasm memory through a replaceable built-in is left.
 */
export function hardenGlue(text, name) {
  let out = text;
  for (const [what, pattern, replacement, count] of REWRITES) {
    let n = 0;
    out = out.replaceAll(pattern, (...m) => {
      n++;
      return typeof pattern === "string" ? replacement : replacement.replace(/\$(\d)/g, (_, i) => m[i]).replaceAll("$$", "$");
    });
    const required = count === "core" ? name === "pkcs11_wasm" : count !== "optional";
    if (required && (n === 0 || (typeof count === "number" && n !== count))) {
      throw new Error(`harden-glue: ${name}: "${what}" matched ${n} times (wasm-bindgen's glue changed?)`);
    }
  }
  // What must not be left: a memory view reaching a method looked up at call time.
  const left = [
    /getArrayU8FromWasm0\([^()]*\)\.\w+\(/,
    /getArrayF64FromWasm0\([^()]*\)\.\w+\(/,
    /getUint8ArrayMemory0\(\)\.(subarray|set|slice)\(/,
    /wasm\.memory\.buffer/,
    /\.encodeInto\(/,
    /getDataViewMemory0\(\)\.\w+\(/,
  ].filter((re) => re.test(out.replace(/\/\/.*$/gm, "")));
  // And no view of memory handed to anything but the built-ins above, the
  // host AES's `run` (documented exception) and extra.js (the view it is
  // given, `Uint8Array::view`).
  const handedOver = out
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.includes("getArrayU8FromWasm0("))
    .filter((line) => !/^(function getArrayU8FromWasm0|\$apply\(|const ret = arg0\.run\(|const ret = getArrayU8FromWasm0\(arg0, arg1\);$)/.test(line));
  if (handedOver.length) left.push(...handedOver);
  if (left.length) throw new Error(`harden-glue: ${name}: left unhardened: ${left.map(String).join(", ")}`);
  return PRELUDE + out;
}
