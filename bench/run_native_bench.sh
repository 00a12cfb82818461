#!/usr/bin/env bash
# Whole-model single-thread latency: etpu's CPU runtime (the interpreter) against native XNNPACK
# (Debian's libxnnpack-dev 0.0~git20220216, qu8 operators, one thread) on the same model and the
# same input, interleaved in rounds (alternating which side goes first), in one process. One
# line per model:
#   NATIVE model=NAME etpu_ms=X xnnpack_ms=Y xnnpack/etpu=R etpu_min_ms=.. xnnpack_min_ms=..
#          min_ratio=xnnpack_min/etpu_min top1_agree=K/N top1_ties=T max_diff_steps=D input=images|random
#          gmacs=.. etpu_gmacs=.. peak_pct=.. etpu_min_gmacs=.. min_peak_pct=..
#   (after a PEAK line: this core's int8 GMAC/s peak for etpu's ISA; native_bench.cc explains them)
# (medians; xnnpack/etpu > 1 means etpu is faster), or "NATIVE model=NAME skipped: REASON" when
# XNNPACK lacks one of the model's operators (never a partial graph).
#
#   bench/run_native_bench.sh [BUILD_DIR]        (default: build beside this folder)
#   env: RUNS (timed runs per round and side, 20), ROUNDS (3), ISA (avx2 to leave out etpu's
#        AVX512-VNNI paths), THREADS (etpu's interpreter threads, 1; XNNPACK stays on one), MODELS (.tflite paths or zoo:NAME; default: the four shared
#        MobileNets and the zoo's efficientnet_edgetpu_s and inception_v1_224),
#        ETPU_SHARED_DIR (default ../shared)
#
# Needs the build's native_bench (ninja -C BUILD native_bench; built when libxnnpack-dev and
# libpthreadpool-dev are installed). The LiteRT.js comparison stays in run_model_bench.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
shared=${ETPU_SHARED_DIR:-$root/../shared}
runs=${RUNS:-20}
rounds=${ROUNDS:-3}
bench=$build/bench/native_bench

if [[ ! -x $bench ]]; then
  echo "missing $bench: install libxnnpack-dev libpthreadpool-dev, then 'ninja -C $build native_bench'" >&2
  exit 1
fi

if [[ -n ${MODELS:-} ]]; then
  read -r -a models <<<"$MODELS"
else
  models=()
  for name in mobilenet_v1_0.25_128_quant mobilenet_v1_0.5_160_quant mobilenet_v1_0.75_192_quant \
              mobilenet_v2_1.0_224_quant; do
    f=$shared/testdata/models/$name.tflite
    if [[ -f $f ]]; then models+=("$f"); else echo "missing $f: left out"; fi
  done
  models+=(zoo:efficientnet_edgetpu_s zoo:inception_v1_224)
fi
images=()
[[ -d $shared/testdata/images ]] && images=(--images "$shared/testdata/images")

"$bench" --runs "$runs" --rounds "$rounds" ${ISA:+--isa "$ISA"} ${THREADS:+--threads "$THREADS"} "${images[@]}" "${models[@]}"
echo
echo "etpu_ms / xnnpack_ms: median of $rounds interleaved rounds x $runs runs each (min: fastest run),"
echo "etpu on THREADS threads (default 1), XNNPACK on one; same input (the first image); on a loaded machine min_ratio is the steadier figure."
echo "top1_agree: images whose top-1 (output 0) agrees (an exact tie on one side counts, see CHECK lines);"
echo "max_diff_steps: largest difference of any output byte over those images (XNNPACK requantises"
echo "in float, TFLite's kernels in fixed point; native_bench --per-layer shows each operator alone)."
