#!/usr/bin/env bash
# `npm start`: set up what is missing, build the single-threaded wasm, serve the page.
# Prints http://localhost:PORT/ (PORT env, default 8080; the next free port if busy).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
bash scripts/build-wasm.sh
exec node scripts/serve.mjs "$@"
