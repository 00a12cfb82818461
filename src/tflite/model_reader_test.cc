#include "tflite/model_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "base/file_io.h"
#include "testutil/shared.h"
#include "tflite/flat_model.h"
#include "tflite/model_builder.h"
#include "tflite/model_writer.h"

namespace etpu::tflite {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;

// A two-op uint8 model: input -> ADD(input, const) -> RELU -> output.
ModelBuilder TinyModel() {
  ModelBuilder b;
  int in = b.AddTensor("input", TensorType::UINT8, {1, 2, 2, 1}, Quant(0.5f, 10));
  std::vector<uint8_t> c = {1, 2, 3, 4};
  int k = b.AddTensor("k", TensorType::UINT8, {1, 2, 2, 1}, Quant(0.5f, 10), c);
  int mid = b.AddTensor("mid", TensorType::UINT8, {1, 2, 2, 1}, Quant(1.0f, 0));
  int out = b.AddTensor("out", TensorType::UINT8, {1, 2, 2, 1}, Quant(1.0f, 0));
  b.AddOperator(BuiltinOperator::ADD, {in, k}, {mid}, AddOpts());
  b.AddOperator(BuiltinOperator::RELU, {mid}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b;
}

TEST(ModelReaderTest, ReadsBuiltModel) {
  auto bytes = TinyModel().Serialize();
  auto m = ReadModelFromBuffer(bytes, "tiny.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->ops.size(), 2u);
  EXPECT_EQ(m->ops[0].name(), "ADD");
  EXPECT_EQ(m->tensors[1].data.size(), 4u);
  EXPECT_EQ(m->tensors[2].producer, 0);
  EXPECT_EQ(m->tensors[2].consumers, std::vector<int>{1});
  EXPECT_EQ(m->FindTensor("out"), 3);
}

void ExpectError(std::span<const uint8_t> bytes, const std::string& fragment) {
  auto m = ReadModelFromBuffer(bytes, "bad.tflite");
  ASSERT_FALSE(m.ok()) << "expected an error containing: " << fragment;
  EXPECT_NE(m.status().message().find(fragment), std::string::npos) << m.status().ToString();
  EXPECT_NE(m.status().message().find("bad.tflite"), std::string::npos) << m.status().ToString();
}

TEST(ModelReaderTest, RejectsEmptyTruncatedAndForeignFiles) {
  ExpectError({}, "empty");
  std::vector<uint8_t> tiny = {1, 2, 3};
  ExpectError(tiny, "too few");
  auto bytes = TinyModel().Serialize();
  auto wrong_id = bytes;
  wrong_id[4] = 'X';
  ExpectError(wrong_id, "file identifier 'XFL3'");
  std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2));
  ExpectError(truncated, "corrupt");
}

TEST(ModelReaderTest, RejectsCorruptOffsetsWithoutCrashing) {
  auto bytes = TinyModel().Serialize();
  // Flip every byte in turn: the reader must either accept the file or return an error.
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto copy = bytes;
    copy[i] ^= 0xff;
    auto m = ReadModelFromBuffer(copy, "flip.tflite");
    if (!m.ok()) {
      EXPECT_FALSE(m.status().message().empty());
    }
  }
  // The root offset pointing past the end is always an error.
  auto copy = bytes;
  copy[0] = 0xff;
  copy[1] = 0xff;
  copy[2] = 0xff;
  copy[3] = 0x7f;
  EXPECT_FALSE(ReadModelFromBuffer(copy, "root.tflite").ok());
}

