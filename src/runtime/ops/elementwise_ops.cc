// ADD, SUB, MUL, MAXIMUM, MINIMUM (uint8/int8/float, 4-D broadcast), SQUARED_DIFFERENCE
// (uint8/int8), PRELU (uint8/int8/float), DIV, FLOOR_DIV (float, int32), SQRT (float), RSQRT
// (float, uint8/int8) adapters.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <type_traits>

#include <fmt/format.h>

#include "kernels/elementwise.h"
#include "kernels/inv_sqrt.h"
#include "kernels/thread_pool.h"
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

ir::ActivationFunctionType FusedActivation(const OpBuildContext& c) {
  if (auto* o = c.op().options<ir::AddOptions>()) return o->fused_activation_function;
  if (auto* o = c.op().options<ir::SubOptions>()) return o->fused_activation_function;
  if (auto* o = c.op().options<ir::MulOptions>()) return o->fused_activation_function;
  if (auto* o = c.op().options<ir::DivOptions>()) return o->fused_activation_function;
  return ir::ActivationFunctionType::NONE;
}

template <typename T>
Status RunArithOn(Arith a, const kernels::ArithmeticParams& p, Shape4 s1, const T* x, Shape4 s2,
                  const T* y, Shape4 out, T* o) {
  switch (a) {
    case Arith::kAdd: return kernels::Add(p, s1, x, s2, y, out, o);
    case Arith::kSub: return kernels::Sub(p, s1, x, s2, y, out, o);
    case Arith::kMul: return kernels::Mul(p, s1, x, s2, y, out, o);
  }
  return InternalError("bad arithmetic op");
}

/// Elements per block when a same-shape operation is split over threads.
constexpr int64_t kArithBlock = 16 * 1024;

template <typename T>
Status RunArith(Arith a, const kernels::ArithmeticParams& p, const BinaryIo& io,
                kernels::ThreadPool* pool) {
  const T* x = As<T>(io.in1);
  const T* y = As<T>(io.in2);
  T* o = AsMut<T>(io.output);
  const int64_t n = io.out.FlatSize();
  if (pool == nullptr || pool->threads() < 2 || n < 2 * kArithBlock || !(io.s1 == io.out) ||
      !(io.s2 == io.out)) {
    return RunArithOn(a, p, io.s1, x, io.s2, y, io.out, o);
  }
  // Same shapes: every output element depends on the same element of each input only, so
  // blocks of the flat tensors give the same bytes whichever thread computes them.
  std::atomic<bool> failed{false};
  Status first_error;
  std::mutex error_mu;
  kernels::ParallelFor(pool, (n + kArithBlock - 1) / kArithBlock, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e && !failed.load(); ++i) {
      const int64_t at = i * kArithBlock;
      const Shape4 s{1, 1, 1, static_cast<int>(std::min(kArithBlock, n - at))};
      Status st = RunArithOn(a, p, s, x + at, s, y + at, s, o + at);
      if (!st.ok() && !failed.exchange(true)) {
        std::lock_guard<std::mutex> lock(error_mu);
        first_error = std::move(st);
      }
    }
  });
  return failed.load() ? first_error : OkStatus();
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
  kernels::ThreadPool* pool = c.thread_pool();
  if (t == TensorType::UINT8) return EvalFn([=]() { return RunArith<uint8_t>(a, p, io, pool); });
  if (t == TensorType::INT8) return EvalFn([=]() { return RunArith<int8_t>(a, p, io, pool); });
  return EvalFn([=]() { return RunArith<float>(a, p, io, pool); });
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

