// Helpers shared by the op-family rule files.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>

#include "support/rules.h"

namespace etpu::support::internal {

const ir::Tensor* OpContext::input(size_t slot) const {
  if (slot >= op.inputs.size()) return nullptr;
  const int t = op.inputs[slot];
  if (t < 0 || static_cast<size_t>(t) >= model.tensors.size()) return nullptr;
  return &model.tensors[static_cast<size_t>(t)];
}

const ir::Tensor* OpContext::output(size_t slot) const {
  if (slot >= op.outputs.size()) return nullptr;
  const int t = op.outputs[slot];
  if (t < 0 || static_cast<size_t>(t) >= model.tensors.size()) return nullptr;
  return &model.tensors[static_cast<size_t>(t)];
}

std::string OpContext::what() const { return fmt::format("{} #{}", op.name(), op.index); }

SupportDecision Fail(const RuleDef& rule, std::string reason) {
  SupportDecision d;
  d.supported = false;
  d.status = rule.status;
  d.rule_id = rule.id;
  d.reason = std::move(reason);
  d.certainty = rule.certainty;
  return d;
}

std::string ShapeString(const std::vector<int32_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ",")); }

int NonUnitDims(const std::vector<int32_t>& shape) {
  int n = 0;
  for (int32_t d : shape) n += d > 1 ? 1 : 0;
  return n;
}

std::optional<std::vector<int64_t>> ConstInts(const ir::Tensor& tensor) {
  if (!tensor.is_constant()) return std::nullopt;
  const int64_t n = tensor.num_elements();
  std::vector<int64_t> out;
  if (tensor.type == ir::TensorType::INT32 && tensor.data.size() >= static_cast<size_t>(n) * 4) {
    for (int64_t i = 0; i < n; ++i) {
      int32_t v;
      std::memcpy(&v, tensor.data.data() + i * 4, 4);
      out.push_back(v);
    }
    return out;
  }
  if (tensor.type == ir::TensorType::INT64 && tensor.data.size() >= static_cast<size_t>(n) * 8) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t v;
      std::memcpy(&v, tensor.data.data() + i * 8, 8);
      out.push_back(v);
    }
    return out;
  }
  return std::nullopt;
}

std::optional<int> NormalizeAxis(int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) return std::nullopt;
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

bool IsBatchAxis(int axis, size_t rank) { return rank == 4 && axis == 0; }

const char* ActivationName(ir::ActivationFunctionType act) { return ir::EnumName(act); }

}  // namespace etpu::support::internal
