// mulberry32: a small seeded generator of numbers in [0, 1), for what
// must repeat from run to run (the bench's round orders, the fuzz tests'
// steps, which print their seed). Not for anything secret.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
