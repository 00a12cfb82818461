// Integer requantization primitives and the "Prepare" helpers that turn float scales, zero
// points, padding types and fused activations into the integer parameters the kernels use.
//
// Numerics follow TensorFlow Lite's reference kernels bit for bit:
//  - multipliers come from doubles via frexp, rounded half away from zero to Q31;
//  - requantization is double rounding: SaturatingRoundingDoublingHighMul, then
//    RoundingDivideByPOT (both round half away from zero);
//  - activation clamps are computed in float as CalculateActivationRangeQuantized does.
#pragma once

#include <cstdint>
#include <limits>
#include <span>

#include "etpu/status.h"
#include "kernels/types.h"

namespace etpu::kernels {

// ---------------------------------------------------------------------------------------------
// Eval-side primitives (inline: they sit in every inner loop).

/// Wrapping int32 add / sub, as TFLite's int32 arithmetic behaves in practice: the same value
/// whenever nothing overflows, and no undefined behaviour when a hostile model makes it.
inline int32_t WrapAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t WrapSub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
/// The low 32 bits of a 64-bit sum, as a wrapping int32 accumulator would hold them.
inline int32_t WrapTo32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }

/// High 32 bits of 2*a*b, rounded half away from zero; saturates INT32_MIN*INT32_MIN.
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = int64_t{a} * int64_t{b};
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

/// x / 2^exponent rounded half away from zero (exponent in [0, 31]).
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// x * multiplier * 2^shift with TFLite's double rounding (shift > 0 is a left shift first).
/// Shifts beyond 31 bits either way (only a hostile scale gives them; preparation refuses them
/// where it can name the operator) are defined here: the left shift wraps to 0 as a 32-bit shift
/// register would, the right shift stops at 31.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : (shift < -31 ? 31 : -shift);
  const uint32_t shifted = left < 32 ? static_cast<uint32_t>(x) << left : 0u;
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(static_cast<int32_t>(shifted), multiplier), right);
}

/// TFLite's MultiplyByQuantizedMultiplierGreaterThanOne: left shift then high mul, no divide.
inline int32_t MultiplyByQuantizedMultiplierGreaterThanOne(int32_t x, int32_t multiplier,
                                                           int left_shift) {
  return SaturatingRoundingDoublingHighMul(
      static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift), multiplier);
}

/// TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp (left_shift <= 0).
inline int32_t MultiplyByQuantizedMultiplierSmallerThanOneExp(int32_t x, int32_t multiplier,
                                                              int left_shift) {
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier), -left_shift);
}

inline int32_t Clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

// ---------------------------------------------------------------------------------------------
// Prepare-side helpers.

/// A Q31 multiplier and a power-of-two exponent: real ~= multiplier / 2^31 * 2^shift.
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;
};

/// TFLite's QuantizeMultiplier: frexp, round(q * 2^31) half away from zero, fix q == 1, and
/// flush exponents below -31 to zero. Zero gives {0, 0}.
QuantizedMultiplier QuantizeMultiplier(double real_multiplier);

/// QuantizeMultiplier restricted to (0, 1): fails when the shift would be positive.
Result<QuantizedMultiplier> QuantizeMultiplierSmallerThanOneExp(double real_multiplier);

/// QuantizeMultiplier restricted to (1, inf): fails when the shift would be negative.
Result<QuantizedMultiplier> QuantizeMultiplierGreaterThanOne(double real_multiplier);

/// An inclusive integer clamp range.
struct ActivationRange {
  int32_t min = 0;
  int32_t max = 0;
};

/// TFLite's CalculateActivationRangeQuantized for an output with the given quantization:
/// quantize(f) = zero_point + (int32)round(f / scale) in float. kTanh/kSignBit are rejected.
Result<ActivationRange> CalculateActivationRangeQuantized(Activation act, QType type,
                                                          QuantParams output);

/// Float clamp range of a fused activation (NONE -> +-max float, RELU -> [0, max], ...).
struct FloatRange {
  float min = 0;
  float max = 0;
};
Result<FloatRange> CalculateActivationRangeFloat(Activation act);

/// Output size and leading padding of one spatial dimension, as TFLite computes them.
struct PaddedDim {
  int out = 0;     ///< Output extent.
  int pad = 0;     ///< Padding before the first element (top / left).
  int offset = 0;  ///< Extra padding after (total padding is 2*pad + offset).
};

/// TFLite's ComputeOutSize + ComputePaddingWithOffset for one dimension. Fails on a
/// non-positive size, stride, dilation or filter, or an empty output.
Result<PaddedDim> ComputePaddedDim(Padding padding, int in_size, int filter_size, int stride,
                                   int dilation);

}  // namespace etpu::kernels
