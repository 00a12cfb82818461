// Layout rules read from Google's compiled small models (issue 12, shared/testdata/small):
// zero-bias per-tensor layers, one-output convolutions, a depthwise convolution over one input
// channel with a depth multiplier, equal per-channel scales, when a SOFTMAX gets a table and the
// channel-gather record. Each test builds a model whose bytes differ with and without the rule;
// tests/compiler/real_outputs_test.cc (SmallModels) compares the whole blobs with Google's.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "params/built_model_test_util.h"
#include "params/param_layout.h"
#include "params/table_layout.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::params {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;
using tflite::ModelBuilder;
using tflite::Quant;

std::vector<int8_t> Ramp(size_t n) {
  std::vector<int8_t> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 251) - 125);
  return w;
}

uint32_t Word(const std::vector<uint8_t>& b, size_t pos) {
  uint32_t v;
  std::memcpy(&v, b.data() + pos, 4);
  return v;
}

// An int8 per-tensor CONV_2D kh x kw x C -> O with an all-zero bias from `in` ([1,4,4,C]).
int AddConv(ModelBuilder& b, int in, int o, int k, int c, const std::vector<int8_t>& w) {
  const std::vector<int32_t> bias(static_cast<size_t>(o), 0);
  const int wt = b.AddConstant<int8_t>("w", TensorType::INT8, {o, k, k, c}, w, Quant(0.01f, 0));
  const int bt = b.AddConstant<int32_t>("b", TensorType::INT32, {o}, bias);
  const int out = b.AddTensor("conv", TensorType::INT8, {1, 4, 4, o}, Quant(0.5f, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, wt, bt}, {out}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
  return out;
}

// looming_64x64's 3x3x1 -> 1 convolutions: no bias words (zero bias), one group of 4 output
// channels (rows of 16 bytes: the weight, then 0x80 for the padding input/output lanes), the
// record zero-padded to a multiple of 64 (9 x 16 = 144 -> 192 bytes).
TEST(SmallModelRulesTest, OneOutputConvIsOneFourChannelGroupPaddedTo64) {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::INT8, {1, 4, 4, 1}, Quant(1.0f, -128));
  const std::vector<int8_t> w = Ramp(9);
  const int out = AddConv(b, in, 1, 3, 1, w);
  b.SetInputs({in});
  b.SetOutputs({out});
  const ir::Model model = ReadBuilt(b);
  Result<LayerParams> layer = EncodeLayerParams(model, 0);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  ASSERT_EQ(layer->kind, LayerKind::kConv);
  ASSERT_EQ(layer->bytes.size(), 192u);
  EXPECT_EQ(LayerParamBytes(model, 0), 192);
  for (size_t tap = 0; tap < 9; ++tap) {
    EXPECT_EQ(layer->bytes[tap * 16], static_cast<uint8_t>(w[tap]) ^ 0x80) << tap;
    for (size_t j = 1; j < 16; ++j) EXPECT_EQ(layer->bytes[tap * 16 + j], 0x80) << tap << " " << j;
  }
  for (size_t i = 144; i < 192; ++i) EXPECT_EQ(layer->bytes[i], 0) << i;
  Result<DecodedConv> d = DecodeLayerConv(model, 0, layer->bytes);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->weights.size(), w.size());
  EXPECT_EQ(std::memcmp(d->weights.data(), w.data(), w.size()), 0);
  std::vector<uint8_t> bad = layer->bytes;
  bad[180] = 1;  // the zero tail is checked
  EXPECT_FALSE(DecodeLayerConv(model, 0, bad).ok());
}

// The same rule with 3 input channels: Google's compiler 16 put weight (kernel position p,
// channel c) of a 16x16x3 -> 1 convolution (LibrEdgeTPU's pattern tracker, 128x128 search image,
// pattern/templates/pattern_128x128_16x16_3ch_edgetpu.json: the blob offset of each of the 768
// weights, found by probing Google's compiles) at byte 16p + c of the cached blob: one 16-byte row
// per kernel position, the input channels side by side in output lane 0's word.
TEST(SmallModelRulesTest, OneOutputConvWithThreeChannelsPacksTheChannelsOfAPositionInOneRow) {
  constexpr int kK = 16, kC = 3;
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::INT8, {1, 4, 4, kC}, Quant(1.0f, -128));
  const std::vector<int8_t> w = Ramp(static_cast<size_t>(kK * kK * kC));
  const int out = AddConv(b, in, 1, kK, kC, w);
  b.SetInputs({in});
  b.SetOutputs({out});
  const ir::Model model = ReadBuilt(b);
  Result<LayerParams> layer = EncodeLayerParams(model, 0);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  ASSERT_EQ(layer->bytes.size(), static_cast<size_t>(kK * kK * 16));
  for (size_t i = 0; i < w.size(); ++i) {
    const size_t p = i / kC, c = i % kC;
    EXPECT_EQ(layer->bytes[16 * p + c], static_cast<uint8_t>(w[i]) ^ 0x80) << "weight " << i;
  }
}

