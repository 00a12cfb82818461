#include "kernels/fully_connected.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/conv.h"
#include "kernels/dispatch.h"
#include "kernels/fast_kernels.h"

namespace etpu::kernels {
namespace {

Status CheckDims(FcDims d) {
  if (d.batches <= 0 || d.accum_depth <= 0 || d.out_depth <= 0) {
    return InvalidArgumentError("failed to run FULLY_CONNECTED: dims " +
                                std::to_string(d.batches) + "x" + std::to_string(d.accum_depth) +
                                "x" + std::to_string(d.out_depth) + " (expected all > 0)");
  }
  return OkStatus();
}

template <typename T>
Status FcQuantized(const FullyConnectedParams& p, FcDims d, const T* input, const T* weights,
                   const int32_t* bias, T* output) {
  ETPU_RETURN_IF_ERROR(CheckDims(d));
  const size_t n = p.output_multiplier.size();
  if (n == 0 || n != p.output_shift.size() || (n != 1 && n != static_cast<size_t>(d.out_depth))) {
    return InvalidArgumentError("failed to run FULLY_CONNECTED: " + std::to_string(n) +
                                " output multipliers (expected 1 or " +
                                std::to_string(d.out_depth) + ")");
  }
  const bool per_channel = n > 1;
  const int32_t io = p.input_offset, fo = p.filter_offset;
  for (int b = 0; b < d.batches; ++b) {
    const T* x = input + int64_t{b} * d.accum_depth;
    for (int o = 0; o < d.out_depth; ++o) {
      const T* w = weights + int64_t{o} * d.accum_depth;
      // In 64 bits, wrapped to 32 as TFLite's int32 accumulator would (a hostile depth or bias).
      int64_t sum = 0;
      for (int k = 0; k < d.accum_depth; ++k) sum += (int32_t{w[k]} + fo) * (int32_t{x[k]} + io);
      if (bias) sum += bias[o];
      const int k = per_channel ? o : 0;
      int32_t acc = MultiplyByQuantizedMultiplier(WrapTo32(sum), p.output_multiplier[k], p.output_shift[k]);
      acc = WrapAdd(acc, p.output_offset);
      output[int64_t{b} * d.out_depth + o] = static_cast<T>(Clamp(acc, p.act_min, p.act_max));
    }
  }
  return OkStatus();
}

}  // namespace

Result<FullyConnectedParams> PrepareFullyConnected(QType type, QuantParams input_q,
                                                   std::span<const float> filter_scales,
                                                   int32_t filter_zero_point,
                                                   QuantParams output_q, Activation activation,
                                                   int out_depth) {
  if (!(input_q.scale > 0) || !(output_q.scale > 0) || !std::isfinite(input_q.scale) ||
      !std::isfinite(output_q.scale)) {
    return InvalidArgumentError("failed to prepare FULLY_CONNECTED: non-positive scale");
  }
  if (filter_scales.size() != 1 && filter_scales.size() != static_cast<size_t>(out_depth)) {
    return InvalidArgumentError("failed to prepare FULLY_CONNECTED: " +
                                std::to_string(filter_scales.size()) +
                                " filter scales (expected 1 or " + std::to_string(out_depth) + ")");
  }
  for (int32_t zp : {input_q.zero_point, output_q.zero_point, filter_zero_point}) {
    if (zp < QMin(type) || zp > QMax(type)) {
      return InvalidArgumentError("failed to prepare FULLY_CONNECTED: zero point " +
                                  std::to_string(zp) + " out of range");
    }
  }
  FullyConnectedParams p;
  p.input_offset = -input_q.zero_point;
  p.filter_offset = -filter_zero_point;
  p.output_offset = output_q.zero_point;
  ETPU_RETURN_IF_ERROR(ComputeChannelMultipliers(input_q.scale, filter_scales, output_q.scale,
                                                 &p.output_multiplier, &p.output_shift));
  ETPU_ASSIGN_OR_RETURN(ActivationRange r,
                        CalculateActivationRangeQuantized(activation, type, output_q));
  p.act_min = r.min;
  p.act_max = r.max;
  return p;
}

Result<FullyConnectedParams> PrepareFullyConnectedFloat(Activation activation) {
  ETPU_ASSIGN_OR_RETURN(FloatRange r, CalculateActivationRangeFloat(activation));
  FullyConnectedParams p;
  p.float_min = r.min;
  p.float_max = r.max;
  return p;
}

Status FullyConnectedReference(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                               const uint8_t* weights, const int32_t* bias, uint8_t* output) {
  return FcQuantized(p, d, input, weights, bias, output);
}
Status FullyConnectedReference(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                               const int8_t* weights, const int32_t* bias, int8_t* output) {
  return FcQuantized(p, d, input, weights, bias, output);
}

namespace {

template <typename T>
Status FcDispatch(const FullyConnectedParams& p, FcDims d, const T* input, const T* weights,
                  const int32_t* bias, T* output, const ExecContext& ctx) {
  if (FastKernelsActive() && d.batches > 0 && d.accum_depth > 0 && d.out_depth > 0 &&
      fast::FullyConnected(p, d, input, weights, bias, output, ctx)) {
    return OkStatus();
  }
  return FcQuantized(p, d, input, weights, bias, output);
}

}  // namespace

Status FullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                      const uint8_t* weights, const int32_t* bias, uint8_t* output) {
  return FcDispatch(p, d, input, weights, bias, output, {});
}
Status FullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                      const int8_t* weights, const int32_t* bias, int8_t* output) {
  return FcDispatch(p, d, input, weights, bias, output, {});
}
Status FullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                      const uint8_t* weights, const int32_t* bias, uint8_t* output,
                      const ExecContext& ctx) {
  return FcDispatch(p, d, input, weights, bias, output, ctx);
}
Status FullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                      const int8_t* weights, const int32_t* bias, int8_t* output,
                      const ExecContext& ctx) {
  return FcDispatch(p, d, input, weights, bias, output, ctx);
}

Status FullyConnected(const FullyConnectedParams& p, FcDims d, const float* input,
                      const float* weights, const float* bias, float* output) {
  ETPU_RETURN_IF_ERROR(CheckDims(d));
  for (int b = 0; b < d.batches; ++b) {
    for (int o = 0; o < d.out_depth; ++o) {
      float total = 0.0f;
      for (int k = 0; k < d.accum_depth; ++k) {
        total += input[int64_t{b} * d.accum_depth + k] * weights[int64_t{o} * d.accum_depth + k];
      }
      const float bv = bias ? bias[o] : 0.0f;
      output[int64_t{b} * d.out_depth + o] =
          std::min(std::max(total + bv, p.float_min), p.float_max);
    }
  }
  return OkStatus();
}

}  // namespace etpu::kernels
