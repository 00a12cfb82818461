// The LSTM record (lstm_layout.h) on sizes other than the one real file (keras_lstm_mnist_ptq,
// I = 28, H = 20; byte-compared in real_blobs_test.cc): the structural properties of the rule
// written out independently of the encoder (sizes, where each weight and each 0/1 entry lands),
// the round trip, corruption checks, and the model-level choice between Google's layout and our
// constant records.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "params/built_model_test_util.h"
#include "params/lstm_layout.h"
#include "params/param_layout.h"

namespace etpu::params {
namespace {

int64_t Ceil(int64_t v, int64_t m) { return (v + m - 1) / m * m; }
int64_t Groups16(int64_t n) { return (n + 15) / 16; }
// Padded lanes of an FC with O outputs (conv layout: ceil16 up to 64, else ceil64).
int64_t Lanes(int64_t o) { return o <= 64 ? Ceil(o, 16) : Ceil(o, 64); }

// The rule's pieces, sized by hand (lstm_layout.h, items 1..7).
int64_t SpreadBytes(int64_t n) { return Groups16(n) * (256 + 64 * Ceil(n, 4)); }
int64_t CompactBytes(int64_t n) { return Lanes(n) * 4 * n; }
int64_t GateBytes(int64_t i, int64_t h) { return Lanes(h) * 4 + Lanes(h) * (Ceil(i, 4) + Ceil(h, 4)); }
int64_t RegroupBytes(int64_t n) { return Groups16(n) * 256 * n; }

LstmWeights RandomWeights(const LstmGeometry& g, uint32_t seed) {
  std::mt19937 rng(seed);
  LstmWeights w;
  for (int gate = 0; gate < kLstmGates; ++gate) {
    w.input[gate].resize(static_cast<size_t>(g.n_cell) * static_cast<size_t>(g.n_input));
    w.recurrent[gate].resize(static_cast<size_t>(g.n_cell) * static_cast<size_t>(g.n_cell));
    for (auto& v : w.input[gate]) v = static_cast<uint8_t>(rng());
    for (auto& v : w.recurrent[gate]) v = static_cast<uint8_t>(rng());
    for (int o = 0; o < g.n_cell; ++o) w.bias[gate].push_back(static_cast<int32_t>(rng()));
  }
  return w;
}

bool Same(const LstmWeights& a, const LstmWeights& b) {
  for (int gate = 0; gate < kLstmGates; ++gate) {
    if (a.input[gate] != b.input[gate] || a.recurrent[gate] != b.recurrent[gate] || a.bias[gate] != b.bias[gate]) {
      return false;
    }
  }
  return true;
}

const LstmGeometry kSizes[] = {{28, 20}, {5, 7}, {16, 16}, {33, 17}, {3, 64}, {70, 9}, {12, 80}};

TEST(LstmLayoutTest, SizesFollowTheRule) {
  for (const LstmGeometry& g : kSizes) {
    SCOPED_TRACE(testing::Message() << "I=" << g.n_input << " H=" << g.n_cell);
    const int64_t i = g.n_input, h = g.n_cell;
    const int64_t expected = SpreadBytes(i) + 64 + CompactBytes(i) + 4 * GateBytes(i, h) + SpreadBytes(h) +
                             RegroupBytes(i) + CompactBytes(h);
    EXPECT_EQ(LstmParamBytes(g), expected);
    for (int gate = 0; gate < kLstmGates; ++gate) {
      const LstmPiece p = LstmGatePiece(g, gate);
      EXPECT_EQ(p.offset, SpreadBytes(i) + 64 + CompactBytes(i) + gate * GateBytes(i, h));
      EXPECT_EQ(p.size, GateBytes(i, h));
    }
  }
  // The real file's sizes: 34 368 bytes, the gates at 7 744 + k * 1 664 (Google's offsets).
  EXPECT_EQ(LstmParamBytes({28, 20}), 34368);
  EXPECT_EQ(LstmGatePiece({28, 20}, 0).offset, 7744);
  EXPECT_EQ(LstmGatePiece({28, 20}, 3).offset, 7744 + 3 * 1664);
}

// Where the bytes land, for H <= 64 (one lane group per gate).
TEST(LstmLayoutTest, WeightsAndSelectionsLandWhereTheRuleSays) {
  for (const LstmGeometry& g : kSizes) {
    if (g.n_cell > 64) continue;
    SCOPED_TRACE(testing::Message() << "I=" << g.n_input << " H=" << g.n_cell);
    const int64_t i = g.n_input, h = g.n_cell, lanes = Lanes(h), rec_at = Ceil(i, 4);
    const LstmWeights w = RandomWeights(g, 7);
    Result<std::vector<uint8_t>> bytes = EncodeLstm(g, w);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    const std::vector<uint8_t>& b = *bytes;
    std::vector<bool> gate_byte(b.size(), false);
    for (int gate = 0; gate < kLstmGates; ++gate) {
      const int64_t at = LstmGatePiece(g, gate).offset;
      for (int64_t k = at; k < at + GateBytes(i, h); ++k) gate_byte[static_cast<size_t>(k)] = true;
      for (int64_t o = 0; o < h; ++o) {
        int32_t bias;
        std::memcpy(&bias, &b[static_cast<size_t>(at + 4 * o)], 4);
        EXPECT_EQ(bias, w.bias[gate][static_cast<size_t>(o)]);
        auto weight_at = [&](int64_t k) { return b[static_cast<size_t>(at + 4 * lanes + (k / 4) * 4 * lanes + 4 * o + k % 4)]; };
        for (int64_t c = 0; c < i; ++c) {
          ASSERT_EQ(weight_at(c), w.input[gate][static_cast<size_t>(o * i + c)] ^ 0x80) << "gate " << gate;
        }
        for (int64_t c = i; c < rec_at; ++c) ASSERT_EQ(weight_at(c), 0x80) << "gap between input and recurrent";
        for (int64_t c = 0; c < h; ++c) {
          ASSERT_EQ(weight_at(rec_at + c), w.recurrent[gate][static_cast<size_t>(o * h + c)] ^ 0x80) << "gate " << gate;
        }
      }
    }
    // Outside the gates: only 0/1 bytes, exactly one 1 per selected value.
    int64_t ones = 0;
    for (size_t k = 0; k < b.size(); ++k) {
      if (gate_byte[k]) continue;
      ASSERT_LE(b[k], 1) << "byte " << k;
      ones += b[k];
    }
    EXPECT_EQ(ones, 3 * i + 2 * h + 1);  // spread(I), compact(I), regroup(I), spread(H), compact(H), unit word
    // spread(I): value 16g + j at lane 4j of group g (after its 256-byte zero bias).
    for (int64_t v = 0; v < i; ++v) {
      const int64_t grp = v / 16, j = v % 16;
      EXPECT_EQ(b[static_cast<size_t>(grp * (256 + 64 * Ceil(i, 4)) + 256 + (v / 4) * 256 + 16 * j + v % 4)], 1);
    }
    // The unit word, then compact(I): lane m reads index 4m (row m, byte 0), in groups of 64 lanes.
    EXPECT_EQ(b[static_cast<size_t>(SpreadBytes(i))], 1);
    const int64_t compact_at = SpreadBytes(i) + 64, group_lanes = std::min<int64_t>(64, Lanes(i));
    for (int64_t m = 0; m < i; ++m) {
      EXPECT_EQ(b[static_cast<size_t>(compact_at + (m / 64) * group_lanes * 4 * i + m * 4 * group_lanes + 4 * (m % 64))], 1);
    }
  }
}

TEST(LstmLayoutTest, DecodeInvertsEncodeAndRejectsChangedSelections) {
  for (const LstmGeometry& g : kSizes) {
    SCOPED_TRACE(testing::Message() << "I=" << g.n_input << " H=" << g.n_cell);
    const LstmWeights w = RandomWeights(g, static_cast<uint32_t>(g.n_input * 100 + g.n_cell));
    Result<std::vector<uint8_t>> bytes = EncodeLstm(g, w);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    Result<LstmWeights> back = DecodeLstm(*bytes, g);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(Same(*back, w));
    // Every 0/1 byte outside the gates is checked: flipping any one is a DataLoss error.
    std::mt19937 rng(3);
    const LstmPiece first = LstmGatePiece(g, 0), last = LstmGatePiece(g, kLstmGates - 1);
    for (int trial = 0; trial < 40; ++trial) {
      size_t k = rng() % bytes->size();
      if (k >= static_cast<size_t>(first.offset) && k < static_cast<size_t>(last.offset + last.size)) continue;
      std::vector<uint8_t> bad = *bytes;
      bad[k] ^= 1;
      Result<LstmWeights> r = DecodeLstm(bad, g);
      ASSERT_FALSE(r.ok()) << "byte " << k;
      EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    }
    // A changed gate weight decodes to a changed weight.
    std::vector<uint8_t> changed = *bytes;
    // gate 0, lane 0, index 0: after the first lane group's bias words
    changed[static_cast<size_t>(first.offset + 4 * std::min<int64_t>(64, Lanes(g.n_cell)))] ^= 0x11;
    Result<LstmWeights> c = DecodeLstm(changed, g);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->input[0][0], w.input[0][0] ^ 0x11);
    // Wrong size.
    bytes->pop_back();
    EXPECT_FALSE(DecodeLstm(*bytes, g).ok());
  }
  EXPECT_FALSE(EncodeLstm({0, 4}, LstmWeights{}).ok());
  EXPECT_FALSE(EncodeLstm({4, 4}, LstmWeights{}).ok());  // weights missing
}

// An int8 LSTM [1, steps, I] -> [1, steps, H] with optional peephole weights.
ir::Model BuiltLstm(int n_in, int n_cell, bool peephole, uint32_t seed) {
  using TT = ir::TensorType;
  tflite::ModelBuilder b;
  std::mt19937 rng(seed);
  auto bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = static_cast<uint8_t>(rng());
    return v;
  };
  const int steps = 3;
  std::vector<int32_t> in(24, -1);
  in[0] = b.AddTensor("x", TT::INT8, {1, steps, n_in}, tflite::Quant(0.02f, -3));
  for (int s = 1; s <= 4; ++s) {
    in[static_cast<size_t>(s)] = b.AddTensor("wx" + std::to_string(s), TT::INT8, {n_cell, n_in}, tflite::Quant(0.01f, 0),
                                             bytes(static_cast<size_t>(n_cell * n_in)));
  }
  for (int s = 5; s <= 8; ++s) {
    in[static_cast<size_t>(s)] = b.AddTensor("wh" + std::to_string(s), TT::INT8, {n_cell, n_cell},
                                             tflite::Quant(0.01f, 0), bytes(static_cast<size_t>(n_cell * n_cell)));
  }
  if (peephole) in[10] = b.AddTensor("peephole", TT::INT16, {n_cell}, tflite::Quant(0.001f, 0), bytes(2 * n_cell));
  for (int s = 12; s <= 15; ++s) {
    in[static_cast<size_t>(s)] = b.AddTensor("b" + std::to_string(s), TT::INT32, {n_cell}, tflite::Quant(0.0002f, 0),
                                             bytes(static_cast<size_t>(4 * n_cell)));
  }
  in[18] = b.AddTensor("h", TT::INT8, {1, n_cell}, tflite::Quant(0.008f, -1), {}, true);
  in[19] = b.AddTensor("c", TT::INT16, {1, n_cell}, tflite::Quant(1.0f / 4096, 0), {}, true);
  const int out = b.AddTensor("y", TT::INT8, {1, steps, n_cell}, tflite::Quant(0.008f, -1));
  b.AddOperator(ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM, in, {out});
  b.SetInputs({in[0]});
  b.SetOutputs({out});
  return ReadBuilt(b);
}