// bright_16x16's one-output FULLY_CONNECTED: no bias words (zero bias) but 16 output lanes
// (rows of 64 bytes), unlike a convolution.
TEST(SmallModelRulesTest, OneOutputFullyConnectedKeepsSixteenLanesWithoutBiasWords) {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::INT8, {1, 8}, Quant(1.0f, -128));
  const std::vector<int8_t> w = Ramp(8);
  const std::vector<int32_t> zero{0};
  const int wt = b.AddConstant<int8_t>("w", TensorType::INT8, {1, 8}, w, Quant(0.01f, 0));
  const int bt = b.AddConstant<int32_t>("b", TensorType::INT32, {1}, zero);
  const int out = b.AddTensor("fc", TensorType::INT8, {1, 1}, Quant(0.5f, 0));
  b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {in, wt, bt}, {out}, tflite::FullyConnectedOpts());
  b.SetInputs({in});
  b.SetOutputs({out});
  const ir::Model model = ReadBuilt(b);
  Result<LayerParams> layer = EncodeLayerParams(model, 0);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  ASSERT_EQ(layer->bytes.size(), 2u * 64u);  // 2 rows x 16 lanes x 4 bytes, no header
  EXPECT_EQ(layer->bytes[0], static_cast<uint8_t>(w[0]) ^ 0x80);
  EXPECT_EQ(layer->bytes[64 + 3], static_cast<uint8_t>(w[7]) ^ 0x80);
  EXPECT_EQ(layer->bytes[4], 0x80);   // lanes 1..3: the weight zero point
  EXPECT_EQ(layer->bytes[16], 0x00);  // lanes 4..15: zero
}

// gabor_64x64's DEPTHWISE_CONV_2D over one input channel with depth multiplier 8: laid out as a
// 7x7x1 -> 8 convolution (16 lanes, one row per tap); with equal per-channel scales and no bias
// the channel header holds only the 0x80 words (64 B), with differing scales the floats too.
TEST(SmallModelRulesTest, DepthwiseOverOneChannelIsAConvolution) {
  for (bool equal_scales : {true, false}) {
    SCOPED_TRACE(equal_scales ? "equal scales" : "differing scales");
    ModelBuilder b;
    const int in = b.AddTensor("in", TensorType::INT8, {1, 8, 8, 1}, Quant(1.0f / 255, -128));
    const std::vector<int8_t> w = Ramp(7 * 7 * 8);
    std::vector<float> scales(8, 0.0078f);
    if (!equal_scales) scales[5] = 0.0091f;
    const std::vector<int32_t> bias(8, 0);
    const int wt = b.AddConstant<int8_t>("w", TensorType::INT8, {1, 7, 7, 8}, w, tflite::QuantPerChannel(scales, 3));
    const int bt = b.AddConstant<int32_t>("b", TensorType::INT32, {8}, bias);
    const int out = b.AddTensor("dw", TensorType::INT8, {1, 8, 8, 8}, Quant(0.002f, -128));
    b.AddOperator(BuiltinOperator::DEPTHWISE_CONV_2D, {in, wt, bt}, {out},
                  tflite::DepthwiseOptions(1, 1, ir::Padding::SAME, 8));
    b.SetInputs({in});
    b.SetOutputs({out});
    const ir::Model model = ReadBuilt(b);
    Result<LayerParams> layer = EncodeLayerParams(model, 0);
    ASSERT_TRUE(layer.ok()) << layer.status().ToString();
    EXPECT_EQ(layer->kind, LayerKind::kConvPerChannel);
    const size_t header = equal_scales ? 64 : 128;
    ASSERT_EQ(layer->bytes.size(), header + 49 * 64);
    for (size_t c = 0; c < 16; ++c) EXPECT_EQ(Word(layer->bytes, header - 64 + 4 * c), c < 8 ? 0x80u : 0u) << c;
    for (size_t tap = 0; tap < 49; ++tap) {
      for (size_t c = 0; c < 8; ++c) {
        EXPECT_EQ(layer->bytes[header + tap * 64 + c * 4], static_cast<uint8_t>(w[tap * 8 + c]) ^ 0x80) << tap;
      }
    }
    Result<DecodedConv> d = DecodeLayerConv(model, 0, layer->bytes);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(std::memcmp(d->weights.data(), w.data(), w.size()), 0) << "decoded back to [1, kh, kw, O]";
  }
}

