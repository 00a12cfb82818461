// MEAN (uint8/int8 over H and W of a 4-D NHWC tensor, as TFLite's reference 4-D path; generic
// axes for same quantization) and ARG_MAX (first maximum wins) over one axis.
//
// MEAN uint8, axes {1,2}: bias = zp_out - (int32)(zp_in * s_in / s_out) (float);
//   m = double(float(s_in / (float(H*W) * s_out))); out = MBQM(sum x, m) + bias, clamped.
// MEAN int8, axes {1,2}: m = double(s_in) / double(s_out); acc = MBQM(sum (x - zp_in), m);
//   acc /= H*W rounding half away from zero; out = acc + zp_out, clamped.
//
// SUM (uint8/int8, any axes; TFLite 2.2's reference): with the output's scale and zero point equal
//   to the input's, the raw values are summed in the element type (wrapping, zero point ignored:
//   TFLite's generic reducer); otherwise scale = float(s_in / s_out),
//   bias = float(-zp_in) * scale * float(count) + 0.5f (2.2's extra half, confirmed by the oracle;
//   later TFLite versions dropped it); out = T(int32(round(float(sum x) * scale + bias))
//   + zp_out) -- not clamped (TFLite casts, so values outside the type wrap).
// REDUCE_MAX / REDUCE_MIN (any axes): raw values compared (TFLite keeps the input's quantization).
#pragma once

#include <cstdint>
#include <vector>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Prepared MEAN over H and W.
struct MeanParams {
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;
  int32_t bias = 0;  ///< uint8 path only.
  int spatial = 0;   ///< H*W the params were prepared for.
};

/// Prepares MEAN over axes {1,2} of an NHWC tensor of spatial size h*w.
Result<MeanParams> PrepareMeanHW(QType type, int h, int w, QuantParams input, QuantParams output);

/// out is [n,1,1,c] (the same memory layout as [n,c]).
Status MeanHW(const MeanParams& p, Shape4 in, const uint8_t* input, uint8_t* output);
Status MeanHW(const MeanParams& p, Shape4 in, const int8_t* input, int8_t* output);
Status MeanHW(Shape4 in, const float* input, float* output);

/// The dimensions of an N-D input (row-major) and which of them a reduction collapses; the output
/// holds the product of the kept dimensions (keep_dims does not change the memory layout).
struct ReduceAxes {
  std::vector<int> dims;
  std::vector<bool> reduced;  ///< One flag per dimension.
  /// Checks dims (each >= 1) and flags; the number of outputs and of reduced elements per output.
  Status Validate(const char* op, int64_t* outputs, int64_t* count) const;
};

/// Prepared quantized SUM.
struct SumParams {
  bool requantize = false;  ///< False: raw wrapping sum (same scale and zero point).
  int32_t input_zero_point = 0, output_zero_point = 0;
  float scale = 1.0f, bias = 0.0f;
  int64_t count = 0;  ///< Elements summed per output the params were prepared for.
};

/// `count`: elements summed into each output (product of the reduced dimensions).
Result<SumParams> PrepareSum(QType type, QuantParams input, QuantParams output, int64_t count);
Status Sum(const SumParams& p, const ReduceAxes& axes, const uint8_t* input, uint8_t* output);
Status Sum(const SumParams& p, const ReduceAxes& axes, const int8_t* input, int8_t* output);

/// REDUCE_MAX / REDUCE_MIN.
Status ReduceMax(const ReduceAxes& axes, const uint8_t* input, uint8_t* output);
Status ReduceMax(const ReduceAxes& axes, const int8_t* input, int8_t* output);
Status ReduceMax(const ReduceAxes& axes, const int32_t* input, int32_t* output);
Status ReduceMax(const ReduceAxes& axes, const float* input, float* output);
Status ReduceMin(const ReduceAxes& axes, const uint8_t* input, uint8_t* output);
Status ReduceMin(const ReduceAxes& axes, const int8_t* input, int8_t* output);
Status ReduceMin(const ReduceAxes& axes, const int32_t* input, int32_t* output);
Status ReduceMin(const ReduceAxes& axes, const float* input, float* output);

/// ARG_MAX over the middle axis of [outer, axis_size, inner]; index of the first maximum.
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const uint8_t* input, int32_t* output);
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const int8_t* input, int32_t* output);
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const float* input, int32_t* output);
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const uint8_t* input, int64_t* output);
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const int8_t* input, int64_t* output);
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const float* input, int64_t* output);

}  // namespace etpu::kernels
