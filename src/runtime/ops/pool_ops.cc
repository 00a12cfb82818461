// AVERAGE_POOL_2D, MAX_POOL_2D, MEAN (over H and W of a 4-D tensor), SUM (uint8/int8, any
// axes), REDUCE_MAX, REDUCE_MIN adapters.
#include <algorithm>

#include <fmt/format.h>

#include "kernels/pooling.h"
#include "kernels/reduce.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

using kernels::Shape4;

Result<EvalFn> MakePool(OpBuildContext& c, bool average) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  const ir::Tensor& in = c.in(0);
  ETPU_RETURN_IF_ERROR(CheckInOutType(c, {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  const auto* opt = c.op().options<ir::Pool2DOptions>();
  if (opt == nullptr) return c.Error("missing Pool2DOptions");
  kernels::PoolOptions o;
  o.padding = ToPadding(opt->padding);
  o.stride_h = opt->stride_h;
  o.stride_w = opt->stride_w;
  o.filter_h = opt->filter_height;
  o.filter_w = opt->filter_width;
  o.activation = ToActivation(opt->fused_activation_function);
  ETPU_ASSIGN_OR_RETURN(Shape4 si, ToShape4(in, c.label()));
  ETPU_ASSIGN_OR_RETURN(Shape4 so, ToShape4(c.out(0), c.label()));
  auto r = in.type == TensorType::FLOAT32 ? kernels::PreparePoolFloat(o, si)
                                          : kernels::PreparePool(o, si, QTypeOf(in.type), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  kernels::PoolParams p = std::move(r).value();
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const TensorType t = in.type;
  return EvalFn([=]() {
    return VisitType(t, [&](auto v) {
      using T = decltype(v);
      return average ? kernels::AveragePool(p, si, As<T>(input), so, AsMut<T>(output))
                     : kernels::MaxPool(p, si, As<T>(input), so, AsMut<T>(output));
    });
  });
}

Result<EvalFn> MakeMean(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  const ir::Tensor& in = c.in(0);
  ETPU_RETURN_IF_ERROR(CheckInOutType(c, {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ConstInts(c, 1));
  if (in.shape.size() != 4) return UnimplementedError(c.label() + ": MEAN is supported on 4-D inputs only");
  std::vector<int> norm;
  for (int64_t a : axes) {
    ETPU_ASSIGN_OR_RETURN(int n, NormalizeAxis(c, a, 4));
    if (std::find(norm.begin(), norm.end(), n) == norm.end()) norm.push_back(n);
  }
  std::sort(norm.begin(), norm.end());
  if (norm != std::vector<int>{1, 2}) {
    return UnimplementedError(c.label() + ": MEAN is supported over axes {1, 2} (height and width) only");
  }
  ETPU_ASSIGN_OR_RETURN(Shape4 si, ToShape4(in, c.label()));
  if (c.out(0).num_elements() != int64_t{si.n} * si.c) return c.Error("output size is not N*C");
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  if (in.type == TensorType::FLOAT32) {
    return EvalFn([=]() { return kernels::MeanHW(si, As<float>(input), AsMut<float>(output)); });
  }
  auto r = kernels::PrepareMeanHW(QTypeOf(in.type), si.h, si.w, Quant(in), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  kernels::MeanParams p = std::move(r).value();
  if (in.type == TensorType::UINT8) return EvalFn([=]() { return kernels::MeanHW(p, si, input, output); });
  return EvalFn([=]() { return kernels::MeanHW(p, si, As<int8_t>(input), AsMut<int8_t>(output)); });
}

// The constant axes of a reduction (input 1) over input 0, checked against output 0's size.
Result<kernels::ReduceAxes> GetReduceAxes(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ConstInts(c, 1));
  kernels::ReduceAxes r;
  r.dims = Dims(c.in(0));
  r.reduced.assign(r.dims.size(), false);
  for (int64_t a : axes) {
    ETPU_ASSIGN_OR_RETURN(int n, NormalizeAxis(c, a, static_cast<int>(r.dims.size())));
    r.reduced[static_cast<size_t>(n)] = true;
  }
  int64_t outputs = 0, count = 0;
  Status valid = r.Validate(ir::BuiltinName(c.op().code).c_str(), &outputs, &count);
  if (!valid.ok()) return valid.WithContext(c.label());
  if (outputs != c.out(0).num_elements()) return c.Error("output size does not match the reduced shape");
  return r;
}

// REDUCE_MAX / REDUCE_MIN over any constant axes (uint8, int8, int32, float).
Result<EvalFn> MakeReduceMaxMin(OpBuildContext& c, bool max) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  ETPU_RETURN_IF_ERROR(CheckInOutType(c, {TensorType::UINT8, TensorType::INT8, TensorType::INT32, TensorType::FLOAT32}));
  ETPU_ASSIGN_OR_RETURN(kernels::ReduceAxes axes, GetReduceAxes(c));
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  const TensorType t = c.in(0).type;
  auto run = [=](auto* in, auto* out) { return max ? kernels::ReduceMax(axes, in, out) : kernels::ReduceMin(axes, in, out); };
  return EvalFn([=]() {
    switch (t) {
      case TensorType::UINT8: return run(input, output);
      case TensorType::INT8: return run(As<int8_t>(input), AsMut<int8_t>(output));
      case TensorType::INT32: return run(As<int32_t>(input), AsMut<int32_t>(output));
      default: return run(As<float>(input), AsMut<float>(output));
    }
  });
}

// SUM over any constant axes (uint8, int8).
Result<EvalFn> MakeSum(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  ETPU_RETURN_IF_ERROR(CheckInOutType(c, {TensorType::UINT8, TensorType::INT8}));
  ETPU_ASSIGN_OR_RETURN(kernels::ReduceAxes axes, GetReduceAxes(c));
  int64_t count = 1;
  for (size_t d = 0; d < axes.dims.size(); ++d) {
    if (axes.reduced[d]) count *= axes.dims[d];
  }
  const TensorType t = c.in(0).type;
  auto r = kernels::PrepareSum(QTypeOf(t), Quant(c.in(0)), Quant(c.out(0)), count);
  if (!r.ok()) return r.status().WithContext(c.label());
  const kernels::SumParams p = *r;
  const uint8_t* input = c.in_data(0);
  uint8_t* output = c.out_data(0);
  if (t == TensorType::UINT8) return EvalFn([=]() { return kernels::Sum(p, axes, input, output); });
  return EvalFn([=]() { return kernels::Sum(p, axes, As<int8_t>(input), AsMut<int8_t>(output)); });
}

}  // namespace

void RegisterPoolOps(std::vector<Registration>& r) {
  using B = ir::BuiltinOperator;
  r.push_back({B::AVERAGE_POOL_2D, [](OpBuildContext& c) { return MakePool(c, true); }});
  r.push_back({B::MAX_POOL_2D, [](OpBuildContext& c) { return MakePool(c, false); }});
  r.push_back({B::MEAN, MakeMean});
  r.push_back({B::REDUCE_MAX, [](OpBuildContext& c) { return MakeReduceMaxMin(c, true); }});
  r.push_back({B::REDUCE_MIN, [](OpBuildContext& c) { return MakeReduceMaxMin(c, false); }});
  r.push_back({B::SUM, MakeSum});
}

}  // namespace etpu::runtime::ops
