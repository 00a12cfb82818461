// Binary element-wise kernels with TFLite's 4-D broadcasting: ADD, SUB, MUL (uint8, int8,
// float), MAXIMUM, MINIMUM (any element type, raw values compared, no requantization),
// SQUARED_DIFFERENCE and PRELU (uint8, int8), DIV and FLOOR_DIV (float, int32).
//
// Broadcasting: both inputs are given as Shape4 (callers extend lower-rank shapes with leading
// 1s); each dimension must equal the output's or be 1 (then it is repeated).
// Numerics (TFLite reference):
//  ADD/SUB: left_shift = 20; twice_max = 2 * max(s1, s2) (float); m1 = s1 / twice_max,
//   m2 = s2 / twice_max, m_out = twice_max / (2^20 * s_out) (double, each quantized with
//   QuantizeMultiplierSmallerThanOneExp); x_i' = MBQM((x_i - zp_i) << 20, m_i);
//   out = MBQM(x1' +- x2', m_out) + zp_out, clamped.
//  MUL: m = float(s1 * s2 / s_out) as double; out = MBQM((x1 - zp1) * (x2 - zp2), m) + zp_out.
//  SQUARED_DIFFERENCE (TFLite 2.9 int8; uint8 by the same formula, TFLite has no uint8 kernel):
//   left_shift = 7; twice_max = 2 * max(s1, s2) (double); m1, m2 as ADD (smaller than one);
//   m_out = twice_max^2 / (2^14 * s_out) (QuantizeMultiplier); d = x1' - x2' (as ADD);
//   out = MBQM(d * d, m_out) + zp_out, clamped to the type.
//  PRELU uint8 (TFLite 2.2, the oracle; as its LEAKY_RELU): x >= zp_in passes through raw;
//   else zp_out + MBQM((x - zp_in) * (alpha - zp_alpha), float(s_in * s_alpha / s_out)), clamped.
//  PRELU int8 (TFLite 2.9; 2.2 has none): m_pos = double(s_in) / double(s_out), m_neg =
//   double(s_in) * double(s_alpha) / double(s_out); v = x - zp_in; out = zp_out + (v >= 0 ?
//   MBQM(v, m_pos) : MBQM(v * (alpha - zp_alpha), m_neg)), clamped. The alpha is input 2.
#pragma once

#include <cstdint>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Prepared parameters of ADD, SUB or MUL.
struct ArithmeticParams {
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;
  int left_shift = 0;
  int32_t input1_multiplier = 0, input2_multiplier = 0, output_multiplier = 0;
  int input1_shift = 0, input2_shift = 0, output_shift = 0;
  int32_t act_min = 0, act_max = 0;
  float float_min = 0, float_max = 0;
};

/// One quantized ADD/SUB element, exactly the reference arithmetic (shared by the reference loop
/// and the fast path's scalar tails).
template <typename T>
inline T AddSubElement(const ArithmeticParams& p, bool subtract, T a, T b) {
  const int32_t x1 = (p.input1_offset + a) * (1 << p.left_shift);
  const int32_t x2 = (p.input2_offset + b) * (1 << p.left_shift);
  const int32_t y1 = MultiplyByQuantizedMultiplierSmallerThanOneExp(x1, p.input1_multiplier, p.input1_shift);
  const int32_t y2 = MultiplyByQuantizedMultiplierSmallerThanOneExp(x2, p.input2_multiplier, p.input2_shift);
  const int32_t raw = subtract ? y1 - y2 : y1 + y2;
  const int32_t v =
      MultiplyByQuantizedMultiplierSmallerThanOneExp(raw, p.output_multiplier, p.output_shift) + p.output_offset;
  return static_cast<T>(Clamp(v, p.act_min, p.act_max));
}

/// Prepares a quantized ADD (or SUB: same parameters).
Result<ArithmeticParams> PrepareAdd(QType type, QuantParams in1, QuantParams in2, QuantParams out,
                                    Activation activation);
/// Prepares a quantized MUL.
Result<ArithmeticParams> PrepareMul(QType type, QuantParams in1, QuantParams in2, QuantParams out,
                                    Activation activation);
/// Prepares a float ADD/SUB/MUL (clamp only).
Result<ArithmeticParams> PrepareArithmeticFloat(Activation activation);

/// The broadcast output shape of two shapes, or an error when they are incompatible.
Result<Shape4> BroadcastShape(Shape4 a, Shape4 b);

Status Add(const ArithmeticParams& p, Shape4 s1, const uint8_t* in1, Shape4 s2, const uint8_t* in2,
           Shape4 out, uint8_t* output);
Status Add(const ArithmeticParams& p, Shape4 s1, const int8_t* in1, Shape4 s2, const int8_t* in2,
           Shape4 out, int8_t* output);
