#include "kernels/quant_utils.h"

#include <gtest/gtest.h>

#include <random>

#include "kernels/kernels_test_util.h"

namespace etpu::kernels {
namespace {

using testing::RefQuantizeMultiplier;
using testing::RefRequant;

TEST(QuantUtilsTest, HighMulRoundsTiesUpAndSaturates) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, 1 << 30), 1);    // +0.5 -> 1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-1, 1 << 30), 0);   // -0.5 -> 0
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, 1 << 30), -1);  // -1.5 -> -1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX), INT32_MAX - 1);
}

TEST(QuantUtilsTest, RoundingDivideByPotRoundsHalfAwayFromZero) {
  EXPECT_EQ(RoundingDivideByPOT(3, 1), 2);
  EXPECT_EQ(RoundingDivideByPOT(-3, 1), -2);
  EXPECT_EQ(RoundingDivideByPOT(5, 2), 1);
  EXPECT_EQ(RoundingDivideByPOT(-5, 2), -1);
  EXPECT_EQ(RoundingDivideByPOT(6, 2), 2);
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);
  EXPECT_EQ(RoundingDivideByPOT(-7, 2), -2);
  EXPECT_EQ(RoundingDivideByPOT(7, 0), 7);
}

TEST(QuantUtilsTest, QuantizeMultiplierKnownValues) {
  auto q = QuantizeMultiplier(0.5);
  EXPECT_EQ(q.multiplier, 1 << 30);
  EXPECT_EQ(q.shift, 0);
  q = QuantizeMultiplier(1.0);
  EXPECT_EQ(q.multiplier, 1 << 30);
  EXPECT_EQ(q.shift, 1);
  q = QuantizeMultiplier(0.75);
  EXPECT_EQ(q.multiplier, 1610612736);
  EXPECT_EQ(q.shift, 0);
  q = QuantizeMultiplier(1.0 - std::ldexp(1.0, -34));  // rounds up to 2^31 -> halved
  EXPECT_EQ(q.multiplier, 1 << 30);
  EXPECT_EQ(q.shift, 1);
  q = QuantizeMultiplier(std::ldexp(1.0, -40));  // exponent below -31 flushes to zero
  EXPECT_EQ(q.multiplier, 0);
  EXPECT_EQ(q.shift, 0);
  q = QuantizeMultiplier(0.0);
  EXPECT_EQ(q.multiplier, 0);
}

TEST(QuantUtilsTest, QuantizeMultiplierMatchesIndependentModel) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> mant(0.5, 1.0);
  std::uniform_int_distribution<int> ex(-30, 20);
  for (int i = 0; i < 20000; ++i) {
    const double real = std::ldexp(mant(rng), ex(rng));
    int32_t m;
    int e;
    RefQuantizeMultiplier(real, &m, &e);
    const auto q = QuantizeMultiplier(real);
    ASSERT_EQ(q.multiplier, m) << real;
    ASSERT_EQ(q.shift, e) << real;
  }
}

TEST(QuantUtilsTest, MultiplyByQuantizedMultiplierMatchesIndependentModel) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> xs(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> ms(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shifts(-20, 8);
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = xs(rng), m = ms(rng);
    const int s = shifts(rng);
    ASSERT_EQ(MultiplyByQuantizedMultiplier(x, m, s), RefRequant(x, m, s))
        << x << " " << m << " " << s;
  }
  // Exact ties: x * 2^30 / 2^31 = x/2, then / 2^s.
  for (int32_t x = -64; x <= 64; ++x) {
    for (int s = -4; s <= 0; ++s) {
      ASSERT_EQ(MultiplyByQuantizedMultiplier(x, 1 << 30, s), RefRequant(x, 1 << 30, s));
    }
  }
}

// Shifts beyond 31 bits (hostile scales only) are defined: a left shift of 32 or more leaves
// nothing of x (0), a right shift stops at 31 (the x86 shift instruction masks the count to 5
// bits, so undefined code gave x << (s - 32) here).
TEST(QuantUtilsTest, MultiplyByQuantizedMultiplierBeyond31BitsIsDefined) {
  for (int s : {32, 40, 88, 108}) {
    for (int32_t x : {1, -7, 123456}) EXPECT_EQ(MultiplyByQuantizedMultiplier(x, 1 << 30, s), 0) << x << " " << s;
  }
  for (int s : {-32, -40, -100}) {
    for (int32_t x : {INT32_MAX, -123456789, 5}) {
      EXPECT_EQ(MultiplyByQuantizedMultiplier(x, INT32_MAX, s), MultiplyByQuantizedMultiplier(x, INT32_MAX, -31))
          << x << " " << s;
    }
  }
}

TEST(QuantUtilsTest, ActivationRanges) {
  const QuantParams q{0.1f, 10};
  auto r = CalculateActivationRangeQuantized(Activation::kRelu6, QType::kUInt8, q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->min, 10);
  EXPECT_EQ(r->max, 70);
  r = CalculateActivationRangeQuantized(Activation::kNone, QType::kInt8, q);
  EXPECT_EQ(r->min, -128);
  EXPECT_EQ(r->max, 127);
  r = CalculateActivationRangeQuantized(Activation::kRelu, QType::kInt8, QuantParams{0.5f, -200});
  EXPECT_EQ(r->min, -128);  // quantize(0) below qmin
  r = CalculateActivationRangeQuantized(Activation::kReluN1To1, QType::kUInt8, QuantParams{0.25f, 128});
  EXPECT_EQ(r->min, 124);
  EXPECT_EQ(r->max, 132);
  r = CalculateActivationRangeQuantized(Activation::kRelu6, QType::kUInt8, QuantParams{0.0235294122f, 0});
  EXPECT_EQ(r->max, 255);
  EXPECT_FALSE(CalculateActivationRangeQuantized(Activation::kTanh, QType::kUInt8, q).ok());
  EXPECT_FALSE(CalculateActivationRangeQuantized(Activation::kRelu, QType::kUInt8, {0.0f, 0}).ok());
}

TEST(QuantUtilsTest, Padding) {
  auto d = ComputePaddedDim(Padding::kSame, 224, 3, 2, 1);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->out, 112);
  EXPECT_EQ(d->pad, 0);  // total = 111*2+3-224 = 1
  EXPECT_EQ(d->offset, 1);
  d = ComputePaddedDim(Padding::kSame, 112, 3, 1, 1);
  EXPECT_EQ(d->out, 112);
  EXPECT_EQ(d->pad, 1);
  EXPECT_EQ(d->offset, 0);
  d = ComputePaddedDim(Padding::kValid, 10, 3, 2, 1);
  EXPECT_EQ(d->out, 4);
  EXPECT_EQ(d->pad, 0);
  d = ComputePaddedDim(Padding::kSame, 10, 3, 1, 2);  // effective filter 5
  EXPECT_EQ(d->out, 10);
  EXPECT_EQ(d->pad, 2);
  EXPECT_FALSE(ComputePaddedDim(Padding::kValid, 2, 3, 1, 1).ok());
  EXPECT_FALSE(ComputePaddedDim(Padding::kSame, 2, 3, 0, 1).ok());
}

}  // namespace
}  // namespace etpu::kernels
