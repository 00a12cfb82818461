// Whole-model checks: op versions against the compiler's embedded TFLite (≈ TF 2.5), "Model not
// quantized", and the runtime version the mapped operators need.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "support/op_support.h"
#include "support/rules.h"

namespace etpu::support {
namespace {

using B = ir::BuiltinOperator;


bool IsFloat(ir::TensorType t) {
  return t == ir::TensorType::FLOAT32 || t == ir::TensorType::FLOAT16 || t == ir::TensorType::FLOAT64;
}
bool IsInt8Kind(ir::TensorType t) { return t == ir::TensorType::UINT8 || t == ir::TensorType::INT8; }

const ir::Tensor* TensorAt(const ir::Model& m, int t) {
  if (t < 0 || static_cast<size_t>(t) >= m.tensors.size()) return nullptr;
  return &m.tensors[static_cast<size_t>(t)];
}

/// First float tensor of an operator ("input 2 'w' FLOAT32"), or empty.
std::string FirstFloatTensor(const ir::Model& m, const ir::Operator& op) {
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    const ir::Tensor* t = TensorAt(m, op.inputs[i]);
    if (t != nullptr && IsFloat(t->type)) return fmt::format("input {} '{}' is {}", i, t->name, ir::TensorTypeName(t->type));
  }
  for (size_t i = 0; i < op.outputs.size(); ++i) {
    const ir::Tensor* t = TensorAt(m, op.outputs[i]);
    if (t != nullptr && IsFloat(t->type)) return fmt::format("output {} '{}' is {}", i, t->name, ir::TensorTypeName(t->type));
  }
  return {};
}

bool HasIntActivation(const ir::Model& m, const ir::Operator& op) {
  for (int t : op.inputs) {
    const ir::Tensor* x = TensorAt(m, t);
    if (x != nullptr && !x->is_constant() && IsInt8Kind(x->type)) return true;
  }
  for (int t : op.outputs) {
    const ir::Tensor* x = TensorAt(m, t);
    if (x != nullptr && IsInt8Kind(x->type)) return true;
  }
  return false;
}

}  // namespace

int MaxTfl25Version(int builtin) {
  if (builtin < 0 || builtin > kMaxTfl25Builtin) return 0;
  if (builtin == static_cast<int>(B::CUSTOM) || builtin == static_cast<int>(B::DELEGATE) ||
      builtin == static_cast<int>(B::PLACEHOLDER_FOR_GREATER_OP_CODES)) {
    return 0;
  }
  return ir::OpInfoOf(static_cast<B>(builtin)).tflite_version;
}

Status CheckOpVersions(const ir::Model& model) {
  for (const ir::OperatorCode& entry : model.operator_codes) {
    const int32_t code = entry.builtin_code;
    if (code == static_cast<int32_t>(B::CUSTOM)) continue;  // Custom ops are resolved later (CPU).
    if (code > kMaxTfl25Builtin) {
      return InvalidArgumentError(fmt::format(
          "ERROR: Op builtin_code out of range: {}. Are you using old TFLite binary with newer model?\n"
          "ERROR: Registration failed.",
          code));
    }
    const int max_version = MaxTfl25Version(code);
    if (entry.version > max_version || entry.version < 1) {
      return InvalidArgumentError(fmt::format(
          "ERROR: Didn't find op for builtin opcode '{}' version '{}'. An older version of this builtin might be "
          "supported. Are you using an old TFLite binary with a newer model?\n\nERROR: Registration failed.",
          ir::BuiltinName(static_cast<ir::BuiltinOperator>(code)), entry.version));
    }
  }
  return OkStatus();
}

std::vector<std::string> ExplainNotQuantized(const ir::Model& model) {
  // A model is "not quantized" only when it has no quantized compute at all: no operator other
  // than a QUANTIZE / DEQUANTIZE boundary (or a custom op) with 8-bit activations. Float operators
  // around a quantized body (float inputs and outputs as TF2 post-training quantization writes
  // them, a float op the converter left between DEQUANTIZE and QUANTIZE, a float tail) stay on the
  // CPU and cut the graph; they are not a reason to refuse the model (issue 12, from Google's
  // compiler 16 on TF2 PTQ models).
  const auto compute = [](const ir::Operator& op) {
    return op.code != B::CUSTOM && op.code != B::QUANTIZE && op.code != B::DEQUANTIZE;
  };
  for (const ir::Operator& op : model.ops) {
    if (compute(op) && HasIntActivation(model, op)) return {};
  }
  std::vector<std::string> findings;
  for (const ir::Operator& op : model.ops) {
    if (!compute(op)) continue;
    const std::string f = FirstFloatTensor(model, op);
    if (!f.empty()) findings.push_back(fmt::format("{} #{}: {} (the model has no quantized operator)", op.name(), op.index, f));
  }
  return findings;
}

