#!/usr/bin/env bash
# Peak resident memory of `etpu run` (issue 17 section 4) against what the model needs: its file
# plus its tensors (the buffers of their own and the intermediates' shared arena, as `etpu run`
# prints them). Also against the same minus a baseline, so that the model's own share shows:
# `etpu --version` (the program itself: code, libraries, allocator), and `etpu run` of a tiny model
# (../shared/testdata/small/looming_64x64_3x3.tflite, 3 KiB: CONV_2D, MUL, ADD, pooling; compiled by
# etpu for the compiled rows): the run path's own code and libraries, whatever the model's size.
# Models: the shared MobileNet v2 and DeepLab v3, as CPU models and compiled by etpu's
# edgetpu_compiler for the virtual Edge TPU.
#   bench/run_memory_bench.sh [BUILD_DIR]      (default: build; needs ../shared)
# One line per model:
#   MEMORY model=NAME file_kib=F tensors_kib=T rss_kib=R baseline_kib=B run_baseline_kib=S rss/(file+tensors)=X (rss-baseline)/(file+tensors)=Y (rss-run_baseline)/(file+tensors)=Z
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
models="$root/../shared/testdata/models"
etpu="$build/tools/etpu"
compiler="$build/tools/edgetpu_compiler"
for x in "$etpu" "$compiler"; do [ -x "$x" ] || { echo "run_memory_bench.sh: $x not found (build first)" >&2; exit 2; }; done
[ -d "$models" ] || { echo "run_memory_bench.sh: $models not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
baseline=$(rss "$etpu" --version)
tiny="$root/../shared/testdata/small/looming_64x64_3x3.tflite"
[ -f "$tiny" ] || { echo "run_memory_bench.sh: $tiny not found" >&2; exit 2; }
"$compiler" -s -o "$tmp" "$tiny" > /dev/null
run_baseline_cpu=$(rss "$etpu" run "$tiny")
run_baseline_tpu=$(rss "$etpu" run "$tmp/looming_64x64_3x3_edgetpu.tflite")
kib() {  # "1.44MiB" / "147.98KiB" / "12.00B" -> KiB
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /MiB/) n *= 1024; else if (v ~ /GiB/) n *= 1048576; else if (v ~ /KiB/) n *= 1; else n /= 1024; printf "%.0f", n }'
}
for name in mobilenet_v2_1.0_224_quant deeplabv3_mnv2_dm05_pascal_quant; do
  "$compiler" -s -o "$tmp" "$models/$name.tflite" > /dev/null
  for file in "$models/$name.tflite" "$tmp/${name}_edgetpu.tflite"; do
    line=$("$etpu" run "$file" 2>/dev/null | grep '^Tensors: ')
    own=$(kib "$(echo "$line" | awk '{print $2}')")
    arena=$(kib "$(echo "$line" | sed 's/.*(inputs, outputs, state), //' | awk '{print $1}')")
    peak=$(rss "$etpu" run "$file")
    size=$(( $(stat -c %s "$file") / 1024 ))
    need=$(( size + own + arena ))
    case "$file" in *_edgetpu.tflite) run_baseline=$run_baseline_tpu ;; *) run_baseline=$run_baseline_cpu ;; esac
    awk -v m="$(basename "$file" .tflite)" -v f="$size" -v t="$((own + arena))" -v r="$peak" -v b="$baseline" -v s="$run_baseline" -v n="$need" \
      'BEGIN { printf "MEMORY model=%s file_kib=%d tensors_kib=%d rss_kib=%d baseline_kib=%d run_baseline_kib=%d rss/(file+tensors)=%.2f (rss-baseline)/(file+tensors)=%.2f (rss-run_baseline)/(file+tensors)=%.2f\n", m, f, t, r, b, s, r / n, (r - b) / n, (r - s) / n }'
  done
done
