#include "tflite/model_writer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testutil/shared.h"
#include "tflite/flat_model.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::tflite {
namespace {

TEST(ModelWriterTest, RoundTripKeepsEveryFieldOfSharedModels) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tflite") continue;
    auto m = ReadModel(entry.path().string());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    std::vector<uint8_t> bytes = SerializeModel(*m->fb);
    auto again = ReadModelFromBuffer(bytes, "again");
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE(*m->fb == *again->fb) << entry.path() << ": the object tree changed in a round trip";
    // Deterministic: the same tree gives the same bytes.
    EXPECT_EQ(SerializeModel(*again->fb), bytes) << entry.path();
  }
}

TEST(ModelWriterTest, ModelsLargerThanTheSizeEstimateGrowTheOutput) {
  // Tensor names are estimated at a few hundred bytes each: these overrun the estimate many
  // times, so the builder's memory grows while the model is written.
  ModelBuilder b;
  const std::string long_name(300000, 'n');
  int in = b.AddTensor(long_name + "in", ir::TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  int out = b.AddTensor(long_name + "out", ir::TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  b.AddOperator(ir::BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto bytes = b.Serialize();
  EXPECT_GT(bytes.size(), 600000u);
  auto m = ReadModelFromBuffer(bytes, "long.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->fb->subgraphs[0]->tensors[0]->name, long_name + "in");
  EXPECT_EQ(m->fb->subgraphs[0]->tensors[1]->name, long_name + "out");
  EXPECT_EQ(SerializeModel(*m->fb), bytes);
}

TEST(ModelWriterTest, KeepsMetadataAndSignatures) {
  ModelBuilder b;
  int in = b.AddTensor("in", ir::TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  int out = b.AddTensor("out", ir::TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  b.AddOperator(ir::BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  b.AddMetadata("TFLITE_METADATA", {1, 2, 3});
  b.AddSignature("serving_default", {"x"}, {"y"});
  auto bytes = b.Serialize();
  auto m = ReadModelFromBuffer(bytes, "sig.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->fb->metadata.size(), 1u);
  EXPECT_EQ(m->fb->metadata[0]->name, "TFLITE_METADATA");
  ASSERT_EQ(m->fb->signature_defs.size(), 1u);
  EXPECT_EQ(m->fb->signature_defs[0]->inputs[0]->name, "x");
  EXPECT_EQ(m->fb->signature_defs[0]->outputs[0]->tensor_index, static_cast<uint32_t>(out));
}

}  // namespace
}  // namespace etpu::tflite
