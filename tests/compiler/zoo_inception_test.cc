// The zoo's large Inception models (v2 224, v3 299, v4 299: 11, 24 and 43 M parameters) through
// the whole compiler and the runtime. They do not fit the parameter cache: every layer is either
// cached whole or streamed whole, the cache is filled up to its capacity and the rest streams.
#include <gtest/gtest.h>

#include <cstdio>
#include <span>
#include <string>

#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "tflite/model_reader.h"
#include "zoo/net_builder.h"
#include "zoo/zoo.h"

namespace etpu {
namespace {

/// Bytes of the constant operands (uint8 weights, int32 biases) of the conv / FC layers.
int64_t WeightAndBiasBytes(std::span<const uint8_t> model, const std::string& name) {
  auto m = tflite::ReadModelFromBuffer(model, name);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return 0;
  int64_t total = 0;
  for (const auto& op : m->ops) {
    if (op.inputs.size() < 3) continue;
    for (size_t i = 1; i < 3; ++i) total += static_cast<int64_t>(m->tensor(op.inputs[i]).data.size());
  }
  return total;
}

class ZooInceptionCompileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooInceptionCompileTest, CompilesWholeOnTheEdgeTpuAndStreamsWhatTheCacheCannotHold) {
  const std::string name = GetParam();
  auto bytes = zoo::GenerateZooModel(name);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  const ModelInput in = ModelInput::FromBytes(*bytes, name + ".tflite");
  CompileOptions options;
  options.build_models = false;  // the placements and byte counts are what this test reads
  auto r = Compile(std::span<const ModelInput>(&in, 1), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->ok) << r->failure->message;
  ASSERT_EQ(r->models.size(), 1u);
  const ModelResult& m = r->models.front();
  // Every operator on the Edge TPU, in one region.
  EXPECT_TRUE(m.cpu_ops.empty());
  EXPECT_EQ(m.regions.size(), 1u);
  for (const auto& v : m.operators) EXPECT_EQ(v.status, "Mapped to Edge TPU") << v.op << " #" << v.op_index;
  // Whole layers: the placements add up to the reported on-chip and off-chip bytes.
  int64_t cached = 0, streamed = 0;
  for (const auto& l : m.layers) (l.cached ? cached : streamed) += l.bytes;
  EXPECT_EQ(cached, m.onchip_bytes);
  EXPECT_EQ(streamed, m.offchip_bytes);
  // The cache never exceeds its capacity, and is nearly full: no streamed layer would still fit.
  EXPECT_LE(m.onchip_bytes, m.sram.parameter_capacity_bytes);
  for (const auto& l : m.layers) {
    if (!l.cached) {
      EXPECT_GT(l.bytes, m.onchip_remaining_bytes) << "op #" << l.op_index << " fits but streams";
    }
  }
  // The parameters are more than the cache can hold: part of them streams on every inference,
  // and the records hold at least every weight and bias byte of the source model.
  const int64_t params = WeightAndBiasBytes(*bytes, name);
  EXPECT_GT(params, m.sram.parameter_capacity_bytes);
  EXPECT_GT(m.offchip_bytes, 0);
  EXPECT_GE(m.onchip_bytes + m.offchip_bytes, params);
  std::printf("%s: %lld parameter bytes; on-chip %lld, off-chip %lld, capacity %lld\n", name.c_str(),
              static_cast<long long>(params), static_cast<long long>(m.onchip_bytes),
              static_cast<long long>(m.offchip_bytes), static_cast<long long>(m.sram.parameter_capacity_bytes));
}

INSTANTIATE_TEST_SUITE_P(Inception, ZooInceptionCompileTest,
                         ::testing::Values("inception_v2_224", "inception_v3_299", "inception_v4_299"));

/// Output 0 of `model` for `input` after `invokes` invocations on one fresh runtime, with the
/// cache events of each invocation.
std::vector<uint8_t> Invoke(std::span<const uint8_t> model, const std::string& name, std::span<const uint8_t> input,
                            int invokes, std::vector<std::vector<CacheEvent>>* events) {
  auto rt = Runtime::Create();
  EXPECT_TRUE(rt.ok()) << rt.status().ToString();
  if (!rt.ok()) return {};
  auto loaded = (*rt)->LoadModelFromBuffer(model, name);
  EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
  if (!loaded.ok()) return {};
  EXPECT_TRUE(loaded->SetInput(0, input).ok());
  for (int i = 0; i < invokes; ++i) {
    const Status s = loaded->Invoke();
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (events != nullptr) events->push_back(loaded->last_events());
  }
  const auto out = loaded->GetOutput(0);
  return {out.begin(), out.end()};
}

// Inception v2 (its stem is the zoo's only depthwise convolution with a depth multiplier, 8) runs
// on the virtual Edge TPU: the first invoke uploads the cached part and streams the rest, the
// second reuses the cache and streams the same bytes again, faster; the output equals the
// uncompiled model's on the CPU reference kernels. (Like every zoo classifier, its random logits
// are too flat for a 1/256-step softmax over 1001 classes: the output is all zero on both.)
TEST(ZooInceptionRunTest, InceptionV2StreamsOnEveryInvokeAndMatchesTheCpuModel) {
  const std::string name = "inception_v2_224";
  auto source = zoo::GenerateZooModel(name);
  ASSERT_TRUE(source.ok());
  const ModelInput in = ModelInput::FromBytes(*source, name + ".tflite");
  auto r = Compile(std::span<const ModelInput>(&in, 1), CompileOptions{});
  ASSERT_TRUE(r.ok() && r->ok && r->models.size() == 1);
  const ModelResult& compiled = r->models.front();
  ASSERT_GT(compiled.offchip_bytes, 0);

  std::vector<uint8_t> input(224 * 224 * 3);
  zoo::Rng rng(11);
  for (auto& v : input) v = static_cast<uint8_t>(rng.Uniform(0, 255));
  std::vector<std::vector<CacheEvent>> events;
  const auto on_tpu = Invoke(compiled.model, name + "_edgetpu", input, 2, &events);
  ASSERT_EQ(events.size(), 2u);
  ASSERT_EQ(events[0].size(), 1u);
  ASSERT_EQ(events[1].size(), 1u);
  const CacheEvent& first = events[0][0];
  const CacheEvent& later = events[1][0];
  EXPECT_TRUE(first.parameters_loaded);
  EXPECT_EQ(first.sram_bytes_written, compiled.onchip_bytes);
  EXPECT_EQ(first.streamed_bytes, compiled.offchip_bytes);
  EXPECT_TRUE(later.parameters_reused);
  EXPECT_EQ(later.sram_bytes_written, 0);
  EXPECT_EQ(later.streamed_bytes, compiled.offchip_bytes);
  EXPECT_LT(later.simulated_ms, first.simulated_ms);
  std::printf("%s: simulated first %.3f ms, later %.3f ms\n", name.c_str(), first.simulated_ms, later.simulated_ms);

  const auto on_cpu = Invoke(*source, name, input, 1, nullptr);
  ASSERT_EQ(on_tpu.size(), 1001u);
  EXPECT_EQ(on_tpu, on_cpu);
}

}  // namespace
}  // namespace etpu
