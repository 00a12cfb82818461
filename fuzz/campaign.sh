#!/usr/bin/env bash
# Long fuzzing campaigns (fuzz/README.md): runs the six libFuzzer targets one after the other,
# fastest first, at the lowest priority, each until 10 million executions or its share of the
# time left before END (whichever comes first), with a persistent corpus per target.
#   fuzz/campaign.sh BUILD_DIR CORPUS_ROOT END_EPOCH_SECONDS [PLAN_SEED_DIR]
# BUILD_DIR holds the fuzzers (-DETPU_FUZZ=ON, clang); they are copied first, so the build may be
# rebuilt while a campaign runs. Logs, crashes and the final stats go under CORPUS_ROOT.
set -euo pipefail
build=$1 root=$2 end=$3 plan_seed=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "$here/../.." && pwd)/shared/testdata
[ -d "$shared" ] || shared=$(cd "$here/.." && pwd)/../shared/testdata
# Fastest first, with a weight for the share of the remaining time each gets.
targets=(plan_document_fuzzer:2 package_reader_fuzzer:2 model_reader_fuzzer:2 compiler_fuzzer:3
         runtime_loader_fuzzer:3 run_inputs_fuzzer:2)
mkdir -p "$root/bin" "$root/logs" "$root/artifacts"
for t in "${targets[@]}"; do cp "$build/fuzz/${t%%:*}" "$root/bin/"; done
weight_left=0
for t in "${targets[@]}"; do weight_left=$((weight_left + ${t##*:})); done
for t in "${targets[@]}"; do
  name=${t%%:*} weight=${t##*:}
  left=$((end - $(date +%s)))
  seconds=$((left * weight / weight_left))
  weight_left=$((weight_left - weight))
  [ "$seconds" -ge 30 ] || { echo "$name: no time left" >> "$root/logs/summary.txt"; continue; }
  corpus="$root/$name"
  mkdir -p "$corpus"
  seeds=()
  case "$name" in
    run_inputs_fuzzer) seeds+=("$shared/images") ;;
    plan_document_fuzzer) seeds+=("$here/seeds/plan"); [ -n "$plan_seed" ] && seeds+=("$plan_seed") ;;
    *) seeds+=("$shared/models") ;;
  esac
  echo "$name: $seconds s from $(date -u +%H:%M:%S)" >> "$root/logs/summary.txt"
  # -jobs=1 -workers=1: one fuzzing process (libFuzzer then writes its output to fuzz-0.log in the
  # working directory); a crash ends it and keeps the input under artifacts/.
  log="$root/logs/$name"
  mkdir -p "$log"
  (cd "$log" && nice -n 19 "$root/bin/$name" -max_total_time="$seconds" -runs=10000000 -rss_limit_mb=4096 \
    -timeout=10 -jobs=1 -workers=1 -print_final_stats=1 -artifact_prefix="$root/artifacts/$name-" \
    "$corpus" "${seeds[@]}" > stdout.txt 2>&1) || echo "$name: exit $?" >> "$root/logs/summary.txt"
  { grep -hE '^#[0-9]+' "$log"/fuzz-*.log | tail -n 1
    grep -hE '^stat::' "$log"/fuzz-*.log
    echo "corpus files: $(find "$corpus" -type f | wc -l)"; } >> "$root/logs/summary.txt"
done
echo "done $(date -u +%H:%M:%S)" >> "$root/logs/summary.txt"
