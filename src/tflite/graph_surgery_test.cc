#include "tflite/graph_surgery.h"

#include <gtest/gtest.h>

#include "tflite/flat_model.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"
#include "tflite/model_writer.h"

namespace etpu::tflite {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;

// in -> CONV(w, bias) -> a -> RELU -> b -> SOFTMAX -> out, with metadata and a signature.
ir::Model ConvModel() {
  ModelBuilder b;
  int in = b.AddTensor("in", TensorType::UINT8, {1, 2, 2, 1}, Quant(0.5f, 0));
  std::vector<uint8_t> w = {1, 2, 3, 4};
  int wt = b.AddTensor("w", TensorType::UINT8, {4, 1, 1, 1}, Quant(0.1f, 0), w);
  std::vector<int32_t> bias = {0, 0, 0, 7};
  int bt = b.AddConstant<int32_t>("bias", TensorType::INT32, {4}, bias);
  int a = b.AddTensor("a", TensorType::UINT8, {1, 2, 2, 4}, Quant(1.0f, 0));
  int r = b.AddTensor("b", TensorType::UINT8, {1, 2, 2, 4}, Quant(1.0f, 0));
  int out = b.AddTensor("out", TensorType::UINT8, {1, 2, 2, 4}, Quant(1.0f / 256, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, wt, bt}, {a}, ConvOptions(1, 1, ir::Padding::SAME));
  b.AddOperator(BuiltinOperator::RELU, {a}, {r});
  b.AddOperator(BuiltinOperator::SOFTMAX, {r}, {out}, SoftmaxOpts(1.0f));
  b.SetInputs({in});
  b.SetOutputs({out});
  b.AddMetadata("min_runtime_version", {'1', '.', '1'});
  b.AddMetadata("TFLITE_METADATA", {9, 9});
  b.AddSignature("serving_default", {"x"}, {"y"});
  auto bytes = b.Serialize();
  return std::move(ReadModelFromBuffer(bytes, "conv.tflite")).value();
}

TEST(GraphSurgeryTest, ReplacesRunAndDropsAbsorbedWeights) {
  ir::Model m = ConvModel();
  RegionReplacement rep{{0, 1}, {0}, {4}, "edgetpu-custom-op", {1, 2, 3}};
  auto out = ReplaceRegions(m, {rep}, "Exported from Subgraph.");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto bytes = SerializeModel(**out);
  auto back = ReadModelFromBuffer(bytes, "out.tflite");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->ops.size(), 2u);
  EXPECT_EQ(back->ops[0].custom_code, "edgetpu-custom-op");
  EXPECT_EQ(std::vector<uint8_t>(back->ops[0].custom_options.begin(), back->ops[0].custom_options.end()), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(back->ops[1].name(), "SOFTMAX");
  // The SOFTMAX keeps its options; the weights and bias are gone; names are kept.
  ASSERT_NE(back->ops[1].options<ir::SoftmaxOptions>(), nullptr);
  EXPECT_FALSE(back->FindTensor("w").has_value());
  EXPECT_FALSE(back->FindTensor("bias").has_value());
  EXPECT_EQ(back->tensor(back->ops[0].outputs[0]).name, "b");
  EXPECT_EQ(back->fb->description, "Exported from Subgraph.");
  // Metadata: min_runtime_version dropped, the rest kept; the signature still points at in/out.
  ASSERT_EQ(back->fb->metadata.size(), 1u);
  EXPECT_EQ(back->fb->metadata[0]->name, "TFLITE_METADATA");
  EXPECT_EQ(back->fb->buffers[back->fb->metadata[0]->buffer]->data, (std::vector<uint8_t>{9, 9}));
  ASSERT_EQ(back->fb->signature_defs.size(), 1u);
  EXPECT_EQ(back->tensor(static_cast<int>(back->fb->signature_defs[0]->outputs[0]->tensor_index)).name, "out");
  EXPECT_EQ(back->tensor(static_cast<int>(back->fb->signature_defs[0]->inputs[0]->tensor_index)).name, "in");
}

// A region that a path leaves and re-enters (CONV -> RELU on the CPU -> SOFTMAX) cannot be one operator.
TEST(GraphSurgeryTest, RejectsNonConvexRegions) {
  ir::Model m = ConvModel();
  RegionReplacement rep{{0, 2}, {0}, {5}, "edgetpu-custom-op", {}};
  auto out = ReplaceRegions(m, {rep}, "");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("before it is written"), std::string::npos) << out.status().ToString();
  // Outputs that miss a tensor read outside the region fail the same way.
  RegionReplacement short_outputs{{0}, {0}, {}, "edgetpu-custom-op", {}};
  EXPECT_FALSE(ReplaceRegions(m, {short_outputs}, "").ok());
}

