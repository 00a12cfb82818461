#!/usr/bin/env bash
# The whole test suite: a Release build with every unit, golden and oracle test (ctest), then an
# aarch64 cross build of the kernels tested under qemu against the x86 results, then a
# clang ASan/UBSan build of the untrusted-input readers, the model surgery and the runtime, whose
# tests run under the sanitizers, a short run of each fuzzer (10 s each), and the runtime's thread tests
# and the Python thread tests under ThreadSanitizer (ETPU_SKIP_SANITIZERS=1 / ETPU_SKIP_TSAN=1 leave
# those out locally).
# Set ETPU_REQUIRE_SHARED=1 (CI does) to turn a missing ../shared into a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
jobs=$(nproc)
# Each stage's heading says how long the suite has run so far (the whole suite must stay under 30 min).
stage() { echo "== $1 (at ${SECONDS} s)"; }
sanitizer_flags=(-DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG"
                 -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG")

stage "Release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$jobs"
scripts/check_layering.sh
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 900

if [ "${ETPU_SKIP_ARM64:-0}" != "1" ]; then
  # aarch64 (docs/ARM64.md): a cross build (Debian's g++-aarch64-linux-gnu, no ccache) of the
  # kernels' unit tests and the golden-output runner only, a representative subset that fits CI's
  # time: the kernels are where the code is architecture-specific (the NEON paths; the x86 ones
  # are not built there). kernels_test runs under qemu-user on a CPU with the dot-product
  # extension (max) and one without (cortex-a53), so both NEON levels run their exactness tests
  # (the oracle's x86-64 library cannot run there: *Oracle* tests are filtered out). qemu runs
  # without -L: the binaries' loader and libc come from libc6:arm64 (the multiarch pair); with
  # -L /usr/aarch64-linux-gnu the cross loader met the multiarch libc of another build and the
  # first std::thread hung (docs/ARM64.md). The thread pool's own intermittent hang (a worker
  # leaving one call could claim a range of the next) is fixed, so ThreadPool.* and Packed.* run
  # again and the golden models run on 3 threads. Then the same models run on the x86 Release build
  # (oracle-checked in ctest) and on both emulated CPUs, and their output bytes must be identical:
  # CPU models (conv, depthwise, FC, add, pooling, softmax, LSTM, concat...) and one model compiled
  # by the x86 compiler (the virtual Edge TPU).
  stage "aarch64 cross build (kernels, runtime) and tests under qemu"
  cmake -S . -B build-aarch64 -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake -DETPU_BUILD_BENCH=OFF \
        -DETPU_BUILD_PYTHON=OFF > /dev/null
  cmake --build build-aarch64 -j "$jobs" --target kernels_test etpu_golden_outputs
  models="$root/../shared/testdata/models"
  if [ ! -d "$models" ]; then
    [ "${ETPU_REQUIRE_SHARED:-0}" = "1" ] && { echo "etpu: $models is missing" >&2; exit 1; }
    echo "-- no shared models: the golden-output comparison is skipped"
  fi
  golden=build/golden-aarch64
  rm -rf "$golden"
  golden_models=()
  if [ -d "$models" ]; then
    mkdir -p "$golden/compiled"
    build/tools/edgetpu_compiler -s -o "$golden/compiled" "$models/mobilenet_v1_0.25_128_quant.tflite" > /dev/null
    golden_models=("$models/mobilenet_v1_0.25_128_quant.tflite" "$models/mobilenet_v1_0.5_160_quant.tflite"
                   "$models/keras_lstm_mnist_ptq.tflite" "$models/split_concat.tflite"
                   "$golden/compiled/mobilenet_v1_0.25_128_quant_edgetpu.tflite")
    build/tests/arm64/etpu_golden_outputs "$golden/x86" "${golden_models[@]}" > /dev/null
  fi
  qemu=(qemu-aarch64)
  for cpu in max cortex-a53; do
    echo "-- aarch64 -cpu $cpu: kernels_test, golden outputs"
    QEMU_CPU=$cpu "${qemu[@]}" build-aarch64/src/kernels/kernels_test --gtest_brief=1 \
      --gtest_filter='-*Oracle*'
    if [ ${#golden_models[@]} -gt 0 ]; then
      QEMU_CPU=$cpu "${qemu[@]}" build-aarch64/tests/arm64/etpu_golden_outputs --threads 3 \
        "$golden/$cpu" "${golden_models[@]}" > /dev/null
      diff -r "$golden/x86" "$golden/$cpu"
    fi
  done
fi
if [ "${ETPU_SKIP_SANITIZERS:-0}" != "1" ]; then
  # The untrusted-input readers, the compiler's model surgery and the runtime, under ASan/UBSan
  # (clang), then each fuzzer for a short run seeded with the shared models.
  stage "ASan/UBSan build (clang): readers, package, partition, runtime and oracle tests; short fuzzing"
  fuzzers=(model_reader_fuzzer package_reader_fuzzer compiler_fuzzer runtime_loader_fuzzer run_inputs_fuzzer
           plan_document_fuzzer)
  asan_targets=(tflite_test package_test partition_test runtime_test oracle_test "${fuzzers[@]}")
  # -O1 with line tables only (ASan's recommended level; reports keep file:line): the sanitizer
  # builds compile faster than at RelWithDebInfo's -O2 -g, a cut for the aarch64 stage.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${sanitizer_flags[@]}" -DCMAKE_C_COMPILER=clang \
        -DCMAKE_CXX_COMPILER=clang++ -DETPU_SANITIZE=ON -DETPU_FUZZ=ON -DETPU_BUILD_BENCH=OFF > /dev/null
  cmake --build build-asan -j "$jobs" --target "${asan_targets[@]}"
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  for t in tflite_test package_test partition_test runtime_test oracle_test; do
    bin=$(find build-asan -name "$t" -type f -perm -u+x | head -n 1)
    echo "-- $t (ASan/UBSan)"
    filter='*'
    # The two largest whole-model oracle runs (DeepLab, PoseNet: about half the stage) run in the
    # Release ctest only; their operators are each checked under ASan by Ops/OpOracleTest and the
    # PoseNet decoder by CustomOpsOnTheOraclesBackbone.
    [ "$t" = oracle_test ] && filter='-SharedModels/OracleModelTest.*/deeplabv3*:SharedModels/OracleModelTest.*/posenet*'
    "$bin" --gtest_brief=1 --gtest_filter="$filter"
  done
  # 10 s per fuzzer (20 s before the aarch64 stage came: its cut, -60 s over the six fuzzers).
  # Seeds: the shared models for the model readers; the shared images and label files for the
  # run-input decoders; a plan written by the Release build's `etpu plan --json` for the plan reader.
  shared_data="$root/../shared/testdata"
  plan_seed=build-asan/fuzz/seed-plan
  mkdir -p "$plan_seed"
  build/tools/etpu plan mobilenet_v1_0.25_128@10 mobilenet_v2_1.0_224@5 --devices usb3,usb3 --json \
    > "$plan_seed/plan.json"
  for name in "${fuzzers[@]}"; do
    fuzzer="build-asan/fuzz/$name"
    corpus="build-asan/fuzz/corpus-$name"
    mkdir -p "$corpus"
    seeds=()
    case "$name" in
      run_inputs_fuzzer) [ -d "$shared_data/images" ] && seeds+=("$shared_data/images") ;;
      plan_document_fuzzer) seeds+=("$plan_seed" fuzz/seeds/plan) ;;  # + a pipelined and a replicated plan
      *) [ -d "$shared_data/models" ] && seeds+=("$shared_data/models") ;;
    esac
    echo "-- $name: 10 s"
    "$fuzzer" -max_total_time=10 -rss_limit_mb=4096 -timeout=10 -artifact_prefix=build-asan/fuzz/ \
      "$corpus" "${seeds[@]}" 2>&1 | tail -n 3
  done
  # The regression corpus (fuzz/regressions/<fuzzer>/, fuzz/README.md): the inputs the long
  # campaigns found crashing (after the fix) and small inputs that reach the readers' error paths,
  # each run once (about 0.5 s per fuzzer); a crash, a leak or a time-out fails the suite.
  for name in "${fuzzers[@]}"; do
    inputs=(fuzz/regressions/"$name"/*)
    [ -e "${inputs[0]}" ] || continue
    echo "-- $name: ${#inputs[@]} regression inputs"
    "build-asan/fuzz/$name" -rss_limit_mb=4096 -timeout=10 "${inputs[@]}" 2>&1 |
      grep -v -E '^(Executed |Running: |INFO: |\*\*\*)'
  done
fi
if [ "${ETPU_SKIP_TSAN:-0}" != "1" ]; then
  # The runtime under ThreadSanitizer (clang): threads invoking models on separate devices, and on
  # one device under the caller's lock (src/runtime/concurrency_test.cc; the Python binding's
  # contract), and the 2-second soak (src/runtime/soak_test.cc). Only the runtime's tests are built.
  stage "TSan build (clang): runtime concurrency tests, Python thread tests"
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${sanitizer_flags[@]}" -DCMAKE_C_COMPILER=clang \
        -DCMAKE_CXX_COMPILER=clang++ -DETPU_TSAN=ON -DETPU_BUILD_BENCH=OFF -DETPU_BUILD_PYTHON=ON > /dev/null
  cmake --build build-tsan -j "$jobs" --target runtime_test
  TSAN_OPTIONS=halt_on_error=1 "$(find build-tsan -name runtime_test -type f -perm -u+x | head -n 1)" \
    --gtest_brief=1 --gtest_filter='RuntimeConcurrency*:RuntimeTest*:RuntimeSoak*'
  # --- Python under TSan (issue 16): the sanitized module (its 3 binding files on top of the
  # runtime's objects above) in a plain Python with the TSan runtime preloaded, running the
  # thread tests: the pipelined runner and one interpreter per thread on two devices. GCC's
  # libtsan.so.2 is preloaded because clang 14's shared TSan runtime crashes at start when
  # preloaded here; the module imports only with a TSan runtime loaded (its __tsan_* symbols).
  # No suppressions. About 35 s build + 15 s run on 2 cores.
  cmake --build build-tsan -j "$jobs" --target etpu_python
  LD_PRELOAD="$(gcc -print-file-name=libtsan.so)" TSAN_OPTIONS=halt_on_error=1 PYTHONPATH=build-tsan/python \
    PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python/test_pipeline.py \
    tests/python/test_example_flows.py::test_threads_on_two_devices_are_deterministic_and_run_in_parallel
  # --- end of Python under TSan
fi
echo "etpu: all tests passed (${SECONDS} s)"
