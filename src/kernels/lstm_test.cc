// Unit tests of the integer LSTM that need no oracle: the 16-bit fixed-point activations and
// inverse square root against their real-valued definitions, and Prepare's checks.
// Bit-exactness with TFLite is tested in lstm_oracle_test.cc.
#include "kernels/lstm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace etpu::kernels {
namespace {

TEST(Lstm16BitActivations, LogisticCloseToRealForEveryInput) {
  double worst = 0;
  for (int raw = -32768; raw <= 32767; ++raw) {
    const double x = raw / 4096.0;  // Q3.12
    const double want = 1.0 / (1.0 + std::exp(-x));
    const double got = lstm_internal::Logistic16(static_cast<int16_t>(raw)) / 32768.0;
    worst = std::max(worst, std::abs(want - got));
  }
  EXPECT_LT(worst, 2e-4);
  EXPECT_EQ(lstm_internal::Logistic16(0), 16384);
}

TEST(Lstm16BitActivations, TanhCloseToRealForEveryInputAndFormat) {
  for (int bits = 0; bits <= 6; ++bits) {
    double worst = 0;
    for (int raw = -32768; raw <= 32767; ++raw) {
      const double x = std::ldexp(raw, bits - 15);
      const double got = lstm_internal::Tanh16(bits, static_cast<int16_t>(raw)) / 32768.0;
      worst = std::max(worst, std::abs(std::tanh(x) - got));
    }
    EXPECT_LT(worst, 5e-4) << "integer bits " << bits;
  }
}

// Note: gemmlowp's 16-bit logistic is not monotone (e.g. raw inputs near -4.9 step down by a
// few LSB); the oracle test shows TFLite has the same steps, so no monotonicity test here.

TEST(LstmInvSqrt, IsTheInverseSquareRoot) {
  for (int64_t v = 2; v <= INT32_MAX; v = v * 3 + 1) {
    const QuantizedMultiplier m = lstm_internal::InvSqrtQuantizedMultiplier(static_cast<int32_t>(v));
    const double got = m.multiplier / 2147483648.0 * std::ldexp(1.0, m.shift);
    EXPECT_NEAR(got * std::sqrt(static_cast<double>(v)), 1.0, 1e-4) << v;
  }
  // Inputs <= 1 give the largest multiplier and no shift.
  EXPECT_EQ(lstm_internal::InvSqrtQuantizedMultiplier(1).multiplier, INT32_MAX);
  EXPECT_EQ(lstm_internal::InvSqrtQuantizedMultiplier(0).shift, 0);
}

IntegerLstmSpec SmallSpec(std::vector<int8_t>& w, std::vector<int32_t>& b) {
  IntegerLstmSpec s;
  s.n_batch = 1; s.n_time = 2; s.n_input = 3; s.n_cell = 2; s.n_output = 2;
  w.assign(6, 1);
  b.assign(2, 0);
  s.input = {0.01f, 0};
  s.output_state = {0.01f, 0};
  s.output = {0.01f, 0};
  s.cell_state_scale = 1.0f / 4096;
  for (int g = 0; g < 4; ++g) {
    s.input_weights[g] = {w.data(), 0.01f};
    s.recurrent_weights[g] = {w.data(), 0.01f};
    s.biases[g] = b.data();
  }
  s.intermediates[4] = {0.01f, 0};
  return s;
}

TEST(LstmPrepare, AcceptsAMinimalSpecAndRuns) {
  std::vector<int8_t> w;
  std::vector<int32_t> b;
  auto p = PrepareIntegerLstm(SmallSpec(w, b));
  ASSERT_TRUE(p.ok()) << p.status().message();
  std::vector<int8_t> in = {10, 20, 30, -10, -20, -30}, out(4), h(2, 0);
  std::vector<int16_t> c(2, 0);
  ASSERT_TRUE(IntegerLstm(p.value(), in.data(), h.data(), c.data(), out.data()).ok());
  EXPECT_EQ(out[2], h[0]);  // output holds the last hidden state
  EXPECT_TRUE(IntegerLstm(p.value(), nullptr, h.data(), c.data(), out.data()).code() !=
              StatusCode::kOk);
}

TEST(LstmPrepare, RejectsBadSpecs) {
  std::vector<int8_t> w;
  std::vector<int32_t> b;
  IntegerLstmSpec s = SmallSpec(w, b);
  s.cell_state_scale = 0.001f;  // not a power of two
  EXPECT_FALSE(PrepareIntegerLstm(s).ok());
  s = SmallSpec(w, b);
  s.cell_state_scale = 1.0f / 256;  // 2^-8 > 2^-9
  EXPECT_FALSE(PrepareIntegerLstm(s).ok());
  s = SmallSpec(w, b);
  s.recurrent_weights[kLstmInputGate] = {};  // half a CIFG
  EXPECT_FALSE(PrepareIntegerLstm(s).ok());
  s = SmallSpec(w, b);
  s.n_output = 3;  // no projection but n_output != n_cell
  EXPECT_FALSE(PrepareIntegerLstm(s).ok());
  s = SmallSpec(w, b);
  s.biases[kLstmForgetGate] = nullptr;
  EXPECT_FALSE(PrepareIntegerLstm(s).ok());
  s = SmallSpec(w, b);
  s.n_time = 0;
  EXPECT_FALSE(PrepareIntegerLstm(s).ok());
  s = SmallSpec(w, b);
  std::vector<int16_t> ln(2, 100);
  s.layer_norm[kLstmForgetGate] = {ln.data(), 0.01f};  // only one gate normalised
  EXPECT_FALSE(PrepareIntegerLstm(s).ok());
}

// Found by runtime_loader_fuzzer: a hostile model's zero point overflowed the bias folding
// (undefined behaviour). An int8 zero point outside [-128, 127] is refused, naming it.
TEST(LstmPrepare, RejectsZeroPointsOutsideInt8) {
  std::vector<int8_t> w;
  std::vector<int32_t> b;
  for (int which = 0; which < 4; ++which) {
    IntegerLstmSpec s = SmallSpec(w, b);
    QuantParams* q[] = {&s.input, &s.output_state, &s.output, &s.intermediates[4]};
    q[which]->zero_point = which % 2 == 0 ? -1919903360 : 128;
    auto p = PrepareIntegerLstm(s);
    ASSERT_FALSE(p.ok()) << which;
    EXPECT_NE(p.status().message().find("zero point"), std::string::npos) << p.status().message();
  }
}

}  // namespace
}  // namespace etpu::kernels
