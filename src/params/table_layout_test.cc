// Softmax table, constant records and the model-level API on small built models.
#include "params/table_layout.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "params/param_layout.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::params {
namespace {

uint32_t WordAt(const std::vector<uint8_t>& b, size_t pos) {
  uint32_t v;
  std::memcpy(&v, b.data() + pos, 4);
  return v;
}

TEST(SoftmaxTableTest, LayoutOfTenClasses) {
  SoftmaxTableSpec spec{10, 0.5f, false};
  Result<std::vector<uint8_t>> t = EncodeSoftmaxTable(spec);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 9u * 64);  // 3 sections x ceil(10/4) rows
  EXPECT_EQ(WordAt(*t, 2 * 64 + 8), 0x80000000u);   // section A, row 2, lane 2 = class 10 (padding)
  EXPECT_EQ(WordAt(*t, 2 * 64 + 4), 0u);            // class 9 is real
  EXPECT_EQ(WordAt(*t, 6 * 64), 0x3f000000u);       // section C, class 0 = bits(0.5)
  EXPECT_EQ(WordAt(*t, 8 * 64 + 12), 0x3f000000u + 0x3fffffffu);
  for (size_t row = 0; row < 9; ++row) {
    for (size_t i = 16; i < 64; ++i) EXPECT_EQ((*t)[row * 64 + i], 0);
  }
}

TEST(SoftmaxTableTest, RoundTripRandom) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 50; ++iter) {
    SoftmaxTableSpec spec;
    spec.classes = std::uniform_int_distribution<int>(1, 3000)(rng);
    spec.scale = std::uniform_real_distribution<float>(1e-3f, 2.0f)(rng);
    spec.unit_row = (rng() & 1) != 0;
    Result<std::vector<uint8_t>> t = EncodeSoftmaxTable(spec);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(static_cast<int64_t>(t->size()), SoftmaxTableBytes(spec));
    Result<SoftmaxTableSpec> back = DecodeSoftmaxTable(*t, spec.classes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->scale, spec.scale);
    EXPECT_EQ(back->unit_row, spec.unit_row);
    (*t)[t->size() / 2] ^= 1;
    EXPECT_FALSE(DecodeSoftmaxTable(*t, spec.classes).ok());
  }
  EXPECT_FALSE(EncodeSoftmaxTable({0, 1.0f, true}).ok());
}

TEST(ConstRecordTest, RoundTripAndSize) {
  std::mt19937 rng(9);
  std::vector<uint8_t> all;
  std::vector<ConstRecord> recs;
  for (int i = 0; i < 5; ++i) {
    ConstRecord r;
    r.input_slot = i;
    r.int8 = (i % 2) == 0;
    r.data.resize(std::uniform_int_distribution<size_t>(0, 300)(rng));
    for (auto& b : r.data) b = static_cast<uint8_t>(rng());
    std::vector<uint8_t> enc = EncodeConstRecord(r);
    EXPECT_EQ(static_cast<int64_t>(enc.size()), ConstRecordBytes(static_cast<int64_t>(r.data.size())));
    all.insert(all.end(), enc.begin(), enc.end());
    recs.push_back(r);
  }
  EXPECT_EQ(ConstRecordBytes(2304), 2368);  // movenet's 48x48 map: 64 + 2304 (package-format.md §3.1)
  Result<std::vector<ConstRecord>> back = DecodeConstRecords(all, "test");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), recs.size());
  for (size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ((*back)[i].input_slot, recs[i].input_slot);
    EXPECT_EQ((*back)[i].int8, recs[i].int8);
    EXPECT_EQ((*back)[i].data, recs[i].data);
  }
  all.resize(all.size() - 1);
  EXPECT_FALSE(DecodeConstRecords(all, "test").ok());
}

