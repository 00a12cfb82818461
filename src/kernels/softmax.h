// SOFTMAX (uint8 / int8 in and out, float32), over the last dimension.
//
// Quantized numerics are TFLite's reference fixed-point softmax: beta * input_scale is
// quantized as a multiplier > 1 for 5 integer bits (PreprocessSoftmaxScaling), differences to
// the row maximum below diff_min contribute nothing, exp() of each difference is evaluated in
// Q5.26 -> Q0.31, summed in Q12.19, inverted with GetReciprocal and the products are rounded by
// 2^(num_bits_over_unit + 31 - 8). Output quantization is fixed: scale 1/256, zero point 0
// (uint8) or -128 (int8).
#pragma once

#include <cstdint>
#include <vector>

#include "etpu/status.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Prepared parameters of a quantized SOFTMAX.
struct SoftmaxParams {
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
  int32_t diff_min = 0;
  float beta = 1.0f;  ///< Float kernel only.
  /// exp_of_diff[d]: the raw Q0.31 exp() of the difference -d (d in [0, 255], every difference
  /// an 8-bit row can have) as the reference computes it per element; filled by PrepareSoftmax.
  /// Empty: computed per element.
  std::vector<int32_t> exp_of_diff;
};

/// Prepares a quantized SOFTMAX. Fails unless the output is scale 1/256 with zero point 0
/// (uint8) or -128 (int8).
Result<SoftmaxParams> PrepareSoftmax(float beta, QType type, QuantParams input, QuantParams output);

/// `rows` rows of `depth` values each.
Status Softmax(const SoftmaxParams& p, int rows, int depth, const uint8_t* input, uint8_t* output);
Status Softmax(const SoftmaxParams& p, int rows, int depth, const int8_t* input, int8_t* output);
/// Float softmax: exp((x - max) * beta) / sum, as TFLite's reference.
Status Softmax(const SoftmaxParams& p, int rows, int depth, const float* input, float* output);

}  // namespace etpu::kernels