// A region that is convex but not consecutive (issue 12: a branch maps past a CPU operator on
// another branch): in -> #0 RELU -> a; a -> #1 SOFTMAX (CPU) -> x; a -> #2 RELU -> y;
// #3 ADD(x, y) -> out. The custom operator takes #0's place; the others keep their order.
TEST(GraphSurgeryTest, ReplacesAConvexRegionThatIsNotConsecutive) {
  ModelBuilder b;
  auto t = [&](const char* name) { return b.AddTensor(name, TensorType::UINT8, {1, 4}, Quant(1.0f / 256, 0)); };
  int in = t("in"), a = t("a"), x = t("x"), y = t("y"), out = t("out");
  b.AddOperator(BuiltinOperator::RELU, {in}, {a});
  b.AddOperator(BuiltinOperator::SOFTMAX, {a}, {x}, SoftmaxOpts(1.0f));
  b.AddOperator(BuiltinOperator::RELU, {a}, {y});
  b.AddOperator(BuiltinOperator::ADD, {x, y}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto bytes = b.Serialize();
  ir::Model m = std::move(ReadModelFromBuffer(bytes, "branches.tflite")).value();
  RegionReplacement rep{{0, 2}, {in}, {a, y}, "edgetpu-custom-op", {}};
  auto replaced = ReplaceRegions(m, {rep}, "");
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  auto written = SerializeModel(**replaced);
  auto back = ReadModelFromBuffer(written, "out.tflite");  // The reader checks the execution order.
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->ops.size(), 3u);
  EXPECT_EQ(back->ops[0].custom_code, "edgetpu-custom-op");
  EXPECT_EQ(back->ops[1].name(), "SOFTMAX");
  EXPECT_EQ(back->ops[2].name(), "ADD");
  EXPECT_EQ(back->tensor(back->ops[0].outputs[1]).name, "y");
}

// A CPU operator with an optional input left out (-1: FULLY_CONNECTED without bias) is kept as is.
TEST(GraphSurgeryTest, KeepsCpuOperatorsWithOptionalInputsLeftOut) {
  ModelBuilder b;
  int in = b.AddTensor("in", TensorType::UINT8, {1, 4}, Quant(0.5f, 0));
  int a = b.AddTensor("a", TensorType::UINT8, {1, 4}, Quant(0.5f, 0));
  int w = b.AddTensor("w", TensorType::UINT8, {2, 4}, Quant(0.1f, 0), std::vector<uint8_t>(8, 3));
  int out = b.AddTensor("out", TensorType::UINT8, {1, 2}, Quant(1.0f, 0));
  b.AddOperator(BuiltinOperator::RELU, {in}, {a});
  b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {a, w, -1}, {out}, FullyConnectedOpts());
  b.SetInputs({in});
  b.SetOutputs({out});
  auto bytes = b.Serialize();
  ir::Model m = std::move(ReadModelFromBuffer(bytes, "fc.tflite")).value();
  RegionReplacement rep{{0}, {in}, {a}, "edgetpu-custom-op", {}};
  auto replaced = ReplaceRegions(m, {rep}, "");
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  auto written = SerializeModel(**replaced);
  auto back = ReadModelFromBuffer(written, "out.tflite");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->ops.size(), 2u);
  EXPECT_EQ(back->ops[1].inputs[2], -1);
}

TEST(GraphSurgeryTest, ExtractsSubModel) {
  ir::Model m = ConvModel();
  auto sub = ExtractSubModel(m, {1, 2}, {3}, {5});
  ASSERT_TRUE(sub.ok());
  auto bytes = SerializeModel(**sub);
  auto back = ReadModelFromBuffer(bytes, "seg.tflite");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ops.size(), 2u);
  EXPECT_EQ(back->tensor(back->inputs[0]).name, "a");
  EXPECT_EQ(back->tensor(back->outputs[0]).name, "out");
  EXPECT_TRUE(back->fb->signature_defs.empty());
}

}  // namespace
}  // namespace etpu::tflite
