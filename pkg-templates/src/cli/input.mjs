// Reading inputs (a file, or stdin as "-"), with a size cap checked before
// anything is read into memory, and streaming for long data.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from "node:fs";
import { CliError } from "./errors.mjs";

/** Keys, certificates, JWKs and backups of one key are far below this. */
export const KEY_FILE_MAX = 1024 * 1024;
/** Data encrypted or decrypted in one call (the token works in memory). */
export const DATA_MAX = 256 * 1024 * 1024;

const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function tooLarge(name, size, max, what) {
  return new CliError(`${name} is ${size > max * 4 ? mib(size) : `over ${mib(max)}`}: too large for ${what} (at most ${mib(max)})`);
}

function openInput(path) {
  if (path === undefined || path === "-") return { fd: 0, name: "stdin", own: false };
  try {
    const fd = openSync(path, "r");
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw new CliError(`${path} is a directory`);
    }
    return { fd, name: path, own: true };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot read ${path}: ${e.code === "ENOENT" ? "no such file" : e.code ?? e.message}`);
  }
}

/** The whole input as a Buffer, refusing more than `max` bytes. */
export function readInput(path, { max, what }) {
  const { fd, name, own } = openInput(path);
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > max) throw tooLarge(name, st.size, max, what);
    const parts = [];
    let total = 0;
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      let n;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        if (e.code === "EAGAIN") continue;
        if (e.code === "EOF") break;
        throw new CliError(`cannot read ${name}: ${e.code ?? e.message}`);
      }
      if (n === 0) break;
      total += n;
      if (total > max) throw tooLarge(name, total, max, what);
      parts.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(parts);
  } finally {
    if (own) closeSync(fd);
  }
}

/** The input's size when known (a regular file), else undefined. */
export function inputSize(path) {
  if (path === undefined || path === "-") return undefined;
  const { fd } = openInput(path);
  try {
    const st = fstatSync(fd);
    return st.isFile() ? st.size : undefined;
  } finally {
    closeSync(fd);
  }
}

/** Async iterator over the input in chunks of up to 1 MiB. */
export function inputChunks(path) {
  if (path === undefined || path === "-") return process.stdin;
  const { fd } = openInput(path);
  return createReadStream(null, { fd, highWaterMark: 1024 * 1024 });
}
