// Printing: aligned tables and messages for people, JSON for scripts,
// binary results to a file or a pipe (never to a terminal).
import { writeFileSync, writeSync } from "node:fs";
import { CliError } from "./errors.mjs";

/** Writes a whole string to stdout synchronously (pipes included). */
export function print(text = "") {
  writeAll(1, Buffer.from(text + "\n"));
}

/** A note for people on stderr (progress, hints, warnings). */
export function note(text) {
  writeSync(2, text + "\n");
}

export function printJson(value) {
  print(JSON.stringify(value, null, 2));
}

function writeAll(fd, buf) {
  for (let at = 0; at < buf.length; ) {
    try {
      at += writeSync(fd, buf, at);
    } catch (e) {
      // A closed pipe (`... | head`): nobody reads on; the library's exit
      // hook still writes what the token has queued.
      if (e.code === "EPIPE") process.exit(0);
      if (e.code !== "EAGAIN") throw e;
    }
  }
}

/**
 * Rows (arrays of strings) under a header, columns padded to their widest
 * cell; the last column is not padded.
 */
export function table(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  return all
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? String(cell) : String(cell).padEnd(widths[c])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * Writes a binary result to `path` (mode 0600 when `secret`) or to
 * stdout; refuses a terminal, where bytes would be garbage.
 */
export function writeBinary(path, bytes, { secret = false } = {}) {
  if (path && path !== "-") {
    try {
      writeFileSync(path, bytes, { mode: secret ? 0o600 : 0o644 });
    } catch (e) {
      throw new CliError(`cannot write ${path}: ${e.code ?? e.message}`);
    }
    return;
  }
  if (process.stdout.isTTY) throw new CliError("refusing to write binary output to the terminal", { hint: "use -o FILE or a pipe" });
  writeAll(1, Buffer.from(bytes));
}
