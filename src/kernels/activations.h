// Unary activations: LOGISTIC, TANH (uint8/int8 fixed point as TFLite's reference), RELU,
// RELU6, RELU_N1_TO_1 (requantizing), LEAKY_RELU (uint8/int8), and float versions.
//
// LOGISTIC/TANH: input_scale * 2^27 is quantized as a multiplier > 1 (4 integer bits), inputs
// beyond +-input_range_radius saturate, the rest go through the Q4.27 fixed-point function.
// Output quantization is fixed: LOGISTIC 1/256 with zero point 0 (u8) / -128 (i8); TANH 1/128
// with zero point 128 (u8) / 0 (i8).
#pragma once

#include <cstdint>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Prepared LOGISTIC / TANH parameters.
struct SigmoidParams {
  int32_t input_zero_point = 0;
  int32_t input_range_radius = 0;
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
};

Result<SigmoidParams> PrepareLogistic(QType type, QuantParams input, QuantParams output);
Result<SigmoidParams> PrepareTanh(QType type, QuantParams input, QuantParams output);

/// `n` elements each.
Status Logistic(const SigmoidParams& p, int64_t n, const uint8_t* input, uint8_t* output);
Status Logistic(const SigmoidParams& p, int64_t n, const int8_t* input, int8_t* output);
Status Tanh(const SigmoidParams& p, int64_t n, const uint8_t* input, uint8_t* output);
Status Tanh(const SigmoidParams& p, int64_t n, const int8_t* input, int8_t* output);
void Logistic(int64_t n, const float* input, float* output);
void Tanh(int64_t n, const float* input, float* output);

/// Prepared RELU-family / LEAKY_RELU parameters (requantize from input to output scale).
struct ReluParams {
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0;  ///< input_scale / output_scale.
  int shift = 0;
  /// uint8 LEAKY_RELU (TFLite 2.2): alpha quantized with the input's scale and zero point, minus
  /// that zero point; `multiplier` is then float(s_in * s_in / s_out).
  int32_t alpha_value = 0;
  /// int8 LEAKY_RELU (TFLite 2.9): negative-branch multiplier float(s_in * alpha / s_out);
  /// `multiplier`/`shift` are then the identity float(s_in / s_out).
  int32_t alpha_multiplier = 0;
  int alpha_shift = 0;
  int32_t act_min = 0, act_max = 0;
};

/// uint8 LEAKY_RELU follows TFLite 2.2 (the oracle): x >= zp_in passes through unchanged (raw),
/// else zp_out + MBQM((x - zp_in) * alpha_value, multiplier), clamped to the type.
/// int8 LEAKY_RELU follows TFLite 2.9 (2.2 has none): both branches requantized,
/// zp_out + MBQM(x - zp_in, identity or alpha multiplier), clamped to the type.
/// RELU (min 0), RELU6 ([0, 6]) or RELU_N1_TO_1 ([-1, 1]) by `act`; clamps are
/// zero_point + round(bound / scale) in float, limited to the type range.
Result<ReluParams> PrepareRelu(Activation act, QType type, QuantParams input, QuantParams output);
Result<ReluParams> PrepareLeakyRelu(float alpha, QType type, QuantParams input, QuantParams output);

Status Relu(const ReluParams& p, int64_t n, const uint8_t* input, uint8_t* output);
Status Relu(const ReluParams& p, int64_t n, const int8_t* input, int8_t* output);
Status LeakyRelu(const ReluParams& p, int64_t n, const uint8_t* input, uint8_t* output);
Status LeakyRelu(const ReluParams& p, int64_t n, const int8_t* input, int8_t* output);
/// Float RELU-family clamp to [lo, hi].
void ReluFloat(float lo, float hi, int64_t n, const float* input, float* output);
void LeakyReluFloat(float alpha, int64_t n, const float* input, float* output);
/// Float HARD_SWISH: x * relu6(x + 3) / 6.
void HardSwishFloat(int64_t n, const float* input, float* output);

}  // namespace etpu::kernels
