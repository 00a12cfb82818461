// The public expectations of ../shared/oracle/README.md: libcoral's classification cases
// (top-k contains the expected class with a dequantized score above the bound) and deeplabv3
// segmentation of bird_segmentation.bmp (IoU with the mask > 0.9), on the CPU models and on the
// same models compiled by etpu and run on the virtual Edge TPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "runtime/image_prep.h"
#include "runtime/interpreter.h"
#include "testutil/shared.h"
#include "tflite/model_reader.h"

namespace etpu::oracle_test {

using etpu::CompileModels;
using etpu::CompileOptions;
using etpu::CompileTranscript;
using etpu::Runtime;
using etpu::TensorInfo;
namespace {

std::unique_ptr<runtime::Interpreter> Load(const std::string& path) {
  auto model = tflite::ReadModel(path);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  if (!model.ok()) return nullptr;
  auto interp = runtime::Interpreter::Create(std::make_shared<ir::Model>(std::move(model).value()));
  EXPECT_TRUE(interp.ok()) << interp.status().ToString();
  return interp.ok() ? std::move(interp).value() : nullptr;
}

std::vector<uint8_t> ImageInput(const runtime::Interpreter& interp, const std::string& image) {
  const ir::Tensor& in = interp.input_tensor(0);
  auto img = runtime::ReadBmp(image);
  EXPECT_TRUE(img.ok()) << img.status().ToString();
  if (!img.ok()) return {};
  auto bytes = runtime::PrepareImage(*img, in.shape[1], in.shape[2], in.shape[3]);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

struct ClassCase {
  const char* model;
  int top_k;
  int expected;
  float min_score;
};

class ClassificationTest : public ::testing::TestWithParam<ClassCase> {};

TEST_P(ClassificationTest, CatIsClassifiedAsInLibcoral) {
  const ClassCase& c = GetParam();
  ETPU_SHARED_FILE_OR_SKIP(path, std::string("testdata/models/") + c.model + ".tflite");
  ETPU_SHARED_FILE_OR_SKIP(image, "testdata/images/cat.bmp");
  auto interp = Load(path);
  ASSERT_NE(interp, nullptr);
  ASSERT_TRUE(interp->SetInput(0, ImageInput(*interp, image)).ok());
  ASSERT_TRUE(interp->Invoke().ok());
  const ir::Tensor& out = interp->output_tensor(0);
  auto bytes = interp->output(0);
  std::vector<float> scores(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    scores[i] = out.quant.scale.at(0) * (static_cast<float>(bytes[i]) - static_cast<float>(out.quant.zero_point.at(0)));
  }
  std::vector<int> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  bool found = false;
  for (int k = 0; k < c.top_k; ++k) {
    if (order[k] == c.expected && scores[order[k]] > c.min_score) found = true;
  }
  EXPECT_TRUE(found) << c.model << ": top class " << order[0] << " score " << scores[order[0]] << ", class "
                     << c.expected << " score " << scores[c.expected];
}

// The same case on the model compiled by etpu, run through the public runtime API.
TEST_P(ClassificationTest, CompiledModelClassifiesTheCatToo) {
  const ClassCase& c = GetParam();
  ETPU_SHARED_FILE_OR_SKIP(path, std::string("testdata/models/") + c.model + ".tflite");
  ETPU_SHARED_FILE_OR_SKIP(image, "testdata/images/cat.bmp");
  CompileOptions options;
  options.out_dir = testutil::MakeTempDir("expect");
  CompileTranscript t = CompileModels({path}, options);
  ASSERT_TRUE(t.succeeded) << t.console;
  auto runtime = Runtime::Create();
  ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
  auto model = (*runtime)->LoadModelFromBuffer(t.files[0].bytes, t.files[0].path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_EQ(model->edgetpu_ops().size(), 1u);
  auto cpu = Load(path);
  ASSERT_NE(cpu, nullptr);
  ASSERT_TRUE(model->SetInput(0, ImageInput(*cpu, image)).ok());
  ASSERT_TRUE(model->Invoke().ok());
  TensorInfo out = model->output(0);
  auto bytes = model->GetOutput(0);
  std::vector<float> scores(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    scores[i] = out.scale.at(0) * (static_cast<float>(bytes[i]) - static_cast<float>(out.zero_point.at(0)));
  }
  std::vector<int> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  bool found = false;
  for (int k = 0; k < c.top_k; ++k) {
    if (order[k] == c.expected && scores[order[k]] > c.min_score) found = true;
  }
  EXPECT_TRUE(found) << c.model << " (compiled): top class " << order[0] << " score " << scores[order[0]];
}

INSTANTIATE_TEST_SUITE_P(Libcoral, ClassificationTest,
                         ::testing::Values(ClassCase{"mobilenet_v1_0.25_128_quant", 3, 283, 0.25f},
                                           ClassCase{"mobilenet_v1_0.5_160_quant", 3, 286, 0.51f},
                                           ClassCase{"mobilenet_v1_0.75_192_quant", 3, 283, 0.35f},
                                           ClassCase{"mobilenet_v2_1.0_224_quant", 3, 286, 0.70f}));

TEST(SegmentationTest, DeeplabSegmentsTheBird) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/deeplabv3_mnv2_dm05_pascal_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(image, "testdata/images/bird_segmentation.bmp");
  ETPU_SHARED_FILE_OR_SKIP(mask_path, "testdata/images/bird_segmentation_mask.bmp");
  auto interp = Load(path);
  ASSERT_NE(interp, nullptr);
  ASSERT_TRUE(interp->SetInput(0, ImageInput(*interp, image)).ok());
  ASSERT_TRUE(interp->Invoke().ok());
  auto mask = runtime::ReadBmp(mask_path);
  ASSERT_TRUE(mask.ok()) << mask.status().ToString();
  const ir::Tensor& out = interp->output_tensor(0);
  const int64_t n = out.num_elements();
  ASSERT_EQ(static_cast<size_t>(n), mask->pixels.size());
  auto bytes = interp->output(0);
  const int es = ir::ElementSize(out.type);
  int64_t common = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t cls = 0;
    if (es == 8) {
      cls = reinterpret_cast<const int64_t*>(bytes.data())[i];
    } else if (es == 4) {
      cls = reinterpret_cast<const int32_t*>(bytes.data())[i];
    } else {
      cls = bytes[static_cast<size_t>(i)];
    }
    int expected = mask->pixels[static_cast<size_t>(i)];
    if (expected == 255) expected = 0;
    if (cls == expected) ++common;
  }
  const double iou = static_cast<double>(common) / static_cast<double>(2 * n - common);
  std::printf("[ segmentation ] deeplabv3 IoU %.4f\n", iou);
  EXPECT_GT(iou, 0.9);
}

}  // namespace
}  // namespace etpu::oracle_test
