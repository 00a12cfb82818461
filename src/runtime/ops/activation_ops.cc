// SOFTMAX, LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, HARD_SWISH,
// L2_NORMALIZATION (uint8/int8) adapters.
#include <limits>

#include <fmt/format.h>

#include "kernels/activations.h"
#include "kernels/hard_swish.h"
#include "kernels/inv_sqrt.h"
#include "kernels/softmax.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

struct UnaryIo {
  TensorType type;
  int64_t n;
  const uint8_t* in;
  uint8_t* out;
};

Result<UnaryIo> GetUnary(OpBuildContext& c, bool allow_float = true) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  if (allow_float) {
    ETPU_RETURN_IF_ERROR(CheckInOutType(c, {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  } else {
    ETPU_RETURN_IF_ERROR(CheckInOutType(c, {TensorType::UINT8, TensorType::INT8}));
  }
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, c.in(0), c.out(0)));
  return UnaryIo{c.in(0).type, c.out(0).num_elements(), c.in_data(0), c.out_data(0)};
}

// The float path of a unary activation: `f(n, in, out)`.
template <typename F>
EvalFn FloatUnary(const UnaryIo& io, F f) {
  return EvalFn([=]() {
    f(io.n, As<float>(io.in), AsMut<float>(io.out));
    return OkStatus();
  });
}

// The quantized path: `prepared` holds the kernel parameters (an error gets the operator's
// label); `run(p, n, in, out)` is called with uint8_t or int8_t pointers.
template <typename Params, typename Run>
Result<EvalFn> QuantizedUnary(const OpBuildContext& c, const UnaryIo& io, Result<Params> prepared, Run run) {
  if (!prepared.ok()) return prepared.status().WithContext(c.label());
  const Params p = *prepared;
  return EvalFn([=]() {
    if (io.type == TensorType::UINT8) return run(p, io.n, io.in, io.out);
    return run(p, io.n, As<int8_t>(io.in), AsMut<int8_t>(io.out));
  });
}

Result<EvalFn> MakeSoftmax(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  const auto* opt = c.op().options<ir::SoftmaxOptions>();
  const float beta = opt ? opt->beta : 1.0f;
  const ir::Tensor& in = c.in(0);
  if (in.shape.empty()) return c.Error("input must have rank >= 1");
  const int depth = in.shape.back();
  if (depth <= 0) return c.Error("empty last dimension");
  const int rows = static_cast<int>(io.n / depth);
  kernels::SoftmaxParams p;
  if (io.type == TensorType::FLOAT32) {
    p.beta = beta;
  } else {
    auto r = kernels::PrepareSoftmax(beta, QTypeOf(io.type), Quant(in), Quant(c.out(0)));
    if (!r.ok()) return r.status().WithContext(c.label());
    p = *r;
  }
  return EvalFn([=]() {
    return VisitType(io.type, [&](auto v) {
      using T = decltype(v);
      return kernels::Softmax(p, rows, depth, As<T>(io.in), AsMut<T>(io.out));
    });
  });
}

Result<EvalFn> MakeSigmoid(OpBuildContext& c, bool tanh) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  if (io.type == TensorType::FLOAT32) {
    return FloatUnary(io, [tanh](int64_t n, const float* in, float* out) {
      tanh ? kernels::Tanh(n, in, out) : kernels::Logistic(n, in, out);
    });
  }
  return QuantizedUnary(c, io,
                        tanh ? kernels::PrepareTanh(QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0)))
                             : kernels::PrepareLogistic(QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0))),
                        [tanh](const kernels::SigmoidParams& p, int64_t n, auto in, auto out) {
                          return tanh ? kernels::Tanh(p, n, in, out) : kernels::Logistic(p, n, in, out);
                        });
}

