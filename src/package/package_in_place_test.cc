// Reading a compiled model's packages in place (ReadCompiledModel with a keep-alive): the package
// views the model's custom options instead of a copy, at any alignment of those bytes, with the
// same checks and the same messages as the copying read.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "package/custom_op_data.h"
#include "package/package_reader.h"
#include "package/package_writer.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::package {
namespace {

bool Inside(std::span<const uint8_t> inner, std::span<const uint8_t> outer) {
  const auto i = reinterpret_cast<uintptr_t>(inner.data()), o = reinterpret_cast<uintptr_t>(outer.data());
  return !inner.empty() && i >= o && inner.size() <= outer.size() && i - o <= outer.size() - inner.size();
}

/// A virtual-chip package: caching and execution-only executables with distinct parameters.
std::vector<uint8_t> Package() {
  PackageSpec spec;
  spec.chip = kVirtualChipName;
  spec.compiler_version = "in place";
  ExecutableSpec pc;
  pc.type = ExecutableType::kParameterCaching;
  pc.name = "Unknown";
  pc.token = 0x1234;
  for (int i = 0; i < 5000; ++i) pc.parameters.push_back(static_cast<uint8_t>(i * 7));
  pc.dma_hints = StandardDmaHints(pc);
  ExecutableSpec eo;
  eo.type = ExecutableType::kExecutionOnly;
  eo.name = "model";
  eo.token = 0x1234;
  for (int i = 0; i < 300; ++i) eo.parameters.push_back(static_cast<uint8_t>(i * 13 + 1));
  eo.input_layers = {{"in", 16, 1, 4, 4, 0, 1.0f, LayerDataType::kFixedPoint8, 1}};
  eo.output_layers = {{"out", 16, 1, 4, 4, 0, 1.0f, LayerDataType::kFixedPoint8, 1}};
  eo.dma_hints = StandardDmaHints(eo);
  spec.executables = {pc, eo};
  auto bytes = WritePackage(spec);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

/// A model holding one edgetpu-custom-op whose options carry `package`.
std::shared_ptr<ir::Model> ModelWith(std::span<const uint8_t> package) {
  tflite::ModelBuilder b;
  int in = b.AddTensor("in", ir::TensorType::UINT8, {1, 4, 4}, tflite::Quant(1.0f, 0));
  int out = b.AddTensor("out", ir::TensorType::UINT8, {1, 4, 4}, tflite::Quant(1.0f, 0));
  b.AddCustomOperator(ir::kEdgeTpuCustomOp, {in}, {out}, EncodeEtpuCustomOpData(package));
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = tflite::ReadModelFromBuffer(b.Serialize(), "m.tflite");
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::make_shared<ir::Model>(std::move(*model)) : nullptr;
}

/// Moves the model's custom options (a copy of them) to byte `shift` of `buffer` (any alignment).
std::shared_ptr<ir::Model> Shifted(std::shared_ptr<ir::Model> model, size_t shift, std::vector<uint64_t>& buffer) {
  const std::span<const uint8_t> options = model->ops.at(0).custom_options;
  buffer.assign((options.size() + shift) / 8 + 1, 0);
  auto* base = reinterpret_cast<uint8_t*>(buffer.data()) + shift;
  std::copy(options.begin(), options.end(), base);
  model->ops[0].custom_options = std::span<const uint8_t>(base, options.size());
  return model;
}

TEST(InPlace, ThePackageViewsTheOptionsNotACopy) {
  const std::vector<uint8_t> package = Package();
  auto model = ModelWith(package);
  ASSERT_NE(model, nullptr);
  const std::span<const uint8_t> options = model->ops.at(0).custom_options;
  auto copied = ReadCompiledModel(*model);
  auto viewed = ReadCompiledModel(*model, model);
  ASSERT_TRUE(copied.ok() && viewed.ok()) << viewed.status().ToString();
  const PackageInfo& c = copied->edgetpu_ops.at(0).package;
  const PackageInfo& v = viewed->edgetpu_ops.at(0).package;
  EXPECT_FALSE(Inside(c.bytes, options)) << "the copying read views the options";
  ASSERT_TRUE(Inside(v.bytes, options)) << "the package was copied";
  ASSERT_NE(v.caching(), nullptr);
  EXPECT_TRUE(Inside(v.caching()->parameters, v.bytes));
  EXPECT_TRUE(Inside(v.main()->parameters, v.bytes));
  EXPECT_TRUE(std::equal(v.bytes.begin(), v.bytes.end(), package.begin(), package.end()));
  EXPECT_EQ(v.storage.at(0), std::static_pointer_cast<const void>(model)) << "the result keeps the model alive";
}

// Whatever the alignment of the options (and so of the package inside them), the in-place read
// decodes the same package and its views point into those bytes, not into a temporary copy.
TEST(InPlace, AnyAlignmentReadsTheSamePackageInThoseBytes) {
  const std::vector<uint8_t> package = Package();
  auto model = ModelWith(package);
  ASSERT_NE(model, nullptr);
  auto copied = ReadCompiledModel(*model);
  ASSERT_TRUE(copied.ok());
  const PackageInfo& c = copied->edgetpu_ops.at(0).package;
  for (size_t shift = 0; shift < 8; ++shift) {
    SCOPED_TRACE(shift);
    std::vector<uint64_t> buffer;
    auto moved = Shifted(ModelWith(package), shift, buffer);
    const std::span<const uint8_t> options = moved->ops[0].custom_options;
    auto viewed = ReadCompiledModel(*moved, moved);
    ASSERT_TRUE(viewed.ok()) << viewed.status().ToString();
    const PackageInfo& v = viewed->edgetpu_ops.at(0).package;
    ASSERT_TRUE(Inside(v.bytes, options));
    ASSERT_EQ(v.executables.size(), c.executables.size());
    for (size_t e = 0; e < v.executables.size(); ++e) {
      const ExecutableInfo &a = v.executables[e], &b = c.executables[e];
      EXPECT_TRUE(Inside(a.parameters, v.bytes));
      EXPECT_TRUE(std::equal(a.parameters.begin(), a.parameters.end(), b.parameters.begin(), b.parameters.end()));
      ASSERT_EQ(a.instruction_bitstreams.size(), b.instruction_bitstreams.size());
      for (size_t k = 0; k < a.instruction_bitstreams.size(); ++k) {
        if (!b.instruction_bitstreams[k].empty()) {
          EXPECT_TRUE(Inside(a.instruction_bitstreams[k], v.bytes));
        }
        EXPECT_TRUE(std::equal(a.instruction_bitstreams[k].begin(), a.instruction_bitstreams[k].end(),
                               b.instruction_bitstreams[k].begin(), b.instruction_bitstreams[k].end()));
      }
      EXPECT_EQ(a.token, b.token);
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.offset_in_package, b.offset_in_package);
      EXPECT_EQ(a.parameters_offset, b.parameters_offset);
      EXPECT_EQ(a.dma_hints, b.dma_hints);
    }
    EXPECT_TRUE(CheckPackageAlignment(v).ok());
  }
}

/// Both reads of `model` (its options moved to `shift`) fail alike, or both succeed.
void ExpectSameVerdict(std::shared_ptr<ir::Model> model, size_t shift) {
  std::vector<uint64_t> buffer;
  auto moved = Shifted(std::move(model), shift, buffer);
  auto copied = ReadCompiledModel(*moved);
  auto viewed = ReadCompiledModel(*moved, moved);
  ASSERT_EQ(copied.ok(), viewed.ok()) << (copied.ok() ? viewed.status() : copied.status()).ToString();
  if (!copied.ok()) {
    EXPECT_EQ(viewed.status().code(), copied.status().code());
    EXPECT_EQ(viewed.status().message(), copied.status().message());
  }
}

// Hostile input read in place, aligned or not: a truncated package, truncated options and flipped
// bytes are refused with the copying read's error, word for word.
TEST(InPlace, HostileInputGetsTheCopyingReadsErrors) {
  const std::vector<uint8_t> package = Package();
  auto model = ModelWith(package);
  ASSERT_NE(model, nullptr);
  const std::span<const uint8_t> options = model->ops[0].custom_options;  // owned by the model
  for (size_t shift : {0, 2, 4}) {
    SCOPED_TRACE(shift);
    ExpectSameVerdict(ModelWith(std::span<const uint8_t>(package.data(), package.size() - 1)), shift);  // padding cut
    for (size_t n : {package.size() / 2, package.size() / 4 + 5, size_t{12}, size_t{7}}) {
      std::vector<uint64_t> buffer;
      auto moved = Shifted(ModelWith(std::span<const uint8_t>(package.data(), n)), shift, buffer);
      auto r = ReadCompiledModel(*moved, moved);
      ASSERT_FALSE(r.ok()) << n;
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
      EXPECT_NE(r.status().message().find("failed to read the Edge TPU package"), std::string::npos) << r.status().ToString();
      ExpectSameVerdict(ModelWith(std::span<const uint8_t>(package.data(), n)), shift);
    }
    for (size_t n : {options.size() / 2, options.size() - 1, size_t{3}}) {
      model->ops[0].custom_options = options.first(n);
      std::vector<uint64_t> buffer;
      auto moved = Shifted(model, shift, buffer);
      auto r = ReadCompiledModel(*moved, moved);
      ASSERT_FALSE(r.ok()) << n;
      EXPECT_NE(r.status().message().find("failed to decode the custom options"), std::string::npos) << r.status().ToString();
      model->ops[0].custom_options = options.first(n);
      ExpectSameVerdict(model, shift);
    }
    int refused = 0;
    for (size_t i = 0; i < options.size(); i += 37) {
      std::vector<uint8_t> bad(options.begin(), options.end());
      bad[i] ^= 0xff;
      model->ops[0].custom_options = bad;
      refused += !ReadCompiledModel(*model).ok();
      model->ops[0].custom_options = bad;
      ExpectSameVerdict(model, shift);
    }
    EXPECT_GT(refused, 0);
  }
}

}  // namespace
}  // namespace etpu::package