// A tiny int8 model: CONV (per-channel) -> MUL by a constant -> SOFTMAX.
ir::Model BuildSmallModel() {
  using tflite::ModelBuilder;
  using tflite::Quant;
  ModelBuilder b;
  const int in = b.AddTensor("in", ir::TensorType::INT8, {1, 4, 4, 3}, Quant(0.1f, -3));
  std::vector<int8_t> w(5 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  const int wt = b.AddConstant<int8_t>("w", ir::TensorType::INT8, {5, 3, 3, 3}, w,
                                       tflite::QuantPerChannel({0.1f, 0.2f, 0.3f, 0.4f, 0.5f}, 0));
  std::vector<int32_t> bias = {1, -2, 3, -4, 5};
  const int bt = b.AddConstant<int32_t>("b", ir::TensorType::INT32, {5}, bias);
  const int c = b.AddTensor("c", ir::TensorType::INT8, {1, 4, 4, 5}, Quant(0.2f, 0));
  b.AddOperator(ir::BuiltinOperator::CONV_2D, {in, wt, bt}, {c}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
  std::vector<int8_t> k(80, 5);
  const int kt = b.AddConstant<int8_t>("k", ir::TensorType::INT8, {1, 4, 4, 5}, k, Quant(0.01f, 0));
  const int m = b.AddTensor("m", ir::TensorType::INT8, {1, 4, 4, 5}, Quant(0.25f, 1));
  b.AddOperator(ir::BuiltinOperator::MUL, {c, kt}, {m});
  const int s = b.AddTensor("s", ir::TensorType::INT8, {1, 4, 4, 5}, Quant(1.0f / 256, -128));
  b.AddOperator(ir::BuiltinOperator::SOFTMAX, {m}, {s}, tflite::SoftmaxOpts(1.0f));
  b.SetInputs({in});
  b.SetOutputs({s});
  std::vector<uint8_t> bytes = b.Serialize();
  Result<ir::Model> model = tflite::ReadModelFromBuffer(bytes, "small");
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::move(model).value();
}

TEST(ParamLayoutTest, SmallModelKindsSizesAndDecode) {
  ir::Model model = BuildSmallModel();
  for (CompilerGeneration gen : {CompilerGeneration::k2020_11, CompilerGeneration::k2021_07}) {
    Result<std::vector<LayerParams>> layers = EncodeRegionParams(model, {0, 1, 2}, gen);
    ASSERT_TRUE(layers.ok()) << layers.status().ToString();
    ASSERT_EQ(layers->size(), 3u);
    EXPECT_EQ((*layers)[0].kind, LayerKind::kConvPerChannel);
    EXPECT_EQ((*layers)[1].kind, LayerKind::kElementwiseConstant);
    EXPECT_TRUE((*layers)[1].always_streamed);
    EXPECT_FALSE((*layers)[0].always_streamed);
    EXPECT_EQ((*layers)[2].kind, LayerKind::kSoftmaxTable);
    EXPECT_EQ((*layers)[0].bytes.size(), 16u * (12 + 9 * 4));
    EXPECT_EQ((*layers)[1].bytes.size(), 64u + 128u);
    EXPECT_EQ((*layers)[2].bytes.size(), gen == CompilerGeneration::k2020_11 ? 0u : 3u * 2 * 64);  // int8 out
    for (const LayerParams& l : *layers) {
      EXPECT_EQ(LayerParamBytes(model, l.op_index, gen), static_cast<int64_t>(l.bytes.size())) << l.op_index;
    }
    Result<DecodedConv> dec = DecodeLayerConv(model, 0, (*layers)[0].bytes);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    const ir::Tensor& w = model.tensor(model.ops[0].inputs[1]);
    EXPECT_TRUE(std::equal(dec->weights.begin(), dec->weights.end(), w.data.begin(), w.data.end()));
    EXPECT_EQ(dec->bias, (std::vector<int32_t>{1, -2, 3, -4, 5}));
    // Per-channel header floats: requantisation multipliers (input scale 0.1, output 0.2), not
    // the weight scales.
    std::vector<float> want;
    for (float ws : w.quant.scale) want.push_back((ws * 0.1f) * (1.0f / 0.2f));
    EXPECT_EQ(dec->multipliers, want);
  }
  EXPECT_FALSE(EncodeRegionParams(model, {0, 0}).ok());
  EXPECT_FALSE(EncodeRegionParams(model, {5}).ok());
  EXPECT_FALSE(EncodeRegionParams(model, {-1}).ok());
  EXPECT_EQ(LayerParamBytes(model, 99), 0);
  EXPECT_FALSE(DecodeLayerConv(model, 1, {}).ok());
}

}  // namespace
}  // namespace etpu::params
