// Micro-benchmarks of the quantized kernels on MobileNet-like layer shapes: the reference loop
// ("ref") and the bit-exact fast path ("fast") side by side in one run, then a table of
// ref/fast time ratios. Single thread. Each fast run is checked byte for byte against the
// reference output once before timing (a mismatch aborts the benchmark with an error).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "kernels/conv.h"
#include "kernels/dispatch.h"
#include "kernels/fully_connected.h"

namespace {

using etpu::kernels::ConvOptions;
using etpu::kernels::QType;
using etpu::kernels::Shape4;

template <typename T>
std::vector<T> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(rng());
  return v;
}

/// One conv-like layer: kind 0 = conv, 1 = depthwise.
template <typename T>
void RunConv(benchmark::State& state, bool depthwise, bool fast) {
  const int hw = static_cast<int>(state.range(0)), ic = static_cast<int>(state.range(1)),
            oc = static_cast<int>(state.range(2)), k = static_cast<int>(state.range(3)),
            stride = static_cast<int>(state.range(4));
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  ConvOptions o;
  o.stride_h = o.stride_w = stride;
  o.activation = etpu::kernels::Activation::kRelu6;
  const Shape4 in{1, hw, hw, ic};
  const Shape4 f = depthwise ? Shape4{1, k, k, ic} : Shape4{oc, k, k, ic};
  const int out_c = depthwise ? ic : oc;
  std::vector<float> fs(kU8 ? 1 : static_cast<size_t>(out_c), 0.005f);
  const QType t = kU8 ? QType::kUInt8 : QType::kInt8;
  const etpu::kernels::QuantParams iq{0.0235f, kU8 ? 128 : 0}, oq{0.0235f, kU8 ? 0 : -128};
  auto p = depthwise ? etpu::kernels::PrepareDepthwiseConv(o, in, f, t, iq, fs, kU8 ? 120 : 0, oq)
                     : etpu::kernels::PrepareConv(o, in, f, t, iq, fs, kU8 ? 120 : 0, oq);
  if (!p.ok()) {
    state.SkipWithError(p.status().ToString().c_str());
    return;
  }
  const Shape4 out{1, p->out_h, p->out_w, out_c};
  auto x = Random<T>(in.FlatSize(), 1), w = Random<T>(f.FlatSize(), 2);
  std::vector<int32_t> bias(static_cast<size_t>(out_c), 100);
  std::vector<T> y(out.FlatSize()), ref(out.FlatSize());
  auto run = [&](bool use_fast, T* dst) {
    etpu::kernels::SetFastKernelsEnabled(use_fast);
    return depthwise ? etpu::kernels::DepthwiseConv2D(*p, in, x.data(), f, w.data(), bias.data(), out, dst)
                     : etpu::kernels::Conv2D(*p, in, x.data(), f, w.data(), bias.data(), out, dst);
  };
  if (fast) {
    if (!run(false, ref.data()).ok() || !run(true, y.data()).ok() || y != ref) {
      state.SkipWithError("fast output differs from the reference");
      return;
    }
  }
  etpu::kernels::SetFastKernelsEnabled(fast);
  for (auto _ : state) {
    benchmark::DoNotOptimize(run(fast, y.data()).ok());
    benchmark::ClobberMemory();
  }
  etpu::kernels::SetFastKernelsEnabled(true);
  const int64_t macs = out.FlatSize() * f.h * f.w * (depthwise ? 1 : ic);
  state.counters["GMAC/s"] = benchmark::Counter(static_cast<double>(macs) * state.iterations() / 1e9,
                                                benchmark::Counter::kIsRate);
}

template <typename T>
void RunFc(benchmark::State& state, bool fast) {
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const etpu::kernels::FcDims d{static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                                static_cast<int>(state.range(2))};
  std::vector<float> fs(kU8 ? 1 : static_cast<size_t>(d.out_depth), 0.005f);
  auto p = etpu::kernels::PrepareFullyConnected(kU8 ? QType::kUInt8 : QType::kInt8,
                                                {0.0235f, kU8 ? 128 : 0}, fs, kU8 ? 120 : 0,
                                                {0.1f, kU8 ? 10 : -10},
                                                etpu::kernels::Activation::kNone, d.out_depth);
  auto x = Random<T>(static_cast<size_t>(d.batches) * d.accum_depth, 1);
  auto w = Random<T>(static_cast<size_t>(d.out_depth) * d.accum_depth, 2);
  std::vector<int32_t> bias(static_cast<size_t>(d.out_depth), 100);
  std::vector<T> y(static_cast<size_t>(d.batches) * d.out_depth), ref(y.size());
  if (fast) {
    if (!etpu::kernels::FullyConnectedReference(*p, d, x.data(), w.data(), bias.data(), ref.data()).ok() ||
        !etpu::kernels::FullyConnected(*p, d, x.data(), w.data(), bias.data(), y.data()).ok() || y != ref) {
      state.SkipWithError("fast output differs from the reference");
      return;
    }
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        (fast ? etpu::kernels::FullyConnected(*p, d, x.data(), w.data(), bias.data(), y.data())
              : etpu::kernels::FullyConnectedReference(*p, d, x.data(), w.data(), bias.data(), y.data()))
            .ok());
  }
}