// A SOFTMAX gets the table only when its probabilities are a model result (MobileNets,
// keras_lstm); one feeding further operators (bright_16x16, color_red_64x64) has none.
TEST(SmallModelRulesTest, SoftmaxTableOnlyWhenItsOutputIsAModelResult) {
  for (bool feeds_fc : {false, true}) {
    SCOPED_TRACE(feeds_fc ? "feeds a FULLY_CONNECTED" : "model output after QUANTIZE");
    ModelBuilder b;
    const int in = b.AddTensor("in", TensorType::INT8, {1, 16}, Quant(0.1f, 0));
    const int sm = b.AddTensor("sm", TensorType::INT8, {1, 16}, Quant(1.0f / 256, -128));
    b.AddOperator(BuiltinOperator::SOFTMAX, {in}, {sm}, tflite::SoftmaxOpts());
    int out = b.AddTensor("out", TensorType::UINT8, {1, 16}, Quant(1.0f / 256, 0));
    if (feeds_fc) {
      const std::vector<int8_t> w = Ramp(16);
      const int wt = b.AddConstant<int8_t>("w", TensorType::INT8, {1, 16}, w, Quant(0.01f, 0));
      out = b.AddTensor("fc", TensorType::INT8, {1, 1}, Quant(0.5f, 0));
      b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {sm, wt, -1}, {out}, tflite::FullyConnectedOpts());
    } else {
      b.AddOperator(BuiltinOperator::QUANTIZE, {sm}, {out});
    }
    b.SetInputs({in});
    b.SetOutputs({out});
    const ir::Model model = ReadBuilt(b);
    Result<std::optional<LayerKind>> kind = LayerKindOf(model, 0);
    ASSERT_TRUE(kind.ok()) << kind.status().ToString();
    EXPECT_EQ(kind->has_value(), !feeds_fc);
    EXPECT_EQ(LayerParamBytes(model, 0), feeds_fc ? 0 : 3 * 4 * 64);
  }
}

// The channel-gather record: 64 zero bytes, then min(N, 16) rows of 64 bytes with int32 1 in
// word r of row r.
TEST(SmallModelRulesTest, GatherRecordIsAnIdentityOfAtMostSixteenRows) {
  for (int64_t n : {1, 2, 9, 16, 17, 4096}) {
    const std::vector<uint8_t> rec = EncodeGatherRecord(n);
    const int64_t rows = std::min<int64_t>(n, 16);
    ASSERT_EQ(static_cast<int64_t>(rec.size()), 64 * (1 + rows)) << n;
    EXPECT_EQ(GatherRecordBytes(n), static_cast<int64_t>(rec.size()));
    for (size_t pos = 0; pos < rec.size(); pos += 4) {
      const int64_t row = static_cast<int64_t>(pos) / 64 - 1, word = static_cast<int64_t>(pos) % 64 / 4;
      EXPECT_EQ(Word(rec, pos), row >= 0 && row == word ? 1u : 0u) << n << " @" << pos;
    }
  }
}

// A RESHAPE flattening a spatial map computed on the chip gets the gather record
// (looming_64x64, color_red_64x64); one flattening the converted model input does not
// (bright_16x16).
TEST(SmallModelRulesTest, FlatteningAComputedMapWritesAGatherRecord) {
  for (bool after_conv : {false, true}) {
    SCOPED_TRACE(after_conv ? "after a CONV_2D" : "after the input's QUANTIZE");
    ModelBuilder b;
    const int in = b.AddTensor("in", TensorType::UINT8, {1, 4, 4, 1}, Quant(1.0f, 0));
    const int q = b.AddTensor("q", TensorType::INT8, {1, 4, 4, 1}, Quant(1.0f, -128));
    b.AddOperator(BuiltinOperator::QUANTIZE, {in}, {q});
    const int map = after_conv ? AddConv(b, q, 1, 1, 1, Ramp(1)) : q;
    const int flat = b.AddTensor("flat", TensorType::INT8, {1, 16}, Quant(1.0f, -128));
    const std::vector<int32_t> shape{1, 16};
    const int st = b.AddConstant<int32_t>("shape", TensorType::INT32, {2}, shape);
    const int reshape = b.AddOperator(BuiltinOperator::RESHAPE, {map, st}, {flat}, tflite::ReshapeOpts({1, 16}));
    b.SetInputs({in});
    b.SetOutputs({flat});
    const ir::Model model = ReadBuilt(b);
    Result<LayerParams> layer = EncodeLayerParams(model, reshape);
    ASSERT_TRUE(layer.ok()) << layer.status().ToString();
    EXPECT_EQ(layer->bytes, after_conv ? EncodeGatherRecord(16) : std::vector<uint8_t>{});
    EXPECT_EQ(LayerParamBytes(model, reshape), after_conv ? GatherRecordBytes(16) : 0);
  }
}

// A CONCATENATION of two one-value vectors (bright_16x16's [1,1] + [1,1] -> [1,2]) writes the
// gather record of its 2 outputs, not the 64-byte bookkeeping record of spatial concatenations.
TEST(SmallModelRulesTest, ConcatenatingVectorsWritesAGatherRecord) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {1, 1}, Quant(0.1f, 0));
  const int y = b.AddTensor("y", TensorType::INT8, {1, 1}, Quant(0.1f, 0));
  const int out = b.AddTensor("xy", TensorType::INT8, {1, 2}, Quant(0.1f, 0));
  b.AddOperator(BuiltinOperator::CONCATENATION, {x, y}, {out}, tflite::ConcatOpts(1));
  b.SetInputs({x, y});
  b.SetOutputs({out});
  const ir::Model model = ReadBuilt(b);
  Result<LayerParams> layer = EncodeLayerParams(model, 0);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_EQ(layer->bytes, EncodeGatherRecord(2));
}

}  // namespace
}  // namespace etpu::params