Status Add(const ArithmeticParams& p, Shape4 s1, const float* in1, Shape4 s2, const float* in2,
           Shape4 out, float* output);
Status Sub(const ArithmeticParams& p, Shape4 s1, const uint8_t* in1, Shape4 s2, const uint8_t* in2,
           Shape4 out, uint8_t* output);
Status Sub(const ArithmeticParams& p, Shape4 s1, const int8_t* in1, Shape4 s2, const int8_t* in2,
           Shape4 out, int8_t* output);
Status Sub(const ArithmeticParams& p, Shape4 s1, const float* in1, Shape4 s2, const float* in2,
           Shape4 out, float* output);
Status Mul(const ArithmeticParams& p, Shape4 s1, const uint8_t* in1, Shape4 s2, const uint8_t* in2,
           Shape4 out, uint8_t* output);
Status Mul(const ArithmeticParams& p, Shape4 s1, const int8_t* in1, Shape4 s2, const int8_t* in2,
           Shape4 out, int8_t* output);
Status Mul(const ArithmeticParams& p, Shape4 s1, const float* in1, Shape4 s2, const float* in2,
           Shape4 out, float* output);

/// Prepares a quantized SQUARED_DIFFERENCE (no fused activation: the type's range).
Result<ArithmeticParams> PrepareSquaredDifference(QType type, QuantParams in1, QuantParams in2, QuantParams out);

Status SquaredDifference(const ArithmeticParams& p, Shape4 s1, const uint8_t* in1, Shape4 s2, const uint8_t* in2,
                         Shape4 out, uint8_t* output);
Status SquaredDifference(const ArithmeticParams& p, Shape4 s1, const int8_t* in1, Shape4 s2, const int8_t* in2,
                         Shape4 out, int8_t* output);

/// Prepared PRELU (input 1 = x, input 2 = alpha).
struct PreluParams {
  bool raw_positive = false;  ///< uint8 (TFLite 2.2): non-negative inputs are copied unchanged.
  int32_t input_offset = 0, alpha_offset = 0, output_offset = 0;
  int32_t positive_multiplier = 0, negative_multiplier = 0;
  int positive_shift = 0, negative_shift = 0;
  int32_t act_min = 0, act_max = 0;
};

Result<PreluParams> PreparePrelu(QType type, QuantParams input, QuantParams alpha, QuantParams output);

Status Prelu(const PreluParams& p, Shape4 s_in, const uint8_t* input, Shape4 s_alpha, const uint8_t* alpha,
             Shape4 out, uint8_t* output);
Status Prelu(const PreluParams& p, Shape4 s_in, const int8_t* input, Shape4 s_alpha, const int8_t* alpha,
             Shape4 out, int8_t* output);
/// Float PRELU: x >= 0 ? x : x * alpha.
Status Prelu(Shape4 s_in, const float* input, Shape4 s_alpha, const float* alpha, Shape4 out, float* output);

/// DIV (float: a / b clamped to [lo, hi]; int32: truncating, no clamp) and FLOOR_DIV (float:
/// floor(a / b) clamped; int32: floor of the exact quotient). A zero divisor is an error for
/// FLOOR_DIV (float too, as TFLite) and for int32 DIV; float DIV gives inf / nan.
Status Div(float lo, float hi, Shape4 s1, const float* in1, Shape4 s2, const float* in2, Shape4 out, float* output);
Status Div(Shape4 s1, const int32_t* in1, Shape4 s2, const int32_t* in2, Shape4 out, int32_t* output);
Status FloorDiv(float lo, float hi, Shape4 s1, const float* in1, Shape4 s2, const float* in2, Shape4 out,
                float* output);
Status FloorDiv(Shape4 s1, const int32_t* in1, Shape4 s2, const int32_t* in2, Shape4 out, int32_t* output);

/// MAXIMUM / MINIMUM on raw values (inputs and output share one quantization in TFLite).
Status Maximum(Shape4 s1, const uint8_t* in1, Shape4 s2, const uint8_t* in2, Shape4 out, uint8_t* output);
Status Maximum(Shape4 s1, const int8_t* in1, Shape4 s2, const int8_t* in2, Shape4 out, int8_t* output);
Status Maximum(Shape4 s1, const float* in1, Shape4 s2, const float* in2, Shape4 out, float* output);
Status Minimum(Shape4 s1, const uint8_t* in1, Shape4 s2, const uint8_t* in2, Shape4 out, uint8_t* output);
Status Minimum(Shape4 s1, const int8_t* in1, Shape4 s2, const int8_t* in2, Shape4 out, int8_t* output);
Status Minimum(Shape4 s1, const float* in1, Shape4 s2, const float* in2, Shape4 out, float* output);

}  // namespace etpu::kernels
