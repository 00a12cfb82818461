#!/usr/bin/env bash
# The runtime soak (src/runtime/soak_test.cc) for as long as asked: compiled models alone and
# co-compiled on two virtual Edge TPUs, interleaved from three threads; every output and cache
# event checked; prints the invocations and the resident-memory slope.
#   bench/run_soak.sh [BUILD_DIR] [SECONDS]     (defaults: build, 600)
set -euo pipefail
build=${1:-build}
seconds=${2:-600}
bin="$build/src/runtime/runtime_test"
[ -x "$bin" ] || { echo "run_soak.sh: $bin not found (build the runtime tests first)" >&2; exit 2; }
ETPU_SOAK_SECONDS="$seconds" "$bin" --gtest_filter='RuntimeSoak*'
