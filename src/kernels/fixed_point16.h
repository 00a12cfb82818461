// gemmlowp-style fixed-point primitives on int16 raw values (the 16-bit counterparts of
// quant_utils.h), as TFLite's integer LSTM and quantized HARD_SWISH use them.
#pragma once

#include <cstdint>
#include <limits>

namespace etpu::kernels::fixed16 {

inline constexpr int32_t kMin = std::numeric_limits<int16_t>::min();
inline constexpr int32_t kMax = std::numeric_limits<int16_t>::max();

/// Two's-complement narrowing (what an int -> int16_t conversion does).
inline int16_t Wrap(int32_t v) {
  return static_cast<int16_t>(static_cast<uint16_t>(static_cast<uint32_t>(v)));
}

/// High 16 bits of 2*a*b rounded half away from zero; saturates INT16_MIN * INT16_MIN.
inline int16_t SaturatingRoundingDoublingHighMul(int16_t a, int16_t b) {
  if (a == b && a == kMin) return static_cast<int16_t>(kMax);
  const int32_t ab = int32_t{a} * int32_t{b};
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

/// Like SaturatingRoundingDoublingHighMul but truncating toward zero (ARM SQDMULH).
inline int16_t SaturatingDoublingHighMul(int16_t a, int16_t b) {
  if (a == b && a == kMin) return static_cast<int16_t>(kMax);
  return static_cast<int16_t>((int32_t{a} * int32_t{b}) / (1 << 15));
}

/// x / 2^exponent rounded half away from zero, exponent in [0, 15].
inline int16_t RoundingDivideByPOT(int16_t x, int exponent) {
  const int16_t mask = static_cast<int16_t>((1 << exponent) - 1);
  const int16_t remainder = static_cast<int16_t>(x & mask);
  const int16_t threshold = static_cast<int16_t>((mask >> 1) + (x < 0 ? 1 : 0));
  return Wrap((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/// value * 2^amount saturated to int16.
inline int16_t SaturatingLeftShift(int16_t value, int amount) {
  const int64_t r = int64_t{value} * (int64_t{1} << amount);
  return static_cast<int16_t>(r > kMax ? kMax : (r < kMin ? kMin : r));
}

}  // namespace etpu::kernels::fixed16
