#!/usr/bin/env bash
# Builds the single-threaded WebAssembly module (the model engine) and its JS glue into pkg/st/.
# The threaded build (the live engine on Web Workers) is scripts/build-wasm-mt.sh, into pkg/mt/.
#
# Usage: bash scripts/build-wasm.sh        (WASM_OPT=0 skips the wasm-opt pass)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

OUT=pkg/st
WASM=target/wasm32-unknown-unknown/release/pipeline_lab.wasm

echo "build-wasm: cargo build --lib --release --target wasm32-unknown-unknown"
cargo build --lib --release --target wasm32-unknown-unknown

echo "build-wasm: wasm-bindgen --target web --out-dir $OUT"
rm -rf "$OUT"
wasm-bindgen --target web --out-dir "$OUT" "$WASM"

# wasm-opt from the npm package binaryen@132: Debian's older binaryen broke the module
# (ARCHITECTURE.md). Skipped with a note when node_modules has not been installed.
WASM_OPT_BIN=node_modules/.bin/wasm-opt
if [[ "${WASM_OPT:-1}" == 0 ]]; then
  echo "build-wasm: wasm-opt skipped (WASM_OPT=0)"
elif [[ -x $WASM_OPT_BIN ]]; then
  echo "build-wasm: wasm-opt -O"
  "$WASM_OPT_BIN" -O "$OUT/pipeline_lab_bg.wasm" -o "$OUT/pipeline_lab_bg.wasm.opt"
  mv "$OUT/pipeline_lab_bg.wasm.opt" "$OUT/pipeline_lab_bg.wasm"
else
  echo "build-wasm: wasm-opt not installed (run scripts/setup.sh); module left unoptimised"
fi

echo "build-wasm: $(wc -c <"$OUT/pipeline_lab_bg.wasm") bytes in $OUT/pipeline_lab_bg.wasm"
