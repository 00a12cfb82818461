#include "kernels/conv.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "kernels/dispatch.h"
#include "kernels/fast_kernels.h"

namespace etpu::kernels {
namespace {

Status CheckQuant(const char* what, QuantParams q, QType type) {
  if (!(q.scale > 0.0f) || !std::isfinite(q.scale)) {
    return InvalidArgumentError(std::string("failed to prepare convolution: ") + what + " scale " +
                                std::to_string(q.scale) + " (expected a finite value > 0)");
  }
  if (q.zero_point < QMin(type) || q.zero_point > QMax(type)) {
    return InvalidArgumentError(std::string("failed to prepare convolution: ") + what +
                                " zero point " + std::to_string(q.zero_point) + " out of range");
  }
  return OkStatus();
}

Result<ConvParams> PrepareGeometry(const ConvOptions& o, Shape4 input, Shape4 filter) {
  if (!input.Valid() || !filter.Valid()) {
    return InvalidArgumentError("failed to prepare convolution: bad input " + input.ToString() +
                                " or filter " + filter.ToString() + " shape");
  }
  ConvParams p;
  ETPU_ASSIGN_OR_RETURN(PaddedDim ph,
                        ComputePaddedDim(o.padding, input.h, filter.h, o.stride_h, o.dilation_h));
  ETPU_ASSIGN_OR_RETURN(PaddedDim pw,
                        ComputePaddedDim(o.padding, input.w, filter.w, o.stride_w, o.dilation_w));
  p.stride_h = o.stride_h;
  p.stride_w = o.stride_w;
  p.dilation_h = o.dilation_h;
  p.dilation_w = o.dilation_w;
  p.pad_top = ph.pad;
  p.pad_left = pw.pad;
  p.out_h = ph.out;
  p.out_w = pw.out;
  p.depth_multiplier = o.depth_multiplier;
  return p;
}

Result<ConvParams> PrepareQuantized(const ConvOptions& o, Shape4 input, Shape4 filter, QType type,
                                    QuantParams input_q, std::span<const float> filter_scales,
                                    int32_t filter_zero_point, QuantParams output_q,
                                    int out_channels) {
  ETPU_ASSIGN_OR_RETURN(ConvParams p, PrepareGeometry(o, input, filter));
  ETPU_RETURN_IF_ERROR(CheckQuant("input", input_q, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("output", output_q, type));
  if (filter_scales.size() != 1 && filter_scales.size() != static_cast<size_t>(out_channels)) {
    return InvalidArgumentError("failed to prepare convolution: " +
                                std::to_string(filter_scales.size()) +
                                " filter scales (expected 1 or " + std::to_string(out_channels) +
                                ")");
  }
  p.input_offset = -input_q.zero_point;
  p.output_offset = output_q.zero_point;
  if (type == QType::kUInt8) {
    if (filter_zero_point < 0 || filter_zero_point > 255) {
      return InvalidArgumentError("failed to prepare convolution: filter zero point " +
                                  std::to_string(filter_zero_point) + " out of range");
    }
    p.filter_offset = -filter_zero_point;
  }
  ETPU_RETURN_IF_ERROR(ComputeChannelMultipliers(input_q.scale, filter_scales, output_q.scale,
                                                 &p.output_multiplier, &p.output_shift));
  ETPU_ASSIGN_OR_RETURN(ActivationRange r,
                        CalculateActivationRangeQuantized(o.activation, type, output_q));
  p.act_min = r.min;
  p.act_max = r.max;
  return p;
}

Status CheckEvalShapes(const char* op, const ConvParams& p, Shape4 in, Shape4 filter, Shape4 out,
                       bool depthwise, size_t channels_with_params, bool quantized) {
  if (!in.Valid() || !filter.Valid() || !out.Valid()) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": bad shape");
  }
  const int expected_out_c = depthwise ? in.c * p.depth_multiplier : filter.n;
  const bool filter_ok = depthwise ? (filter.n == 1 && filter.c == expected_out_c)
                                   : (filter.c == in.c);
  if (!filter_ok) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": filter " +
                                filter.ToString() + " does not match input " + in.ToString());
  }
  if (out.n != in.n || out.h != p.out_h || out.w != p.out_w || out.c != expected_out_c) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": output " + out.ToString() +
                                " (expected [" + std::to_string(in.n) + "," +
                                std::to_string(p.out_h) + "," + std::to_string(p.out_w) + "," +
                                std::to_string(expected_out_c) + "])");
  }
  if (p.stride_h <= 0 || p.stride_w <= 0 || p.dilation_h <= 0 || p.dilation_w <= 0 ||
      p.depth_multiplier <= 0) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": bad stride or dilation");
  }
  if (quantized) {
    const size_t n = p.output_multiplier.size();
    if (n == 0 || n != p.output_shift.size() || (n != 1 && n != channels_with_params)) {
      return InvalidArgumentError(std::string("failed to run ") + op + ": " + std::to_string(n) +
                                  " output multipliers (expected 1 or " +
                                  std::to_string(channels_with_params) + ")");
    }
  }
  return OkStatus();
}

