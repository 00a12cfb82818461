// Kernels built on TFLite's fixed-point inverse square root: L2_NORMALIZATION and RSQRT
// (uint8 / int8).
//
// InvSqrtMultiplier(v), v > 1: v is scaled by 4^k into [2^27, 2^29), 1/sqrt is found by five
// Newton-Raphson steps x <- 1.5 x - (v/2) x^3 in Q3.28 (gemmlowp fixed point: rounding doubling
// high products, saturating power-of-two rescales), multiplied by sqrt(2)/2 (Q0.31 1518500250);
// the result is a multiplier and a right shift (a negative shift is folded into the multiplier).
// v <= 1 gives (INT32_MAX, 0).
//
// L2_NORMALIZATION (last axis; output scale 1/128, zero point 128 for uint8, 0 for int8):
//   d = x - zp_in, (m, s) = InvSqrtMultiplier(sum d^2);
//   uint8 (TFLite 2.2): out = 128 + RDBPOT(SRDHM(128 d, m), s), clamped to [0, 255];
//   int8 (TFLite 2.9): out = MBQM(d, m, 7 - s), clamped to [-128, 127].
// RSQRT (TFLite 2.9 int8; uint8 by the same formula, TFLite has no uint8 kernel):
//   m_out = QuantizeMultiplier(1 / double(float(sqrt(s_in)) * s_out)); v = x - zp_in;
//   v == 0 -> the type's maximum; v < 0 -> error (TFLite: "only defined for positive values");
//   else y = MBQM(1, m, 20 - s), out = MBQM(y, m_out, shift_out - 20) + zp_out, clamped.
#pragma once

#include <cstdint>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// 1/sqrt(v) as a Q31 multiplier and a right shift (>= 0): ~ multiplier / 2^31 / 2^shift.
struct InvSqrt {
  int32_t multiplier = 0;
  int right_shift = 0;
};
InvSqrt InvSqrtMultiplier(int32_t v);

/// Checks the fixed output quantization of L2_NORMALIZATION.
Status PrepareL2Normalization(QType type, QuantParams input, QuantParams output);
/// `rows` vectors of `depth` elements; input_zero_point is the input's.
Status L2Normalization(int32_t input_zero_point, int64_t rows, int depth, const uint8_t* input, uint8_t* output);
Status L2Normalization(int32_t input_zero_point, int64_t rows, int depth, const int8_t* input, int8_t* output);

/// Prepared quantized RSQRT.
struct RsqrtParams {
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;
};
Result<RsqrtParams> PrepareRsqrt(QType type, QuantParams input, QuantParams output);
Status Rsqrt(const RsqrtParams& p, int64_t n, const uint8_t* input, uint8_t* output);
Status Rsqrt(const RsqrtParams& p, int64_t n, const int8_t* input, int8_t* output);

}  // namespace etpu::kernels