Result<EvalFn> MakeRelu(OpBuildContext& c, kernels::Activation act) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  if (io.type == TensorType::FLOAT32) {
    float lo = 0, hi = std::numeric_limits<float>::max();
    if (act == kernels::Activation::kRelu6) hi = 6;
    if (act == kernels::Activation::kReluN1To1) {
      lo = -1;
      hi = 1;
    }
    return FloatUnary(io, [lo, hi](int64_t n, const float* in, float* out) { kernels::ReluFloat(lo, hi, n, in, out); });
  }
  return QuantizedUnary(c, io, kernels::PrepareRelu(act, QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0))),
                        [](const kernels::ReluParams& p, int64_t n, auto in, auto out) {
                          return kernels::Relu(p, n, in, out);
                        });
}

Result<EvalFn> MakeLeakyRelu(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  const auto* opt = c.op().options<ir::LeakyReluOptions>();
  const float alpha = opt ? opt->alpha : 0.2f;
  if (io.type == TensorType::FLOAT32) {
    return FloatUnary(io, [alpha](int64_t n, const float* in, float* out) { kernels::LeakyReluFloat(alpha, n, in, out); });
  }
  return QuantizedUnary(c, io, kernels::PrepareLeakyRelu(alpha, QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0))),
                        [](const kernels::ReluParams& p, int64_t n, auto in, auto out) {
                          return kernels::LeakyRelu(p, n, in, out);
                        });
}

Result<EvalFn> MakeHardSwish(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  if (io.type == TensorType::FLOAT32) {
    return FloatUnary(io, kernels::HardSwishFloat);
  }
  return QuantizedUnary(c, io, kernels::PrepareHardSwish(QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0))),
                        [](const kernels::HardSwishParams& p, int64_t n, auto in, auto out) {
                          return kernels::HardSwish(p, n, in, out);
                        });
}

// L2_NORMALIZATION over the last axis; the output quantization is fixed (1/128, zero point 128
// for uint8, 0 for int8) as TFLite requires.
Result<EvalFn> MakeL2Normalization(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c, /*allow_float=*/false));
  if (const auto* o = c.op().options<ir::L2NormOptions>()) {
    if (o->fused_activation_function != ir::ActivationFunctionType::NONE) {
      return UnimplementedError(c.label() + ": fused activation on L2_NORMALIZATION is not supported");
    }
  }
  const ir::Tensor& in = c.in(0);
  if (in.shape.empty() || in.shape.back() <= 0) return c.Error("input must have rank >= 1 and a non-empty last axis");
  if (in.shape != c.out(0).shape) return c.Error("output shape differs from the input's");
  const int depth = in.shape.back();
  const int64_t rows = io.n / depth;
  const kernels::QuantParams q = Quant(in);
  Status prepared = kernels::PrepareL2Normalization(QTypeOf(io.type), q, Quant(c.out(0)));
  if (!prepared.ok()) return prepared.WithContext(c.label());
  const int32_t zp = q.zero_point;
  return EvalFn([=]() {
    if (io.type == TensorType::UINT8) return kernels::L2Normalization(zp, rows, depth, io.in, io.out);
    return kernels::L2Normalization(zp, rows, depth, As<int8_t>(io.in), AsMut<int8_t>(io.out));
  });
}

}  // namespace

void RegisterActivationOps(std::vector<Registration>& r) {
  using B = ir::BuiltinOperator;
  using A = kernels::Activation;
  r.push_back({B::SOFTMAX, MakeSoftmax});
  r.push_back({B::LOGISTIC, [](OpBuildContext& c) { return MakeSigmoid(c, false); }});
  r.push_back({B::TANH, [](OpBuildContext& c) { return MakeSigmoid(c, true); }});
  r.push_back({B::RELU, [](OpBuildContext& c) { return MakeRelu(c, A::kRelu); }});
  r.push_back({B::RELU6, [](OpBuildContext& c) { return MakeRelu(c, A::kRelu6); }});
  r.push_back({B::RELU_N1_TO_1, [](OpBuildContext& c) { return MakeRelu(c, A::kReluN1To1); }});
  r.push_back({B::LEAKY_RELU, MakeLeakyRelu});
  r.push_back({B::HARD_SWISH, MakeHardSwish});
  r.push_back({B::L2_NORMALIZATION, MakeL2Normalization});
}

}  // namespace etpu::runtime::ops
