#!/usr/bin/env bash
# The whole test suite: a Release build with every unit, golden and oracle test, then a clang
# ASan/UBSan build that runs the same tests under the sanitizers and fuzzes the readers briefly.
# Set ETPU_REQUIRE_SHARED=1 (CI does) to turn a missing ../shared into a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
jobs=$(nproc)

echo "== Release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DETPU_ONLY_MODULES= > /dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 900

if [ "${ETPU_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== ASan/UBSan build (clang), tests and short fuzzing"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
        -DCMAKE_CXX_COMPILER=clang++ -DETPU_SANITIZE=ON -DETPU_FUZZ=ON -DETPU_BUILD_BENCH=OFF -DETPU_ONLY_MODULES= > /dev/null
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 1800 -LE no_sanitizer
  for fuzzer in build-asan/fuzz/*_fuzzer; do
    [ -x "$fuzzer" ] || continue
    corpus="build-asan/fuzz/corpus-$(basename "$fuzzer")"
    mkdir -p "$corpus"
    echo "-- $(basename "$fuzzer"): 30 s"
    seeds=(); [ -d "$root/../shared/testdata/models" ] && seeds+=("$root/../shared/testdata/models")
    "$fuzzer" -max_total_time=30 -rss_limit_mb=4096 -timeout=10 "$corpus" "${seeds[@]}" 2>&1 | tail -n 3
  done
fi
echo "etpu: all tests passed"
