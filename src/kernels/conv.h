// CONV_2D and DEPTHWISE_CONV_2D: uint8 per-tensor, int8 per-channel and float32.
//
// Prepare (once per model): PrepareConv / PrepareDepthwiseConv turn the float quantization of
// input, filter and output plus the op options into ConvParams. Eval (per inference): Conv2D /
// DepthwiseConv2D. Layouts: input/output NHWC, conv filter OHWI, depthwise filter 1,H,W,(I*M).
// Numerics: acc = sum (w + filter_offset) * (x + input_offset) + bias in int32, then
// MultiplyByQuantizedMultiplier(acc, m[oc], shift[oc]) + output_offset, clamped. Padded taps are
// skipped (they contribute as the input zero point would). int8 filters are symmetric: their
// zero point is ignored (filter_offset = 0), as TFLite does.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Geometry and fused activation of a convolution, as the TFLite options give them.
struct ConvOptions {
  Padding padding = Padding::kSame;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int depth_multiplier = 1;  ///< Depthwise only.
  Activation activation = Activation::kNone;
};

/// Integer (and float) parameters of a prepared convolution.
struct ConvParams {
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_left = 0;
  int out_h = 0, out_w = 0;  ///< Expected output spatial size.
  int depth_multiplier = 1;  ///< Depthwise only.
  int32_t input_offset = 0;   ///< -input zero point.
  int32_t filter_offset = 0;  ///< -filter zero point (0 for int8).
  int32_t output_offset = 0;  ///< +output zero point.
  /// One entry per output channel, or a single entry used for every channel.
  std::vector<int32_t> output_multiplier;
  std::vector<int> output_shift;
  int32_t act_min = 0, act_max = 0;   ///< Quantized clamp.
  float float_min = 0, float_max = 0;  ///< Float clamp (float kernels only).
};

/// Prepares a quantized CONV_2D. `filter_scales` has one entry (per-tensor) or one per output
/// channel (filter.n). Multipliers: double(in_scale) * double(filter_scale) / double(out_scale).
Result<ConvParams> PrepareConv(const ConvOptions& options, Shape4 input, Shape4 filter, QType type,
                               QuantParams input_q, std::span<const float> filter_scales,
                               int32_t filter_zero_point, QuantParams output_q);

/// Prepares a quantized DEPTHWISE_CONV_2D (filter 1,H,W,C*M; scales 1 or C*M entries).
Result<ConvParams> PrepareDepthwiseConv(const ConvOptions& options, Shape4 input, Shape4 filter,
                                        QType type, QuantParams input_q,
                                        std::span<const float> filter_scales,
                                        int32_t filter_zero_point, QuantParams output_q);

/// Prepares a float convolution or depthwise convolution (padding and clamp only).
Result<ConvParams> PrepareConvFloat(const ConvOptions& options, Shape4 input, Shape4 filter,
                                    bool depthwise);

/// Quantized CONV_2D. `bias` may be null (one int32 per output channel otherwise).
/// Takes a bit-exact SIMD fast path when one applies (see kernels/dispatch.h).
Status Conv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
              const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output);
Status Conv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
              const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output);
Status Conv2D(const ConvParams& p, Shape4 in, const float* input, Shape4 filter,
              const float* weights, const float* bias, Shape4 out, float* output);

/// Quantized DEPTHWISE_CONV_2D with depth multiplier p.depth_multiplier.
/// Takes a bit-exact SIMD fast path when one applies (see kernels/dispatch.h).
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                       const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output);
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                       const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output);
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const float* input, Shape4 filter,
                       const float* weights, const float* bias, Shape4 out, float* output);

/// The reference (plain loop) quantized kernels, whatever the fast-path setting: the baseline
/// that tests and benchmarks compare the fast paths with.
Status Conv2DReference(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                       const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output);
Status Conv2DReference(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                       const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output);
Status DepthwiseConv2DReference(const ConvParams& p, Shape4 in, const uint8_t* input,
                                Shape4 filter, const uint8_t* weights, const int32_t* bias,
                                Shape4 out, uint8_t* output);
Status DepthwiseConv2DReference(const ConvParams& p, Shape4 in, const int8_t* input,
                                Shape4 filter, const int8_t* weights, const int32_t* bias,
                                Shape4 out, int8_t* output);

/// Fills per-channel multipliers: m = double(in) * double(filter_scales[i]) / double(out).
/// Shared by conv, depthwise, fully connected and transpose conv.
Status ComputeChannelMultipliers(float input_scale, std::span<const float> filter_scales,
                                 float output_scale, std::vector<int32_t>* multipliers,
                                 std::vector<int>* shifts);

}  // namespace etpu::kernels

namespace etpu::kernels {

/// Prepares a quantized TRANSPOSE_CONV producing `output` (NHWC) from `input` with filter
/// [out_c, H, W, in_c]. Padding as TFLite: computed as for a convolution from `output` to
/// `input`. No fused activation (the clamp is the type range); multipliers as CONV_2D.
Result<ConvParams> PrepareTransposeConv(Padding padding, int stride_h, int stride_w, Shape4 input,
                                        Shape4 filter, Shape4 output, QType type,
                                        QuantParams input_q, std::span<const float> filter_scales,
                                        int32_t filter_zero_point, QuantParams output_q);

/// Quantized TRANSPOSE_CONV: every input pixel scatters (x + input_offset)(w + filter_offset)
/// into an int32 accumulator; bias (may be null) is added, then requantized as CONV_2D.
Status TransposeConv(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                     const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output);
Status TransposeConv(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                     const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output);

/// Prepares a float TRANSPOSE_CONV (padding as the quantized one, clamp of `activation`).
Result<ConvParams> PrepareTransposeConvFloat(Padding padding, int stride_h, int stride_w, Activation activation,
                                             Shape4 input, Shape4 filter, Shape4 output);
/// Float TRANSPOSE_CONV: the same scatter with float products (summed over input channels per
/// tap, then added), bias (may be null), then the clamp.
Status TransposeConv(const ConvParams& p, Shape4 in, const float* input, Shape4 filter, const float* weights,
                     const float* bias, Shape4 out, float* output);

}  // namespace etpu::kernels
