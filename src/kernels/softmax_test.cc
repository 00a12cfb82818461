// Fixed-point helpers against libm, and SOFTMAX / LOGISTIC / TANH against their real-valued
// definitions (within 1 LSB), plus saturation and shape edge cases.
#include "kernels/softmax.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernels/activations.h"
#include "kernels/fixed_point.h"
#include "kernels/kernels_test_util.h"

namespace etpu::kernels {
namespace {

TEST(FixedPointTest, ExpAndReciprocalAreAccurate) {
  using namespace fixed;  // NOLINT
  for (double a = -31.9; a <= 0; a += 0.0137) {
    const auto x = Fixed<5>::FromRaw(static_cast<int32_t>(std::round(a * (1 << 26))));
    const double got = ExpOnNegativeValues(x).raw / 2147483648.0;
    ASSERT_NEAR(got, std::exp(x.raw / double(1 << 26)), 5e-7) << a;
  }
  for (double a = 0; a < 1; a += 0.001) {
    const auto x = Fixed<0>::FromRaw(static_cast<int32_t>(std::round(a * 2147483648.0)));
    ASSERT_NEAR(OneOverOnePlusXForXIn01(x).raw / 2147483648.0, 1 / (1 + a), 1e-8) << a;
    ASSERT_NEAR(OneMinusXOverOnePlusXForXIn01(x).raw / 2147483648.0, (1 - a) / (1 + a), 1e-8);
  }
  for (double a = -7.9; a < 7.9; a += 0.01) {
    const auto x = Fixed<4>::FromRaw(static_cast<int32_t>(std::round(a * (1 << 27))));
    ASSERT_NEAR(Logistic(x).raw / 2147483648.0, 1 / (1 + std::exp(-a)), 5e-7) << a;
    ASSERT_NEAR(Tanh(x).raw / 2147483648.0, std::tanh(a), 5e-7) << a;
  }
  EXPECT_EQ(Logistic(Fixed<4>::FromRaw(0)).raw, 1 << 30);
  EXPECT_EQ(Tanh(Fixed<4>::FromRaw(0)).raw, 0);
  EXPECT_EQ(ExpOnNegativeValues(Fixed<5>::FromRaw(0)).raw, INT32_MAX);
}

template <typename T>
void CheckSoftmax(uint32_t seed, float beta) {
  std::mt19937 rng(seed);
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const QType type = kU8 ? QType::kUInt8 : QType::kInt8;
  const int lo = kU8 ? 0 : -128, hi = kU8 ? 255 : 127;
  for (int iter = 0; iter < 50; ++iter) {
    const float in_scale = std::uniform_real_distribution<float>(0.01f, 0.3f)(rng);
    auto p = PrepareSoftmax(beta, type, {in_scale, 0}, {1.0f / 256, kU8 ? 0 : -128});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    const int depth = 1 + static_cast<int>(rng() % 1001);
    auto x = testing::RandomVector<T>(rng, 2 * depth, lo, hi);
    std::vector<T> y(x.size());
    ASSERT_TRUE(Softmax(*p, 2, depth, x.data(), y.data()).ok());
    for (int r = 0; r < 2; ++r) {
      double mx = -1e9, sum = 0;
      for (int c = 0; c < depth; ++c) mx = std::max<double>(mx, x[r * depth + c]);
      for (int c = 0; c < depth; ++c) sum += std::exp(beta * in_scale * (x[r * depth + c] - mx));
      for (int c = 0; c < depth; ++c) {
        const double real = std::exp(beta * in_scale * (x[r * depth + c] - mx)) / sum;
        const double want = std::min<double>(std::round(real * 256) + lo, hi);
        ASSERT_LE(std::abs(want - y[r * depth + c]), 1.0) << "depth " << depth << " c " << c << " x " << int{x[r*depth+c]} << " max " << mx << " scale " << in_scale << " diffmin " << p->diff_min << " mult " << p->input_multiplier << " shift " << p->input_left_shift;
      }
    }
  }
}

TEST(SoftmaxTest, Uint8CloseToRealSoftmax) { CheckSoftmax<uint8_t>(21, 1.0f); }
TEST(SoftmaxTest, Int8CloseToRealSoftmax) { CheckSoftmax<int8_t>(22, 1.0f); }
TEST(SoftmaxTest, BetaIsApplied) { CheckSoftmax<uint8_t>(23, 0.5f); }

// The prepared exp() table (PrepareSoftmax) gives the bytes of the per-element computation, for
// input scales / betas whose diff_min cuts the 256 differences anywhere, both types, rows that
// span the whole 8-bit range.
TEST(SoftmaxTest, PreparedExpTableMatchesPerElementExp) {
  std::mt19937 rng(31);
  for (float scale : {0.0039f, 0.02f, 0.1f, 0.5f, 4.0f}) {
    for (float beta : {0.25f, 1.0f, 3.0f}) {
      for (bool u8 : {true, false}) {
        auto p = PrepareSoftmax(beta, u8 ? QType::kUInt8 : QType::kInt8, {scale, u8 ? 10 : -3},
                                {1.0f / 256, u8 ? 0 : -128});
        ASSERT_TRUE(p.ok());
        ASSERT_EQ(p->exp_of_diff.size(), 256u);
        SoftmaxParams per_element = *p;
        per_element.exp_of_diff.clear();
        const int depth = 1001;
        std::vector<uint8_t> x(static_cast<size_t>(depth) * 2);
        for (auto& v : x) v = static_cast<uint8_t>(rng());
        x[0] = 0, x[1] = 255;  // every difference occurs in the first row
        std::vector<uint8_t> a(x.size()), b(x.size());
        if (u8) {
          ASSERT_TRUE(Softmax(*p, 2, depth, x.data(), a.data()).ok());
          ASSERT_TRUE(Softmax(per_element, 2, depth, x.data(), b.data()).ok());
        } else {
          const auto* xi = reinterpret_cast<const int8_t*>(x.data());
          ASSERT_TRUE(Softmax(*p, 2, depth, xi, reinterpret_cast<int8_t*>(a.data())).ok());
          ASSERT_TRUE(Softmax(per_element, 2, depth, xi, reinterpret_cast<int8_t*>(b.data())).ok());
        }
        ASSERT_EQ(a, b) << "scale " << scale << " beta " << beta << (u8 ? " uint8" : " int8");
      }
    }
  }
}

TEST(SoftmaxTest, SaturatesAndRejectsBadOutputQuantization) {
  auto p = PrepareSoftmax(1.0f, QType::kUInt8, {1.0f, 0}, {1.0f / 256, 0});
  ASSERT_TRUE(p.ok());
  const uint8_t x[3] = {0, 255, 100};
  uint8_t y[3];
  ASSERT_TRUE(Softmax(*p, 1, 3, x, y).ok());
  EXPECT_EQ(y[0], 0);
  EXPECT_EQ(y[1], 255);  // exp(0)/1 clamps to 255
  EXPECT_EQ(y[2], 0);
  EXPECT_FALSE(PrepareSoftmax(1.0f, QType::kUInt8, {1.0f, 0}, {1.0f / 128, 0}).ok());
  EXPECT_FALSE(PrepareSoftmax(1.0f, QType::kInt8, {1.0f, 0}, {1.0f / 256, 0}).ok());
  EXPECT_FALSE(Softmax(*p, 1, 0, x, y).ok());
}

template <typename T>
void CheckSigmoid(bool tanh_op) {
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const QType type = kU8 ? QType::kUInt8 : QType::kInt8;
  const int lo = kU8 ? 0 : -128, hi = kU8 ? 255 : 127;
  for (float in_scale : {0.01f, 0.0625f, 0.1f, 0.3f}) {
    const QuantParams iq{in_scale, kU8 ? 128 : 3};
    const QuantParams oq = tanh_op ? QuantParams{1.0f / 128, kU8 ? 128 : 0}
                                   : QuantParams{1.0f / 256, kU8 ? 0 : -128};
    auto p = tanh_op ? PrepareTanh(type, iq, oq) : PrepareLogistic(type, iq, oq);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    std::vector<T> x, y(hi - lo + 1);
    for (int v = lo; v <= hi; ++v) x.push_back(static_cast<T>(v));
    ASSERT_TRUE((tanh_op ? Tanh(*p, x.size(), x.data(), y.data())
                         : Logistic(*p, x.size(), x.data(), y.data())).ok());
    for (size_t i = 0; i < x.size(); ++i) {
      const double a = in_scale * (x[i] - iq.zero_point);
      const double real = tanh_op ? std::tanh(a) : 1 / (1 + std::exp(-a));
      const double want = std::min<double>(std::max<double>(std::round(real / oq.scale) + oq.zero_point, lo), hi);
      ASSERT_LE(std::abs(want - y[i]), 1.0) << "scale " << in_scale << " x " << int{x[i]};
    }
  }
}

TEST(LogisticTest, Uint8CloseToReal) { CheckSigmoid<uint8_t>(false); }
TEST(LogisticTest, Int8CloseToReal) { CheckSigmoid<int8_t>(false); }
TEST(TanhTest, Uint8CloseToReal) { CheckSigmoid<uint8_t>(true); }
TEST(TanhTest, Int8CloseToReal) { CheckSigmoid<int8_t>(true); }

TEST(ReluTest, RequantizesAndClamps) {
  auto p = PrepareRelu(Activation::kRelu6, QType::kUInt8, {0.1f, 100}, {0.05f, 10});
  ASSERT_TRUE(p.ok());
  const uint8_t x[4] = {50, 100, 120, 200};  // -5, 0, 2, 10 real
  uint8_t y[4];
  ASSERT_TRUE(Relu(*p, 4, x, y).ok());
  EXPECT_EQ(y[0], 10);
  EXPECT_EQ(y[1], 10);
  EXPECT_EQ(y[2], 50);
  EXPECT_EQ(y[3], 130);  // 6 / 0.05 + 10
  // uint8 LEAKY_RELU (2.2): alpha 0.25 at scale 0.5, zero point 128 -> q_alpha = round(128.5) =
  // 129, alpha_value 1, multiplier 0.5 * 0.5 / 0.5 = 0.5: negatives become zp + round(x / 2),
  // positives pass through raw.
  auto lu = PrepareLeakyRelu(0.25f, QType::kUInt8, {0.5f, 128}, {0.5f, 128});
  ASSERT_TRUE(lu.ok());
  EXPECT_EQ(lu->alpha_value, 1);
  const uint8_t xu[4] = {120, 125, 128, 135};
  uint8_t yu[4];
  ASSERT_TRUE(LeakyRelu(*lu, 4, xu, yu).ok());
  EXPECT_EQ(yu[0], 124);
  EXPECT_EQ(yu[1], 127);  // -1.5 in the high mul alone (shift 0) rounds up
  EXPECT_EQ(yu[2], 128);
  EXPECT_EQ(yu[3], 135);
  // int8 LEAKY_RELU (2.9): identity multiplier 0.5 / 0.5 = 1 (2^30, shift 1) and alpha multiplier
  // 0.25 (2^30, shift -1), both through MBQM: -8 -> high mul -4, /2 -> -2; -3 -> high mul -1
  // (-1.5 rounds up), /2 -> -1 (-0.5 rounds away from zero).
  auto l = PrepareLeakyRelu(0.25f, QType::kInt8, {0.5f, 0}, {0.5f, 0});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->multiplier, 1 << 30);
  EXPECT_EQ(l->shift, 1);
  EXPECT_EQ(l->alpha_multiplier, 1 << 30);
  EXPECT_EQ(l->alpha_shift, -1);
  const int8_t xi[5] = {-8, -3, 0, 7, 127};
  int8_t yi[5];
  ASSERT_TRUE(LeakyRelu(*l, 5, xi, yi).ok());
  EXPECT_EQ(yi[0], -2);
  EXPECT_EQ(yi[1], -1);
  EXPECT_EQ(yi[2], 0);
  EXPECT_EQ(yi[3], 7);
  EXPECT_EQ(yi[4], 127);
  // int8 with a rescale: s_in / s_out = 2 doubles positives and clamps at 127; zero point moves.
  auto l2 = PrepareLeakyRelu(0.5f, QType::kInt8, {0.2f, -10}, {0.1f, 5});
  ASSERT_TRUE(l2.ok());
  const int8_t x2[4] = {-10, 0, 100, -20};  // real 0, 2, 22, -2
  int8_t y2[4];
  ASSERT_TRUE(LeakyRelu(*l2, 4, x2, y2).ok());
  EXPECT_EQ(y2[0], 5);
  EXPECT_EQ(y2[1], 25);
  EXPECT_EQ(y2[2], 127);
  EXPECT_EQ(y2[3], -5);  // -2 * 0.5 / 0.1 = -10 steps from 5
  EXPECT_FALSE(PrepareLeakyRelu(0.2f, QType::kInt8, {1e30f, 0}, {1e-30f, 0}).ok());  // ratio overflows
  EXPECT_FALSE(PrepareLeakyRelu(0.2f, QType::kUInt8, {2.0f, 0}, {1.0f, 0}).ok());  // multiplier >= 1
}

}  // namespace
}  // namespace etpu::kernels
