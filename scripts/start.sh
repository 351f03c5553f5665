#!/usr/bin/env bash
# `npm start`: installs the build tools if missing, builds the package into
# pkg/, and serves the playground (www/) on http://localhost:8080
# (PORT overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-browser
npm run build
exec node scripts/serve.mjs
