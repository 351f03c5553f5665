#!/usr/bin/env bash
# `npm test`: installs what is missing (scripts/setup.sh), then runs every
# test suite, stopping at the first failing one:
#   1. native Rust tests (lib unit tests, tests/*.rs, doctests) on the host
#   2. npm run build (the wasm package in pkg/)
#   3. JS tests: node --test tests/js/ (files named *.test.{js,mjs,cjs})
#   4. wasm tests in headless Chromium: tests/browser.rs
#   5. end-to-end Playwright tests (playground, two pages): tests/e2e/
# Each step's full output is kept in test-artifacts/logs/. The last line is
# "N passed, N failed", summed from what the test runners reported.
set -euo pipefail

cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

logs=test-artifacts/logs
mkdir -p "$logs"

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

t_all=$(now)
rows=()          # summary lines, one per finished step
total_pass=0
total_fail=0
total_skip=0
current=""       # the step running now (named in the summary if it fails)

summary() {
  local rc=$?
  echo
  echo "==================== test summary ===================="
  printf '%-20s %-6s %7s %7s %8s %9s\n' step result passed failed skipped time
  for r in "${rows[@]}"; do echo "$r"; done
  if [ "$rc" -ne 0 ] && [ -n "$current" ]; then
    echo "stopped: '$current' failed (exit $rc); log: $logs/$current_log"
  fi
  echo "total time $(elapsed "$t_all") s; $total_skip skipped/ignored"
  echo "$total_pass passed, $total_fail failed"
}
trap summary EXIT

# Sums "test result: ok. N passed; M failed; K ignored; ..." lines
# (libtest and wasm-bindgen-test-runner print the same form).
# Prints "passed failed skipped".
count_cargo() {
  awk '/^test result:/ {
         for (i = 1; i < NF; i++) {
           if ($(i+1) ~ /^passed/) p += $i
           if ($(i+1) ~ /^failed/) f += $i
           if ($(i+1) ~ /^ignored/) s += $i
         }
       } END { printf "%d %d %d\n", p, f, s }' "$1"
}

# node --test spec reporter summary: "ℹ pass N", "ℹ fail N", "ℹ cancelled N"
# (a cancelled test, e.g. a timeout, counts as failed), "ℹ skipped N",
# "ℹ todo N". The last value of each wins (the summary comes last).
count_node() {
  awk '$3 ~ /^[0-9]+$/ { v[$2] = $3 }
       END { printf "%d %d %d\n", v["pass"], v["fail"] + v["cancelled"], v["skipped"] + v["todo"] }' "$1"
}

# run_step NAME COUNTER COMMAND...: runs COMMAND with its output shown and
# logged, records passed/failed/time; exits (fail fast) if it failed.
run_step() {
  local name=$1 counter=$2 t0 rc p=0 f=0 k=0
  shift 2
  current=$name
  current_log="$name.log"
  echo
  echo "==> $name"
  t0=$(now)
  set +e
  "$@" 2>&1 | tee "$logs/$current_log"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$counter" != none ]; then
    read -r p f k < <("$counter" "$logs/$current_log")
  fi
  # A failure the runner did not count (a build error) is still a failure.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
  total_skip=$((total_skip + k))
  local shown_p=$p shown_f=$f shown_k=$k
  [ "$counter" = none ] && shown_p=- && shown_k=- && [ "$rc" -eq 0 ] && shown_f=-
  rows+=("$(printf '%-20s %-6s %7s %7s %8s %8ss' "$name" "$([ "$rc" -eq 0 ] && echo ok || echo FAIL)" "$shown_p" "$shown_f" "$shown_k" "$(elapsed "$t0")")")
  if [ "$rc" -ne 0 ]; then
    exit "$rc"
  fi
  current=""
}

host=$(rustc -vV | sed -n 's/^host: //p')

# Prints a command, then runs it.
show() {
  printf '$'
  printf ' %q' "$@"
  echo
  "$@"
}

native_tests() {
  # Our crate at opt-level 1 here (dependencies are at 3, Cargo.toml;
  # overflow checks and debug assertions stay on): the Wycheproof suites
  # then run ~5x faster, which more than pays for the longer compile.
  show cargo test --config 'profile.dev.package.pkcs11-wasm.opt-level = 1' --target "$host"
}

js_tests() {
  # node --test only picks up *.test.* style names inside a directory; say
  # so when there is nothing to run rather than passing silently.
  if ! find tests/js -type f \( -name '*.test.*' -o -name '*-test.*' -o -name '*_test.*' -o -name 'test-*' \) 2>/dev/null | grep -q .; then
    echo "no JS test files (tests/js/*.test.{js,mjs,cjs})"
    return 1
  fi
  show node --test --test-reporter=spec tests/js/
}

e2e_tests() {
  # The playground (www/) in headless Chromium via playwright-core: the
  # tests start their own server on a free port.
  show node --test --test-reporter=spec tests/e2e/
}

browser_tests() {
  # The runner starts chromedriver with headless, no-sandbox flags.
  # Dependencies unoptimized here (Cargo.toml optimizes them for the
  # native suites): these tests run in a second either way, and optimizing
  # them for wasm32 costs about two minutes of compilation.
  export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
  export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300}
  show cargo test --config 'profile.dev.package."*".opt-level = 0' \
    --target wasm32-unknown-unknown --test browser
}

run_step setup none bash scripts/setup.sh
run_step native-rust-tests count_cargo native_tests
run_step build none npm run build
run_step js-tests count_node js_tests
run_step e2e-playwright count_node e2e_tests
run_step browser-wasm-tests count_cargo browser_tests
