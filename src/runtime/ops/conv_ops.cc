// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV adapters (uint8 per-tensor,
// int8 per-tensor / per-channel, float32).
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "kernels/conv.h"
#include "kernels/fully_connected.h"
#include "kernels/packed.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

using kernels::Shape4;

// TFLite's per-tensor uint8 multiplier (GetQuantizedConvolutionMultipler): the product of the
// input and filter scales is formed in float, then divided by the output scale in double. The
// kernels' per-channel formula (double product) differs from it in the last bit of a few
// multipliers, which flips rare outputs by one.
kernels::QuantizedMultiplier PerTensorUint8Multiplier(float input_scale, float filter_scale, float output_scale) {
  const float product = input_scale * filter_scale;
  return kernels::QuantizeMultiplier(static_cast<double>(product) / static_cast<double>(output_scale));
}

// Overrides the kernels' multiplier of a uint8 per-tensor layer with TFLite's (above).
template <typename Params>
void UseTfliteUint8Multiplier(Params& p, const ir::Tensor& in, const ir::Tensor& filter, const ir::Tensor& out) {
  if (in.type != TensorType::UINT8 || filter.quant.scale.size() != 1) return;
  const auto m = PerTensorUint8Multiplier(Quant(in).scale, filter.quant.scale[0], Quant(out).scale);
  p.output_multiplier.assign(1, m.multiplier);
  p.output_shift.assign(1, m.shift);
}

// The filter's zero point (0 when absent; the kernels ignore it for int8).
int32_t FilterZeroPoint(const ir::Tensor& filter) {
  return filter.quant.zero_point.empty() ? 0 : static_cast<int32_t>(filter.quant.zero_point[0]);
}

// The fast kernels' context of a layer: its weights (and bias) packed once here when they are
// the model's immutable constants, and the interpreter's thread pool. `pack` builds the
// PackedLayer; the closure keeps it alive.
struct LayerExec {
  std::shared_ptr<const kernels::PackedLayer> packed;
  kernels::ThreadPool* pool = nullptr;
  kernels::ExecContext ctx() const { return {packed.get(), pool}; }
};
template <typename PackFn>
LayerExec MakeLayerExec(const OpBuildContext& c, int filter_slot, int bias_slot, PackFn pack) {
  LayerExec e;
  e.pool = c.thread_pool();
  if (c.in_immutable(filter_slot) && (!c.has_input(bias_slot) || c.in_immutable(bias_slot))) e.packed = pack();
  return e;
}

// Input `in_slot` is uint8, int8 or float32 and the filter (`filter_slot`) and output 0 have its type.
Status CheckSameConvTypes(const OpBuildContext& c, int in_slot, int filter_slot) {
  const ir::Tensor& in = c.in(in_slot);
  ETPU_RETURN_IF_ERROR(CheckType(c, in, {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  if (c.in(filter_slot).type != in.type || c.out(0).type != in.type) {
    return UnimplementedError(c.label() + ": mixed input/filter/output types are not supported");
  }
  return OkStatus();
}

struct ConvIo {
  Shape4 in, filter, out;
  const uint8_t* input;
  const uint8_t* weights;
  const int32_t* bias;  // Quantized.
  const float* fbias;   // Float.
  uint8_t* output;
};

// Shapes and data of a convolution's input, filter, optional bias (by input slot) and output 0.
Result<ConvIo> GetIo(OpBuildContext& c, int in_slot = 0, int filter_slot = 1, int bias_slot = 2) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, std::max(in_slot, filter_slot) + 1, 1));
  ConvIo io;
  ETPU_ASSIGN_OR_RETURN(io.in, ToShape4(c.in(in_slot), c.label()));
  ETPU_ASSIGN_OR_RETURN(io.filter, ToShape4(c.in(filter_slot), c.label()));
  ETPU_ASSIGN_OR_RETURN(io.out, ToShape4(c.out(0), c.label()));
  io.input = c.in_data(in_slot);
  io.weights = c.in_data(filter_slot);
  io.output = c.out_data(0);
  io.bias = nullptr;
  io.fbias = nullptr;
  if (c.has_input(bias_slot)) {
    const ir::Tensor& b = c.in(bias_slot);
    if (c.in(in_slot).type == TensorType::FLOAT32) {
      ETPU_RETURN_IF_ERROR(CheckType(c, b, {TensorType::FLOAT32}));
      io.fbias = As<float>(c.in_data(bias_slot));
    } else {
      ETPU_RETURN_IF_ERROR(CheckType(c, b, {TensorType::INT32}));
      io.bias = As<int32_t>(c.in_data(bias_slot));
    }
    // The output's channels from its 4-D view (a hostile output may have no dimensions at all).
    if (b.num_elements() != io.out.c) {
      return c.Error(fmt::format("bias '{}' has {} elements (expected {})", b.name, b.num_elements(), io.out.c));
    }
  }
  if (io.input == nullptr || io.weights == nullptr) return c.Error("input or filter has no data");
  return io;
}

