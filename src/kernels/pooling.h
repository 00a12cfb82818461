// AVERAGE_POOL_2D and MAX_POOL_2D (uint8, int8, float), NHWC.
//
// Windows are clipped to the input (padded taps are not counted). Average: uint8 rounds
// (sum + count/2) / count; int8 rounds half away from zero; both then clamp to the fused
// activation range. Max: the window maximum, clamped to the activation range.
#pragma once

#include <cstdint>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Geometry and clamp of a prepared pooling op.
struct PoolParams {
  int stride_h = 1, stride_w = 1, filter_h = 1, filter_w = 1;
  int pad_top = 0, pad_left = 0;
  int out_h = 0, out_w = 0;
  int32_t act_min = 0, act_max = 0;
  float float_min = 0, float_max = 0;
};

/// Options of a pooling op as TFLite's Pool2DOptions gives them.
struct PoolOptions {
  Padding padding = Padding::kSame;
  int stride_h = 1, stride_w = 1, filter_h = 1, filter_w = 1;
  Activation activation = Activation::kNone;
};

/// Prepares a quantized pooling op (output quantization gives the activation clamp).
Result<PoolParams> PreparePool(const PoolOptions& o, Shape4 input, QType type, QuantParams output);
/// Prepares a float pooling op.
Result<PoolParams> PreparePoolFloat(const PoolOptions& o, Shape4 input);

Status AveragePool(const PoolParams& p, Shape4 in, const uint8_t* input, Shape4 out, uint8_t* output);
Status AveragePool(const PoolParams& p, Shape4 in, const int8_t* input, Shape4 out, int8_t* output);
Status AveragePool(const PoolParams& p, Shape4 in, const float* input, Shape4 out, float* output);
Status MaxPool(const PoolParams& p, Shape4 in, const uint8_t* input, Shape4 out, uint8_t* output);
Status MaxPool(const PoolParams& p, Shape4 in, const int8_t* input, Shape4 out, int8_t* output);
Status MaxPool(const PoolParams& p, Shape4 in, const float* input, Shape4 out, float* output);

}  // namespace etpu::kernels
