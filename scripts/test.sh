#!/usr/bin/env bash
# `npm test`: every test, stopping at the first failure: setup (with Chromium), the habits
# (rustfmt, clippy natively and for wasm32, prettier over every JS folder), the Rust tests, both
# wasm builds (pkg/st model engine, pkg/mt live engine on real threads), then the browser tests
# in tests/e2e/ against them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s ===\n' "$*"; }

step "setup"
bash scripts/setup.sh --browser

step "format and lint (cargo fmt --check, clippy native and wasm32, prettier --check)"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
# The library as the single-threaded page build compiles it (src/web.rs included).
cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
npm run --silent format:check

step "cargo test"
cargo test

step "build wasm (single-threaded, pkg/st)"
bash scripts/build-wasm.sh

step "build wasm (threaded, pkg/mt; the first build rebuilds std, ~75 s)"
bash scripts/build-wasm-mt.sh

step "browser tests"
node --test tests/e2e/
