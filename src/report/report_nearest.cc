#include "report/report_nearest.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <span>

#include "driver/generation.h"
#include "etpu/compiler.h"
#include "ir/graph.h"
#include "ir/op_table.h"
#include "support/op_support.h"
#include "tflite/model_reader.h"

namespace etpu::report {
namespace {

using nlohmann::json;

/// Linear steps below the current size before the search bisects (rules with a modulus, such as
/// "a multiple of 4", are found by the steps; upper limits by either).
constexpr int kLinearSteps = 256;

/// The newest runtime any operator of the table needs: -m beyond it changes no operator's verdict.
int NewestRuntime() {
  int newest = 0;
  for (const ir::OpInfo* row : ir::MappableOps()) newest = std::max(newest, row->edgetpu->min_runtime);
  return newest;
}

bool IsEightBit(ir::TensorType t) { return t == ir::TensorType::UINT8 || t == ir::TensorType::INT8; }

/// The operator's data tensors: non-constant, non-variable inputs, then outputs (no duplicates).
std::vector<int> DataTensors(const ir::Model& model, const ir::Operator& op) {
  std::vector<int> out;
  auto add = [&](int t) {
    if (t < 0 || std::find(out.begin(), out.end(), t) != out.end()) return;
    const ir::Tensor& tensor = model.tensor(t);
    if (!tensor.is_constant() && !tensor.is_variable) out.push_back(t);
  };
  for (int t : op.inputs) add(t);
  for (int t : op.outputs) add(t);
  return out;
}

/// Applies `edit` to the model, asks the rules, and undoes it (the model is left as it was).
template <typename Edit>
bool MapsWith(ir::Model& model, int op, const support::SupportOptions& options, const std::vector<int>& tensors, Edit edit) {
  std::vector<ir::Tensor> saved;
  for (int t : tensors) saved.push_back(model.tensor(t));
  const int version = model.ops[static_cast<size_t>(op)].version;
  edit(model);
  const bool maps = support::DecideOp(model, op, options).supported;
  for (size_t k = 0; k < tensors.size(); ++k) model.tensors[static_cast<size_t>(tensors[k])] = saved[k];
  model.ops[static_cast<size_t>(op)].version = version;
  return maps;
}

std::optional<json> OlderVersion(ir::Model& model, int op, const support::SupportOptions& options) {
  for (int v = model.ops[static_cast<size_t>(op)].version - 1; v >= 1; --v) {
    if (MapsWith(model, op, options, {}, [&](ir::Model& m) { m.ops[static_cast<size_t>(op)].version = v; })) {
      return json{{"kind", "op_version"}, {"version", v},
                  {"text", fmt::format("version {} of the operator maps (it is version {}; convert the model with a TFLite converter that writes the older version)",
                                       v, model.ops[static_cast<size_t>(op)].version)}};
    }
  }
  return std::nullopt;
}

std::optional<json> EightBitTypes(ir::Model& model, int op, const support::SupportOptions& options) {
  std::vector<int> wide;
  for (int t : DataTensors(model, model.ops[static_cast<size_t>(op)])) {
    if (!IsEightBit(model.tensor(t).type)) wide.push_back(t);
  }
  if (wide.empty()) return std::nullopt;
  for (ir::TensorType type : {ir::TensorType::UINT8, ir::TensorType::INT8}) {
    const bool maps = MapsWith(model, op, options, wide, [&](ir::Model& m) {
      for (int t : wide) m.tensors[static_cast<size_t>(t)].type = type;
    });
    if (!maps) continue;
    json names = json::array();
    std::string list;
    for (int t : wide) {
      names.push_back(model.tensor(t).name);
      list += fmt::format("{}'{}' ({})", list.empty() ? "" : ", ", model.tensor(t).name, ir::TensorTypeName(model.tensor(t).type));
    }
    return json{{"kind", "dtype"}, {"tensors", names}, {"type", ir::TensorTypeName(type)},
                {"text", fmt::format("it maps with {} as {}: quantize the model fully to 8 bits (full-integer quantization)", list,
                                     ir::TensorTypeName(type))}};
  }
  return std::nullopt;
}

/// The largest size below `from` of dimension `dim` (of every data tensor of the operator that has
/// size `from` there) under which the rules map the operator; nullopt when even 1 does not.
std::optional<int> LargestSize(ir::Model& model, int op, const support::SupportOptions& options, int tensor, size_t dim) {
  const int from = model.tensor(tensor).shape[dim];
  std::vector<int> alike;
  for (int t : DataTensors(model, model.ops[static_cast<size_t>(op)])) {
    const auto& shape = model.tensor(t).shape;
    if (shape.size() > dim && shape[dim] == from) alike.push_back(t);
  }
  auto maps = [&](int size) {
    return MapsWith(model, op, options, alike, [&](ir::Model& m) {
      for (int t : alike) m.tensors[static_cast<size_t>(t)].shape[dim] = size;
    });
  };
  const int linear_end = std::max(1, from - kLinearSteps);
  for (int s = from - 1; s >= linear_end; --s) {
    if (maps(s)) return s;
  }
  if (linear_end == 1 || !maps(1)) return std::nullopt;
  int lo = 1, hi = linear_end - 1;  // maps(lo); the largest mapping size is in [lo, hi]
  while (lo < hi) {
    const int mid = lo + (hi - lo + 1) / 2;
    if (maps(mid)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

std::string ShapeText(const std::vector<int32_t>& shape) {
  std::string s;
  for (int32_t d : shape) s += (s.empty() ? "" : ",") + std::to_string(d);
  return "[" + s + "]";
}

std::optional<json> SmallerSize(ir::Model& model, int op, const support::SupportOptions& options) {
  std::optional<json> best;
  double best_ratio = 0;
  for (int t : DataTensors(model, model.ops[static_cast<size_t>(op)])) {
    const auto shape = model.tensor(t).shape;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] <= 1) continue;
      const std::optional<int> to = LargestSize(model, op, options, t, d);
      if (!to) continue;
      const double ratio = static_cast<double>(*to) / shape[d];
      if (best && ratio <= best_ratio) continue;
      best_ratio = ratio;
      std::vector<int32_t> advised = shape;
      advised[d] = *to;
      best = json{{"kind", "size"}, {"tensor", model.tensor(t).name}, {"dim", static_cast<int64_t>(d)}, {"from", shape[d]}, {"to", *to},
                  {"shape", advised},
                  {"text", fmt::format("dimension {} of '{}' is {}; the largest size that maps is {} (shape {} instead of {}, its "
                                       "operator's other tensors of that size alike)",
                                       d, model.tensor(t).name, shape[d], *to, ShapeText(advised), ShapeText(shape))}};
    }
  }
  return best;
}

}  // namespace

Result<json> NearestChanges(const std::string& path, const std::vector<int>& ops, const CompileOptions& compiled) {
  json out = json::array();
  if (ops.empty()) return out;
  ETPU_ASSIGN_OR_RETURN(ir::Model model, tflite::ReadModel(path));
  const int current = compiled.min_runtime_version != 0 ? compiled.min_runtime_version : driver::DefaultMinRuntimeVersion(compiled.emulate);
  // 1. -m: the compiler itself, at each newer runtime, until every operator is placed or none is left.
  std::map<int, int> by_runtime;  // op -> the first -m under which it maps
  for (int v = current + 1; v <= NewestRuntime() && by_runtime.size() < ops.size(); ++v) {
    CompileOptions options = compiled;
    options.min_runtime_version = v;
    options.build_models = false;
    const ModelInput input = ModelInput::FromPath(path);
    ETPU_ASSIGN_OR_RETURN(CompileResult r, Compile(std::span<const ModelInput>(&input, 1), options));
    if (!r.ok || r.models.empty()) continue;
    for (int op : ops) {
      const auto& verdicts = r.models.front().operators;
      if (!by_runtime.count(op) && op >= 0 && static_cast<size_t>(op) < verdicts.size() && verdicts[static_cast<size_t>(op)].region >= 0) {
        by_runtime[op] = v;
      }
    }
  }
  support::SupportOptions options;
  options.min_runtime_version = current;
  for (int op : ops) {
    json change;
    if (op < 0 || static_cast<size_t>(op) >= model.ops.size()) {
      change = {{"kind", nullptr}, {"text", "not an operator of the model"}};
    } else if (auto it = by_runtime.find(op); it != by_runtime.end()) {
      change = {{"kind", "min_runtime"}, {"option", fmt::format("-m {}", it->second)},
                {"text", fmt::format("compiled with -m {} (edgetpu_compiler -m {}) it maps; the package then needs runtime {} or newer",
                                     it->second, it->second, it->second)}};
    } else if (support::DecideOp(model, op, options).supported) {
      change = {{"kind", nullptr}, {"text", "its own rules map it; the partition keeps it on the CPU"}};
    } else if (auto v = OlderVersion(model, op, options)) {
      change = *v;
    } else if (auto t = EightBitTypes(model, op, options)) {
      change = *t;
    } else if (auto s = SmallerSize(model, op, options)) {
      change = *s;
    } else {
      change = {{"kind", nullptr},
                {"text", "no single change of -m, operator version, tensor type or one dimension's size maps it: the operator or "
                         "its options must change"}};
    }
    change["op_index"] = op;
    out.push_back(std::move(change));
  }
  return out;
}

}  // namespace etpu::report