Result<EvalFn> MakeConv(OpBuildContext& c, bool depthwise) {
  ETPU_ASSIGN_OR_RETURN(ConvIo io, GetIo(c));
  const ir::Tensor& in = c.in(0);
  const ir::Tensor& filter = c.in(1);
  ETPU_RETURN_IF_ERROR(CheckSameConvTypes(c, 0, 1));
  kernels::ConvOptions o;
  if (depthwise) {
    const auto* opt = c.op().options<ir::DepthwiseConv2DOptions>();
    if (opt == nullptr) return c.Error("missing DepthwiseConv2DOptions");
    o.padding = ToPadding(opt->padding);
    o.stride_h = opt->stride_h;
    o.stride_w = opt->stride_w;
    o.dilation_h = opt->dilation_h_factor;
    o.dilation_w = opt->dilation_w_factor;
    o.depth_multiplier = opt->depth_multiplier;
    o.activation = ToActivation(opt->fused_activation_function);
    // TFLite derives the multiplier from the shapes (the option is unreliable in old files).
    if (io.in.c > 0 && io.filter.c % io.in.c == 0) o.depth_multiplier = io.filter.c / io.in.c;
  } else {
    const auto* opt = c.op().options<ir::Conv2DOptions>();
    if (opt == nullptr) return c.Error("missing Conv2DOptions");
    o.padding = ToPadding(opt->padding);
    o.stride_h = opt->stride_h;
    o.stride_w = opt->stride_w;
    o.dilation_h = opt->dilation_h_factor;
    o.dilation_w = opt->dilation_w_factor;
    o.activation = ToActivation(opt->fused_activation_function);
  }
  kernels::ConvParams p;
  if (in.type == TensorType::FLOAT32) {
    auto r = kernels::PrepareConvFloat(o, io.in, io.filter, depthwise);
    if (!r.ok()) return r.status().WithContext(c.label());
    p = std::move(r).value();
    return EvalFn([p, io, depthwise]() {
      if (depthwise) {
        return kernels::DepthwiseConv2D(p, io.in, As<float>(io.input), io.filter, As<float>(io.weights), io.fbias,
                                        io.out, AsMut<float>(io.output));
      }
      return kernels::Conv2D(p, io.in, As<float>(io.input), io.filter, As<float>(io.weights), io.fbias, io.out,
                             AsMut<float>(io.output));
    });
  }
  const kernels::QType qt = QTypeOf(in.type);
  if (filter.quant.scale.empty()) return c.Error("filter '" + filter.name + "' is not quantized");
  const int32_t fzp = FilterZeroPoint(filter);
  auto r = depthwise ? kernels::PrepareDepthwiseConv(o, io.in, io.filter, qt, Quant(in), filter.quant.scale, fzp,
                                                     Quant(c.out(0)))
                     : kernels::PrepareConv(o, io.in, io.filter, qt, Quant(in), filter.quant.scale, fzp,
                                            Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  p = std::move(r).value();
  UseTfliteUint8Multiplier(p, in, filter, c.out(0));
  if (qt == kernels::QType::kUInt8) {
    const LayerExec ex = MakeLayerExec(c, 1, 2, [&] {
      return depthwise ? kernels::PackDepthwiseConv2D(p, io.in, io.filter, io.weights, io.bias, io.out)
                       : kernels::PackConv2D(p, io.in, io.filter, io.weights, io.bias, io.out);
    });
    return EvalFn([p, io, depthwise, ex]() {
      if (depthwise) {
        return kernels::DepthwiseConv2D(p, io.in, io.input, io.filter, io.weights, io.bias, io.out, io.output,
                                        ex.ctx());
      }
      return kernels::Conv2D(p, io.in, io.input, io.filter, io.weights, io.bias, io.out, io.output, ex.ctx());
    });
  }
  const LayerExec ex = MakeLayerExec(c, 1, 2, [&] {
    return depthwise ? kernels::PackDepthwiseConv2D(p, io.in, io.filter, As<int8_t>(io.weights), io.bias, io.out)
                     : kernels::PackConv2D(p, io.in, io.filter, As<int8_t>(io.weights), io.bias, io.out);
  });
  return EvalFn([p, io, depthwise, ex]() {
    if (depthwise) {
      return kernels::DepthwiseConv2D(p, io.in, As<int8_t>(io.input), io.filter, As<int8_t>(io.weights), io.bias,
                                      io.out, AsMut<int8_t>(io.output), ex.ctx());
    }
    return kernels::Conv2D(p, io.in, As<int8_t>(io.input), io.filter, As<int8_t>(io.weights), io.bias, io.out,
                           AsMut<int8_t>(io.output), ex.ctx());
  });
}

Result<EvalFn> MakeFullyConnected(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  const ir::Tensor& in = c.in(0);
  const ir::Tensor& filter = c.in(1);
  const ir::Tensor& out = c.out(0);
  ETPU_RETURN_IF_ERROR(CheckSameConvTypes(c, 0, 1));
  const auto* opt = c.op().options<ir::FullyConnectedOptions>();
  const kernels::Activation act = opt ? ToActivation(opt->fused_activation_function) : kernels::Activation::kNone;
  if (opt != nullptr && opt->weights_format != ir::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    return UnimplementedError(c.label() + ": shuffled FULLY_CONNECTED weights are not supported");
  }
  if (filter.shape.size() != 2) return c.Error("filter '" + filter.name + "' must be 2-D");
  kernels::FcDims d;
  d.out_depth = filter.shape[0];
  d.accum_depth = filter.shape[1];
  if (d.accum_depth <= 0 || d.out_depth <= 0 || in.num_elements() % d.accum_depth != 0) {
    return c.Error(fmt::format("input '{}' ({} elements) does not fit filter depth {}", in.name, in.num_elements(),
                               d.accum_depth));
  }
  d.batches = static_cast<int>(in.num_elements() / d.accum_depth);
  if (out.num_elements() != int64_t{d.batches} * d.out_depth) {
    return c.Error(fmt::format("output '{}' has {} elements (expected {})", out.name, out.num_elements(),
                               int64_t{d.batches} * d.out_depth));
  }
  const uint8_t* input = c.in_data(0);
  const uint8_t* weights = c.in_data(1);
  uint8_t* output = c.out_data(0);
  const uint8_t* bias = nullptr;
  if (c.has_input(2)) {
    ETPU_RETURN_IF_ERROR(CheckType(c, c.in(2), {in.type == TensorType::FLOAT32 ? TensorType::FLOAT32 : TensorType::INT32}));
    if (c.in(2).num_elements() != d.out_depth) return c.Error("bias size does not match the filter");
    bias = c.in_data(2);
  }
  if (in.type == TensorType::FLOAT32) {
    ETPU_ASSIGN_OR_RETURN(auto p, kernels::PrepareFullyConnectedFloat(act));
    return EvalFn([=]() {
      return kernels::FullyConnected(p, d, As<float>(input), As<float>(weights), As<float>(bias), AsMut<float>(output));
    });
  }
  if (filter.quant.scale.empty()) return c.Error("filter '" + filter.name + "' is not quantized");
  auto r = kernels::PrepareFullyConnected(QTypeOf(in.type), Quant(in), filter.quant.scale, FilterZeroPoint(filter),
                                          Quant(out), act, d.out_depth);
  if (!r.ok()) return r.status().WithContext(c.label());
  auto p = std::move(r).value();
  UseTfliteUint8Multiplier(p, in, filter, out);
  if (in.type == TensorType::UINT8) {
    const LayerExec ex =
        MakeLayerExec(c, 1, 2, [&] { return kernels::PackFullyConnected(p, d, weights, As<int32_t>(bias)); });
    return EvalFn(
        [=]() { return kernels::FullyConnected(p, d, input, weights, As<int32_t>(bias), output, ex.ctx()); });
  }
  const LayerExec ex = MakeLayerExec(
      c, 1, 2, [&] { return kernels::PackFullyConnected(p, d, As<int8_t>(weights), As<int32_t>(bias)); });
  return EvalFn([=]() {
    return kernels::FullyConnected(p, d, As<int8_t>(input), As<int8_t>(weights), As<int32_t>(bias),
                                   AsMut<int8_t>(output), ex.ctx());
  });
}

// TRANSPOSE_CONV: inputs (output_shape, weights OHWI, input, [bias]); uint8 per-tensor, int8
// per-channel (src/kernels TransposeConv) and float32. The fused activation (newer schemas) is
// applied as the clamp; TFLite 2.2's options have none (the type range).
Result<EvalFn> MakeTransposeConv(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 3, 1));
  const ir::Tensor& filter = c.in(1);
  const ir::Tensor& in = c.in(2);
  const ir::Tensor& out = c.out(0);
  ETPU_RETURN_IF_ERROR(CheckSameConvTypes(c, 2, 1));
  const auto* opt = c.op().options<ir::TransposeConvOptions>();
  if (opt == nullptr) return c.Error("missing TransposeConvOptions");
  ETPU_ASSIGN_OR_RETURN(ConvIo io, GetIo(c, 2, 1, 3));
  if (io.filter.c != io.in.c || io.filter.n != io.out.c || io.in.n != io.out.n) {
    return c.Error("filter, input and output shapes do not match");
  }
  const kernels::Activation act = ToActivation(opt->fused_activation_function);
  const kernels::Padding padding = ToPadding(opt->padding);
  kernels::ConvParams p;
  if (in.type == TensorType::FLOAT32) {
    auto r = kernels::PrepareTransposeConvFloat(padding, opt->stride_h, opt->stride_w, act, io.in, io.filter, io.out);
    if (!r.ok()) return r.status().WithContext(c.label());
    p = std::move(r).value();
    return EvalFn([p, io]() {
      return kernels::TransposeConv(p, io.in, As<float>(io.input), io.filter, As<float>(io.weights), io.fbias, io.out,
                                    AsMut<float>(io.output));
    });
  }
  const kernels::QType qt = QTypeOf(in.type);
  if (filter.quant.scale.empty()) return c.Error("filter '" + filter.name + "' is not quantized");
  auto r = kernels::PrepareTransposeConv(padding, opt->stride_h, opt->stride_w, io.in, io.filter, io.out, qt, Quant(in),
                                         filter.quant.scale, FilterZeroPoint(filter), Quant(out));
  if (!r.ok()) return r.status().WithContext(c.label());
  p = std::move(r).value();
  UseTfliteUint8Multiplier(p, in, filter, out);
  ETPU_ASSIGN_OR_RETURN(auto range, kernels::CalculateActivationRangeQuantized(act, qt, Quant(out)));
  p.act_min = range.min;
  p.act_max = range.max;
  if (qt == kernels::QType::kUInt8) {
    return EvalFn([p, io]() {
      return kernels::TransposeConv(p, io.in, io.input, io.filter, io.weights, io.bias, io.out, io.output);
    });
  }
  return EvalFn([p, io]() {
    return kernels::TransposeConv(p, io.in, As<int8_t>(io.input), io.filter, As<int8_t>(io.weights), io.bias, io.out,
                                  AsMut<int8_t>(io.output));
  });
}

}  // namespace

void RegisterConvOps(std::vector<Registration>& r) {
  r.push_back({ir::BuiltinOperator::CONV_2D, [](OpBuildContext& c) { return MakeConv(c, false); }});
  r.push_back({ir::BuiltinOperator::DEPTHWISE_CONV_2D, [](OpBuildContext& c) { return MakeConv(c, true); }});
  r.push_back({ir::BuiltinOperator::FULLY_CONNECTED, MakeFullyConnected});
  r.push_back({ir::BuiltinOperator::TRANSPOSE_CONV, MakeTransposeConv});
}

}  // namespace etpu::runtime::ops
