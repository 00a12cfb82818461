#include <algorithm>
#include <string>
#include <vector>

#include "kernels/conv.h"

namespace etpu::kernels {
namespace {

Status CheckTransposeConvShapes(const ConvParams& p, Shape4 in, Shape4 filter, Shape4 out) {
  if (!in.Valid() || !filter.Valid() || !out.Valid() || filter.c != in.c || filter.n != out.c ||
      out.n != in.n || in.h != p.out_h || in.w != p.out_w || p.stride_h <= 0 || p.stride_w <= 0) {
    return InvalidArgumentError("failed to run TRANSPOSE_CONV: input " + in.ToString() +
                                ", filter " + filter.ToString() + ", output " + out.ToString() +
                                " do not match the prepared parameters");
  }
  return OkStatus();
}

// Every input pixel scatters into the output-sized accumulator `acc`: for each tap and output
// channel, acc += sum over input channels of product(x, w) (summed in Acc, in input-channel order).
template <typename T, typename Acc, typename Product>
void Scatter(const ConvParams& p, Shape4 in, const T* input, Shape4 filter, const T* weights, Shape4 out,
             Acc* acc, Product product) {
  for (int b = 0; b < in.n; ++b)
    for (int iy = 0; iy < in.h; ++iy)
      for (int ix = 0; ix < in.w; ++ix) {
        const T* x = input + Offset(in, b, iy, ix, 0);
        for (int fy = 0; fy < filter.h; ++fy) {
          const int oy = iy * p.stride_h - p.pad_top + fy;
          if (oy < 0 || oy >= out.h) continue;
          for (int fx = 0; fx < filter.w; ++fx) {
            const int ox = ix * p.stride_w - p.pad_left + fx;
            if (ox < 0 || ox >= out.w) continue;
            Acc* a = acc + Offset(out, b, oy, ox, 0);
            for (int oc = 0; oc < out.c; ++oc) {
              const T* w = weights + Offset(filter, oc, fy, fx, 0);
              Acc s = 0;
              for (int ic = 0; ic < in.c; ++ic) s += product(x[ic], w[ic]);
              a[oc] += s;
            }
          }
        }
      }
}

template <typename T>
Status TransposeConvImpl(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                         const T* weights, const int32_t* bias, Shape4 out, T* output) {
  ETPU_RETURN_IF_ERROR(CheckTransposeConvShapes(p, in, filter, out));
  const size_t n = p.output_multiplier.size();
  if (n == 0 || n != p.output_shift.size() || (n != 1 && n != static_cast<size_t>(out.c))) {
    return InvalidArgumentError("failed to run TRANSPOSE_CONV: bad multiplier count");
  }
  std::vector<int32_t> acc(out.FlatSize(), 0);
  const int32_t io = p.input_offset, fo = p.filter_offset;
  Scatter(p, in, input, filter, weights, out, acc.data(),
          [io, fo](T x, T w) { return (int32_t{x} + io) * (int32_t{w} + fo); });
  for (int64_t i = 0; i < out.FlatSize(); ++i) {
    const int oc = static_cast<int>(i % out.c);
    int32_t v = WrapAdd(acc[i], bias ? bias[oc] : 0);  // wrapping, as TFLite's int32
    const size_t k = n > 1 ? oc : 0;
    v = WrapAdd(MultiplyByQuantizedMultiplier(v, p.output_multiplier[k], p.output_shift[k]), p.output_offset);
    output[i] = static_cast<T>(Clamp(v, p.act_min, p.act_max));
  }
  return OkStatus();
}

}  // namespace

Result<ConvParams> PrepareTransposeConv(Padding padding, int stride_h, int stride_w, Shape4 input,
                                        Shape4 filter, Shape4 output, QType type,
                                        QuantParams input_q, std::span<const float> filter_scales,
                                        int32_t filter_zero_point, QuantParams output_q) {
  if (!input.Valid() || !filter.Valid() || !output.Valid()) {
    return InvalidArgumentError("failed to prepare TRANSPOSE_CONV: bad shape");
  }
  // Geometry of the forward convolution output -> input.
  ConvOptions o;
  o.padding = padding;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  ETPU_ASSIGN_OR_RETURN(ConvParams p, PrepareConv(o, output, Shape4{filter.n, filter.h, filter.w, output.c},
                                                  type, input_q, filter_scales, filter_zero_point,
                                                  output_q));
  if (p.out_h != input.h || p.out_w != input.w) {
    return InvalidArgumentError("failed to prepare TRANSPOSE_CONV: output " + output.ToString() +
                                " does not transpose to input " + input.ToString());
  }
  p.act_min = QMin(type);
  p.act_max = QMax(type);
  return p;
}

Status TransposeConv(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                     const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output) {
  return TransposeConvImpl(p, in, input, filter, weights, bias, out, output);
}
Status TransposeConv(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                     const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output) {
  return TransposeConvImpl(p, in, input, filter, weights, bias, out, output);
}

Result<ConvParams> PrepareTransposeConvFloat(Padding padding, int stride_h, int stride_w, Activation activation,
                                             Shape4 input, Shape4 filter, Shape4 output) {
  ConvOptions o;
  o.padding = padding;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.activation = activation;
  // The padding of the forward convolution output -> input.
  ETPU_ASSIGN_OR_RETURN(ConvParams p, PrepareConvFloat(o, output, Shape4{filter.n, filter.h, filter.w, output.c}, false));
  if (input.h != p.out_h || input.w != p.out_w) {
    return InvalidArgumentError("failed to prepare TRANSPOSE_CONV: input " + input.ToString() +
                                " does not match output " + output.ToString() + " with this stride and padding");
  }
  return p;
}

Status TransposeConv(const ConvParams& p, Shape4 in, const float* input, Shape4 filter, const float* weights,
                     const float* bias, Shape4 out, float* output) {
  ETPU_RETURN_IF_ERROR(CheckTransposeConvShapes(p, in, filter, out));
  std::fill(output, output + out.FlatSize(), 0.0f);
  Scatter(p, in, input, filter, weights, out, output, [](float x, float w) { return x * w; });
  for (int64_t i = 0; i < out.FlatSize(); ++i) {
    const float v = output[i] + (bias != nullptr ? bias[i % out.c] : 0.0f);
    output[i] = std::min(std::max(v, p.float_min), p.float_max);
  }
  return OkStatus();
}

}  // namespace etpu::kernels
