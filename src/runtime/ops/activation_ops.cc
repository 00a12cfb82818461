// SOFTMAX, LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, HARD_SWISH adapters.
#include <limits>

#include <fmt/format.h>

#include "kernels/activations.h"
#include "kernels/hard_swish.h"
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
    ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  } else {
    ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::UINT8, TensorType::INT8}));
  }
  if (c.out(0).type != c.in(0).type) return UnimplementedError(c.label() + ": input and output types differ");
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, c.in(0), c.out(0)));
  return UnaryIo{c.in(0).type, c.out(0).num_elements(), c.in_data(0), c.out_data(0)};
}

Result<EvalFn> MakeSoftmax(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  const auto* opt = c.op().options<tflite_fb::SoftmaxOptionsT>();
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
    if (io.type == TensorType::UINT8) return kernels::Softmax(p, rows, depth, io.in, io.out);
    if (io.type == TensorType::INT8) return kernels::Softmax(p, rows, depth, As<int8_t>(io.in), AsMut<int8_t>(io.out));
    return kernels::Softmax(p, rows, depth, As<float>(io.in), AsMut<float>(io.out));
  });
}

Result<EvalFn> MakeSigmoid(OpBuildContext& c, bool tanh) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  if (io.type == TensorType::FLOAT32) {
    return EvalFn([=]() {
      if (tanh) {
        kernels::Tanh(io.n, As<float>(io.in), AsMut<float>(io.out));
      } else {
        kernels::Logistic(io.n, As<float>(io.in), AsMut<float>(io.out));
      }
      return OkStatus();
    });
  }
  auto r = tanh ? kernels::PrepareTanh(QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0)))
                : kernels::PrepareLogistic(QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  kernels::SigmoidParams p = *r;
  return EvalFn([=]() {
    if (io.type == TensorType::UINT8) {
      return tanh ? kernels::Tanh(p, io.n, io.in, io.out) : kernels::Logistic(p, io.n, io.in, io.out);
    }
    return tanh ? kernels::Tanh(p, io.n, As<int8_t>(io.in), AsMut<int8_t>(io.out))
                : kernels::Logistic(p, io.n, As<int8_t>(io.in), AsMut<int8_t>(io.out));
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
    return EvalFn([=]() {
      kernels::ReluFloat(lo, hi, io.n, As<float>(io.in), AsMut<float>(io.out));
      return OkStatus();
    });
  }
  auto r = kernels::PrepareRelu(act, QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  kernels::ReluParams p = *r;
  return EvalFn([=]() {
    if (io.type == TensorType::UINT8) return kernels::Relu(p, io.n, io.in, io.out);
    return kernels::Relu(p, io.n, As<int8_t>(io.in), AsMut<int8_t>(io.out));
  });
}

Result<EvalFn> MakeLeakyRelu(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  const auto* opt = c.op().options<tflite_fb::LeakyReluOptionsT>();
  const float alpha = opt ? opt->alpha : 0.2f;
  if (io.type == TensorType::FLOAT32) {
    return EvalFn([=]() {
      kernels::LeakyReluFloat(alpha, io.n, As<float>(io.in), AsMut<float>(io.out));
      return OkStatus();
    });
  }
  auto r = kernels::PrepareLeakyRelu(alpha, QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  kernels::ReluParams p = *r;
  return EvalFn([=]() {
    if (io.type == TensorType::UINT8) return kernels::LeakyRelu(p, io.n, io.in, io.out);
    return kernels::LeakyRelu(p, io.n, As<int8_t>(io.in), AsMut<int8_t>(io.out));
  });
}

Result<EvalFn> MakeHardSwish(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(UnaryIo io, GetUnary(c));
  if (io.type == TensorType::FLOAT32) {
    return EvalFn([=]() {
      kernels::HardSwishFloat(io.n, As<float>(io.in), AsMut<float>(io.out));
      return OkStatus();
    });
  }
  auto r = kernels::PrepareHardSwish(QTypeOf(io.type), Quant(c.in(0)), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  const kernels::HardSwishParams p = *r;
  return EvalFn([=]() {
    if (io.type == TensorType::UINT8) return kernels::HardSwish(p, io.n, io.in, io.out);
    return kernels::HardSwish(p, io.n, As<int8_t>(io.in), AsMut<int8_t>(io.out));
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
}

}  // namespace etpu::runtime::ops