TEST(LstmLayoutTest, ModelRecordUsesGoogleLayoutAndDecodesToTheModelsConstants) {
  const ir::Model m = BuiltLstm(11, 6, /*peephole=*/false, 5);
  ASSERT_TRUE(GoogleLstmGeometryOf(m, 0).has_value());
  Result<LayerParams> layer = EncodeLayerParams(m, 0);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_EQ(layer->kind, LayerKind::kLstm);
  EXPECT_FALSE(layer->always_streamed);
  EXPECT_EQ(static_cast<int64_t>(layer->bytes.size()), LstmParamBytes({11, 6}));
  EXPECT_EQ(LayerParamBytes(m, 0), static_cast<int64_t>(layer->bytes.size()));
  Result<std::vector<ConstRecord>> records = DecodeLayerConstants(m, 0, layer->bytes, "test");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 12u);  // 4 input weights, 4 recurrent weights, 4 biases
  const ir::Operator& op = m.ops[0];
  for (const ConstRecord& r : *records) {
    const ir::Tensor& t = m.tensor(op.inputs.at(static_cast<size_t>(r.input_slot)));
    EXPECT_TRUE(std::equal(r.data.begin(), r.data.end(), t.data.begin(), t.data.end())) << "slot " << r.input_slot;
  }
}

