// 16-bit Q-format arithmetic for the integer LSTM (stop-gap: src/kernels/fixed_point.h is 32-bit
// only). Semantics follow gemmlowp's int16 fixed point as TFLite's LSTM uses it:
//  - raw int16 values, I integer bits, 15 - I fractional bits;
//  - + and - wrap (int16), * is SaturatingRoundingDoublingHighMul on int16;
//  - constants are given as 32-bit raw values and rounding-shifted right by 16;
//  - exp / logistic / tanh use the same polynomial, barrel shifter and Newton-Raphson steps as
//    the 32-bit versions, with a saturating add in the exp polynomial.
#pragma once

#include <cstdint>
#include <limits>

namespace etpu::runtime::ops::fp16 {

inline int16_t Wrap(int32_t v) { return static_cast<int16_t>(static_cast<uint16_t>(static_cast<uint32_t>(v))); }

inline int16_t SatHighMul(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t ab = int32_t{a} * int32_t{b};
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

/// Rounding (half away from zero) division by 2^e, on any integer width.
inline int32_t RoundingDivideByPOT32(int32_t x, int e) {
  if (e == 0) return x;
  const int32_t mask = static_cast<int32_t>((int64_t{1} << e) - 1);
  const int32_t rem = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > threshold ? 1 : 0);
}

/// A 32-bit raw constant rescaled to 16 bits (rounding shift by 16).
inline int16_t Const(int32_t raw32) { return static_cast<int16_t>(RoundingDivideByPOT32(raw32, 16)); }

template <int I>
struct F {
  static constexpr int kFrac = 15 - I;
  int16_t raw = 0;
  static F One() { return F{I == 0 ? std::numeric_limits<int16_t>::max() : static_cast<int16_t>(1 << kFrac)}; }
  template <int E>
  static F ConstantPOT() {
    return F{static_cast<int16_t>(1 << (kFrac + E))};
  }
};

template <int I>
F<I> operator+(F<I> a, F<I> b) { return {Wrap(int32_t{a.raw} + b.raw)}; }
template <int I>
F<I> operator-(F<I> a, F<I> b) { return {Wrap(int32_t{a.raw} - b.raw)}; }
template <int I>
F<I> operator-(F<I> a) { return {Wrap(-int32_t{a.raw})}; }
template <int A, int B>
F<A + B> operator*(F<A> a, F<B> b) { return {SatHighMul(a.raw, b.raw)}; }

inline int16_t SatAdd(int16_t a, int16_t b) {
  const int32_t s = int32_t{a} + b;
  return static_cast<int16_t>(s > 32767 ? 32767 : (s < -32768 ? -32768 : s));
}

template <int E>
int16_t SatRoundingMulByPOT(int16_t x) {
  if constexpr (E > 0) {
    const int32_t threshold = (1 << (15 - E)) - 1;
    if (x > threshold) return std::numeric_limits<int16_t>::max();
    if (x < -threshold) return std::numeric_limits<int16_t>::min();
    return Wrap(int32_t{x} * (1 << E));
  } else if constexpr (E < 0) {
    return static_cast<int16_t>(RoundingDivideByPOT32(x, -E));
  } else {
    return x;
  }
}

template <int Dst, int Src>
F<Dst> Rescale(F<Src> x) { return {SatRoundingMulByPOT<Src - Dst>(x.raw)}; }

/// Multiplication by 2^E: the raw value is kept, only the number of integer bits changes.
template <int E, int I>
F<I + E> ExactMulByPot(F<I> x) {
  return {x.raw};
}

inline F<0> RoundingHalfSum(F<0> a, F<0> b) {
  const int32_t sum = int32_t{a.raw} + b.raw;
  const int32_t sign = sum >= 0 ? 1 : -1;
  return {static_cast<int16_t>((sum + sign) / 2)};
}

inline F<0> ExpOnIntervalNegQuarterTo0(F<0> a) {
  const F<0> constant_term{Const(1895147668)};
  const F<0> one_third{Const(715827883)};
  const F<0> x = a + F<0>::ConstantPOT<-3>();
  const F<0> x2 = x * x;
  const F<0> x3 = x2 * x;
  const F<0> x4 = x2 * x2;
  const F<0> x4_over_4{SatRoundingMulByPOT<-2>(x4.raw)};
  const F<0> poly{SatRoundingMulByPOT<-1>((((x4_over_4 + x3) * one_third) + x2).raw)};
  return {SatAdd(constant_term.raw, (constant_term * (x + poly)).raw)};
}

template <int I>
F<0> ExpOnNegativeValues(F<I> a) {
  constexpr int kFrac = 15 - I;
  const F<I> quarter = F<I>::template ConstantPOT<-2>();
  const F<I> mask{static_cast<int16_t>(quarter.raw - 1)};
  const F<I> a_mod = F<I>{static_cast<int16_t>(a.raw & mask.raw)} - quarter;
  F<0> result = ExpOnIntervalNegQuarterTo0(Rescale<0>(a_mod));
  const int16_t remainder = (a_mod - a).raw;
  auto barrel = [&](int exponent, int32_t multiplier) {
    if (I > exponent) {
      const int shift = kFrac + exponent;
      if ((remainder & (1 << shift)) != 0) result = result * F<0>{Const(multiplier)};
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
    const int16_t clamp = Const(-(1 << (36 - I)));
    if (a.raw < clamp) result = F<0>{0};
  }
  if (a.raw == 0) result = F<0>::One();
  return result;
}

inline F<0> OneOverOnePlusXForXIn01(F<0> a) {
  const F<0> half_den = RoundingHalfSum(a, F<0>::One());
  const F<2> c48_17{Const(1515870810)};
  const F<2> cneg32_17{Const(-1010580540)};
  F<2> x = c48_17 + half_den * cneg32_17;
  for (int i = 0; i < 3; ++i) {
    const F<2> hx = half_den * x;
    const F<2> one_minus = F<2>::One() - hx;
    x = x + Rescale<2>(x * one_minus);
  }
  return Rescale<0>(ExactMulByPot<-1>(x));
}

inline F<0> OneMinusXOverOnePlusXForXIn01(F<0> a) {
  const F<0> half_den = RoundingHalfSum(a, F<0>::One());
  const F<2> c48_17{Const(1515870810)};
  const F<2> cneg32_17{Const(-1010580540)};
  F<2> x = c48_17 + half_den * cneg32_17;
  for (int i = 0; i < 3; ++i) {
    const F<2> hx = half_den * x;
    const F<2> one_minus = F<2>::One() - hx;
    x = x + Rescale<2>(x * one_minus);
  }
  return Rescale<0>(x - F<2>::One());
}

template <int I>
F<0> Logistic(F<I> a) {
  if (a.raw == 0) return F<0>{Const(1 << 30)};
  const bool positive = a.raw > 0;
  const F<I> abs = positive ? a : -a;
  const F<0> pos = OneOverOnePlusXForXIn01(ExpOnNegativeValues(-abs));
  return positive ? pos : F<0>::One() - pos;
}

template <int I>
F<0> Tanh(F<I> a) {
  if (a.raw == 0) return F<0>{0};
  const bool negative = a.raw < 0;
  const F<I> n = negative ? a : -a;
  const F<0> t = OneMinusXOverOnePlusXForXIn01(ExpOnNegativeValues(ExactMulByPot<1>(n)));
  return negative ? -t : t;
}

}  // namespace etpu::runtime::ops::fp16
