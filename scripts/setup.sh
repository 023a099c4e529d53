#!/usr/bin/env bash
# Installs everything `npm start` and `npm test` need on a fresh machine, and nothing twice:
# node_modules, the pinned Rust toolchain, wasm-bindgen-cli 0.2.130 and (with --browser) Chromium.
#
# Usage: bash scripts/setup.sh [--browser]
# Idempotent: a second run only checks and prints what it found.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "setup: unknown argument $arg" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }

# --- node_modules --------------------------------------------------------------------------
# A hash of package.json and package-lock.json is kept in node_modules, so a missing
# node_modules or an edited manifest or lockfile triggers a clean reinstall.
deps_hash() { cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1; }
stamp=node_modules/.pipeline-lab-setup
if [[ -d node_modules && -f "$stamp" && "$(cat "$stamp")" == "$(deps_hash)" ]]; then
  say "node_modules up to date"
else
  if [[ -f package-lock.json ]]; then
    say "npm ci"
    npm ci --no-audit --no-fund
  else
    say "npm install (no package-lock.json)"
    npm install --no-audit --no-fund
  fi
  deps_hash >"$stamp"
fi

# --- Rust toolchain ------------------------------------------------------------------------
# rust-toolchain.toml pins the nightly, its components and the wasm target. `rustup toolchain
# install` with no argument (rustup >= 1.28) installs exactly that; older rustup installs it
# on the first cargo call in the repo instead.
if ! command -v rustup >/dev/null; then
  echo "setup: rustup not found; install rustup (with the stable toolchain) and run again" >&2
  exit 1
fi
say "rust toolchain from rust-toolchain.toml (the first time this downloads it)"
if ! rustup_out="$(rustup toolchain install --no-self-update 2>&1)"; then
  echo "$rustup_out" >&2
  say "falling back to rustup's install on first use"
  cargo --version >/dev/null
fi
toolchain="$(rustup show active-toolchain | cut -d' ' -f1)"
if ! rustup target list --installed --toolchain "$toolchain" | grep -qx wasm32-unknown-unknown; then
  rustup target add --toolchain "$toolchain" wasm32-unknown-unknown
fi
say "rust toolchain $toolchain ($(rustc --version))"

# --- wasm-bindgen-cli ----------------------------------------------------------------------
have_wasm_bindgen() { wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; }
if ! have_wasm_bindgen; then
  # Another shell may be installing it already (two installs would race for ~/.cargo/bin).
  while command -v pgrep >/dev/null && pgrep -f "cargo install wasm-bindgen-cli" >/dev/null; do
    say "waiting for a wasm-bindgen-cli install already running..."
    sleep 10
  done
fi
if have_wasm_bindgen; then
  say "wasm-bindgen $WASM_BINDGEN_VERSION present"
else
  # The CLI must match the crate's `=0.2.130` exactly. Built with stable from outside the
  # repo so the pinned nightly is not used; no --locked (see ARCHITECTURE.md).
  say "cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION (takes a few minutes)"
  stable=()
  rustup toolchain list | grep -q '^stable' && stable=(+stable)
  (cd / && cargo "${stable[@]}" install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION")
  have_wasm_bindgen || { echo "setup: wasm-bindgen $WASM_BINDGEN_VERSION not found after install" >&2; exit 1; }
fi

# --- Chromium (browser tests only) ---------------------------------------------------------
if [[ $want_browser == 1 ]]; then
  sudo_cmd=()
  [[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
  if [[ -x /usr/bin/chromium ]]; then
    say "chromium present"
  else
    say "apt-get install chromium"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update
    "${sudo_cmd[@]}" apt-get install -y chromium
  fi
  # A Korean font, so screenshots of the Korean page show text rather than boxes. The
  # tests read the DOM, not pixels, so a failure here is only a warning.
  if command -v fc-list >/dev/null && [[ -n "$(fc-list :lang=ko 2>/dev/null)" ]]; then
    say "Korean font present"
  else
    say "apt-get install fonts-nanum (Korean font for screenshots)"
    export DEBIAN_FRONTEND=noninteractive
    { "${sudo_cmd[@]}" apt-get install -y fonts-nanum ||
      { "${sudo_cmd[@]}" apt-get update && "${sudo_cmd[@]}" apt-get install -y fonts-nanum; }; } ||
      say "warning: could not install fonts-nanum; Korean screenshots will show boxes"
  fi
fi

say "done"
