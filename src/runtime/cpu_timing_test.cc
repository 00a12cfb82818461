#include "runtime/cpu_timing.h"

#include <gtest/gtest.h>

#include <span>

#include "tflite/model_builder.h"
#include "tflite/model_reader.h"
#include "testutil/shared.h"

namespace etpu::runtime {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;

// input -> ADD(+const) -> LOGISTIC -> (a custom operator etpu has no kernel for) -> output
ir::Model ThreeOpModel(bool with_unknown_custom_op) {
  tflite::ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::UINT8, {1, 64, 64, 8}, tflite::Quant(0.1f, 128));
  const std::vector<uint8_t> ones(8, 138);
  const int c = b.AddConstant<uint8_t>("c", TensorType::UINT8, {8}, std::span<const uint8_t>(ones), tflite::Quant(0.1f, 128));
  const int sum = b.AddTensor("sum", TensorType::UINT8, {1, 64, 64, 8}, tflite::Quant(0.2f, 128));
  const int act = b.AddTensor("act", TensorType::UINT8, {1, 64, 64, 8}, tflite::Quant(1.0f / 256, 0));
  b.AddOperator(BuiltinOperator::ADD, {in, c}, {sum}, tflite::AddOpts());
  b.AddOperator(BuiltinOperator::LOGISTIC, {sum}, {act});
  int out = act;
  if (with_unknown_custom_op) {
    out = b.AddTensor("out", TensorType::UINT8, {1, 64, 64, 8}, tflite::Quant(1.0f / 256, 0));
    b.AddCustomOperator("NoSuchKernelOp", {act}, {out});
  }
  b.SetInputs({in});
  b.SetOutputs({out});
  auto m = tflite::ReadModelFromBuffer(b.Serialize(), "three_ops.tflite");
  EXPECT_TRUE(m.ok()) << m.status().message();
  return std::move(m).value();
}

TEST(CpuTiming, MeasuresEveryCpuOperatorAndSumsThem) {
  const ir::Model m = ThreeOpModel(false);
  auto part = MeasureCpuPart(m, 3);
  ASSERT_TRUE(part.ok()) << part.status().message();
  ASSERT_EQ(part->ops.size(), 2u);
  EXPECT_EQ(part->ops[0].op, "ADD");
  EXPECT_EQ(part->ops[1].op, "LOGISTIC");
  EXPECT_EQ(part->unmeasured, 0);
  EXPECT_EQ(part->repeats, 3);
  double sum = 0;
  for (const auto& op : part->ops) {
    EXPECT_TRUE(op.measured) << op.why_not;
    EXPECT_GT(op.ms, 0) << op.op;  // 32k elements: far above the clock's resolution
    sum += op.ms;
  }
  EXPECT_DOUBLE_EQ(part->total_ms, sum);
}

TEST(CpuTiming, AnOperatorThatCannotRunIsListedNotAnError) {
  const ir::Model m = ThreeOpModel(true);
  auto part = MeasureCpuPart(m, 1);
  ASSERT_TRUE(part.ok()) << part.status().message();
  ASSERT_EQ(part->ops.size(), 3u);
  EXPECT_EQ(part->unmeasured, 1);
  EXPECT_FALSE(part->ops[2].measured);
  EXPECT_EQ(part->ops[2].op, "CUSTOM:NoSuchKernelOp");
  EXPECT_NE(part->ops[2].why_not.find("NoSuchKernelOp"), std::string::npos) << part->ops[2].why_not;
  EXPECT_DOUBLE_EQ(part->total_ms, part->ops[0].ms + part->ops[1].ms);
}

TEST(CpuTiming, RejectsBadRepeats) {
  const ir::Model m = ThreeOpModel(false);
  EXPECT_FALSE(MeasureCpuPart(m, 0).ok());
  EXPECT_FALSE(MeasureCpuPart(m, 1001).ok());
}

// Google's compiled PoseNet: the Edge TPU op is skipped (it cannot run here), the decoder on the
// CPU is measured on its own.
TEST(CpuTiming, MeasuresOnlyTheCpuOperatorsOfAGoogleCompiledModel) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder_edgetpu.tflite");
  auto m = tflite::ReadModel(path);
  ASSERT_TRUE(m.ok()) << m.status().message();
  auto part = MeasureCpuPart(*m, 1);
  ASSERT_TRUE(part.ok()) << part.status().message();
  ASSERT_EQ(part->ops.size(), 1u);
  EXPECT_EQ(part->ops[0].op, "CUSTOM:PosenetDecoderOp");
  EXPECT_TRUE(part->ops[0].measured) << part->ops[0].why_not;
  EXPECT_GT(part->total_ms, 0);
}

}  // namespace
}  // namespace etpu::runtime
