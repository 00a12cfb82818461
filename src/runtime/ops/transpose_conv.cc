#include "runtime/ops/transpose_conv.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "kernels/conv.h"
#include "kernels/quant_utils.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

struct TcGeom {
  kernels::Shape4 in, filter, out;
  int stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0;
};

// Scatter-accumulates into `acc` (output-sized). T is the input element type, A the accumulator.
template <typename T, typename A>
void Scatter(const TcGeom& g, const T* input, const T* weights, A in_off, A f_off, A* acc) {
  std::fill(acc, acc + g.out.FlatSize(), A{0});
  for (int b = 0; b < g.in.n; ++b) {
    for (int iy = 0; iy < g.in.h; ++iy) {
      for (int ix = 0; ix < g.in.w; ++ix) {
        const T* px = input + kernels::Offset(g.in, b, iy, ix, 0);
        for (int oc = 0; oc < g.filter.n; ++oc) {
          for (int fy = 0; fy < g.filter.h; ++fy) {
            const int oy = iy * g.stride_h - g.pad_top + fy;
            if (oy < 0 || oy >= g.out.h) continue;
            for (int fx = 0; fx < g.filter.w; ++fx) {
              const int ox = ix * g.stride_w - g.pad_left + fx;
              if (ox < 0 || ox >= g.out.w) continue;
              const T* w = weights + kernels::Offset(g.filter, oc, fy, fx, 0);
              A sum = 0;
              for (int ic = 0; ic < g.in.c; ++ic) sum += (A(px[ic]) + in_off) * (A(w[ic]) + f_off);
              acc[kernels::Offset(g.out, b, oy, ox, oc)] += sum;
            }
          }
        }
      }
    }
  }
}

}  // namespace

Result<EvalFn> MakeTransposeConv(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 3, 1));
  const ir::Tensor& filter = c.in(1);
  const ir::Tensor& in = c.in(2);
  const ir::Tensor& out = c.out(0);
  ETPU_RETURN_IF_ERROR(CheckType(c, in, {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  if (filter.type != in.type || out.type != in.type) return UnimplementedError(c.label() + ": mixed types");
  const auto* opt = c.op().options<tflite_fb::TransposeConvOptionsT>();
  if (opt == nullptr) return c.Error("missing TransposeConvOptions");
  TcGeom g;
  ETPU_ASSIGN_OR_RETURN(g.in, ToShape4(in, c.label()));
  ETPU_ASSIGN_OR_RETURN(g.filter, ToShape4(filter, c.label()));
  ETPU_ASSIGN_OR_RETURN(g.out, ToShape4(out, c.label()));
  if (g.filter.c != g.in.c || g.filter.n != g.out.c || g.in.n != g.out.n) {
    return c.Error("filter, input and output shapes do not match");
  }
  g.stride_h = opt->stride_h;
  g.stride_w = opt->stride_w;
  ETPU_ASSIGN_OR_RETURN(auto ph, kernels::ComputePaddedDim(ToPadding(opt->padding), g.out.h, g.filter.h, g.stride_h, 1));
  ETPU_ASSIGN_OR_RETURN(auto pw, kernels::ComputePaddedDim(ToPadding(opt->padding), g.out.w, g.filter.w, g.stride_w, 1));
  g.pad_top = ph.pad;
  g.pad_left = pw.pad;
  const kernels::Activation act = ToActivation(opt->fused_activation_function);
  const uint8_t* input = c.in_data(2);
  const uint8_t* weights = c.in_data(1);
  const uint8_t* bias = c.has_input(3) ? c.in_data(3) : nullptr;
  if (bias != nullptr && c.in(3).num_elements() != g.out.c) return c.Error("bias size does not match");
  uint8_t* output = c.out_data(0);
  const int64_t n = g.out.FlatSize();
  if (in.type == TensorType::FLOAT32) {
    ETPU_ASSIGN_OR_RETURN(auto range, kernels::CalculateActivationRangeFloat(act));
    auto scratch = std::make_shared<std::vector<float>>(static_cast<size_t>(n));
    return EvalFn([=]() {
      Scatter<float, float>(g, As<float>(input), As<float>(weights), 0.f, 0.f, scratch->data());
      float* o = AsMut<float>(output);
      for (int64_t i = 0; i < n; ++i) {
        float v = (*scratch)[static_cast<size_t>(i)] + (bias ? As<float>(bias)[i % g.out.c] : 0.f);
        o[i] = std::min(std::max(v, range.min), range.max);
      }
      return OkStatus();
    });
  }
  const kernels::QType qt = QTypeOf(in.type);
  std::vector<int32_t> mult;
  std::vector<int> shift;
  if (filter.quant.scale.empty()) return c.Error("filter is not quantized");
  ETPU_RETURN_IF_ERROR(kernels::ComputeChannelMultipliers(Quant(in).scale, filter.quant.scale, Quant(out).scale,
                                                          &mult, &shift));
  ETPU_ASSIGN_OR_RETURN(auto range, kernels::CalculateActivationRangeQuantized(act, qt, Quant(out)));
  const int32_t in_off = -Quant(in).zero_point;
  const int32_t f_off = qt == kernels::QType::kUInt8 ? -Quant(filter).zero_point : 0;
  const int32_t out_off = Quant(out).zero_point;
  auto scratch = std::make_shared<std::vector<int32_t>>(static_cast<size_t>(n));
  return EvalFn([=]() {
    if (qt == kernels::QType::kUInt8) {
      Scatter<uint8_t, int32_t>(g, input, weights, in_off, f_off, scratch->data());
    } else {
      Scatter<int8_t, int32_t>(g, As<int8_t>(input), As<int8_t>(weights), in_off, f_off, scratch->data());
    }
    for (int64_t i = 0; i < n; ++i) {
      const int oc = static_cast<int>(i % g.out.c);
      int32_t acc = (*scratch)[static_cast<size_t>(i)] + (bias ? As<int32_t>(bias)[oc] : 0);
      const size_t k = mult.size() == 1 ? 0 : static_cast<size_t>(oc);
      acc = kernels::MultiplyByQuantizedMultiplier(acc, mult[k], shift[k]) + out_off;
      acc = kernels::Clamp(acc, range.min, range.max);
      if (qt == kernels::QType::kUInt8) {
        output[i] = static_cast<uint8_t>(acc);
      } else {
        AsMut<int8_t>(output)[i] = static_cast<int8_t>(acc);
      }
    }
    return OkStatus();
  });
}

}  // namespace etpu::runtime::ops