TEST(LstmLayoutTest, LstmWithPeepholeKeepsConstantRecords) {
  const ir::Model m = BuiltLstm(8, 4, /*peephole=*/true, 9);
  EXPECT_FALSE(GoogleLstmGeometryOf(m, 0).has_value());
  Result<LayerParams> layer = EncodeLayerParams(m, 0);
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  Result<std::vector<ConstRecord>> records = DecodeLayerConstants(m, 0, layer->bytes, "test");
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->size(), 13u);  // the peephole weights too
}

// Google's layout grows as 16·I² bytes: an input size above 2 048 keeps our constant records, so
// a small file cannot make the compiler lay out gigabytes.
TEST(LstmLayoutTest, OversizedLstmKeepsConstantRecords) {
  EXPECT_EQ(LstmParamBytes({2049, 1}), 0);
  EXPECT_FALSE(EncodeLstm({1, 2049}, LstmWeights{}).ok());
  EXPECT_GT(LstmParamBytes({2048, 1}), 0);
  const ir::Model m = BuiltLstm(2049, 1, /*peephole=*/false, 4);
  EXPECT_FALSE(GoogleLstmGeometryOf(m, 0).has_value());
  EXPECT_LT(LayerParamBytes(m, 0), 64 * 1024);  // 12 constant records
}

}  // namespace
}  // namespace etpu::params
