#!/usr/bin/env bash
# Whole-model single-thread latency: etpu's runtime (fast kernels, and the reference kernels for
# the bit-exactness check) against LiteRT (@litertjs/core 2.5.3, XNNPACK, WebAssembly SIMD,
# 1 thread) in the same run, interleaved in rounds, reported as ratios.
#
#   bench/run_model_bench.sh [BUILD_DIR]        (default: build-fast beside this folder)
#   env: RUNS (timed runs per round, 20), ROUNDS (2), REF_RUNS (1), ISA (avx2 to leave out
#        AVX512-VNNI), MODELS (names in
#        testdata/models), ETPU_SHARED_DIR (default ../shared), ETPU_LITERT_CACHE (npm cache dir)
#
# Models with a final ARG_MAX (deeplab) are benchmarked without it on both sides: the LiteRT.js
# wrapper cannot return INT64 tensors. Needs the build's model_bench (ninja -C BUILD model_bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-fast}
shared=${ETPU_SHARED_DIR:-$root/../shared}
runs=${RUNS:-20}
rounds=${ROUNDS:-2}
ref_runs=${REF_RUNS:-1}
models=${MODELS:-"mobilenet_v1_0.25_128_quant mobilenet_v2_1.0_224_quant deeplabv3_mnv2_dm05_pascal_quant"}
bench=$build/bench/model_bench
cache=${ETPU_LITERT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/etpu/litert-2.5.3}

[[ -x $bench ]] || { echo "missing $bench: run 'ninja -C $build model_bench' first" >&2; exit 1; }
[[ -d $shared/testdata/models ]] || { echo "no $shared/testdata/models: skipping the model benchmark"; exit 0; }

litert=1
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node/npm unavailable: LiteRT baseline skipped"; litert=0
elif [[ ! -f $shared/oracle/litert/litert_load.mjs ]]; then
  echo "no $shared/oracle/litert/litert_load.mjs (Node shim): LiteRT baseline skipped"; litert=0
elif [[ ! -d $cache/node_modules/@litertjs/core ]]; then
  echo "installing @litertjs/core@2.5.3 into $cache"
  mkdir -p "$cache"
  cp "$shared/oracle/litert/package.json" "$shared/oracle/litert/litert_load.mjs" "$cache/"
  if ! (cd "$cache" && npm install --silent --no-audit --no-fund >/dev/null 2>&1); then
    echo "npm install failed: LiteRT baseline skipped"; litert=0
  fi
fi
if (( litert )); then
  cp "$shared/oracle/litert/litert_load.mjs" "$here/litert_bench.mjs" "$cache/"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"; }
min() { printf '%s\n' "$@" | sort -g | head -1; }

printf '\n%-46s %8s %8s %9s %9s %8s %6s %9s %12s %10s\n' model etpu_ms etpu_min ref_ms litert_ms lt_min exact "ref/etpu" "litert/etpu" "(min/min)"
for name in $models; do
  model=$shared/testdata/models/$name.tflite
  [[ -f $model ]] || { echo "missing $model"; continue; }
  label=$name
  if "$bench" --strip-int64-outputs "$model" "$tmp/$name.tflite" >/dev/null 2>&1; then
    model=$tmp/$name.tflite; label="$name (no ARG_MAX)"
  fi
  e_med=(); e_min=(); l_med=(); l_min=(); ref=""; exact=yes
  for ((r = 0; r < rounds; r++)); do
    line=$("$bench" ${ISA:+--isa "$ISA"} --runs "$runs" --ref-runs "$( ((r == 0)) && echo "$ref_runs" || echo 0)" "$model" | grep '^RESULT' || true)
    [[ -n $line ]] || { echo "model_bench failed on $model" >&2; exit 1; }
    e_med+=("$(field fast_median_ms "$line")")
    e_min+=("$(field fast_min_ms "$line")")
    ((r == 0)) && ref=$(field ref_median_ms "$line")
    ((r == 0)) && { [[ $(field bitexact "$line") == yes ]] || exact=NO; }
    if (( litert )); then
      lline=$(cd "$cache" && node litert_bench.mjs "$model" --runs "$runs" 2>/dev/null | grep '^LITERT' || true)
      [[ -n $lline ]] && { l_med+=("$(field median_ms "$lline")"); l_min+=("$(field min_ms "$lline")"); }
    fi
  done
  e=$(min "${e_med[@]}"); em=$(min "${e_min[@]}")
  if (( ${#l_med[@]} )); then
    l=$(min "${l_med[@]}"); lm=$(min "${l_min[@]}")
    lr=$(awk -v a="$l" -v b="$e" 'BEGIN{printf "%.2fx", a/b}')
    lmr=$(awk -v a="$lm" -v b="$em" 'BEGIN{printf "%.2fx", a/b}')
  else
    l="-"; lm="-"; lr="-"; lmr="-"
  fi
  rr=$(awk -v a="$ref" -v b="$e" 'BEGIN{printf "%.1fx", a/b}')
  printf '%-46s %8.2f %8.2f %9.1f %9s %8s %6s %9s %12s %10s\n' "$label" "$e" "$em" "$ref" "$l" "$lm" "$exact" "$rr" "$lr" "$lmr"
done
echo
echo "etpu_ms / litert_ms: best median over $rounds interleaved rounds of $runs runs (etpu_min / lt_min:"
echo "fastest single run), single thread; ref_ms: etpu's reference kernels, same runtime."
echo "exact: etpu fast output == etpu reference-kernel output, byte for byte (fill 128 and a seeded random input)."
echo "litert/etpu > 1 means etpu is faster. LiteRT is not bit-exact with the reference kernels."