TEST(ModelReaderTest, RejectsBadIndicesAndShapes) {
  {
    auto b = TinyModel();
    auto fb = b.Build();
    fb->subgraphs[0]->operators[0]->inputs[1] = 99;
    ExpectError(SerializeModel(*fb), "refers to tensor #99");
  }
  {
    auto fb = TinyModel().Build();
    fb->subgraphs[0]->tensors[0]->shape = {1, 100000, 100000, 100};
    ExpectError(SerializeModel(*fb), "elements");
  }
  {
    auto fb = TinyModel().Build();
    fb->subgraphs[0]->operators[0]->opcode_index = 7;
    ExpectError(SerializeModel(*fb), "operator code #7");
  }
  {
    auto fb = TinyModel().Build();
    fb->subgraphs[0]->tensors[1]->buffer = 42;
    ExpectError(SerializeModel(*fb), "buffer #42");
  }
  {
    auto fb = TinyModel().Build();
    fb->buffers[1]->data.pop_back();
    ExpectError(SerializeModel(*fb), "3 bytes of data (expected 4");
  }
}

TEST(ModelReaderTest, ReadsSignatures) {
  auto b = TinyModel();
  b.AddSignature("serving_default", {"x"}, {"y"});
  auto m = ReadModelFromBuffer(b.Serialize(), "tiny.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->signatures.size(), 1u);
  const ir::Signature& s = m->signatures[0];
  EXPECT_EQ(s.key, "serving_default");
  EXPECT_EQ(s.subgraph, 0);
  ASSERT_EQ(s.inputs.size(), 1u);
  ASSERT_EQ(s.outputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].name, "x");
  EXPECT_EQ(m->tensor(s.inputs[0].tensor).name, "input");
  EXPECT_EQ(s.outputs[0].name, "y");
  EXPECT_EQ(m->tensor(s.outputs[0].tensor).name, "out");
  // Without SignatureDefs: none.
  auto plain = ReadModelFromBuffer(TinyModel().Serialize(), "tiny.tflite");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->signatures.empty());
}

// The shared models converted from Keras carry a serving_default signature over their inputs and outputs.
TEST(ModelReaderTest, ReadsSignaturesOfSharedModels) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata");
  for (const char* name : {"small/dense_256.tflite", "models/keras_lstm_mnist_ptq.tflite"}) {
    auto m = ReadModel(dir + "/" + name);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_EQ(m->signatures.size(), 1u) << name;
    const ir::Signature& s = m->signatures[0];
    EXPECT_EQ(s.key, "serving_default");
    std::vector<int> ins, outs;
    for (const auto& e : s.inputs) ins.push_back(e.tensor);
    for (const auto& e : s.outputs) outs.push_back(e.tensor);
    std::sort(ins.begin(), ins.end());
    std::sort(outs.begin(), outs.end());
    std::vector<int> model_ins = m->inputs, model_outs = m->outputs;
    std::sort(model_ins.begin(), model_ins.end());
    std::sort(model_outs.begin(), model_outs.end());
    EXPECT_EQ(ins, model_ins) << name;
    EXPECT_EQ(outs, model_outs) << name;
  }
}

TEST(ModelReaderTest, RejectsSignaturesAndMetadataPointingNowhere) {
  {
    auto b = TinyModel();
    b.AddSignature("serving_default", {"x"}, {"y"});
    auto fb = b.Build();
    fb->signature_defs[0]->outputs[0]->tensor_index = 77;
    ExpectError(SerializeModel(*fb), "signature 'serving_default' refers to tensor #77");
  }
  {
    auto b = TinyModel();
    b.AddSignature("serving_default", {"x"}, {"y"});
    auto fb = b.Build();
    fb->signature_defs[0]->inputs[0]->tensor_index = 4;  // One past the last tensor.
    ExpectError(SerializeModel(*fb), "signature 'serving_default' refers to tensor #4 (the subgraph has 4 tensors)");
  }
  {
    auto b = TinyModel();
    b.AddMetadata("TFLITE_METADATA", {1});
    auto fb = b.Build();
    fb->metadata[0]->buffer = 99;
    ExpectError(SerializeModel(*fb), "metadata 'TFLITE_METADATA' refers to buffer #99");
  }
}

