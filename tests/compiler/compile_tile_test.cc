// Issue 12: TILE maps to the Edge TPU from runtime 12 (Google's compiler 16). The segmentation-head
// pattern: conv -> MEAN over H, W (a 1x1 pooled feature) -> TILE back to H x W -> CONCATENATION
// with the conv output. With TILE mapped the whole head is one Edge TPU region; below runtime 12
// TILE stays on the CPU and cuts the graph, so the CONCATENATION after it leaves the region too.
// Either way the compiled model computes, byte for byte, what the source model computes.
#include <gtest/gtest.h>

#include <vector>

#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "run_once.h"
#include "tflite/model_builder.h"

namespace etpu {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;
using testing::RunOnce;

constexpr int kH = 8, kW = 8, kInC = 4, kC = 8;

std::vector<uint8_t> PooledTileConcatModel() {
  tflite::ModelBuilder b;
  const ir::Quantization feature_q = tflite::Quant(0.04f, 120);
  const int in = b.AddTensor("in", TensorType::UINT8, {1, kH, kW, kInC}, tflite::Quant(0.02f, 128));
  std::vector<uint8_t> w(static_cast<size_t>(kC * 3 * 3 * kInC));
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>((i * 53 + 7) % 256);
  const int wt = b.AddTensor("w", TensorType::UINT8, {kC, 3, 3, kInC}, tflite::Quant(0.01f, 127), w);
  std::vector<int32_t> bias(kC);
  for (int c = 0; c < kC; ++c) bias[static_cast<size_t>(c)] = (c - 4) * 300;
  const int bt = b.AddConstant<int32_t>("bias", TensorType::INT32, {kC}, bias, tflite::Quant(0.02f * 0.01f, 0));
  const int conv = b.AddTensor("conv", TensorType::UINT8, {1, kH, kW, kC}, feature_q);
  b.AddOperator(BuiltinOperator::CONV_2D, {in, wt, bt}, {conv},
                tflite::ConvOptions(1, 1, ir::Padding::SAME, ir::ActivationFunctionType::RELU));
  const std::vector<int32_t> axes = {1, 2};
  const int ax = b.AddConstant<int32_t>("axes", TensorType::INT32, {2}, axes);
  const int pooled = b.AddTensor("pooled", TensorType::UINT8, {1, 1, 1, kC}, feature_q);
  ir::ReducerOptions keep;
  keep.keep_dims = true;
  b.AddOperator(BuiltinOperator::MEAN, {conv, ax}, {pooled}, ir::BuiltinOptions(keep));
  const std::vector<int32_t> multiples = {1, kH, kW, 1};
  const int mt = b.AddConstant<int32_t>("multiples", TensorType::INT32, {4}, multiples);
  const int tiled = b.AddTensor("tiled", TensorType::UINT8, {1, kH, kW, kC}, feature_q);
  b.AddOperator(BuiltinOperator::TILE, {pooled, mt}, {tiled});
  const int out = b.AddTensor("out", TensorType::UINT8, {1, kH, kW, 2 * kC}, feature_q);
  b.AddOperator(BuiltinOperator::CONCATENATION, {tiled, conv}, {out}, tflite::ConcatOpts(3));
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Serialize();
}

Result<CompileResult> CompileAt(const std::vector<uint8_t>& source, int min_runtime) {
  const ModelInput in = ModelInput::FromBytes(source, "pooled_tile_concat.tflite");
  CompileOptions options;
  options.min_runtime_version = min_runtime;
  return Compile(std::span<const ModelInput>(&in, 1), options);
}

TEST(CompileTileTest, PooledFeatureTiledBeforeConcatMapsInOneRegionFromRuntime12) {
  const std::vector<uint8_t> source = PooledTileConcatModel();
  auto r12 = CompileAt(source, 12);
  ASSERT_TRUE(r12.ok()) << r12.status().ToString();
  ASSERT_TRUE(r12->ok) << r12->failure->message << "\n" << r12->failure->details;
  const ModelResult& m = r12->models[0];
  ASSERT_EQ(m.operators.size(), 4u);
  for (const OperatorVerdict& v : m.operators) {
    EXPECT_EQ(v.status, "Mapped to Edge TPU") << v.op << ": " << v.rule_id << " " << v.reason;
    EXPECT_EQ(v.region, 0) << v.op;
  }
  EXPECT_EQ(m.regions.size(), 1u);
  EXPECT_TRUE(m.cpu_ops.empty());
  EXPECT_EQ(m.min_runtime_version, 12);
  // TILE has no weights: no parameter bytes (its multiples stay in the region model).
  int64_t conv_bytes = 0;
  for (const LayerPlacement& l : m.layers) {
    if (l.op_index == 2) {
      EXPECT_EQ(l.bytes, 0) << "parameter bytes for TILE";
    }
    if (l.op_index == 0) conv_bytes = l.bytes;
  }
  EXPECT_GT(conv_bytes, 0);

  // Runtime 11: TILE stays on the CPU ("Operation not supported"), the CONCATENATION it feeds is
  // past the cut; the conv and the MEAN still map.
  auto r11 = CompileAt(source, 11);
  ASSERT_TRUE(r11.ok() && r11->ok);
  const ModelResult& c = r11->models[0];
  ASSERT_EQ(c.operators.size(), 4u);
  EXPECT_GE(c.operators[0].region, 0);
  EXPECT_GE(c.operators[1].region, 0);
  EXPECT_EQ(c.operators[2].region, -1);
  EXPECT_EQ(c.operators[2].status, "Operation not supported");
  EXPECT_EQ(c.operators[2].rule_id, "generic.min_runtime");
  EXPECT_EQ(c.operators[3].region, -1) << c.operators[3].status;

  // Both compiled models compute what the source computes.
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::vector<uint8_t> input(static_cast<size_t>(kH * kW * kInC));
    for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>((i * 37 + seed * 101) % 256);
    const std::vector<uint8_t> want = RunOnce(**rt, source, input);
    ASSERT_EQ(want.size(), static_cast<size_t>(kH * kW * 2 * kC));
    // The tiled half of every pixel is the same pooled vector.
    for (int p = 1; p < kH * kW; ++p) {
      EXPECT_TRUE(std::equal(want.begin(), want.begin() + kC, want.begin() + p * 2 * kC)) << "pixel " << p;
    }
    EXPECT_EQ(RunOnce(**rt, m.model, input), want) << "runtime 12 compile, seed " << seed;
    EXPECT_EQ(RunOnce(**rt, c.model, input), want) << "runtime 11 compile, seed " << seed;
  }
}

}  // namespace
}  // namespace etpu
