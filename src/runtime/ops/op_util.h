// Helpers shared by the operator adapters in src/runtime/ops: IR tensor -> kernel types,
// option access, and the factory registrations of each op family.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"
#include "kernels/types.h"
#include "runtime/interpreter.h"

namespace etpu::runtime::ops {

using ir::TensorType;

/// Tensor shape extended to 4-D with leading 1s; error for rank > 4.
Result<kernels::Shape4> ToShape4(const ir::Tensor& t, const std::string& what);
/// Dims as int vector (rank 0 -> {}).
std::vector<int> Dims(const ir::Tensor& t);
/// First scale/zero point (per-tensor view); scale 1, zp 0 when unquantized.
kernels::QuantParams Quant(const ir::Tensor& t);
/// True for UINT8 / INT8.
inline bool Is8Bit(TensorType t) { return t == TensorType::UINT8 || t == TensorType::INT8; }
inline kernels::QType QTypeOf(TensorType t) {
  return t == TensorType::INT8 ? kernels::QType::kInt8 : kernels::QType::kUInt8;
}
/// Fused activation enum -> kernel enum.
kernels::Activation ToActivation(ir::ActivationFunctionType a);
inline kernels::Padding ToPadding(ir::Padding p) {
  return p == ir::Padding::VALID ? kernels::Padding::kValid : kernels::Padding::kSame;
}

/// Checks the operator has at least `min_in` inputs and exactly `outs` outputs (outs < 0: >= 1).
Status CheckArity(const OpBuildContext& c, int min_in, int outs);
/// Checks that a tensor's element type is one of `types`.
Status CheckType(const OpBuildContext& c, const ir::Tensor& t, std::initializer_list<TensorType> types);
/// Checks that input 0 has one of `types` and that output 0 has the same type.
Status CheckInOutType(const OpBuildContext& c, std::initializer_list<TensorType> types);
/// Checks two tensors have the same element count.
Status CheckSameSize(const OpBuildContext& c, const ir::Tensor& a, const ir::Tensor& b);
/// Reads a constant int32/int64 tensor as ints; error when not constant.
Result<std::vector<int64_t>> ConstInts(const OpBuildContext& c, int input);
/// Normalises a possibly negative axis for `rank`.
Result<int> NormalizeAxis(const OpBuildContext& c, int64_t axis, int rank);

template <typename T>
const T* As(const uint8_t* p) { return reinterpret_cast<const T*>(p); }
template <typename T>
T* AsMut(uint8_t* p) { return reinterpret_cast<T*>(p); }

/// Calls `f` with a value of the C++ element type of `t` (uint8_t, int8_t, else float), so that
/// one generic lambda picks the kernel overload: `VisitType(t, [&](auto v) { using T =
/// decltype(v); return Kernel(p, As<T>(in), AsMut<T>(out)); })`.
template <typename F>
auto VisitType(TensorType t, F&& f) {
  if (t == TensorType::UINT8) return f(uint8_t{});
  if (t == TensorType::INT8) return f(int8_t{});
  return f(float{});
}

/// Registrations, one per op-family file: append (code, factory) pairs.
struct Registration {
  ir::BuiltinOperator code;
  OpFactory factory;
};
void RegisterConvOps(std::vector<Registration>& r);
void RegisterElementwiseOps(std::vector<Registration>& r);
void RegisterPoolOps(std::vector<Registration>& r);
void RegisterActivationOps(std::vector<Registration>& r);
void RegisterShapeOps(std::vector<Registration>& r);
void RegisterQuantOps(std::vector<Registration>& r);
void RegisterLstmOps(std::vector<Registration>& r);
/// Custom operators known by default (TFLite_Detection_PostProcess, PosenetDecoderOp); nullptr otherwise.
const OpFactory* FindDefaultCustomOp(const std::string& name);

}  // namespace etpu::runtime::ops
