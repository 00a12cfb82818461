#include "zoo/zoo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <string>

#include "testutil/shared.h"
#include "tflite/model_reader.h"

namespace etpu::zoo {
namespace {

std::string Dims(const std::vector<int32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// What must agree between our model and Coral's, per operator: code, options, every input and
/// output shape and type, and the bytes of every constant input (weights, biases, shapes).
std::string OpSignature(const ir::Model& m, const ir::Operator& op) {
  std::string s = op.name();
  if (auto* o = op.options<ir::Conv2DOptions>()) {
    s += " stride " + std::to_string(o->stride_h) + "x" + std::to_string(o->stride_w) + " pad " +
         std::to_string(static_cast<int>(o->padding)) + " act " +
         std::to_string(static_cast<int>(o->fused_activation_function));
  }
  if (auto* o = op.options<ir::DepthwiseConv2DOptions>()) {
    s += " stride " + std::to_string(o->stride_h) + "x" + std::to_string(o->stride_w) + " pad " +
         std::to_string(static_cast<int>(o->padding)) + " dm " + std::to_string(o->depth_multiplier) + " act " +
         std::to_string(static_cast<int>(o->fused_activation_function));
  }
  if (auto* o = op.options<ir::Pool2DOptions>()) {
    s += " filter " + std::to_string(o->filter_height) + "x" + std::to_string(o->filter_width) + " stride " +
         std::to_string(o->stride_h) + " pad " + std::to_string(static_cast<int>(o->padding));
  }
  for (int i : op.inputs) {
    const ir::Tensor& t = m.tensor(i);
    s += std::string(" in ") + ir::TensorTypeName(t.type) + Dims(t.shape);
    if (t.is_constant()) s += " const " + std::to_string(t.data.size()) + "B";
  }
  for (int i : op.outputs) {
    const ir::Tensor& t = m.tensor(i);
    s += std::string(" out ") + ir::TensorTypeName(t.type) + Dims(t.shape);
  }
  return s;
}

int64_t ConstantBytes(const ir::Model& m) {
  int64_t total = 0;
  for (const auto& t : m.tensors) total += static_cast<int64_t>(t.data.size());
  return total;
}

void ExpectSameStructure(const std::string& zoo_name, const std::string& coral_file) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/" + coral_file);
  auto coral = tflite::ReadModel(path);
  ASSERT_TRUE(coral.ok()) << coral.status().ToString();
  auto bytes = GenerateZooModel(zoo_name);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto ours = tflite::ReadModelFromBuffer(*bytes, zoo_name);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();

  ASSERT_EQ(ours->ops.size(), coral->ops.size());
  for (size_t i = 0; i < ours->ops.size(); ++i) {
    EXPECT_EQ(OpSignature(*ours, ours->ops[i]), OpSignature(*coral, coral->ops[i])) << "operator #" << i;
  }
  ASSERT_EQ(ours->inputs.size(), coral->inputs.size());
  ASSERT_EQ(ours->outputs.size(), coral->outputs.size());
  const ir::Tensor& in_ours = ours->tensor(ours->inputs[0]);
  const ir::Tensor& in_coral = coral->tensor(coral->inputs[0]);
  EXPECT_EQ(in_ours.shape, in_coral.shape);
  EXPECT_EQ(in_ours.quant.scale, in_coral.quant.scale);
  EXPECT_EQ(in_ours.quant.zero_point, in_coral.quant.zero_point);
  // Same parameter bytes in total (weights + int32 biases + the reshape's shape), tensor counts.
  EXPECT_EQ(ConstantBytes(*ours), ConstantBytes(*coral));
  EXPECT_EQ(ours->tensors.size(), coral->tensors.size());
}

TEST(ZooTest, MobileNetV1_025_128MatchesCoral) {
  ExpectSameStructure("mobilenet_v1_0.25_128", "mobilenet_v1_0.25_128_quant.tflite");
}
TEST(ZooTest, MobileNetV1_05_160MatchesCoral) {
  ExpectSameStructure("mobilenet_v1_0.5_160", "mobilenet_v1_0.5_160_quant.tflite");
}
TEST(ZooTest, MobileNetV1_075_192MatchesCoral) {
  ExpectSameStructure("mobilenet_v1_0.75_192", "mobilenet_v1_0.75_192_quant.tflite");
}
TEST(ZooTest, MobileNetV2_10_224MatchesCoral) {
  ExpectSameStructure("mobilenet_v2_1.0_224", "mobilenet_v2_1.0_224_quant.tflite");
}

TEST(ZooTest, NamesAreUniqueAndComplete) {
  const auto names = ZooNames();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_EQ(names.size(), 16u + 1 + 3 + 4 + 3 + 1);
  EXPECT_FALSE(GenerateZooModel("no_such_model").ok());
}

/// Every model reads back through the verifying reader; its quantization follows the contract.
TEST(ZooTest, EveryModelReadsBackAndIsUint8Quantized) {
  for (const auto& name : ZooNames()) {
    SCOPED_TRACE(name);
    auto bytes = GenerateZooModel(name);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto m = tflite::ReadModelFromBuffer(*bytes, name);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_FALSE(m->ops.empty());
    EXPECT_EQ(m->tensor(m->inputs[0]).type, ir::TensorType::UINT8);
    for (const auto& op : m->ops) {
      if (op.code != ir::BuiltinOperator::CONV_2D && op.code != ir::BuiltinOperator::DEPTHWISE_CONV_2D &&
          op.code != ir::BuiltinOperator::FULLY_CONNECTED) {
        continue;
      }
      const ir::Tensor& in = m->tensor(op.inputs[0]);
      const ir::Tensor& w = m->tensor(op.inputs[1]);
      const ir::Tensor& b = m->tensor(op.inputs[2]);
      const ir::Tensor& out = m->tensor(op.outputs[0]);
      ASSERT_EQ(w.type, ir::TensorType::UINT8) << w.name;
      ASSERT_EQ(b.type, ir::TensorType::INT32) << b.name;
      ASSERT_EQ(out.type, ir::TensorType::UINT8) << out.name;
      ASSERT_FALSE(w.quant.per_channel());
      // TFLite's requirement: bias scale = input scale * weight scale (within float rounding).
      const double expect = static_cast<double>(in.quant.scale[0]) * w.quant.scale[0];
      EXPECT_NEAR(b.quant.scale[0], expect, 1e-6 * expect) << b.name;
      // The effective multiplier must stay below 1 for uint8 requantization to be exact-ish.
      EXPECT_LT(expect / out.quant.scale[0], 1.0) << out.name;
      if (auto* o = op.options<ir::Conv2DOptions>();
          o != nullptr && o->fused_activation_function == ir::ActivationFunctionType::RELU6) {
        EXPECT_EQ(out.quant.zero_point[0], 0) << out.name;
        EXPECT_FLOAT_EQ(out.quant.scale[0], 6.0f / 255.0f) << out.name;
      }
    }
  }
}

TEST(ZooTest, GenerationIsDeterministic) {
  for (const std::string name : {"mobilenet_v1_0.25_128", "mobilenet_v2_1.0_224", "efficientnet_edgetpu_s",
                                 "inception_v1_224", "posenet_mobilenet_v1_075_353_481", "ssd_mobilenet_v2_300"}) {
    auto a = GenerateZooModel(name);
    auto b = GenerateZooModel(name);
    ASSERT_TRUE(a.ok() && b.ok()) << name;
    EXPECT_TRUE(*a == *b) << name;
  }
  // Different models get different weights (seeds differ by name).
  auto x = GenerateZooModel("mobilenet_v1_1.0_224");
  auto y = GenerateZooModel("mobilenet_v1_1.0_192");
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_NE(*x, *y);
}

/// Parameters and MACs within 1% of the published figures (or within the rounding of a figure
/// published with fewer digits, e.g. "14 M MACs").
TEST(ZooTest, ParamsAndMacsMatchPublished) {
  for (const auto& name : ZooNames()) {
    SCOPED_TRACE(name);
    auto info = GetZooModelInfo(name);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_GT(info->params, 0);
    EXPECT_GT(info->macs, 0);
    if (info->published_params > 0) {
      const double tol = std::max(0.01, info->published_params_precision) * static_cast<double>(info->published_params);
      EXPECT_NEAR(static_cast<double>(info->params), static_cast<double>(info->published_params), tol);
    }
    if (info->published_macs > 0 && info->published_macs_consistent) {
      const double tol = std::max(0.01, info->published_macs_precision) * static_cast<double>(info->published_macs);
      EXPECT_NEAR(static_cast<double>(info->macs), static_cast<double>(info->published_macs), tol);
    }
  }
}

/// Weights + biases and MACs counted from the graph read back from the .tflite (not from the
/// builder's counters): CONV_2D out_h * out_w * O * kh * kw * I, DEPTHWISE_CONV_2D
/// out_h * out_w * C_out * kh * kw, FULLY_CONNECTED O * I.
struct GraphCount {
  int64_t params = 0;
  int64_t macs = 0;
  int depthwise_multiplier = 0;  ///< Largest depth multiplier of a DEPTHWISE_CONV_2D (0: none).
};

GraphCount CountGraph(const ir::Model& m) {
  GraphCount c;
  for (const auto& op : m.ops) {
    const bool conv = op.code == ir::BuiltinOperator::CONV_2D;
    const bool dw = op.code == ir::BuiltinOperator::DEPTHWISE_CONV_2D;
    const bool fc = op.code == ir::BuiltinOperator::FULLY_CONNECTED;
    if (!conv && !dw && !fc) continue;
    const auto& w = m.tensor(op.inputs[1]).shape;
    const auto& out = m.tensor(op.outputs[0]).shape;
    int64_t w_elems = 1;
    for (int32_t d : w) w_elems *= d;
    c.params += w_elems + m.tensor(op.inputs[2]).shape[0];
    if (fc) {
      c.macs += w_elems;
    } else {
      const int64_t positions = int64_t{out[1]} * out[2];
      c.macs += conv ? positions * w_elems : positions * out[3] * w[1] * w[2];
    }
    if (auto* o = op.options<ir::DepthwiseConv2DOptions>()) {
      c.depthwise_multiplier = std::max(c.depthwise_multiplier, o->depth_multiplier);
    }
  }
  return c;
}

/// Inception v2/v3/v4 against figures published for the TF-slim models with 1001 classes and batch
/// norm folded, counted on the graph as read back. Params: OpenVINO Open Model Zoo model cards
/// (openvinotoolkit/open_model_zoo:models/public/googlenet-v2-tf, googlenet-v3, googlenet-v4-tf
/// README.md: 11.185, 23.819, 42.648 MParams). MACs: half the FLOPs of Xilinx's Vitis AI Model Zoo
/// (Xilinx/Vitis-AI:models/AI-Model-Zoo/README.md: tf_inceptionv2 3.88G, tf_inceptionv3 11.45G,
/// tf_inceptionv4 24.55G; the same table gives 3G for inception_v1, twice its 1.498 G MACs).
/// Also Keras's InceptionV3 (23,851,784 params, 1000 classes) is ours minus the 1001st class
/// (2,049) plus the two batch-norm statistics (moving mean and variance) of every conv channel.
TEST(ZooTest, InceptionV2V3V4MatchPublishedFiguresCountedOnTheGraph) {
  struct Published {
    const char* name;
    double params;
    double macs;
    int input_size;
  };
  for (const Published& p : {Published{"inception_v2_224", 11.185e6, 3.88e9 / 2, 224},
                             Published{"inception_v3_299", 23.819e6, 11.45e9 / 2, 299},
                             Published{"inception_v4_299", 42.648e6, 24.55e9 / 2, 299}}) {
    SCOPED_TRACE(p.name);
    ZooModelInfo info;
    auto bytes = GenerateZooModel(p.name, &info);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto m = tflite::ReadModelFromBuffer(*bytes, p.name);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    const GraphCount c = CountGraph(*m);
    EXPECT_NEAR(static_cast<double>(c.params), p.params, 0.01 * p.params);
    EXPECT_NEAR(static_cast<double>(c.macs), p.macs, 0.01 * p.macs);
    // The builder's own counters (what `etpu zoo --list` and ZooModelInfo report) agree with the graph.
    EXPECT_EQ(info.params, c.params);
    EXPECT_EQ(info.macs, c.macs);
    EXPECT_EQ(m->tensor(m->inputs[0]).shape, (std::vector<int32_t>{1, p.input_size, p.input_size, 3}));
    EXPECT_EQ(m->tensor(m->outputs[0]).shape, (std::vector<int32_t>{1, 1001}));
    // Only slim's v2 has a separable stem, with depth multiplier min(64 / 3, 8) = 8.
    EXPECT_EQ(c.depthwise_multiplier, std::string(p.name) == "inception_v2_224" ? 8 : 0);
  }
  // Keras's figure for InceptionV3 counts BN's moving mean and variance (two per conv channel;
  // every conv but the logits has BN) and 1000 classes: the same network as ours.
  auto v3 = GenerateZooModel("inception_v3_299");
  ASSERT_TRUE(v3.ok());
  auto m = tflite::ReadModelFromBuffer(*v3, "inception_v3_299");
  ASSERT_TRUE(m.ok());
  int64_t bn_channels = 0;
  for (const auto& op : m->ops) {
    if (op.code == ir::BuiltinOperator::CONV_2D && m->tensor(op.outputs[0]).shape[3] != 1001) {
      bn_channels += m->tensor(op.outputs[0]).shape[3];
    }
  }
  EXPECT_EQ(CountGraph(*m).params - 2049 + 2 * bn_channels, 23851784);
}

/// The generator stays fast: every zoo model in well under a few seconds together.
TEST(ZooTest, GenerationIsFast) {
  const auto start = std::chrono::steady_clock::now();
  size_t total = 0;
  for (const auto& name : ZooNames()) {
    auto bytes = GenerateZooModel(name);
    ASSERT_TRUE(bytes.ok());
    total += bytes->size();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 10.0) << "generated " << total << " bytes";
}

}  // namespace
}  // namespace etpu::zoo