std::vector<std::string> ExplainDynamicShapes(const ir::Model& model) {
  std::vector<std::string> findings;
  for (const ir::Tensor& t : model.tensors) {
    for (size_t d = 1; d < t.shape_signature.size(); ++d) {
      if (t.shape_signature[d] >= 0) continue;
      findings.push_back(fmt::format("tensor '{}' has a dynamic size in dimension {} (shape_signature [{}]); only the "
                                     "batch dimension (0) may be dynamic, and is compiled as {}",
                                     t.name, d, fmt::join(t.shape_signature, ","),
                                     t.shape.empty() ? 1 : t.shape[0]));
      break;
    }
  }
  return findings;
}

Status CheckModelQuantized(const ir::Model& model) {
  if (!ExplainNotQuantized(model).empty()) return InvalidArgumentError("Model not quantized");
  return OkStatus();
}

namespace internal {

RuntimeNeed OpRuntimeNeed(const ir::Model& model, int op_index, const std::set<int>& in_set) {
  constexpr int kLowestRuntime = 10;
  constexpr int kDilatedDepthwiseRuntime = 12;  // see rules_conv.cc
  constexpr int kInt8HostRuntime = 12;
  RuntimeNeed need{kLowestRuntime, false, {}};
  auto raise = [&need](int version, bool int8_host, std::string why) {
    if (version <= need.version) return;
    need = {version, int8_host, std::move(why)};
  };
  const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
  if (const OpSpec* spec = FindOpSpec(op.code)) {
    raise(spec->min_runtime, false, fmt::format("{} needs runtime {}", op.name(), spec->min_runtime));
  }
  if (const auto* o = op.options<ir::DepthwiseConv2DOptions>()) {
    if (o->dilation_h_factor != 1 || o->dilation_w_factor != 1) {
      raise(kDilatedDepthwiseRuntime, false, fmt::format("a dilated {} needs runtime {}", op.name(), kDilatedDepthwiseRuntime));
    }
  }
  // INT8 tensors crossing the boundary of the mapped set are host data.
  for (int t : op.inputs) {
    const ir::Tensor* x = TensorAt(model, t);
    if (x == nullptr || x->is_constant() || x->is_variable || x->type != ir::TensorType::INT8) continue;
    if (x->producer < 0 || in_set.count(x->producer) == 0) {
      raise(kInt8HostRuntime, true,
            fmt::format("input '{}' is INT8 data from the host (the CPU or the model input); int8 host data needs runtime {}",
                        x->name, kInt8HostRuntime));
    }
  }
  for (int t : op.outputs) {
    const ir::Tensor* x = TensorAt(model, t);
    if (x == nullptr || x->type != ir::TensorType::INT8) continue;
    bool leaves = std::find(model.outputs.begin(), model.outputs.end(), t) != model.outputs.end();
    for (int c : x->consumers) leaves = leaves || in_set.count(c) == 0;
    if (leaves) {
      raise(kInt8HostRuntime, true,
            fmt::format("output '{}' is INT8 data for the host (the CPU or the model output); int8 host data needs runtime {}",
                        x->name, kInt8HostRuntime));
    }
  }
  return need;
}

}  // namespace internal

int MinRuntimeVersionFor(const ir::Model& model, const std::vector<int>& mapped_ops) {
  std::set<int> in_set;
  for (int i : mapped_ops) {
    if (i >= 0 && static_cast<size_t>(i) < model.ops.size()) in_set.insert(i);
  }
  int need = 10;
  for (int i : in_set) need = std::max(need, internal::OpRuntimeNeed(model, i, in_set).version);
  return need;
}

}  // namespace etpu::support
