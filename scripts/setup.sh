#!/usr/bin/env bash
# Installs what building and testing pkcs11-wasm needs, from the package
# registries only (rustup, crates.io, Debian apt, npm). Idempotent: each
# step checks first and is skipped when its tool is already in place.
#
#   scripts/setup.sh               everything (build + tests)
#   scripts/setup.sh --no-browser  skip Chromium (enough to build and serve)
#
# Needs rustup/cargo and node/npm on PATH. Runs unattended (no stdin).
set -euo pipefail

cd "$(dirname "$0")/.."

with_browser=1
for arg in "$@"; do
  case "$arg" in
    --no-browser) with_browser=0 ;;
    *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[setup] %s\n' "$*"; }
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
# step NAME FUNCTION: runs FUNCTION and prints how long it took.
step() {
  local name=$1 t0
  t0=$(now)
  "$2"
  log "$(awk -v n="$name" -v a="$t0" -v b="$(now)" 'BEGIN { printf "%-22s %6.1f s", n, b - a }')"
}

# apt-get as root, or through sudo when we are not root.
apt_get() {
  if [ "$(id -u)" -eq 0 ]; then
    apt-get "$@"
  elif command -v sudo >/dev/null; then
    sudo -n -E apt-get "$@"
  else
    echo "setup.sh: need root (or sudo) to run apt-get $*" >&2
    return 1
  fi
}

need() {
  command -v "$1" >/dev/null || { echo "setup.sh: '$1' not found on PATH ($2)" >&2; exit 1; }
}

check_prerequisites() {
  need rustup "install Rust with rustup: https://rustup.rs"
  need cargo "install Rust with rustup: https://rustup.rs"
  need node "install Node.js >= 20"
  need npm "install Node.js >= 20 (with npm)"
  log "rustc $(rustc --version | cut -d' ' -f2), node $(node --version), npm $(npm --version)"
}

apt_updated=0
apt_get_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    apt_get update -q >/dev/null
    apt_updated=1
  fi
}

rust_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "rust target wasm32-unknown-unknown: present"
  else
    log "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

# The CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_cli() {
  local want have_bg have_runner
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if [ -z "$want" ]; then
    echo "setup.sh: no wasm-bindgen entry in Cargo.lock" >&2
    return 1
  fi
  have_bg=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  have_runner=$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have_bg" = "$want" ] && [ "$have_runner" = "$want" ]; then
    log "wasm-bindgen-cli $want: present"
  else
    # No --locked: the CLI's own lockfile pins a yanked crate.
    log "cargo install wasm-bindgen-cli --version $want (found '${have_bg:-none}'; takes ~2 min)"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

chromium_pkgs() {
  local missing=()
  for p in chromium chromium-driver; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "chromium + chromium-driver: present ($(dpkg-query -W -f='${Version}' chromium))"
  else
    apt_get_update_once
    log "apt-get install ${missing[*]}"
    apt_get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Root devDependencies. Skipped when node_modules already matches the lock.
npm_deps() {
  local stamp=node_modules/.package-lock.json
  if [ -f package-lock.json ] && [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ] \
     && [ ! package.json -nt "$stamp" ] && npm ls --depth=0 >/dev/null 2>&1; then
    log "npm devDependencies: present"
  elif [ -f package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  else
    log "npm install (no package-lock.json)"
    npm install --no-audit --no-fund --loglevel=error
  fi
}

t_start=$(now)
step "prerequisites" check_prerequisites
step "rust wasm32 target" rust_target
step "wasm-bindgen-cli" wasm_bindgen_cli
if [ "$with_browser" -eq 1 ]; then
  step "chromium" chromium_pkgs
fi
step "npm devDependencies" npm_deps
log "$(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%-22s %6.1f s", "setup total", b - a }')"
