// The Inits a group session has recorded, by operation family: the part
// of Map's interface calls-crypto.js uses, over two short arrays. A
// session holds one or two at a time, set and deleted at every call pair;
// a Map would rehash its table every few such pairs (the group's per-call
// overhead, group/fast.js).
export class InitTable {
  constructor() {
    this.names = [];
    this.recs = [];
  }

  get size() {
    return this.names.length;
  }

  has(name) {
    return this.names.indexOf(name) >= 0;
  }

  get(name) {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.recs[i];
  }

  set(name, rec) {
    const i = this.names.indexOf(name);
    if (i >= 0) this.recs[i] = rec;
    else {
      this.names.push(name);
      this.recs.push(rec);
    }
    return this;
  }

  delete(name) {
    const i = this.names.indexOf(name);
    if (i < 0) return false;
    const last = this.names.length - 1;
    // Order is kept (moveOps re-runs Inits in the order they were made).
    if (i === last) {
      this.names.pop();
      this.recs.pop();
    } else {
      this.names.splice(i, 1);
      this.recs.splice(i, 1);
    }
    return true;
  }

  keys() {
    return this.names.values();
  }

  *[Symbol.iterator]() {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i], this.recs[i]];
  }
}