// Bias, the reference double-rounding requantization, the output offset and the activation clamp
// of one output channel: the last step of every quantized convolution.
template <typename T>
T RequantizeOutput(const ConvParams& p, int32_t acc, const int32_t* bias, int oc, bool per_channel) {
  if (bias) acc = WrapAdd(acc, bias[oc]);  // wrapping, as TFLite's int32 (a hostile bias)
  const int k = per_channel ? oc : 0;
  acc = MultiplyByQuantizedMultiplier(acc, p.output_multiplier[k], p.output_shift[k]);
  return static_cast<T>(Clamp(WrapAdd(acc, p.output_offset), p.act_min, p.act_max));
}

template <typename T>
Status ConvQuantized(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                     const T* weights, const int32_t* bias, Shape4 out, T* output) {
  ETPU_RETURN_IF_ERROR(CheckEvalShapes("CONV_2D", p, in, filter, out, false, filter.n, true));
  const bool per_channel = p.output_multiplier.size() > 1;
  const int32_t io = p.input_offset, fo = p.filter_offset;
  const int ic_n = in.c;
  for (int b = 0; b < out.n; ++b) {
    for (int oy = 0; oy < out.h; ++oy) {
      const int iy0 = oy * p.stride_h - p.pad_top;
      for (int ox = 0; ox < out.w; ++ox) {
        const int ix0 = ox * p.stride_w - p.pad_left;
        T* dst = output + Offset(out, b, oy, ox, 0);
        for (int oc = 0; oc < out.c; ++oc) {
          int64_t acc = 0;  // wrapped to 32 bits below, as TFLite's int32 accumulator would
          for (int fy = 0; fy < filter.h; ++fy) {
            const int iy = iy0 + p.dilation_h * fy;
            if (iy < 0 || iy >= in.h) continue;
            for (int fx = 0; fx < filter.w; ++fx) {
              const int ix = ix0 + p.dilation_w * fx;
              if (ix < 0 || ix >= in.w) continue;
              const T* x = input + Offset(in, b, iy, ix, 0);
              const T* w = weights + Offset(filter, oc, fy, fx, 0);
              for (int ic = 0; ic < ic_n; ++ic) {
                acc += (int32_t{w[ic]} + fo) * (int32_t{x[ic]} + io);
              }
            }
          }
          dst[oc] = RequantizeOutput<T>(p, WrapTo32(acc), bias, oc, per_channel);
        }
      }
    }
  }
  return OkStatus();
}

template <typename T>
Status DepthwiseQuantized(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                          const T* weights, const int32_t* bias, Shape4 out, T* output) {
  ETPU_RETURN_IF_ERROR(
      CheckEvalShapes("DEPTHWISE_CONV_2D", p, in, filter, out, true, out.c, true));
  const bool per_channel = p.output_multiplier.size() > 1;
  const int32_t io = p.input_offset, fo = p.filter_offset;
  const int m_n = p.depth_multiplier;
  std::vector<int64_t> acc(out.c);  // wrapped to 32 bits below, as in ConvQuantized
  for (int b = 0; b < out.n; ++b) {
    for (int oy = 0; oy < out.h; ++oy) {
      const int iy0 = oy * p.stride_h - p.pad_top;
      for (int ox = 0; ox < out.w; ++ox) {
        const int ix0 = ox * p.stride_w - p.pad_left;
        std::fill(acc.begin(), acc.end(), 0);
        for (int fy = 0; fy < filter.h; ++fy) {
          const int iy = iy0 + p.dilation_h * fy;
          if (iy < 0 || iy >= in.h) continue;
          for (int fx = 0; fx < filter.w; ++fx) {
            const int ix = ix0 + p.dilation_w * fx;
            if (ix < 0 || ix >= in.w) continue;
            const T* x = input + Offset(in, b, iy, ix, 0);
            const T* w = weights + Offset(filter, 0, fy, fx, 0);
            if (m_n == 1) {
              for (int c = 0; c < out.c; ++c) acc[c] += (int32_t{w[c]} + fo) * (int32_t{x[c]} + io);
            } else {
              for (int ic = 0; ic < in.c; ++ic) {
                const int32_t xv = int32_t{x[ic]} + io;
                for (int m = 0; m < m_n; ++m) {
                  const int oc = ic * m_n + m;
                  acc[oc] += (int32_t{w[oc]} + fo) * xv;
                }
              }
            }
          }
        }
        T* dst = output + Offset(out, b, oy, ox, 0);
        for (int oc = 0; oc < out.c; ++oc) {
          dst[oc] = RequantizeOutput<T>(p, WrapTo32(acc[oc]), bias, oc, per_channel);
        }
      }
    }
  }
  return OkStatus();
}

