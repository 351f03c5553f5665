// A tiny step recorder for the scratch-project programs: each step runs
// (even after a failure, so that every gap shows up at once) and the
// results are printed as one JSON line for packaging_scratch.test.mjs.
const assert = require("node:assert/strict");

const results = [];

async function step(name, fn) {
  try {
    const detail = await fn();
    results.push({ name, ok: true, detail: detail === undefined ? null : detail });
  } catch (e) {
    results.push({ name, ok: false, error: `${e && e.name}: ${e && e.message}` });
  }
}

function report() {
  console.log(JSON.stringify(results));
}

module.exports = { assert, step, report };
