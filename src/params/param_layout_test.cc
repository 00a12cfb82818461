// Model-level rules of the parameter layout read from Google's per-channel files (PoseNet,
// split_concat): the per-channel header float, the SPLIT / CONCATENATION records, and the order
// of the records in the blob. Each test builds a small model whose answer differs under the
// rule and without it.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "params/built_model_test_util.h"
#include "params/param_layout.h"
#include "partition/partitioner.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::params {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;
using tflite::ModelBuilder;
using tflite::Quant;

// An int8 per-channel 1x1 conv from `in` (C channels) to a new tensor of `scales.size()` channels.
int AddConv(ModelBuilder& b, const std::string& name, int in, int c, const std::vector<float>& scales,
            float out_scale) {
  const int o = static_cast<int>(scales.size());
  std::vector<int8_t> w(static_cast<size_t>(o * c));
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 29 % 255) - 127);
  std::vector<int32_t> bias(static_cast<size_t>(o));
  for (int i = 0; i < o; ++i) bias[static_cast<size_t>(i)] = 100 * i - 7;
  const int wt = b.AddConstant<int8_t>(name + "_w", TensorType::INT8, {o, 1, 1, c}, w, tflite::QuantPerChannel(scales, 0));
  const int bt = b.AddConstant<int32_t>(name + "_b", TensorType::INT32, {o}, bias);
  const int out = b.AddTensor(name, TensorType::INT8, {1, 2, 2, o}, Quant(out_scale, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, wt, bt}, {out}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
  return out;
}

float HeaderFloat(const std::vector<uint8_t>& bytes, size_t channel) {
  float f;
  std::memcpy(&f, bytes.data() + channel * 4, 4);
  return f;
}

// The per-channel header float is the requantisation multiplier f32(f32(ws * in) * f32(1 / out)),
// each step in single precision (Google's PoseNet: 7 171 of 7 171 channels; the weight scale
// alone: 5 484, the double-precision product: 5 583).
TEST(ParamLayoutRulesTest, PerChannelHeaderHoldsTheRequantisationMultiplier) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(1e-4f, 1e-1f);
  std::vector<float> scales;
  for (int i = 0; i < 64; ++i) scales.push_back(u(rng));
  const float in_scale = 0.0235294f, out_scale = 1.48163f;
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::INT8, {1, 2, 2, 8}, Quant(in_scale, -128));
  const int out = AddConv(b, "conv", in, 8, scales, out_scale);
  b.SetInputs({in});
  b.SetOutputs({out});
  const ir::Model model = ReadBuilt(b);

  Result<LayerParams> layer = EncodeLayerParams(model, 0);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  ASSERT_EQ(layer->kind, LayerKind::kConvPerChannel);
  Result<std::vector<float>> m = RequantMultipliers(model, 0);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const float inv_out = 1.0f / out_scale;
  int differs_from_double = 0;
  for (size_t c = 0; c < scales.size(); ++c) {
    const float product = scales[c] * in_scale;
    EXPECT_EQ((*m)[c], product * inv_out) << c;
    EXPECT_EQ(HeaderFloat(layer->bytes, c), (*m)[c]) << c;
    EXPECT_NE(HeaderFloat(layer->bytes, c), scales[c]) << c;
    const auto exact = static_cast<float>(double{scales[c]} * in_scale / out_scale);
    differs_from_double += (*m)[c] != exact;
  }
  EXPECT_GT(differs_from_double, 0) << "the test values must tell the float steps from one rounding";

  // No usable output scale: a clear error, not a record with infinities.
  ModelBuilder bad;
  const int bin = bad.AddTensor("in", TensorType::INT8, {1, 2, 2, 8}, Quant(in_scale, -128));
  const int bout = AddConv(bad, "conv", bin, 8, scales, 0.0f);
  bad.SetInputs({bin});
  bad.SetOutputs({bout});
  const ir::Model bad_model = ReadBuilt(bad);
  EXPECT_FALSE(RequantMultipliers(bad_model, 0).ok());
  EXPECT_FALSE(EncodeLayerParams(bad_model, 0).ok());
}

