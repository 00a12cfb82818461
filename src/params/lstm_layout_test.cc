// The LSTM record (lstm_layout.h) on sizes other than the one real file (keras_lstm_mnist_ptq,
// I = 28, H = 20, T = 28; byte-compared in real_blobs_test.cc): the structural properties of the rule
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
// The streamed part: one byte per value of the output sequence (batch x steps x H), to 64.
int64_t StreamedBytes(int64_t batch, int64_t steps, int64_t h) { return Ceil(batch * steps * h, 64); }

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

// (I, H, batch x steps x H): steps differ from I except in the real file's sizes.
const LstmGeometry kSizes[] = {{28, 20, 28 * 20}, {5, 7, 2 * 3 * 7}, {16, 16, 1 * 16}, {33, 17, 9 * 17},
                               {3, 64, 2 * 64},   {70, 9, 5 * 9},      {12, 80, 4 * 80}};

TEST(LstmLayoutTest, SizesFollowTheRule) {
  for (const LstmGeometry& g : kSizes) {
    SCOPED_TRACE(testing::Message() << "I=" << g.n_input << " H=" << g.n_cell << " sequence=" << g.sequence_values);
    const int64_t i = g.n_input, h = g.n_cell;
    const int64_t expected = SpreadBytes(i) + 64 + CompactBytes(i) + 4 * GateBytes(i, h) + SpreadBytes(h) +
                             RegroupBytes(i) + CompactBytes(h);
    EXPECT_EQ(LstmCachedPartBytes(g), expected);
    EXPECT_EQ(LstmStreamedPartBytes(g), StreamedBytes(1, g.sequence_values / h, h));
    EXPECT_EQ(LstmParamBytes(g), expected + StreamedBytes(1, g.sequence_values / h, h));
    for (int gate = 0; gate < kLstmGates; ++gate) {
      const LstmPiece p = LstmGatePiece(g, gate);
      EXPECT_EQ(p.offset, SpreadBytes(i) + 64 + CompactBytes(i) + gate * GateBytes(i, h));
      EXPECT_EQ(p.size, GateBytes(i, h));
    }
  }
  // The real file's sizes: 34 368 cached bytes, the gates at 7 744 + k * 1 664 (Google's
  // offsets), 576 streamed bytes.
  EXPECT_EQ(LstmCachedPartBytes({28, 20, 560}), 34368);
  EXPECT_EQ(LstmStreamedPartBytes({28, 20, 560}), 576);
  EXPECT_EQ(LstmGatePiece({28, 20, 560}, 0).offset, 7744);
  EXPECT_EQ(LstmGatePiece({28, 20, 560}, 3).offset, 7744 + 3 * 1664);
  // The streamed part is sized by the sequence only: the same I and H over other lengths.
  EXPECT_EQ(LstmStreamedPartBytes({28, 20, 1 * 20}), 64);
  EXPECT_EQ(LstmStreamedPartBytes({28, 20, 16 * 20}), 320);
  EXPECT_EQ(LstmStreamedPartBytes({28, 20, 2 * 28 * 20}), 1152);
  EXPECT_EQ(LstmCachedPartBytes({28, 20, 16 * 20}), 34368);
  // A sequence that is not whole H-vectors, or longer than the limit, is refused.
  EXPECT_EQ(LstmParamBytes({28, 20, 0}), 0);
  EXPECT_EQ(LstmParamBytes({28, 20, 30}), 0);
  EXPECT_EQ(LstmParamBytes({28, 1, (int64_t{1} << 22) + 1}), 0);
  EXPECT_GT(LstmParamBytes({28, 1, int64_t{1} << 22}), 0);
}

