#!/usr/bin/env bash
# `npm start`: set up what is missing, build both wasm modules, serve the page.
# Prints http://localhost:PORT/ (PORT env, default 8080; the next free port if busy).
# The threaded build (pkg/mt, the "real threads" engine) may fail without stopping the page:
# the page then offers the model engine and says that the threaded build is not available.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
bash scripts/build-wasm.sh
if ! bash scripts/build-wasm-mt.sh; then
  echo "start: the threaded build (pkg/mt) failed; the page runs the model engine only" >&2
fi
exec node scripts/serve.mjs "$@"
