// Micro-benchmarks of the reference kernels on MobileNet-v2-like layer shapes.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "kernels/conv.h"

namespace {

using etpu::kernels::ConvOptions;
using etpu::kernels::QType;
using etpu::kernels::Shape4;

std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(rng());
  return v;
}

// args: spatial size, input channels, output channels
void BM_Conv1x1U8(benchmark::State& state) {
  const int hw = static_cast<int>(state.range(0)), ic = static_cast<int>(state.range(1)),
            oc = static_cast<int>(state.range(2));
  const Shape4 in{1, hw, hw, ic}, f{oc, 1, 1, ic}, out{1, hw, hw, oc};
  const float fs = 0.01f;
  auto p = etpu::kernels::PrepareConv(ConvOptions{}, in, f, QType::kUInt8, {0.02f, 128}, {&fs, 1},
                                      120, {0.05f, 100});
  auto x = Random(in.FlatSize(), 1), w = Random(f.FlatSize(), 2);
  std::vector<int32_t> bias(oc, 100);
  std::vector<uint8_t> y(out.FlatSize());
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        etpu::kernels::Conv2D(*p, in, x.data(), f, w.data(), bias.data(), out, y.data()).ok());
  }
  state.SetItemsProcessed(state.iterations() * out.FlatSize() * ic);  // MACs
}
BENCHMARK(BM_Conv1x1U8)->Args({56, 24, 144})->Args({14, 96, 576})->Args({7, 320, 1280});

void BM_Depthwise3x3U8(benchmark::State& state) {
  const int hw = static_cast<int>(state.range(0)), c = static_cast<int>(state.range(1));
  ConvOptions o;
  const Shape4 in{1, hw, hw, c}, f{1, 3, 3, c}, out{1, hw, hw, c};
  const float fs = 0.01f;
  auto p = etpu::kernels::PrepareDepthwiseConv(o, in, f, QType::kUInt8, {0.02f, 128}, {&fs, 1},
                                               120, {0.05f, 100});
  auto x = Random(in.FlatSize(), 1), w = Random(f.FlatSize(), 2);
  std::vector<int32_t> bias(c, 100);
  std::vector<uint8_t> y(out.FlatSize());
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        etpu::kernels::DepthwiseConv2D(*p, in, x.data(), f, w.data(), bias.data(), out, y.data()).ok());
  }
  state.SetItemsProcessed(state.iterations() * out.FlatSize() * 9);
}
BENCHMARK(BM_Depthwise3x3U8)->Args({112, 32})->Args({28, 192});

}  // namespace

BENCHMARK_MAIN();