inline float ClampF(float v, float lo, float hi) { return std::min(std::max(v, lo), hi); }

}  // namespace

Status ComputeChannelMultipliers(float input_scale, std::span<const float> filter_scales,
                                 float output_scale, std::vector<int32_t>* multipliers,
                                 std::vector<int>* shifts) {
  multipliers->clear();
  shifts->clear();
  for (size_t i = 0; i < filter_scales.size(); ++i) {
    const float fs = filter_scales[i];
    if (!(fs >= 0.0f) || !std::isfinite(fs)) {
      return InvalidArgumentError("failed to prepare multipliers: filter scale #" +
                                  std::to_string(i) + " is " + std::to_string(fs) +
                                  " (expected a finite value >= 0)");
    }
    const double real = static_cast<double>(input_scale) * static_cast<double>(fs) /
                        static_cast<double>(output_scale);
    const QuantizedMultiplier q = QuantizeMultiplier(real);
    multipliers->push_back(q.multiplier);
    shifts->push_back(q.shift);
  }
  return OkStatus();
}

Result<ConvParams> PrepareConv(const ConvOptions& options, Shape4 input, Shape4 filter, QType type,
                               QuantParams input_q, std::span<const float> filter_scales,
                               int32_t filter_zero_point, QuantParams output_q) {
  return PrepareQuantized(options, input, filter, type, input_q, filter_scales, filter_zero_point,
                          output_q, filter.n);
}

Result<ConvParams> PrepareDepthwiseConv(const ConvOptions& options, Shape4 input, Shape4 filter,
                                        QType type, QuantParams input_q,
                                        std::span<const float> filter_scales,
                                        int32_t filter_zero_point, QuantParams output_q) {
  if (options.depth_multiplier <= 0 || filter.c != input.c * options.depth_multiplier) {
    return InvalidArgumentError("failed to prepare DEPTHWISE_CONV_2D: filter " + filter.ToString() +
                                " does not match input " + input.ToString() +
                                " with depth multiplier " +
                                std::to_string(options.depth_multiplier));
  }
  return PrepareQuantized(options, input, filter, type, input_q, filter_scales, filter_zero_point,
                          output_q, filter.c);
}

Result<ConvParams> PrepareConvFloat(const ConvOptions& options, Shape4 input, Shape4 filter,
                                    bool depthwise) {
  ETPU_ASSIGN_OR_RETURN(ConvParams p, PrepareGeometry(options, input, filter));
  if (!depthwise) p.depth_multiplier = 1;
  ETPU_ASSIGN_OR_RETURN(FloatRange r, CalculateActivationRangeFloat(options.activation));
  p.float_min = r.min;
  p.float_max = r.max;
  return p;
}

Status Conv2DReference(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                       const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output) {
  return ConvQuantized(p, in, input, filter, weights, bias, out, output);
}
Status Conv2DReference(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                       const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output) {
  return ConvQuantized(p, in, input, filter, weights, bias, out, output);
}
Status DepthwiseConv2DReference(const ConvParams& p, Shape4 in, const uint8_t* input,
                                Shape4 filter, const uint8_t* weights, const int32_t* bias,
                                Shape4 out, uint8_t* output) {
  return DepthwiseQuantized(p, in, input, filter, weights, bias, out, output);
}
Status DepthwiseConv2DReference(const ConvParams& p, Shape4 in, const int8_t* input,
                                Shape4 filter, const int8_t* weights, const int32_t* bias,
                                Shape4 out, int8_t* output) {
  return DepthwiseQuantized(p, in, input, filter, weights, bias, out, output);
}

