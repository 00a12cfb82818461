#include "cache/layer_bytes.h"

#include <vector>

#include "base/units.h"
#include "cache/caching_token.h"

namespace etpu::cache {

using base::RoundUp;
using ir::BuiltinOperator;

namespace {

bool IsElementWise(BuiltinOperator code) {
  switch (code) {
    case BuiltinOperator::ADD:
    case BuiltinOperator::SUB:
    case BuiltinOperator::MUL:
    case BuiltinOperator::MAXIMUM:
    case BuiltinOperator::MINIMUM:
    case BuiltinOperator::SQUARED_DIFFERENCE:
      return true;
    default:
      return false;
  }
}

std::string OpName(const ir::Model& model, const ir::Operator& op) {
  return "operator #" + std::to_string(op.index) + " " + op.name() + " of '" + model.path + "'";
}

int64_t OutPad(int64_t o) { return o <= 64 ? RoundUp(o, 16) : RoundUp(o, 64); }

}  // namespace

Result<LayerBytes> FormulaLayerParamBytes(const ir::Model& model, int op_index) {
  if (op_index < 0 || static_cast<size_t>(op_index) >= model.ops.size()) {
    return InvalidArgumentError("failed to size parameters of '" + model.path + "': operator index " +
                                std::to_string(op_index) + " out of range");
  }
  const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
  const bool weighted = op.code == BuiltinOperator::CONV_2D || op.code == BuiltinOperator::FULLY_CONNECTED ||
                        op.code == BuiltinOperator::DEPTHWISE_CONV_2D;
  if (weighted) {
    if (op.inputs.size() < 2 || op.inputs[1] < 0 || static_cast<size_t>(op.inputs[1]) >= model.tensors.size()) {
      return InvalidArgumentError("failed to size parameters of " + OpName(model, op) + ": no weight tensor (input 1)");
    }
    const ir::Tensor& w = model.tensors[static_cast<size_t>(op.inputs[1])];
    const int64_t pc = w.quant.per_channel() ? 1 : 0;
    const int64_t header = 4 * (1 + 2 * pc);
    const auto& s = w.shape;
    auto bad_shape = [&](const char* expected) {
      std::string dims;
      for (int32_t d : s) {
        if (!dims.empty()) dims += ',';
        dims += std::to_string(d);
      }
      return InvalidArgumentError("failed to size parameters of " + OpName(model, op) + ": weight tensor '" + w.name +
                                  "' has shape [" + dims + "] (expected " + expected + ")");
    };
    for (int32_t d : s) {
      if (d <= 0) return bad_shape("positive dimensions");
    }
    if (op.code == BuiltinOperator::FULLY_CONNECTED) {
      if (s.size() != 2) return bad_shape("[O, C]");
      return LayerBytes{OutPad(s[0]) * (header + RoundUp(s[1], 4)), false};
    }
    if (s.size() != 4) return bad_shape(op.code == BuiltinOperator::CONV_2D ? "[O, kh, kw, C]" : "[1, kh, kw, C]");
    const int64_t kh = s[1], kw = s[2];
    if (op.code == BuiltinOperator::CONV_2D) {
      return LayerBytes{OutPad(s[0]) * (header + kh * kw * RoundUp(s[3], 4)), false};
    }
    return LayerBytes{RoundUp(s[3], 4) * (header + 4 * kh * kw), false};
  }
  if (IsElementWise(op.code)) {
    int64_t constant = 0;
    for (int t : op.inputs) {
      if (t >= 0 && static_cast<size_t>(t) < model.tensors.size() && model.tensors[static_cast<size_t>(t)].is_constant()) {
        constant += static_cast<int64_t>(model.tensors[static_cast<size_t>(t)].data.size());
      }
    }
    if (constant > 0) return LayerBytes{RoundUp(constant + 16, 64), true};
  }
  return LayerBytes{};
}

Result<PlanModel> BuildPlanModel(const ir::Model& model, std::string name, std::span<const int> ops_in,
                                 const CapacityModel& capacity, const LayerBytesFn& layer_bytes) {
  std::vector<int> ops(ops_in.begin(), ops_in.end());
  if (ops.empty()) {
    for (const auto& op : model.ops) ops.push_back(op.index);
  }
  PlanModel pm;
  pm.name = std::move(name);
  ETPU_ASSIGN_OR_RETURN(pm.act, capacity.Analyze(model, ops));
  for (int i : ops) {
    ETPU_ASSIGN_OR_RETURN(LayerBytes lb, layer_bytes(model, i));
    if (lb.bytes < 0) {
      return InternalError("parameter size of operator #" + std::to_string(i) + " of '" + model.path +
                           "' is negative (" + std::to_string(lb.bytes) + ")");
    }
    if (lb.bytes > 0) pm.layers.push_back(PlanLayer{i, lb.bytes, lb.always_streamed});
  }
  pm.content_digest = ModelContentDigest(model, ops);
  return pm;
}

}  // namespace etpu::cache
