#!/usr/bin/env bash
# Builds the threaded WebAssembly module (atomics, shared memory, wasm-bindgen-rayon's pool)
# and its JS glue into pkg/mt/. Flags explained in ARCHITECTURE.md; without the link args the
# page later fails with "DataCloneError: #<Memory> could not be cloned".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

# MT_FEATURES=baseline MT_OUT=pkg/mt-baseline: the benchmark's variant (src/web_baseline.rs).
OUT=${MT_OUT:-pkg/mt}
FEATURES=${MT_FEATURES:-threads}
# Its own target folder: these RUSTFLAGS would otherwise rebuild the single-threaded one.
TARGET_DIR=target/mt
WASM=$TARGET_DIR/wasm32-unknown-unknown/release/pipeline_lab.wasm

export RUSTFLAGS="-C target-feature=+atomics,+bulk-memory \
 -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=1073741824 \
 -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
 -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"

echo "build-wasm-mt: cargo build ($FEATURES, build-std)"
cargo build --lib --release --target wasm32-unknown-unknown --features "$FEATURES" \
  -Z build-std=panic_abort,std --target-dir "$TARGET_DIR"

echo "build-wasm-mt: wasm-bindgen --target web --out-dir $OUT"
rm -rf "$OUT"
wasm-bindgen --target web --out-dir "$OUT" "$WASM"

# wasm-bindgen-rayon 1.3's worker script calls init(module, memory), which this wasm-bindgen
# deprecates with a console warning in each of the pool's 64 workers: pass the one object instead.
for helper in "$OUT"/snippets/wasm-bindgen-rayon-*/src/workerHelpers*.js; do
  sed -i 's/await pkg.default(data.module, data.memory);/await pkg.default({ module_or_path: data.module, memory: data.memory });/' "$helper"
done

WASM_OPT_BIN=node_modules/.bin/wasm-opt
if [[ "${WASM_OPT:-1}" != 0 && -x $WASM_OPT_BIN ]]; then
  echo "build-wasm-mt: wasm-opt -O"
  "$WASM_OPT_BIN" -O --enable-threads --enable-bulk-memory "$OUT/pipeline_lab_bg.wasm" -o "$OUT/pipeline_lab_bg.wasm.opt"
  mv "$OUT/pipeline_lab_bg.wasm.opt" "$OUT/pipeline_lab_bg.wasm"
fi

# The module must import a shared memory, or the pool cannot start.
if ! grep -q "shared:true" "$OUT/pipeline_lab.js"; then
  echo "build-wasm-mt: the module does not import a shared memory (check the link args)" >&2
  exit 1
fi
echo "build-wasm-mt: $(wc -c <"$OUT/pipeline_lab_bg.wasm") bytes in $OUT/pipeline_lab_bg.wasm"