// Where the bytes land, for H <= 64 (one lane group per gate).
TEST(LstmLayoutTest, WeightsAndSelectionsLandWhereTheRuleSays) {
  for (const LstmGeometry& g : kSizes) {
    if (g.n_cell > 64) continue;
    SCOPED_TRACE(testing::Message() << "I=" << g.n_input << " H=" << g.n_cell << " sequence=" << g.sequence_values);
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
    // The streamed part: the sequence's stored int8 zeros, then zero padding to 64.
    const int64_t cached = LstmCachedPartBytes(g);
    ASSERT_EQ(static_cast<int64_t>(b.size()), cached + Ceil(g.sequence_values, 64));
    for (int64_t k = cached; k < static_cast<int64_t>(b.size()); ++k) {
      ASSERT_EQ(b[static_cast<size_t>(k)], k - cached < g.sequence_values ? 0x80 : 0x00) << "streamed byte " << k - cached;
    }
    // Outside the gates: only 0/1 bytes, exactly one 1 per selected value.
    int64_t ones = 0;
    for (size_t k = 0; k < static_cast<size_t>(cached); ++k) {
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
    SCOPED_TRACE(testing::Message() << "I=" << g.n_input << " H=" << g.n_cell << " sequence=" << g.sequence_values);
    const LstmWeights w = RandomWeights(g, static_cast<uint32_t>(g.n_input * 100 + g.n_cell));
    Result<std::vector<uint8_t>> bytes = EncodeLstm(g, w);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    Result<LstmWeights> back = DecodeLstm(*bytes, g);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(Same(*back, w));
    // Every 0/1 byte outside the gates and every byte of the streamed part is checked: flipping
    // any one is a DataLoss error.
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
  EXPECT_FALSE(EncodeLstm({0, 4, 4}, LstmWeights{}).ok());
  EXPECT_FALSE(EncodeLstm({4, 4, 4}, LstmWeights{}).ok());  // weights missing
  EXPECT_FALSE(EncodeLstm({4, 4, 6}, RandomWeights({4, 4, 8}, 1)).ok());  // not whole 4-value steps
}

// An int8 LSTM [batch, steps, I] -> [batch, steps, H] with optional peephole weights.
ir::Model BuiltLstm(int n_in, int n_cell, bool peephole, uint32_t seed, int steps = 3, int batch = 1) {
  using TT = ir::TensorType;
  tflite::ModelBuilder b;
  std::mt19937 rng(seed);
  auto bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& x : v) x = static_cast<uint8_t>(rng());
    return v;
  };
  std::vector<int32_t> in(24, -1);
  in[0] = b.AddTensor("x", TT::INT8, {batch, steps, n_in}, tflite::Quant(0.02f, -3));
  for (int s = 1; s <= 4; ++s) {
    in[static_cast<size_t>(s)] = b.AddTensor(std::string("wx").append(std::to_string(s)), TT::INT8, {n_cell, n_in}, tflite::Quant(0.01f, 0),
                                             bytes(static_cast<size_t>(n_cell * n_in)));
  }
  for (int s = 5; s <= 8; ++s) {
    in[static_cast<size_t>(s)] = b.AddTensor(std::string("wh").append(std::to_string(s)), TT::INT8, {n_cell, n_cell},
                                             tflite::Quant(0.01f, 0), bytes(static_cast<size_t>(n_cell * n_cell)));
  }
  if (peephole) in[10] = b.AddTensor("peephole", TT::INT16, {n_cell}, tflite::Quant(0.001f, 0), bytes(2 * n_cell));
  for (int s = 12; s <= 15; ++s) {
    in[static_cast<size_t>(s)] = b.AddTensor(std::string("b").append(std::to_string(s)), TT::INT32, {n_cell}, tflite::Quant(0.0002f, 0),
                                             bytes(static_cast<size_t>(4 * n_cell)));
  }
  in[18] = b.AddTensor("h", TT::INT8, {batch, n_cell}, tflite::Quant(0.008f, -1), {}, true);
  in[19] = b.AddTensor("c", TT::INT16, {batch, n_cell}, tflite::Quant(1.0f / 4096, 0), {}, true);
  const int out = b.AddTensor("y", TT::INT8, {batch, steps, n_cell}, tflite::Quant(0.008f, -1));
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
  EXPECT_EQ(static_cast<int64_t>(layer->bytes.size()), LstmParamBytes({11, 6, 3 * 6}));
  // Two pieces: the weights, placed like any record, then the sequence buffer, always streamed.
  ASSERT_EQ(layer->pieces.size(), 2u);
  EXPECT_EQ(layer->pieces[0].bytes, LstmCachedPartBytes({11, 6, 3 * 6}));
  EXPECT_FALSE(layer->pieces[0].always_streamed);
  EXPECT_EQ(layer->pieces[1].bytes, 64);
  EXPECT_TRUE(layer->pieces[1].always_streamed);
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

// The streamed part's size from the model: batch x steps x H values, padded to 64 bytes, whatever
// I is (hand-written: the output tensor's element count rounded up).
TEST(LstmLayoutTest, StreamedPartFollowsTheOutputSequence) {
  struct Case { int n_in, n_cell, steps, batch; };
  for (const Case c : {Case{11, 6, 3, 1}, Case{4, 20, 28, 1}, Case{28, 20, 5, 2}, Case{7, 33, 16, 1}, Case{9, 64, 1, 3}}) {
    SCOPED_TRACE(testing::Message() << "I=" << c.n_in << " H=" << c.n_cell << " T=" << c.steps << " B=" << c.batch);
    const ir::Model m = BuiltLstm(c.n_in, c.n_cell, /*peephole=*/false, 11, c.steps, c.batch);
    const std::optional<LstmGeometry> g = GoogleLstmGeometryOf(m, 0);
    ASSERT_TRUE(g.has_value());
    EXPECT_EQ(g->sequence_values, int64_t{c.batch} * c.steps * c.n_cell);
    Result<LayerParams> layer = EncodeLayerParams(m, 0);
    ASSERT_TRUE(layer.ok()) << layer.status().ToString();
    const std::vector<RecordPiece> pieces = PiecesOf(*layer);
    ASSERT_EQ(pieces.size(), 2u);
    EXPECT_EQ(pieces[1].bytes, StreamedBytes(c.batch, c.steps, c.n_cell));
    EXPECT_TRUE(pieces[1].always_streamed);
    EXPECT_EQ(pieces[0].bytes + pieces[1].bytes, static_cast<int64_t>(layer->bytes.size()));
    EXPECT_EQ(LayerParamBytes(m, 0), static_cast<int64_t>(layer->bytes.size()));
    Result<std::vector<ConstRecord>> records = DecodeLayerConstants(m, 0, layer->bytes, "test");
    ASSERT_TRUE(records.ok()) << records.status().ToString();
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
  EXPECT_EQ(LstmParamBytes({2049, 1, 1}), 0);
  EXPECT_FALSE(EncodeLstm({1, 2049, 2049}, LstmWeights{}).ok());
  EXPECT_GT(LstmParamBytes({2048, 1, 1}), 0);
  const ir::Model m = BuiltLstm(2049, 1, /*peephole=*/false, 4);
  EXPECT_FALSE(GoogleLstmGeometryOf(m, 0).has_value());
  EXPECT_LT(LayerParamBytes(m, 0), 64 * 1024);  // 12 constant records
  // A sequence beyond the streamed part's limit (2^22 values) too.
  const ir::Model long_sequence = BuiltLstm(2, 2, /*peephole=*/false, 4, (1 << 21) + 1);
  EXPECT_FALSE(GoogleLstmGeometryOf(long_sequence, 0).has_value());
  EXPECT_TRUE(GoogleLstmGeometryOf(BuiltLstm(2, 2, /*peephole=*/false, 4, 1 << 21), 0).has_value());
  // An output shape the file reader would refuse (a model built in memory): refused, not wrapped.
  ir::Model huge = BuiltLstm(2, 2, /*peephole=*/false, 4);
  huge.tensors[static_cast<size_t>(huge.ops[0].outputs[0])].shape = {1 << 30, 1 << 30, 2};
  EXPECT_FALSE(GoogleLstmGeometryOf(huge, 0).has_value());
}

}  // namespace
}  // namespace etpu::params
