// ADD, SUB, MUL, MAXIMUM, MINIMUM (uint8/int8/float, 4-D broadcast), DIV, FLOOR_DIV (float,
// int32), SQRT, RSQRT (float) adapters.
#include <cmath>

#include <fmt/format.h>

#include "kernels/elementwise.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

using kernels::Shape4;

enum class Arith { kAdd, kSub, kMul };

struct BinaryIo {
  Shape4 s1, s2, out;
  const uint8_t* in1;
  const uint8_t* in2;
  uint8_t* output;
};

Result<BinaryIo> GetBinaryIo(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 2, 1));
  BinaryIo io;
  ETPU_ASSIGN_OR_RETURN(io.s1, ToShape4(c.in(0), c.label()));
  ETPU_ASSIGN_OR_RETURN(io.s2, ToShape4(c.in(1), c.label()));
  ETPU_ASSIGN_OR_RETURN(io.out, ToShape4(c.out(0), c.label()));
  auto b = kernels::BroadcastShape(io.s1, io.s2);
  if (!b.ok()) return b.status().WithContext(c.label());
  if (!(*b == io.out)) {
    return c.Error(fmt::format("output shape {} is not the broadcast shape {}", io.out.ToString(), b->ToString()));
  }
  if (c.in(0).type != c.in(1).type || c.out(0).type != c.in(0).type) {
    return UnimplementedError(c.label() + ": inputs and output must share one type");
  }
  io.in1 = c.in_data(0);
  io.in2 = c.in_data(1);
  io.output = c.out_data(0);
  return io;
}

tflite_fb::ActivationFunctionType FusedActivation(const OpBuildContext& c) {
  if (auto* o = c.op().options<tflite_fb::AddOptionsT>()) return o->fused_activation_function;
  if (auto* o = c.op().options<tflite_fb::SubOptionsT>()) return o->fused_activation_function;
  if (auto* o = c.op().options<tflite_fb::MulOptionsT>()) return o->fused_activation_function;
  if (auto* o = c.op().options<tflite_fb::DivOptionsT>()) return o->fused_activation_function;
  return tflite_fb::ActivationFunctionType::NONE;
}

template <typename T>
Status RunArith(Arith a, const kernels::ArithmeticParams& p, const BinaryIo& io) {
  const T* x = As<T>(io.in1);
  const T* y = As<T>(io.in2);
  T* o = AsMut<T>(io.output);
  switch (a) {
    case Arith::kAdd: return kernels::Add(p, io.s1, x, io.s2, y, io.out, o);
    case Arith::kSub: return kernels::Sub(p, io.s1, x, io.s2, y, io.out, o);
    case Arith::kMul: return kernels::Mul(p, io.s1, x, io.s2, y, io.out, o);
  }
  return InternalError("bad arithmetic op");
}

Result<EvalFn> MakeArith(OpBuildContext& c, Arith a) {
  ETPU_ASSIGN_OR_RETURN(BinaryIo io, GetBinaryIo(c));
  const TensorType t = c.in(0).type;
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  const kernels::Activation act = ToActivation(FusedActivation(c));
  Result<kernels::ArithmeticParams> r = kernels::ArithmeticParams{};
  if (t == TensorType::FLOAT32) {
    r = kernels::PrepareArithmeticFloat(act);
  } else if (a == Arith::kMul) {
    r = kernels::PrepareMul(QTypeOf(t), Quant(c.in(0)), Quant(c.in(1)), Quant(c.out(0)), act);
  } else {
    r = kernels::PrepareAdd(QTypeOf(t), Quant(c.in(0)), Quant(c.in(1)), Quant(c.out(0)), act);
  }
  if (!r.ok()) return r.status().WithContext(c.label());
  kernels::ArithmeticParams p = std::move(r).value();
  if (t == TensorType::UINT8) return EvalFn([=]() { return RunArith<uint8_t>(a, p, io); });
  if (t == TensorType::INT8) return EvalFn([=]() { return RunArith<int8_t>(a, p, io); });
  return EvalFn([=]() { return RunArith<float>(a, p, io); });
}

template <typename T>
Status RunMaxMin(bool max, const BinaryIo& io) {
  if (max) return kernels::Maximum(io.s1, As<T>(io.in1), io.s2, As<T>(io.in2), io.out, AsMut<T>(io.output));
  return kernels::Minimum(io.s1, As<T>(io.in1), io.s2, As<T>(io.in2), io.out, AsMut<T>(io.output));
}

Result<EvalFn> MakeMaxMin(OpBuildContext& c, bool max) {
  ETPU_ASSIGN_OR_RETURN(BinaryIo io, GetBinaryIo(c));
  const TensorType t = c.in(0).type;
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  if (t == TensorType::UINT8) return EvalFn([=]() { return RunMaxMin<uint8_t>(max, io); });
  if (t == TensorType::INT8) return EvalFn([=]() { return RunMaxMin<int8_t>(max, io); });
  return EvalFn([=]() { return RunMaxMin<float>(max, io); });
}

