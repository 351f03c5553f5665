// PINs (and key-file passphrases) come from, in this order: a file
// descriptor named on the command line (--pin-fd N: the PIN is the next
// line read from it), an environment variable, or a prompt on the terminal
// that does not echo. Never from the command line itself (args.mjs refuses
// --pin): other users see arguments in `ps`, and shells keep them.
import { openSync, readFileSync, writeSync } from "node:fs";
import { UsageError } from "./errors.mjs";

const SOURCES = {
  user: { env: "PKCS11_WASM_PIN", fd: "pinFd", flag: "--pin-fd", prompt: "User PIN" },
  so: { env: "PKCS11_WASM_SO_PIN", fd: "soPinFd", flag: "--so-pin-fd", prompt: "SO PIN" },
  newUser: { env: "PKCS11_WASM_NEW_PIN", fd: "newPinFd", flag: "--new-pin-fd", prompt: "New user PIN" },
  newSo: { env: "PKCS11_WASM_NEW_SO_PIN", fd: "newSoPinFd", flag: "--new-so-pin-fd", prompt: "New SO PIN" },
  passphrase: { env: "PKCS11_WASM_KEY_PASSPHRASE", fd: "passphraseFd", flag: "--passphrase-fd", prompt: "Passphrase of the key file" },
};

// Lines read from each descriptor (several PINs may share one).
const fdLines = new Map();

function fromFd(fd, flag) {
  if (!/^\d+$/.test(fd)) throw new UsageError(`${flag} needs a file descriptor number, not ${JSON.stringify(fd)}`);
  const n = Number(fd);
  if (!fdLines.has(n)) {
    let text;
    try {
      text = readFileSync(n, "utf8");
    } catch (e) {
      throw new UsageError(`${flag} ${n}: cannot read file descriptor ${n} (${e.code ?? e.message})`);
    }
    const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    fdLines.set(n, lines);
  }
  const lines = fdLines.get(n);
  if (lines.length === 0) throw new UsageError(`${flag} ${n}: no PIN left to read`);
  return lines.shift();
}

/** The controlling terminal, for prompting even when stdin carries data. */
function openTerminal() {
  try {
    return openSync("/dev/tty", "r+");
  } catch {
    return process.stdin.isTTY ? 0 : undefined;
  }
}

/** Reads one line from the terminal without echo (raw mode). */
async function promptHidden(fd, question) {
  const { ReadStream } = await import("node:tty"); // only when prompting: it is slow to load
  const input = fd === 0 ? process.stdin : new ReadStream(fd);
  input.setRawMode(true); // before the prompt shows: nothing typed is echoed
  writeSync(fd === 0 ? 2 : fd, `${question}: `);
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = (err) => {
      input.setRawMode(false);
      input.removeListener("data", onData);
      if (fd !== 0) input.destroy();
      else input.pause();
      writeSync(fd === 0 ? 2 : fd, "\n");
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") return finish(Object.assign(new UsageError("interrupted"), { exitCode: 130 }));
        if (ch === "\u0004") return finish(new UsageError("nothing typed"));
        if (ch === "\u007f" || ch === "\b") text = [...text].slice(0, -1).join("");
        else if (ch >= " ") text += ch;
      }
    };
    input.on("data", onData);
    input.resume();
  });
}

async function prompt(which, question) {
  const s = SOURCES[which];
  const fd = openTerminal();
  if (fd === undefined) {
    throw new UsageError(`no ${s.prompt.replace(/^User|^New|^Passphrase/, (w) => w.toLowerCase())}`, { hint: `set ${s.env}, pass ${s.flag} N, or run on a terminal to be asked` });
  }
  return promptHidden(fd, question); // the terminal stream closes its fd
}

/**
 * The PIN `which` (user, so, newUser, newSo, passphrase) from its fd
 * option, its environment variable or the prompt. `confirm`: a PIN being
 * set is asked twice at the prompt.
 */
export async function getPin(opts, which, { confirm = false } = {}) {
  const s = SOURCES[which];
  if (opts[s.fd] !== undefined) return fromFd(opts[s.fd], s.flag);
  const env = process.env[s.env];
  if (env !== undefined) return env;
  const pin = await prompt(which, s.prompt);
  if (confirm && (await prompt(which, `${s.prompt} again`)) !== pin) throw new UsageError(`the two PINs typed differ`);
  return pin;
}
