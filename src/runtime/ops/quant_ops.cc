// QUANTIZE, DEQUANTIZE, CAST, ARG_MAX, ARG_MIN, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR adapters.
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "kernels/quantize.h"
#include "kernels/reduce.h"
#include "kernels/resize.h"
#include "kernels/shape_ops.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

Result<EvalFn> MakeQuantize(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  const ir::Tensor& in = c.in(0);
  const ir::Tensor& out = c.out(0);
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, in, out));
  ETPU_RETURN_IF_ERROR(CheckType(c, in, {TensorType::FLOAT32, TensorType::UINT8, TensorType::INT8}));
  ETPU_RETURN_IF_ERROR(CheckType(c, out, {TensorType::UINT8, TensorType::INT8}));
  if (out.quant.per_channel()) return UnimplementedError(c.label() + ": per-channel QUANTIZE is not supported");
  const int64_t n = out.num_elements();
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const kernels::QuantParams oq = Quant(out);
  const bool to_i8 = out.type == TensorType::INT8;
  if (in.type == TensorType::FLOAT32) {
    return EvalFn([=]() {
      if (to_i8) {
        kernels::Quantize(oq, n, As<float>(input), AsMut<int8_t>(output));
      } else {
        kernels::Quantize(oq, n, As<float>(input), output);
      }
      return OkStatus();
    });
  }
  auto r = kernels::PrepareRequantize(Quant(in), oq);
  if (!r.ok()) return r.status().WithContext(c.label());
  const kernels::RequantizeParams p = *r;
  const bool from_i8 = in.type == TensorType::INT8;
  return EvalFn([=]() {
    if (from_i8 && to_i8) kernels::Requantize(p, n, As<int8_t>(input), AsMut<int8_t>(output));
    if (from_i8 && !to_i8) kernels::Requantize(p, n, As<int8_t>(input), output);
    if (!from_i8 && to_i8) kernels::Requantize(p, n, input, AsMut<int8_t>(output));
    if (!from_i8 && !to_i8) kernels::Requantize(p, n, input, output);
    return OkStatus();
  });
}

Result<EvalFn> MakeDequantize(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  const ir::Tensor& in = c.in(0);
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, in, c.out(0)));
  ETPU_RETURN_IF_ERROR(CheckType(c, in, {TensorType::UINT8, TensorType::INT8}));
  ETPU_RETURN_IF_ERROR(CheckType(c, c.out(0), {TensorType::FLOAT32}));
  if (in.quant.per_channel()) return UnimplementedError(c.label() + ": per-channel DEQUANTIZE is not supported");
  const int64_t n = in.num_elements();
  const kernels::QuantParams q = Quant(in);
  const uint8_t* input = c.in_data(0);
  float* output = AsMut<float>(c.out_data(0));
  const bool i8 = in.type == TensorType::INT8;
  return EvalFn([=]() {
    if (i8) {
      kernels::Dequantize(q, n, As<int8_t>(input), output);
    } else {
      kernels::Dequantize(q, n, input, output);
    }
    return OkStatus();
  });
}

// CAST (kernels::Cast); the element types it converts.
std::optional<kernels::CastType> CastTypeOf(TensorType t) {
  switch (t) {
    case TensorType::FLOAT32: return kernels::CastType::kFloat32;
    case TensorType::INT32: return kernels::CastType::kInt32;
    case TensorType::INT64: return kernels::CastType::kInt64;
    case TensorType::INT16: return kernels::CastType::kInt16;
    case TensorType::UINT8: return kernels::CastType::kUInt8;
    case TensorType::INT8: return kernels::CastType::kInt8;
    case TensorType::BOOL: return kernels::CastType::kBool;
    default: return std::nullopt;
  }
}

Result<EvalFn> MakeCast(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  const auto types = {TensorType::FLOAT32, TensorType::INT32, TensorType::INT64, TensorType::INT16,
                      TensorType::UINT8,   TensorType::INT8,  TensorType::BOOL};
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), types));
  ETPU_RETURN_IF_ERROR(CheckType(c, c.out(0), types));
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, c.in(0), c.out(0)));
  const kernels::CastType from = *CastTypeOf(c.in(0).type), to = *CastTypeOf(c.out(0).type);
  const int64_t n = c.in(0).num_elements();
  const uint8_t* in = c.in_data(0);
  uint8_t* out = c.out_data(0);
  return EvalFn([=]() {
    kernels::Cast(from, to, n, in, out);
    return OkStatus();
  });
}