// args: spatial size, input channels, output channels, kernel size, stride.
#define CONV_ARGS ->Args({56, 24, 144, 1, 1})->Args({28, 32, 192, 1, 1})->Args({14, 96, 576, 1, 1}) \
    ->Args({7, 320, 1280, 1, 1})->Args({1, 1280, 1001, 1, 1})->Args({224, 3, 32, 3, 2})           \
    ->Args({28, 64, 64, 3, 1})->Unit(benchmark::kMicrosecond)
#define DW_ARGS ->Args({112, 32, 0, 3, 1})->Args({56, 144, 0, 3, 1})->Args({28, 192, 0, 3, 2}) \
    ->Args({14, 576, 0, 3, 1})->Args({7, 960, 0, 3, 1})->Unit(benchmark::kMicrosecond)
#define FC_ARGS ->Args({1, 1024, 1001})->Args({8, 512, 256})->Unit(benchmark::kMicrosecond)

void BM_ConvU8_ref(benchmark::State& s) { RunConv<uint8_t>(s, false, false); }
void BM_ConvU8_fast(benchmark::State& s) { RunConv<uint8_t>(s, false, true); }
void BM_ConvI8_ref(benchmark::State& s) { RunConv<int8_t>(s, false, false); }
void BM_ConvI8_fast(benchmark::State& s) { RunConv<int8_t>(s, false, true); }
void BM_DepthwiseU8_ref(benchmark::State& s) { RunConv<uint8_t>(s, true, false); }
void BM_DepthwiseU8_fast(benchmark::State& s) { RunConv<uint8_t>(s, true, true); }
void BM_DepthwiseI8_ref(benchmark::State& s) { RunConv<int8_t>(s, true, false); }
void BM_DepthwiseI8_fast(benchmark::State& s) { RunConv<int8_t>(s, true, true); }
void BM_FcU8_ref(benchmark::State& s) { RunFc<uint8_t>(s, false); }
void BM_FcU8_fast(benchmark::State& s) { RunFc<uint8_t>(s, true); }
void BM_FcI8_ref(benchmark::State& s) { RunFc<int8_t>(s, false); }
void BM_FcI8_fast(benchmark::State& s) { RunFc<int8_t>(s, true); }
BENCHMARK(BM_ConvU8_ref) CONV_ARGS;
BENCHMARK(BM_ConvU8_fast) CONV_ARGS;
BENCHMARK(BM_ConvI8_ref) CONV_ARGS;
BENCHMARK(BM_ConvI8_fast) CONV_ARGS;
BENCHMARK(BM_DepthwiseU8_ref) DW_ARGS;
BENCHMARK(BM_DepthwiseU8_fast) DW_ARGS;
BENCHMARK(BM_DepthwiseI8_ref) DW_ARGS;
BENCHMARK(BM_DepthwiseI8_fast) DW_ARGS;
BENCHMARK(BM_FcU8_ref) FC_ARGS;
BENCHMARK(BM_FcU8_fast) FC_ARGS;
BENCHMARK(BM_FcI8_ref) FC_ARGS;
BENCHMARK(BM_FcI8_fast) FC_ARGS;

/// Console output as usual, plus a ref/fast ratio table at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred || r.iterations == 0) continue;
      times_[r.benchmark_name()] = r.GetAdjustedRealTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-48s %12s %12s %8s\n", "kernel/shape (single thread)", "ref us", "fast us",
                "ref/fast");
    for (const auto& [name, t] : times_) {
      const size_t pos = name.find("_ref");
      if (pos == std::string::npos) continue;
      const std::string fast = name.substr(0, pos) + "_fast" + name.substr(pos + 4);
      auto it = times_.find(fast);
      if (it == times_.end() || it->second <= 0) continue;
      std::printf("%-48s %12.1f %12.1f %7.1fx\n",
                  (name.substr(3, pos - 3) + name.substr(pos + 4)).c_str(), t, it->second,
                  t / it->second);
    }
    std::printf("fast ISA: %s\n",
                etpu::kernels::FastIsaName(etpu::kernels::DetectedFastIsa()));
  }

 private:
  std::map<std::string, double> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
