// Records read in one piece (the token directory's object cache): their
// keys, and their values back to back in one buffer. They reach the core in
// one crossing with no view, object or copy per record: at a first login on
// a token of 1,000 objects, making those cost ~3 ms and the young-generation
// collections they caused (issue 15, item 2).
export class PackedRecords {
  /** `keys` [string] (ASCII), `lengths` Int32Array of the values' lengths, `body` the values. */
  constructor(keys, lengths, body) {
    this.keys = keys;
    this.lengths = lengths;
    this.body = body;
  }

  get length() {
    return this.keys.length;
  }

  /** As {key, value} records, for code that wants them one by one. */
  *[Symbol.iterator]() {
    let at = 0;
    for (let i = 0; i < this.keys.length; i++) {
      const n = this.lengths[i];
      yield { key: this.keys[i], value: this.body.subarray(at, at + n) };
      at += n;
    }
  }

  /** What storage_apply takes: two lengths per record, the keys' bytes, the values. */
  wire() {
    const text = this.keys.join("");
    const keys = new TextEncoder().encode(text);
    // A key's length is its byte length only for ASCII keys (what the
    // object cache holds); anything else goes the general way.
    if (keys.length !== text.length) return packChanges([...this]);
    const lengths = new Int32Array(2 * this.keys.length);
    for (let i = 0; i < this.keys.length; i++) {
      lengths[2 * i] = this.keys[i].length;
      lengths[2 * i + 1] = this.lengths[i];
    }
    return { lengths, keys, values: this.body };
  }
}

/** The storage_apply form of [{key, value}] records (a missing value: -1, the record is gone). */
export function packChanges(changes) {
  const encoder = new TextEncoder();
  let keySize = 0;
  let valueSize = 0;
  for (const c of changes) {
    keySize += 3 * c.key.length;
    if (c.value) valueSize += c.value.length;
  }
  const keys = new Uint8Array(keySize);
  const values = new Uint8Array(valueSize);
  const lengths = new Int32Array(2 * changes.length);
  let k = 0;
  let v = 0;
  changes.forEach((c, i) => {
    const { written } = encoder.encodeInto(c.key, keys.subarray(k));
    lengths[2 * i] = written;
    k += written;
    lengths[2 * i + 1] = c.value ? c.value.length : -1;
    if (c.value) {
      values.set(c.value, v);
      v += c.value.length;
    }
  });
  return { lengths, keys: keys.subarray(0, k), values };
}
