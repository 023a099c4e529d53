#!/usr/bin/env bash
# `npm test`: every test, stopping at the first failure: setup (with Chromium), the Rust
# tests, the wasm build, then the browser tests in tests/e2e/ against that build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s ===\n' "$*"; }

step "setup"
bash scripts/setup.sh --browser

step "cargo test"
cargo test

step "build wasm"
bash scripts/build-wasm.sh

step "browser tests"
node --test tests/e2e/
