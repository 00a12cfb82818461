#include "runtime/ops/op_util.h"

#include <cstring>
#include <map>
#include <mutex>

#include <fmt/format.h>

namespace etpu::runtime::ops {

Result<kernels::Shape4> ToShape4(const ir::Tensor& t, const std::string& what) {
  if (t.shape.size() > 4) {
    return InvalidArgumentError(fmt::format("{}: tensor '{}' has rank {} (expected at most 4)", what, t.name,
                                            t.shape.size()));
  }
  int d[4] = {1, 1, 1, 1};
  const size_t off = 4 - t.shape.size();
  for (size_t i = 0; i < t.shape.size(); ++i) d[off + i] = t.shape[i];
  kernels::Shape4 s{d[0], d[1], d[2], d[3]};
  if (!s.Valid()) {
    return InvalidArgumentError(fmt::format("{}: tensor '{}' has an empty or too large shape {}", what, t.name,
                                            s.ToString()));
  }
  return s;
}

std::vector<int> Dims(const ir::Tensor& t) { return std::vector<int>(t.shape.begin(), t.shape.end()); }

kernels::QuantParams Quant(const ir::Tensor& t) {
  kernels::QuantParams q;
  if (!t.quant.scale.empty()) q.scale = t.quant.scale[0];
  if (!t.quant.zero_point.empty()) q.zero_point = static_cast<int32_t>(t.quant.zero_point[0]);
  return q;
}

kernels::Activation ToActivation(ir::ActivationFunctionType a) {
  return static_cast<kernels::Activation>(static_cast<int>(a));
}

Status CheckArity(const OpBuildContext& c, int min_in, int outs) {
  if (c.num_inputs() < min_in) {
    return c.Error(fmt::format("has {} inputs (expected at least {})", c.num_inputs(), min_in));
  }
  for (int i = 0; i < min_in; ++i) {
    if (!c.has_input(i)) return c.Error(fmt::format("input {} is missing", i));
  }
  if (outs >= 0 ? c.num_outputs() != outs : c.num_outputs() < 1) {
    return c.Error(fmt::format("has {} outputs (expected {})", c.num_outputs(), outs < 0 ? 1 : outs));
  }
  return OkStatus();
}

Status CheckType(const OpBuildContext& c, const ir::Tensor& t, std::initializer_list<TensorType> types) {
  for (TensorType ty : types) {
    if (t.type == ty) return OkStatus();
  }
  std::string list;
  for (TensorType ty : types) list += std::string(list.empty() ? "" : ", ") + ir::TensorTypeName(ty);
  return UnimplementedError(fmt::format("{}: tensor '{}' has type {} (supported: {})", c.label(), t.name,
                                        ir::TensorTypeName(t.type), list));
}

Status CheckInOutType(const OpBuildContext& c, std::initializer_list<TensorType> types) {
  ETPU_RETURN_IF_ERROR(CheckType(c, c.in(0), types));
  if (c.out(0).type != c.in(0).type) return UnimplementedError(c.label() + ": input and output types differ");
  return OkStatus();
}

Status CheckSameSize(const OpBuildContext& c, const ir::Tensor& a, const ir::Tensor& b) {
  if (a.num_elements() != b.num_elements()) {
    return c.Error(fmt::format("tensor '{}' has {} elements but '{}' has {}", a.name, a.num_elements(), b.name,
                               b.num_elements()));
  }
  return OkStatus();
}

Result<std::vector<int64_t>> ConstInts(const OpBuildContext& c, int input) {
  if (!c.has_input(input)) return c.Error(fmt::format("input {} is missing", input));
  const ir::Tensor& t = c.in(input);
  if (!t.is_constant()) return UnimplementedError(c.label() + ": input '" + t.name + "' must be a constant");
  std::vector<int64_t> v;
  if (t.type == TensorType::INT32) {
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      int32_t x;
      std::memcpy(&x, t.data.data() + 4 * i, 4);
      v.push_back(x);
    }
  } else if (t.type == TensorType::INT64) {
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      int64_t x;
      std::memcpy(&x, t.data.data() + 8 * i, 8);
      v.push_back(x);
    }
  } else {
    return c.Error(fmt::format("input '{}' must be INT32 or INT64 (got {})", t.name, ir::TensorTypeName(t.type)));
  }
  return v;
}

Result<int> NormalizeAxis(const OpBuildContext& c, int64_t axis, int rank) {
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return c.Error(fmt::format("axis {} out of range for rank {}", axis, rank));
  return static_cast<int>(axis);
}

}  // namespace etpu::runtime::ops

namespace etpu::runtime {

namespace {
const std::map<ir::BuiltinOperator, OpFactory>& Registry() {
  static const std::map<ir::BuiltinOperator, OpFactory> registry = [] {
    std::vector<ops::Registration> r;
    ops::RegisterConvOps(r);
    ops::RegisterElementwiseOps(r);
    ops::RegisterPoolOps(r);
    ops::RegisterActivationOps(r);
    ops::RegisterShapeOps(r);
    ops::RegisterQuantOps(r);
    ops::RegisterLstmOps(r);
    std::map<ir::BuiltinOperator, OpFactory> m;
    for (auto& reg : r) m[reg.code] = std::move(reg.factory);
    return m;
  }();
  return registry;
}
}  // namespace

const OpFactory* FindBuiltinOp(ir::BuiltinOperator code) {
  const auto& r = Registry();
  auto it = r.find(code);
  return it == r.end() ? nullptr : &it->second;
}

std::vector<std::string> SupportedBuiltinOps() {
  std::vector<std::string> names;
  for (const auto& [code, f] : Registry()) names.push_back(ir::BuiltinName(code));
  return names;
}

}  // namespace etpu::runtime