// CONCATENATION / SPLIT get no record when every piece is a multiple of 4 channels (PoseNet's
// 32 + 32), a 64-byte one otherwise (split_concat's 3 + 1 + 2 and 1-channel pieces).
TEST(ParamLayoutRulesTest, ConcatAndSplitOfWholeChannelGroupsHaveNoRecord) {
  ModelBuilder b;
  auto t = [&](const std::string& name, int c) {
    return b.AddTensor(name, TensorType::UINT8, {1, 2, 2, c}, Quant(0.5f, 128));
  };
  const int a = t("a", 32), a2 = t("a2", 32), aa = t("aa", 64);
  b.AddOperator(BuiltinOperator::CONCATENATION, {a, a2}, {aa}, tflite::ConcatOpts(3));
  const int c3 = t("c3", 3), c1 = t("c1", 1), cc = t("cc", 4);
  b.AddOperator(BuiltinOperator::CONCATENATION, {c3, c1}, {cc}, tflite::ConcatOpts(3));
  const std::vector<int32_t> axis = {3};
  const int ax = b.AddConstant<int32_t>("axis", TensorType::INT32, {}, axis);
  const int s0 = t("s0", 32), s1 = t("s1", 32);
  ir::SplitOptions two;
  two.num_splits = 2;
  b.AddOperator(BuiltinOperator::SPLIT, {ax, aa}, {s0, s1}, two);
  const int h0 = t("h0", 2), h1 = t("h1", 2);
  b.AddOperator(BuiltinOperator::SPLIT, {ax, cc}, {h0, h1}, two);
  b.SetInputs({a, a2, c3, c1});
  b.SetOutputs({s0, s1, h0, h1});
  const ir::Model model = ReadBuilt(b);
  for (int op : {0, 2}) {
    Result<std::optional<LayerKind>> kind = LayerKindOf(model, op);
    ASSERT_TRUE(kind.ok());
    EXPECT_FALSE(kind->has_value()) << "op " << op;
    EXPECT_EQ(LayerParamBytes(model, op), 0) << "op " << op;
  }
  for (int op : {1, 3}) {
    Result<LayerParams> layer = EncodeLayerParams(model, op);
    ASSERT_TRUE(layer.ok());
    EXPECT_EQ(layer->kind, LayerKind::kOther) << "op " << op;
    EXPECT_EQ(layer->bytes.size(), 64u) << "op " << op;
  }
}

// PoseNet's head: a trunk conv feeding two mid-offset convs that are concatenated (the third
// output) and the heatmap and short-offset convs (the first and second outputs). Google's blob
// holds trunk, heatmap, short offsets, then the two mid-offset convs; execution order has the
// mid-offset convs first.
TEST(ParamLayoutRulesTest, RecordsFollowTheOutputsTheyFeed) {
  const std::vector<float> s8(8, 0.01f), s4(4, 0.02f);
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::INT8, {1, 2, 2, 8}, Quant(0.05f, 0));
  const int trunk = AddConv(b, "trunk", in, 8, s8, 0.05f);                 // op 0
  const int mid_a = AddConv(b, "mid_a", trunk, 8, s4, 0.1f);               // op 1
  const int mid_b = AddConv(b, "mid_b", trunk, 8, s4, 0.1f);               // op 2
  const int mid = b.AddTensor("mid", TensorType::INT8, {1, 2, 2, 8}, Quant(0.1f, 0));
  b.AddOperator(BuiltinOperator::CONCATENATION, {mid_b, mid_a}, {mid}, tflite::ConcatOpts(3));  // op 3
  const int heat = AddConv(b, "heat", trunk, 8, s4, 0.1f);                 // op 4
  const int shrt = AddConv(b, "short", trunk, 8, s8, 0.1f);                // op 5
  b.SetInputs({in});
  b.SetOutputs({heat, shrt, mid});
  const ir::Model model = ReadBuilt(b);
  const std::vector<int> region = {0, 1, 2, 3, 4, 5};

  // The region outputs in the custom op's order (depth of their producers): heat, short, mid.
  const std::vector<int> outputs = partition::MakeRegion(model, region).outputs;
  ASSERT_EQ(outputs, (std::vector<int>{heat, shrt, mid}));
  EXPECT_EQ(ParameterOrder(model, region, outputs), (std::vector<int>{0, 4, 5, 1, 2, 3}));
  // Listing the outputs in execution order gives execution order back; an operator feeding no
  // listed output goes last; a chain keeps its order.
  EXPECT_EQ(ParameterOrder(model, region, {mid, heat, shrt}), region);
  EXPECT_EQ(ParameterOrder(model, region, {shrt}), (std::vector<int>{0, 5, 1, 2, 3, 4}));
  EXPECT_EQ(ParameterOrder(model, {0, 4}, {heat}), (std::vector<int>{0, 4}));
  EXPECT_EQ(ParameterOrder(model, region, {}), region);
  EXPECT_EQ(ParameterOrder(model, region, {-1, 999}), region);
}

}  // namespace
}  // namespace etpu::params
