// LoadedModel::ResizeInputs: shapes propagate through CPU operators, a resized model computes what
// the model computes at its own shape (batch 2 = two batch-1 runs; a taller image = the two images'
// results away from their seam), and an Edge TPU executable or an operator without a shape rule
// refuses the change, naming the operator, leaving the model as it was.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "base/file_io.h"
#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"

namespace etpu {
namespace {

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

/// Output 0 of `model` at its load-time shape for `input`.
std::vector<uint8_t> RunOnce(LoadedModel& model, const std::vector<uint8_t>& input) {
  EXPECT_TRUE(model.SetInput(0, input).ok());
  EXPECT_TRUE(model.Invoke().ok());
  auto out = model.GetOutput(0);
  return {out.begin(), out.end()};
}

std::vector<uint8_t> Concat(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  std::vector<uint8_t> v = a;
  v.insert(v.end(), b.begin(), b.end());
  return v;
}

class ResizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rt = Runtime::Create({});
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    rt_ = std::move(rt).value();
  }
  LoadedModel Load(const std::string& path) {
    auto m = rt_->LoadModel(path);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return std::move(m).value();
  }
  /// Two random inputs of the model at its own shape and their outputs.
  struct TwoRuns {
    std::vector<uint8_t> a, b, out_a, out_b;
  };
  TwoRuns RunTwo(const std::string& path, uint32_t seed) {
    LoadedModel one = Load(path);
    const size_t bytes = static_cast<size_t>(one.input(0).bytes);
    TwoRuns r{RandomBytes(bytes, seed), RandomBytes(bytes, seed + 1), {}, {}};
    r.out_a = RunOnce(one, r.a);
    r.out_b = RunOnce(one, r.b);
    return r;
  }
  std::unique_ptr<Runtime> rt_;
};

// QUANTIZE, DEPTHWISE_CONV_2D (7x7, SAME), AVERAGE_POOL_2D (4x4 / 4), QUANTIZE.
TEST_F(ResizeTest, BatchOfTwoGivesTheTwoSingleResults) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/small/gabor_64x64_p4.tflite");
  const auto [a, b, out_a, out_b] = RunTwo(path, 1);
  LoadedModel two = Load(path);
  auto kept = two.tensor_storage();
  ASSERT_TRUE(two.ResizeInputs({{2, 64, 64, 1}}).ok());
  EXPECT_NE(two.tensor_storage(), kept);
  EXPECT_EQ(two.input(0).shape, (std::vector<int>{2, 64, 64, 1}));
  EXPECT_EQ(two.input(0).shape_signature, (std::vector<int>{1, 64, 64, 1}));  // The model's.
  EXPECT_EQ(two.output(0).shape, (std::vector<int>{2, 16, 16, 8}));
  EXPECT_EQ(RunOnce(two, Concat(a, b)), Concat(out_a, out_b));

  // And back to one.
  ASSERT_TRUE(two.ResizeInputs({{1, 64, 64, 1}}).ok());
  EXPECT_EQ(RunOnce(two, b), out_b);
}

TEST_F(ResizeTest, FullyConnectedBatch) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/small/dense_256.tflite");
  LoadedModel one = Load(path);
  const size_t bytes = static_cast<size_t>(one.input(0).bytes);
  std::vector<uint8_t> all, want;
  LoadedModel three = Load(path);
  ASSERT_TRUE(three.ResizeInputs({{3, 256}}).ok());
  EXPECT_EQ(three.output(0).shape, (std::vector<int>{3, 256}));
  for (uint32_t k = 0; k < 3; ++k) {
    const auto in = RandomBytes(bytes, 10 + k);
    all = Concat(all, in);
    want = Concat(want, RunOnce(one, in));
  }
  EXPECT_EQ(RunOnce(three, all), want);
}

