// Issue 12: a resize too large for the activation memory stays on the CPU (rule
// resize.activation_size, docs/SUPPORTED_OPS.md). The model has the shapes of
// google-coral/edgetpu#597 (compiler 16): an x2 nearest-neighbour upsample of the input, a 3x3
// stride-2 convolution with 6 filters, an x2 bilinear upsample (the LEAKY_RELU after it is
// left out: it never maps). Google's compiler mapped only the convolution; a maintainer said both
// resizes are "not mapped ... due to their size". The same graph at a smaller input maps whole.
#include <gtest/gtest.h>

#include <vector>

#include "etpu/compiler.h"
#include "tflite/model_builder.h"

namespace etpu {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;

constexpr int kInC = 3, kF = 6;

std::vector<uint8_t> UpsampleConvUpsample(int side) {
  tflite::ModelBuilder b;
  const ir::Quantization q = tflite::Quant(0.02f, 128);
  const int in = b.AddTensor("in", TensorType::UINT8, {1, side, side, kInC}, q);
  const std::vector<int32_t> up = {2 * side, 2 * side};
  const int up_size = b.AddConstant<int32_t>("up_size", TensorType::INT32, {2}, up);
  const int upsampled = b.AddTensor("upsampled", TensorType::UINT8, {1, 2 * side, 2 * side, kInC}, q);
  b.AddOperator(BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, {in, up_size}, {upsampled},
                ir::BuiltinOptions(ir::ResizeNearestNeighborOptions{}));
  std::vector<uint8_t> w(static_cast<size_t>(kF * 3 * 3 * kInC));
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>((i * 53 + 7) % 256);
  const int wt = b.AddTensor("w", TensorType::UINT8, {kF, 3, 3, kInC}, tflite::Quant(0.01f, 127), w);
  std::vector<int32_t> bias(kF, 100);
  const int bt = b.AddConstant<int32_t>("bias", TensorType::INT32, {kF}, bias, tflite::Quant(0.02f * 0.01f, 0));
  const int conv = b.AddTensor("conv", TensorType::UINT8, {1, side, side, kF}, q);
  b.AddOperator(BuiltinOperator::CONV_2D, {upsampled, wt, bt}, {conv},
                tflite::ConvOptions(2, 2, ir::Padding::SAME, ir::ActivationFunctionType::NONE));
  const int out_size = b.AddConstant<int32_t>("out_size", TensorType::INT32, {2}, up);
  const int out = b.AddTensor("out", TensorType::UINT8, {1, 2 * side, 2 * side, kF}, q);
  b.AddOperator(BuiltinOperator::RESIZE_BILINEAR, {conv, out_size}, {out},
                ir::BuiltinOptions(ir::ResizeBilinearOptions{}));
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Serialize();
}

Result<CompileResult> Decide(const std::vector<uint8_t>& source) {
  const ModelInput in = ModelInput::FromBytes(source, "upsample_conv_upsample.tflite");
  CompileOptions options;
  options.build_models = false;
  return Compile(std::span<const ModelInput>(&in, 1), options);
}

TEST(CompileResizeTest, ResizesTooLargeForTheActivationMemoryStayOnTheCpu) {
  // edgetpu#597's sizes: 512x512x3 -> 1024x1024x3, then 512x512x6 -> 1024x1024x6.
  auto big = Decide(UpsampleConvUpsample(512));
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  ASSERT_TRUE(big->ok) << big->failure->message << "\n" << big->failure->details;
  const ModelResult& m = big->models[0];
  ASSERT_EQ(m.operators.size(), 3u);
  EXPECT_EQ(m.operators[0].status, "Operation is otherwise supported, but not mapped due to some unspecified limitation");
  EXPECT_EQ(m.operators[0].rule_id, "resize.activation_size") << m.operators[0].reason;
  EXPECT_EQ(m.operators[0].region, -1);
  // The leading CPU resize does not cut the convolution off: it maps, as in Google's log.
  EXPECT_EQ(m.operators[1].status, "Mapped to Edge TPU") << m.operators[1].rule_id << " " << m.operators[1].reason;
  EXPECT_GE(m.operators[1].region, 0);
  EXPECT_EQ(m.operators[2].rule_id, "resize.activation_size") << m.operators[2].reason;
  EXPECT_EQ(m.operators[2].region, -1);

  // The same graph at 64x64 (resizes of 12 KiB -> 48 KiB and 24 KiB -> 96 KiB) maps whole.
  auto small = Decide(UpsampleConvUpsample(64));
  ASSERT_TRUE(small.ok() && small->ok);
  for (const OperatorVerdict& v : small->models[0].operators) {
    EXPECT_EQ(v.status, "Mapped to Edge TPU") << v.op << ": " << v.rule_id << " " << v.reason;
  }
}

}  // namespace
}  // namespace etpu