Result<EvalFn> MakeArgMax(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  const ir::Tensor& in = c.in(0);
  ETPU_RETURN_IF_ERROR(CheckType(c, in, {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  ETPU_RETURN_IF_ERROR(CheckType(c, c.out(0), {TensorType::INT32, TensorType::INT64}));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, ConstInts(c, 1));
  if (axis_v.size() != 1) return c.Error("axis must hold one value");
  const std::vector<int> d = Dims(in);
  const int rank = static_cast<int>(d.size());
  ETPU_ASSIGN_OR_RETURN(int axis, NormalizeAxis(c, axis_v[0], rank));
  const int64_t outer = kernels::DimProduct(d, 0, axis);
  const int64_t inner = kernels::DimProduct(d, axis + 1, rank);
  const int size = d[static_cast<size_t>(axis)];
  if (c.out(0).num_elements() != outer * inner) return c.Error("output size does not match the reduced shape");
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const TensorType it = in.type;
  const bool i64 = c.out(0).type == TensorType::INT64;
  return EvalFn([=]() -> Status {
    auto run = [&](auto* o) {
      if (it == TensorType::UINT8) return kernels::ArgMax(outer, size, inner, input, o);
      if (it == TensorType::INT8) return kernels::ArgMax(outer, size, inner, As<int8_t>(input), o);
      return kernels::ArgMax(outer, size, inner, As<float>(input), o);
    };
    if (i64) return run(AsMut<int64_t>(output));
    return run(AsMut<int32_t>(output));
  });
}

Result<EvalFn> MakeResize(OpBuildContext& c, bool bilinear) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  const ir::Tensor& in = c.in(0);
  ETPU_RETURN_IF_ERROR(CheckInOutType(c, {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  if (in.shape.size() != 4 || c.out(0).shape.size() != 4) return c.Error("input and output must be 4-D");
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> size, ConstInts(c, 1));
  if (size.size() != 2 || size[0] != c.out(0).shape[1] || size[1] != c.out(0).shape[2]) {
    return c.Error("size input does not match the output shape");
  }
  kernels::ResizeParams p;
  if (bilinear) {
    if (const auto* o = c.op().options<ir::ResizeBilinearOptions>()) {
      p.align_corners = o->align_corners;
      p.half_pixel_centers = o->half_pixel_centers;
    }
  } else if (const auto* o = c.op().options<ir::ResizeNearestNeighborOptions>()) {
    p.align_corners = o->align_corners;
    p.half_pixel_centers = o->half_pixel_centers;
  }
  ETPU_ASSIGN_OR_RETURN(kernels::Shape4 si, ToShape4(in, c.label()));
  ETPU_ASSIGN_OR_RETURN(kernels::Shape4 so, ToShape4(c.out(0), c.label()));
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const TensorType t = in.type;
  return EvalFn([=]() {
    return VisitType(t, [&](auto v) {
      using T = decltype(v);
      return bilinear ? kernels::ResizeBilinear(p, si, As<T>(input), so, AsMut<T>(output))
                      : kernels::ResizeNearestNeighbor(p, si, As<T>(input), so, AsMut<T>(output));
    });
  });
}

}  // namespace

void RegisterQuantOps(std::vector<Registration>& r) {
  using B = ir::BuiltinOperator;
  r.push_back({B::QUANTIZE, MakeQuantize});
  r.push_back({B::DEQUANTIZE, MakeDequantize});
  r.push_back({B::CAST, MakeCast});
  r.push_back({B::ARG_MAX, MakeArgMax});
  r.push_back({B::RESIZE_BILINEAR, [](OpBuildContext& c) { return MakeResize(c, true); }});
  r.push_back({B::RESIZE_NEAREST_NEIGHBOR, [](OpBuildContext& c) { return MakeResize(c, false); }});
}

}  // namespace etpu::runtime::ops