// A 128x64 image of image A above image B: the pooled rows that see only A (0..14) are A's, those
// that see only B (17..31) are B's rows 1..15.
TEST_F(ResizeTest, TallerImageMatchesEachHalfAwayFromTheSeam) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/small/gabor_64x64_p4.tflite");
  const auto [a, b, out_a, out_b] = RunTwo(path, 3);
  LoadedModel tall = Load(path);
  ASSERT_TRUE(tall.ResizeInputs({{1, 128, 64, 1}}).ok());
  ASSERT_EQ(tall.output(0).shape, (std::vector<int>{1, 32, 16, 8}));
  const auto out = RunOnce(tall, Concat(a, b));
  const size_t row = 16 * 8;
  for (size_t r = 0; r < 15; ++r) {
    EXPECT_TRUE(std::equal(out.begin() + r * row, out.begin() + (r + 1) * row, out_a.begin() + r * row)) << r;
    EXPECT_TRUE(std::equal(out.begin() + (r + 17) * row, out.begin() + (r + 18) * row, out_b.begin() + (r + 1) * row)) << r;
  }
}

TEST_F(ResizeTest, EdgeTpuExecutableRefusesOtherShapes) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/small/gabor_64x64_p4.tflite");
  auto bytes = base::ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  auto compiled = Compile(std::vector<ModelInput>{ModelInput::FromBytes(*bytes, "gabor.tflite")}, CompileOptions{});
  ASSERT_TRUE(compiled.ok() && compiled->ok);
  auto m = rt_->LoadModelFromBuffer(compiled->models.at(0).model, "gabor_edgetpu.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const Status s = m->ResizeInputs({{2, 64, 64, 1}});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("CUSTOM 'edgetpu-custom-op' (#"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("[2, 64, 64, 1] instead of [1, 64, 64, 1]"), std::string::npos) << s.message();
  EXPECT_EQ(m->input(0).shape, (std::vector<int>{1, 64, 64, 1}));
  EXPECT_TRUE(m->ResizeInputs({{1, 64, 64, 1}}).ok());  // Its own shape is fine.
  EXPECT_TRUE(m->Invoke().ok());
}

TEST_F(ResizeTest, RefusesWhatItCannotPropagate) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  LoadedModel m = Load(path);
  // Batch 2 reaches a RESHAPE to the constant [1, 1001] (TFLite fails there too).
  const Status s = m.ResizeInputs({{2, 128, 128, 3}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("RESHAPE (#"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("cannot reshape [2, 1, 1, 1001]"), std::string::npos) << s.message();
  // A 16x16 image leaves nothing for the 4x4 average pool after the strides.
  const Status small = m.ResizeInputs({{1, 16, 16, 3}});
  EXPECT_EQ(small.code(), StatusCode::kInvalidArgument) << small.ToString();
  EXPECT_NE(small.message().find("AVERAGE_POOL_2D (#"), std::string::npos) << small.message();
  EXPECT_FALSE(m.ResizeInputs({}).ok());
  EXPECT_FALSE(m.ResizeInputs({{1, -128, 128, 3}}).ok());
  EXPECT_EQ(m.input(0).shape, (std::vector<int>{1, 128, 128, 3}));
  EXPECT_EQ(m.output(0).shape, (std::vector<int>{1, 1001}));
  EXPECT_TRUE(m.Invoke().ok());
}

// An operator without a shape rule (PAD) refuses a changed input, naming itself.
TEST_F(ResizeTest, NamesTheOperatorWithoutAShapeRule) {
  tflite::ModelBuilder b;
  const int x = b.AddTensor("x", ir::TensorType::FLOAT32, {1, 4});
  const std::vector<int32_t> pads = {0, 0, 1, 1};
  const int p = b.AddConstant<int32_t>("pads", ir::TensorType::INT32, {2, 2}, pads);
  const int y = b.AddTensor("y", ir::TensorType::FLOAT32, {1, 6});
  b.AddOperator(ir::BuiltinOperator::PAD, {x, p}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  auto m = rt_->LoadModelFromBuffer(b.Serialize(), "pad.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const Status s = m->ResizeInputs({{2, 4}});
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s.ToString();
  EXPECT_NE(s.message().find("PAD (#0) of 'pad.tflite'"), std::string::npos) << s.message();
  EXPECT_TRUE(m->ResizeInputs({{1, 4}}).ok());
}

}  // namespace
}  // namespace etpu
