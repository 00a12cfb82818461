// Q-format fixed-point arithmetic on int32 used by the 8-bit SOFTMAX, LOGISTIC and TANH kernels.
//
// A Fixed<I> value holds raw / 2^(31 - I) (I integer bits). The operations reproduce the
// semantics of the fixed-point helpers TFLite's reference kernels rely on (gemmlowp's
// fixedpoint): products use SaturatingRoundingDoublingHighMul, rescaling uses saturating
// power-of-two shifts and RoundingDivideByPOT, and exp / 1/(1+x) use the same polynomial,
// barrel-shifter constants and Newton-Raphson iterations, so results agree bit for bit.
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/quant_utils.h"

namespace etpu::kernels::fixed {

template <int I>
struct Fixed {
  static_assert(I >= 0 && I <= 31);
  static constexpr int kIntegerBits = I;
  static constexpr int kFractionalBits = 31 - I;
  int32_t raw = 0;

  static Fixed FromRaw(int32_t r) { return Fixed{r}; }
  static Fixed Zero() { return Fixed{0}; }
  /// 1.0, or the largest value below 1 when there are no integer bits.
  static Fixed One() {
    return Fixed{I == 0 ? std::numeric_limits<int32_t>::max() : int32_t{1} << kFractionalBits};
  }
  /// 2^E, exactly representable.
  template <int E>
  static Fixed ConstantPOT() {
    static_assert(kFractionalBits + E >= 0 && kFractionalBits + E < 31);
    return Fixed{int32_t{1} << (kFractionalBits + E)};
  }
};


template <int I>
Fixed<I> operator+(Fixed<I> a, Fixed<I> b) { return Fixed<I>{WrapAdd(a.raw, b.raw)}; }
template <int I>
Fixed<I> operator-(Fixed<I> a, Fixed<I> b) { return Fixed<I>{WrapSub(a.raw, b.raw)}; }
template <int I>
Fixed<I> operator-(Fixed<I> a) { return Fixed<I>{WrapSub(0, a.raw)}; }
template <int A, int B>
Fixed<A + B> operator*(Fixed<A> a, Fixed<B> b) {
  return Fixed<A + B>{SaturatingRoundingDoublingHighMul(a.raw, b.raw)};
}

/// x * 2^E on raw values: saturating left shift for E > 0, rounding right shift for E < 0.
template <int E>
int32_t SaturatingRoundingMultiplyByPOT(int32_t x) {
  if constexpr (E == 0) {
    return x;
  } else if constexpr (E > 0) {
    constexpr int32_t kThreshold = (int32_t{1} << (31 - E)) - 1;
    if (x > kThreshold) return std::numeric_limits<int32_t>::max();
    if (x < -kThreshold) return std::numeric_limits<int32_t>::min();
    return static_cast<int32_t>(static_cast<uint32_t>(x) << E);
  } else {
    return RoundingDivideByPOT(x, -E);
  }
}

template <int E, int I>
Fixed<I> SaturatingRoundingMultiplyByPOT(Fixed<I> a) {
  return Fixed<I>{SaturatingRoundingMultiplyByPOT<E>(a.raw)};
}

/// Converts to another number of integer bits (saturating / rounding).
template <int Dst, int Src>
Fixed<Dst> Rescale(Fixed<Src> x) {
  return Fixed<Dst>{SaturatingRoundingMultiplyByPOT<Src - Dst>(x.raw)};
}

/// Same raw value, reinterpreted as x * 2^E (E more integer bits).
template <int E, int I>
Fixed<I + E> ExactMulByPot(Fixed<I> x) {
  return Fixed<I + E>{x.raw};
}

/// (a + b) / 2 rounded half away from zero, without overflow.
template <int I>
Fixed<I> RoundingHalfSum(Fixed<I> a, Fixed<I> b) {
  const int64_t sum = int64_t{a.raw} + int64_t{b.raw};
  const int64_t sign = sum >= 0 ? 1 : -1;
  return Fixed<I>{static_cast<int32_t>((sum + sign) / 2)};
}

/// exp(a) for a in [-1/4, 0).
inline Fixed<0> ExpOnIntervalNegQuarterTo0(Fixed<0> a) {
  using F = Fixed<0>;
  const F constant_term = F::FromRaw(1895147668);   // exp(-1/8)
  const F constant_1_over_3 = F::FromRaw(715827883);
  const F x = a + F::ConstantPOT<-3>();
  const F x2 = x * x;
  const F x3 = x2 * x;
  const F x4 = x2 * x2;
  const F x4_over_4 = SaturatingRoundingMultiplyByPOT<-2>(x4);
  const F poly = SaturatingRoundingMultiplyByPOT<-1>(((x4_over_4 + x3) * constant_1_over_3) + x2);
  return constant_term + constant_term * (x + poly);
}

/// exp(a) for a <= 0 with I integer bits; result in Q0.31.
template <int I>
Fixed<0> ExpOnNegativeValues(Fixed<I> a) {
  using InF = Fixed<I>;
  using F0 = Fixed<0>;
  constexpr int kFrac = InF::kFractionalBits;
  const InF one_quarter = InF::template ConstantPOT<-2>();
  const int32_t mask = one_quarter.raw - 1;
  const InF a_mod_quarter_minus_one_quarter = InF::FromRaw(a.raw & mask) - one_quarter;
  F0 result = ExpOnIntervalNegQuarterTo0(Rescale<0>(a_mod_quarter_minus_one_quarter));
  const int32_t remainder = (a_mod_quarter_minus_one_quarter - a).raw;
  auto barrel = [&](int exponent, int32_t multiplier) {
    if (I > exponent) {
      const int shift = kFrac + exponent;
      if (remainder & (int32_t{1} << shift)) result = result * F0::FromRaw(multiplier);
    }
  };
  barrel(-2, 1672461947);
  barrel(-1, 1302514674);
  barrel(0, 790015084);
  barrel(1, 290630308);
  barrel(2, 39332535);
  barrel(3, 720401);
  barrel(4, 242);
  if constexpr (I > 5) {
    constexpr int kClampBits = 36 - I;
    if (a.raw < -(int32_t{1} << kClampBits)) result = F0::Zero();
  }
  if (a.raw == 0) result = F0::One();
  return result;
}

/// 1 / (1 + a) for a in [0, 1); Newton-Raphson with three iterations.
inline Fixed<0> OneOverOnePlusXForXIn01(Fixed<0> a) {
  using F0 = Fixed<0>;
  using F2 = Fixed<2>;
  const F0 half_denominator = RoundingHalfSum(a, F0::One());
  const F2 constant_48_over_17 = F2::FromRaw(1515870810);
  const F2 constant_neg_32_over_17 = F2::FromRaw(-1010580540);
  F2 x = constant_48_over_17 + half_denominator * constant_neg_32_over_17;
  for (int i = 0; i < 3; ++i) {
    const F2 half_denominator_times_x = half_denominator * x;
    const F2 one_minus = F2::One() - half_denominator_times_x;
    x = x + Rescale<2>(x * one_minus);
  }
  return Rescale<0>(ExactMulByPot<-1>(x));
}

/// (1 - a) / (1 + a) for a in [0, 1).
inline Fixed<0> OneMinusXOverOnePlusXForXIn01(Fixed<0> a) {
  using F0 = Fixed<0>;
  using F2 = Fixed<2>;
  const F0 half_denominator = RoundingHalfSum(a, F0::One());
  const F2 constant_48_over_17 = F2::FromRaw(1515870810);
  const F2 constant_neg_32_over_17 = F2::FromRaw(-1010580540);
  F2 x = constant_48_over_17 + half_denominator * constant_neg_32_over_17;
  for (int i = 0; i < 3; ++i) {
    const F2 half_denominator_times_x = half_denominator * x;
    const F2 one_minus = F2::One() - half_denominator_times_x;
    x = x + Rescale<2>(x * one_minus);
  }
  return Rescale<0>(x - F2::One());
}

/// logistic(a) = 1 / (1 + exp(-a)).
template <int I>
Fixed<0> Logistic(Fixed<I> a) {
  using F0 = Fixed<0>;
  if (a.raw == 0) return F0::FromRaw(int32_t{1} << 30);
  const bool positive = a.raw > 0;
  const Fixed<I> abs_a = positive ? a : -a;
  const F0 result_if_positive = OneOverOnePlusXForXIn01(ExpOnNegativeValues(-abs_a));
  return positive ? result_if_positive : F0::One() - result_if_positive;
}

/// tanh(a).
template <int I>
Fixed<0> Tanh(Fixed<I> a) {
  using F0 = Fixed<0>;
  if (a.raw == 0) return F0::Zero();
  const bool negative = a.raw < 0;
  const Fixed<I> n = negative ? a : -a;  // -|a|
  const F0 t = OneMinusXOverOnePlusXForXIn01(ExpOnNegativeValues(ExactMulByPot<1>(n)));
  return negative ? -t : t;
}

/// 1 / x for x = raw sum in Q(x_integer_digits); returns Q0.31 and the extra exponent.
inline int32_t GetReciprocal(int32_t x, int x_integer_digits, int* num_bits_over_unit) {
  int headroom_plus_one = 0;
  for (uint32_t u = static_cast<uint32_t>(x); headroom_plus_one < 32 && !(u & 0x80000000u);
       u <<= 1) {
    ++headroom_plus_one;
  }
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const int32_t shifted_sum_minus_one = static_cast<int32_t>(
      (static_cast<uint32_t>(x) << headroom_plus_one) - (static_cast<uint32_t>(1) << 31));
  return OneOverOnePlusXForXIn01(Fixed<0>::FromRaw(shifted_sum_minus_one)).raw;
}

}  // namespace etpu::kernels::fixed
