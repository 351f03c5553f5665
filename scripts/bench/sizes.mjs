// Download sizes of the built package (issue 15, item 1): raw, gzip -9 and
// brotli (quality 11) per module and JS entry, and what a page that uses
// AES, SHA-2/HMAC, RSA and P-256 downloads (the core module and
// browser.mjs; the extra module only loads for the other families) against
// the target: <= 350 KB gzip, <= 250 KB brotli.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

export const TARGET = { gzipKB: 350, brotliKB: 250 };
// group.mjs: the token groups' code, which browser.mjs imports only for a configuration with groups.
const FILES = ["pkcs11_wasm_bg.wasm", "pkcs11_wasm_extra_bg.wasm", "browser.mjs", "group.mjs", "index.cjs", "index.mjs"];

function measure(dir, file) {
  const bytes = readFileSync(join(dir, file));
  return {
    file,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

export function sizes(dir) {
  const files = FILES.filter((f) => existsSync(join(dir, f))).map((f) => measure(dir, f));
  const of = (name) => files.find((f) => f.file === name) ?? { raw: 0, gzip: 0, brotli: 0 };
  const [core, js] = [of("pkcs11_wasm_bg.wasm"), of("browser.mjs")];
  const page = { raw: core.raw + js.raw, gzip: core.gzip + js.gzip, brotli: core.brotli + js.brotli };
  const met = page.gzip / 1000 <= TARGET.gzipKB && page.brotli / 1000 <= TARGET.brotliKB;
  // wasmGzipKB: the core module alone, the figure earlier reports compared.
  return { files, corePage: page, target: TARGET, wasmGzipKB: core.gzip / 1000, met };
}

/** The report's lines (report.mjs). */
export function sizeLines(s, li, md) {
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  const parts = s.files.map((f) => `${f.file} ${kib(f.raw)} raw / ${kib(f.gzip)} gzip / ${kib(f.brotli ?? 0)} brotli`);
  const lines = [`${li}Bundle (pkg/; gzip -9, brotli 11): ${parts.join("; ")}.`];
  if (s.corePage) {
    const ok = s.met ? (md ? "✓" : "met") : md ? "✗" : "MISSED";
    lines.push(
      `${li}Core page (pkcs11_wasm_bg.wasm + browser.mjs, what a page using AES, SHA-2/HMAC, RSA and P-256 downloads): ` +
        `${kb(s.corePage.gzip)} gzip (target <= ${s.target.gzipKB} KB), ${kb(s.corePage.brotli)} brotli (target <= ${s.target.brotliKB} KB): ${ok}. ` +
        `The core module alone: ${s.wasmGzipKB.toFixed(1)} KB gzip.`,
    );
  } else {
    lines.push(`${li}Target: gzipped wasm <= 350 KB: ${s.wasmGzipKB.toFixed(1)} KB, ${s.met ? "met" : "MISSED"}.`);
  }
  return lines;
}