namespace {

template <typename T>
Status ConvDispatch(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                    const T* weights, const int32_t* bias, Shape4 out, T* output,
                    const ExecContext& ctx) {
  if (FastKernelsActive()) {
    ETPU_RETURN_IF_ERROR(CheckEvalShapes("CONV_2D", p, in, filter, out, false, filter.n, true));
    if (fast::Conv2D(p, in, input, filter, weights, bias, out, output, ctx)) return OkStatus();
  }
  return ConvQuantized(p, in, input, filter, weights, bias, out, output);
}

template <typename T>
Status DepthwiseDispatch(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                         const T* weights, const int32_t* bias, Shape4 out, T* output,
                         const ExecContext& ctx) {
  if (FastKernelsActive()) {
    ETPU_RETURN_IF_ERROR(
        CheckEvalShapes("DEPTHWISE_CONV_2D", p, in, filter, out, true, out.c, true));
    if (fast::DepthwiseConv2D(p, in, input, filter, weights, bias, out, output, ctx)) {
      return OkStatus();
    }
  }
  return DepthwiseQuantized(p, in, input, filter, weights, bias, out, output);
}

}  // namespace

Status Conv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
              const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output) {
  return ConvDispatch(p, in, input, filter, weights, bias, out, output, {});
}
Status Conv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
              const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output) {
  return ConvDispatch(p, in, input, filter, weights, bias, out, output, {});
}
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                       const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output) {
  return DepthwiseDispatch(p, in, input, filter, weights, bias, out, output, {});
}
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                       const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output) {
  return DepthwiseDispatch(p, in, input, filter, weights, bias, out, output, {});
}
Status Conv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
              const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
              const ExecContext& ctx) {
  return ConvDispatch(p, in, input, filter, weights, bias, out, output, ctx);
}
Status Conv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
              const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
              const ExecContext& ctx) {
  return ConvDispatch(p, in, input, filter, weights, bias, out, output, ctx);
}
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                       const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
                       const ExecContext& ctx) {
  return DepthwiseDispatch(p, in, input, filter, weights, bias, out, output, ctx);
}
Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                       const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
                       const ExecContext& ctx) {
  return DepthwiseDispatch(p, in, input, filter, weights, bias, out, output, ctx);
}

Status Conv2D(const ConvParams& p, Shape4 in, const float* input, Shape4 filter,
              const float* weights, const float* bias, Shape4 out, float* output) {
  ETPU_RETURN_IF_ERROR(CheckEvalShapes("CONV_2D", p, in, filter, out, false, filter.n, false));
  for (int b = 0; b < out.n; ++b) {
    for (int oy = 0; oy < out.h; ++oy) {
      for (int ox = 0; ox < out.w; ++ox) {
        for (int oc = 0; oc < out.c; ++oc) {
          float total = 0.0f;
          for (int fy = 0; fy < filter.h; ++fy) {
            const int iy = oy * p.stride_h - p.pad_top + p.dilation_h * fy;
            if (iy < 0 || iy >= in.h) continue;
            for (int fx = 0; fx < filter.w; ++fx) {
              const int ix = ox * p.stride_w - p.pad_left + p.dilation_w * fx;
              if (ix < 0 || ix >= in.w) continue;
              const float* x = input + Offset(in, b, iy, ix, 0);
              const float* w = weights + Offset(filter, oc, fy, fx, 0);
              for (int ic = 0; ic < in.c; ++ic) total += x[ic] * w[ic];
            }
          }
          const float bv = bias ? bias[oc] : 0.0f;
          output[Offset(out, b, oy, ox, oc)] = ClampF(total + bv, p.float_min, p.float_max);
        }
      }
    }
  }
  return OkStatus();
}

Status DepthwiseConv2D(const ConvParams& p, Shape4 in, const float* input, Shape4 filter,
                       const float* weights, const float* bias, Shape4 out, float* output) {
  ETPU_RETURN_IF_ERROR(
      CheckEvalShapes("DEPTHWISE_CONV_2D", p, in, filter, out, true, out.c, false));
  for (int b = 0; b < out.n; ++b) {
    for (int oy = 0; oy < out.h; ++oy) {
      for (int ox = 0; ox < out.w; ++ox) {
        for (int oc = 0; oc < out.c; ++oc) {
          const int ic = oc / p.depth_multiplier;
          float total = 0.0f;
          for (int fy = 0; fy < filter.h; ++fy) {
            const int iy = oy * p.stride_h - p.pad_top + p.dilation_h * fy;
            if (iy < 0 || iy >= in.h) continue;
            for (int fx = 0; fx < filter.w; ++fx) {
              const int ix = ox * p.stride_w - p.pad_left + p.dilation_w * fx;
              if (ix < 0 || ix >= in.w) continue;
              total += input[Offset(in, b, iy, ix, ic)] * weights[Offset(filter, 0, fy, fx, oc)];
            }
          }
          const float bv = bias ? bias[oc] : 0.0f;
          output[Offset(out, b, oy, ox, oc)] = ClampF(total + bv, p.float_min, p.float_max);
        }
      }
    }
  }
  return OkStatus();
}

}  // namespace etpu::kernels
