// FULLY_CONNECTED: uint8 per-tensor, int8 per-tensor or per-channel, float32.
//
// input is [batches, accum_depth] (any input shape flattened so), weights [out_depth,
// accum_depth] row-major, bias [out_depth] (may be null), output [batches, out_depth].
// Numerics as CONV_2D: acc = sum (w + filter_offset) * (x + input_offset) + bias, then
// MultiplyByQuantizedMultiplier + output_offset, clamp.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Prepared integer parameters of a FULLY_CONNECTED.
struct FullyConnectedParams {
  int32_t input_offset = 0;
  int32_t filter_offset = 0;
  int32_t output_offset = 0;
  std::vector<int32_t> output_multiplier;  ///< 1 entry or one per output unit.
  std::vector<int> output_shift;
  int32_t act_min = 0, act_max = 0;
  float float_min = 0, float_max = 0;
};

/// Matrix sizes of a FULLY_CONNECTED.
struct FcDims {
  int batches = 1;
  int accum_depth = 1;
  int out_depth = 1;
};

/// Prepares a quantized FULLY_CONNECTED (filter_scales: 1 or out_depth entries).
Result<FullyConnectedParams> PrepareFullyConnected(QType type, QuantParams input_q,
                                                   std::span<const float> filter_scales,
                                                   int32_t filter_zero_point,
                                                   QuantParams output_q, Activation activation,
                                                   int out_depth);
/// Prepares a float FULLY_CONNECTED (clamp only).
Result<FullyConnectedParams> PrepareFullyConnectedFloat(Activation activation);

/// Quantized FULLY_CONNECTED; takes a bit-exact SIMD fast path when one applies.
Status FullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                      const uint8_t* weights, const int32_t* bias, uint8_t* output);
Status FullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                      const int8_t* weights, const int32_t* bias, int8_t* output);
/// The reference quantized kernels, whatever the fast-path setting (kernels/dispatch.h).
Status FullyConnectedReference(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                               const uint8_t* weights, const int32_t* bias, uint8_t* output);
Status FullyConnectedReference(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                               const int8_t* weights, const int32_t* bias, int8_t* output);

Status FullyConnected(const FullyConnectedParams& p, FcDims d, const float* input,
                      const float* weights, const float* bias, float* output);

}  // namespace etpu::kernels