TEST(ModelReaderTest, RejectsCyclesAndDanglingReferences) {
  {
    // RELU reads its own output: a cycle.
    auto fb = TinyModel().Build();
    fb->subgraphs[0]->operators[1]->inputs = {3};
    ExpectError(SerializeModel(*fb), "cyclic");
  }
  {
    // ADD reads a tensor nothing writes.
    auto fb = TinyModel().Build();
    fb->subgraphs[0]->inputs = {};
    ExpectError(SerializeModel(*fb), "dangling");
  }
  {
    auto fb = TinyModel().Build();
    fb->operator_codes[0]->builtin_code = static_cast<tflite_fb::BuiltinOperator>(300);
    ExpectError(SerializeModel(*fb), "builtin code 300");
  }
}

TEST(ModelReaderTest, ReadsEverySharedModel) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tflite") continue;
    auto m = ReadModel(entry.path().string());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_FALSE(m->ops.empty()) << entry.path();
    ++count;
  }
  EXPECT_GE(count, 10);
}

// ReadModelInPlace gives the same model as ReadModelFromBuffer, its constants and custom options
// viewed in the caller's bytes, and the same object tree but for the payloads it does not copy.
TEST(ModelReaderTest, ReadsInPlaceAsFromBuffer) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tflite") continue;
    auto file = base::ReadFile(entry.path().string());
    ASSERT_TRUE(file.ok());
    std::vector<uint64_t> aligned((file->size() + 7) / 8);
    std::memcpy(aligned.data(), file->data(), file->size());
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(aligned.data()), file->size());
    auto inside = [&](std::span<const uint8_t> s) { return s.data() >= bytes.data() && s.data() + s.size() <= bytes.data() + bytes.size(); };
    auto copied = ReadModelFromBuffer(bytes, "copied");
    auto in_place = ReadModelInPlace(bytes, "in place");
    ASSERT_EQ(copied.ok(), in_place.ok()) << entry.path();
    if (!copied.ok()) continue;  // a model the reader refuses both ways (multi-subgraph)
    ASSERT_EQ(copied->tensors.size(), in_place->tensors.size());
    int64_t constant_bytes = 0;  // and custom options
    for (size_t t = 0; t < copied->tensors.size(); ++t) {
      const auto& a = copied->tensors[t].data;
      const auto& b = in_place->tensors[t].data;
      ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << entry.path() << " tensor " << t;
      EXPECT_TRUE(b.empty() || inside(b)) << entry.path() << " tensor " << t;
      EXPECT_FALSE(inside(a) && !a.empty());
      constant_bytes += static_cast<int64_t>(b.size());
    }
    ASSERT_EQ(copied->ops.size(), in_place->ops.size());
    for (size_t k = 0; k < copied->ops.size(); ++k) {
      const auto& a = copied->ops[k].custom_options;
      const auto& b = in_place->ops[k].custom_options;
      ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << entry.path() << " op " << k;
      EXPECT_TRUE(b.empty() || inside(b));
      constant_bytes += static_cast<int64_t>(b.size());
    }
    // The trees: the copied one without its payloads and custom options serialises as the other.
    for (auto& buffer : copied->fb->buffers) buffer->data.clear();
    for (auto& op : copied->fb->subgraphs[0]->operators) op->custom_options.clear();
    EXPECT_EQ(SerializeModel(*copied->fb), SerializeModel(*in_place->fb)) << entry.path();
    EXPECT_GT(constant_bytes, 0) << entry.path();
    ++count;
  }
  EXPECT_GE(count, 10);
  auto tiny = TinyModel().Serialize();
  std::vector<uint8_t> shifted(tiny.size() + 1);
  std::memcpy(shifted.data() + 1, tiny.data(), tiny.size());
  EXPECT_FALSE(ReadModelInPlace(std::span<const uint8_t>(shifted).subspan(1), "shifted").ok());
}

TEST(ModelReaderTest, MissingFileNamesThePath) {
  auto m = ReadModel("/nonexistent/dir/model.tflite");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("/nonexistent/dir/model.tflite"), std::string::npos);
}

}  // namespace
}  // namespace etpu::tflite