Result<EvalFn> MakeDiv(OpBuildContext& c, bool floor) {
  ETPU_ASSIGN_OR_RETURN(BinaryIo io, GetBinaryIo(c));
  const TensorType t = c.in(0).type;
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::FLOAT32, TensorType::INT32}));
  ETPU_ASSIGN_OR_RETURN(auto range, kernels::CalculateActivationRangeFloat(ToActivation(FusedActivation(c))));
  const std::string label = c.label();
  if (t == TensorType::FLOAT32) {
    return EvalFn([=]() -> Status {
      const float* x = As<float>(io.in1);
      const float* y = As<float>(io.in2);
      float* o = AsMut<float>(io.output);
      Status s = floor ? kernels::FloorDiv(range.min, range.max, io.s1, x, io.s2, y, io.out, o)
                       : kernels::Div(range.min, range.max, io.s1, x, io.s2, y, io.out, o);
      return s.ok() ? s : s.WithContext(label);
    });
  }
  return EvalFn([=]() -> Status {
    const int32_t* x = As<int32_t>(io.in1);
    const int32_t* y = As<int32_t>(io.in2);
    int32_t* o = AsMut<int32_t>(io.output);
    Status s = floor ? kernels::FloorDiv(io.s1, x, io.s2, y, io.out, o) : kernels::Div(io.s1, x, io.s2, y, io.out, o);
    return s.ok() ? s : s.WithContext(label);
  });
}

Result<EvalFn> MakeSquaredDifference(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(BinaryIo io, GetBinaryIo(c));
  const TensorType t = c.in(0).type;
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::UINT8, TensorType::INT8}));
  auto r = kernels::PrepareSquaredDifference(QTypeOf(t), Quant(c.in(0)), Quant(c.in(1)), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  const kernels::ArithmeticParams p = *r;
  return EvalFn([=]() {
    return VisitType(t, [&](auto v) -> Status {
      using T = decltype(v);
      if constexpr (std::is_same_v<T, float>) {
        return InternalError("SQUARED_DIFFERENCE: float is not prepared");
      } else {
        return kernels::SquaredDifference(p, io.s1, As<T>(io.in1), io.s2, As<T>(io.in2), io.out, AsMut<T>(io.output));
      }
    });
  });
}

// PRELU: input 0 is x, input 1 the alpha (broadcast against x).
Result<EvalFn> MakePrelu(OpBuildContext& c) {
  ETPU_ASSIGN_OR_RETURN(BinaryIo io, GetBinaryIo(c));
  const TensorType t = c.in(0).type;
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), {TensorType::UINT8, TensorType::INT8, TensorType::FLOAT32}));
  if (t == TensorType::FLOAT32) {
    return EvalFn([=]() {
      return kernels::Prelu(io.s1, As<float>(io.in1), io.s2, As<float>(io.in2), io.out, AsMut<float>(io.output));
    });
  }
  auto r = kernels::PreparePrelu(QTypeOf(t), Quant(c.in(0)), Quant(c.in(1)), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  const kernels::PreluParams p = *r;
  if (t == TensorType::UINT8) {
    return EvalFn([=]() { return kernels::Prelu(p, io.s1, io.in1, io.s2, io.in2, io.out, io.output); });
  }
  return EvalFn([=]() {
    return kernels::Prelu(p, io.s1, As<int8_t>(io.in1), io.s2, As<int8_t>(io.in2), io.out, AsMut<int8_t>(io.output));
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

// RSQRT: float, or uint8 / int8 (kernels/inv_sqrt.h).
Result<EvalFn> MakeRsqrt(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  const TensorType t = c.in(0).type;
  if (t == TensorType::FLOAT32) return MakeUnaryFloat(c, Rsqrt);
  ETPU_RETURN_IF_ERROR(CheckInOutType(c, {TensorType::UINT8, TensorType::INT8}));
  ETPU_RETURN_IF_ERROR(CheckSameSize(c, c.in(0), c.out(0)));
  auto r = kernels::PrepareRsqrt(QTypeOf(t), Quant(c.in(0)), Quant(c.out(0)));
  if (!r.ok()) return r.status().WithContext(c.label());
  const kernels::RsqrtParams p = *r;
  const uint8_t* in = c.in_data(0);
  uint8_t* out = c.out_data(0);
  const int64_t n = c.out(0).num_elements();
  const std::string label = c.label();
  return EvalFn([=]() -> Status {
    Status s = t == TensorType::UINT8 ? kernels::Rsqrt(p, n, in, out)
                                      : kernels::Rsqrt(p, n, As<int8_t>(in), AsMut<int8_t>(out));
    return s.ok() ? s : s.WithContext(label);
  });
}

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
  r.push_back({B::RSQRT, MakeRsqrt});
  r.push_back({B::SQUARED_DIFFERENCE, MakeSquaredDifference});
  r.push_back({B::PRELU, MakePrelu});
}

}  // namespace etpu::runtime::ops
