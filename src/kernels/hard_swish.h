// Quantized HARD_SWISH (uint8 / int8): x * relu6(x + 3) / 6 with TFLite's reference integer
// arithmetic (reference_ops::HardSwish).
//
// Prepare: the input is put on a "high-resolution" scale s_in / 128 (x - zp_in shifted left by
// 7 in int16); two multipliers are made with QuantizeMultiplier from float ratios and rounded
// to 16 bits ((m + 2^15) >> 16, saturating): output = (s_in / 128) / s_out (its exponent must be
// <= 0) and "reluish" = (s_in / 128) / (3 / 32768). Eval, per element, in int16:
//   pre  = SRDHM16(x_hires, output_fixedpoint)
//   r    = x_hires rescaled by the reluish multiplier (saturating left shift by exp - 1, SRDHM16,
//          saturating shift by 1; or a rounding right shift) -> [-1, 1] as Q0.15
//   r    = (r + 2^15) >> 1                      (now [0, 1])
//   out  = RDBPOT16(SDHM16(r, pre), -output_exponent) + zp_out, clamped to the type.
// SRDHM16 rounds half away from zero, SDHM16 truncates toward zero.
#pragma once

#include <cstdint>

#include "etpu/status.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Prepared quantized HARD_SWISH parameters.
struct HardSwishParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int16_t reluish_multiplier = 0;  ///< Q0.15.
  int reluish_exponent = 0;
  int16_t output_multiplier = 0;   ///< Q0.15.
  int output_exponent = 0;         ///< <= 0.
  QType type = QType::kUInt8;
};

/// Fails on non-positive scales or when s_in / 128 / s_out >= 1 (TFLite rejects it too).
Result<HardSwishParams> PrepareHardSwish(QType type, QuantParams input, QuantParams output);

/// `n` elements each; the type must be the prepared one.
Status HardSwish(const HardSwishParams& p, int64_t n, const uint8_t* input, uint8_t* output);
Status HardSwish(const HardSwishParams& p, int64_t n, const int8_t* input, int8_t* output);

}  // namespace etpu::kernels