// Generic broadcast loop for float / int32 binary functions.
template <typename T, typename F>
void Broadcast(const BinaryIo& io, F f) {
  const T* x = As<T>(io.in1);
  const T* y = As<T>(io.in2);
  T* o = AsMut<T>(io.output);
  for (int b = 0; b < io.out.n; ++b)
    for (int h = 0; h < io.out.h; ++h)
      for (int w = 0; w < io.out.w; ++w)
        for (int ch = 0; ch < io.out.c; ++ch) {
          const auto i1 = kernels::Offset(io.s1, io.s1.n == 1 ? 0 : b, io.s1.h == 1 ? 0 : h, io.s1.w == 1 ? 0 : w,
                                          io.s1.c == 1 ? 0 : ch);
          const auto i2 = kernels::Offset(io.s2, io.s2.n == 1 ? 0 : b, io.s2.h == 1 ? 0 : h, io.s2.w == 1 ? 0 : w,
                                          io.s2.c == 1 ? 0 : ch);
          o[kernels::Offset(io.out, b, h, w, ch)] = f(x[i1], y[i2]);
        }
}

Result<EvalFn> MakeDiv(OpBuildContext& c, bool floor) {
  ETPU_ASSIGN_OR_RETURN(BinaryIo io, GetBinaryIo(c));
  const TensorType t = c.in(0).type;
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::FLOAT32, TensorType::INT32}));
  ETPU_ASSIGN_OR_RETURN(auto range, kernels::CalculateActivationRangeFloat(ToActivation(FusedActivation(c))));
  const std::string label = c.label();
  if (t == TensorType::FLOAT32) {
    return EvalFn([=]() -> Status {
      if (floor) {  // TFLite refuses a zero divisor in FLOOR_DIV (float too).
        const int64_t n2 = io.s2.FlatSize();
        for (int64_t i = 0; i < n2; ++i) {
          if (As<float>(io.in2)[i] == 0.0f) return InvalidArgumentError(label + ": division by 0");
        }
      }
      Broadcast<float>(io, [&](float a, float b) {
        const float q = floor ? std::floor(a / b) : a / b;
        return std::min(std::max(q, range.min), range.max);
      });
      return OkStatus();
    });
  }
  return EvalFn([=]() -> Status {
    bool div_by_zero = false;
    Broadcast<int32_t>(io, [&](int32_t a, int32_t b) -> int32_t {
      if (b == 0) {
        div_by_zero = true;
        return 0;
      }
      if (!floor) return a / b;
      return static_cast<int32_t>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
    });
    if (div_by_zero) return InvalidArgumentError(label + ": integer division by zero");
    return OkStatus();
  });
}

Result<EvalFn> MakeUnaryFloat(OpBuildContext& c, float (*f)(float)) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::FLOAT32}));
  ETPU_RETURN_IF_ERROR(CheckType(c, c.out(0), {TensorType::FLOAT32}));
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, c.in(0), c.out(0)));
  const float* in = As<float>(c.in_data(0));
  float* out = AsMut<float>(c.out_data(0));
  const int64_t n = c.out(0).num_elements();
  return EvalFn([=]() {
    for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
    return OkStatus();
  });
}

float Sqrt(float x) { return std::sqrt(x); }
float Rsqrt(float x) { return 1.0f / std::sqrt(x); }

}  // namespace

void RegisterElementwiseOps(std::vector<Registration>& r) {
  using B = ir::BuiltinOperator;
  r.push_back({B::ADD, [](OpBuildContext& c) { return MakeArith(c, Arith::kAdd); }});
  r.push_back({B::SUB, [](OpBuildContext& c) { return MakeArith(c, Arith::kSub); }});
  r.push_back({B::MUL, [](OpBuildContext& c) { return MakeArith(c, Arith::kMul); }});
  r.push_back({B::MAXIMUM, [](OpBuildContext& c) { return MakeMaxMin(c, true); }});
  r.push_back({B::MINIMUM, [](OpBuildContext& c) { return MakeMaxMin(c, false); }});
  r.push_back({B::DIV, [](OpBuildContext& c) { return MakeDiv(c, false); }});
  r.push_back({B::FLOOR_DIV, [](OpBuildContext& c) { return MakeDiv(c, true); }});
  r.push_back({B::SQRT, [](OpBuildContext& c) { return MakeUnaryFloat(c, Sqrt); }});
  r.push_back({B::RSQRT, [](OpBuildContext& c) { return MakeUnaryFloat(c, Rsqrt); }});
}

}  // namespace etpu::runtime::ops
