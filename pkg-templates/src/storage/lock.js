// The lock file of a token directory, held while a PIN is checked: the
// check reads the current token and counter records, counts a wrong PIN
// and writes the counter durably before anyone else may check a PIN, so
// several processes guessing at once get no more tries than one would.
// The file is created with O_EXCL and names its holder (pid and time); a
// lock whose holder process is gone is taken over. Processes on one host
// only (a token directory on a network file system is not supported).
const WAIT_MS = 15_000;
const HUNG_MS = 120_000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

export class DirectoryLock {
  constructor(fs, path) {
    this.fs = fs;
    this.path = path;
    this.held = 0; // re-entrant within this instance
    this.stamp = undefined;
  }

  acquire() {
    if (this.held++ > 0) return;
    const c = this.fs.constants ?? {};
    const flags = (c.O_WRONLY ?? 1) | (c.O_CREAT ?? 0) | (c.O_EXCL ?? 0) | (c.O_NOFOLLOW ?? 0);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      this.stamp = `${process.pid} ${Date.now()} ${Math.random().toString(36).slice(2)}`;
      try {
        const fd = this.fs.openSync(this.path, flags, 0o600);
        try {
          this.fs.writeSync(fd, this.stamp);
        } finally {
          this.fs.closeSync(fd);
        }
        return;
      } catch (e) {
        if (e.code !== "EEXIST") {
          this.held = 0;
          throw e;
        }
      }
      if (this.takeOverStale()) continue;
      if (Date.now() > deadline) {
        this.held = 0;
        throw new Error(`pkcs11-wasm: the token is locked by another process (${this.path}); try again, or remove the file if no process uses the token`);
      }
      sleep(5 + Math.floor(Math.random() * 20));
    }
  }

  /** Removes a lock whose holder died (or hung for minutes): true if it did. */
  takeOverStale() {
    const s = this.fs.lstatSync(this.path, { throwIfNoEntry: false });
    if (!s) return true; // gone meanwhile: try again
    let text = "";
    try {
      // Never follow a link or open a FIFO planted as the lock.
      if (s.isFile()) text = this.fs.readFileSync(this.path, "utf8");
      else return this.setAside();
    } catch {
      return true;
    }
    const [pid, time] = text.split(" ").map(Number);
    const stale = !Number.isInteger(pid) || pid <= 0 || !alive(pid) || Date.now() - time > HUNG_MS;
    if (!stale && text !== "") return false;
    if (text === "" && Date.now() - (this.fs.lstatSync(this.path, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 1000) {
      return false; // being written right now
    }
    return this.setAside();
  }

  setAside() {
    try {
      const aside = `${this.path}.stale-${process.pid}`;
      this.fs.renameSync(this.path, aside);
      this.fs.unlinkSync(aside);
    } catch {}
    return true;
  }

  release() {
    if (this.held === 0 || --this.held > 0) return;
    try {
      if (this.fs.readFileSync(this.path, "utf8") === this.stamp) this.fs.unlinkSync(this.path);
    } catch {}
  }
}
