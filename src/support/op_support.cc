// DecideOp/DecideAll: the generic rules (data type, operator set, runtime, version, rank, constant
// params) and the dispatch to the op-family rules; StatusText; the rule list.
#include "support/op_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "support/rules.h"

namespace etpu::support {
namespace internal {

// Generic rules, in check order (op_support.h).
constexpr RuleDef kBadIndex{"generic.bad_index", OpStatus::kNotSupported, Certainty::kConfirmed,
                            "operator index out of range (API misuse)"};
constexpr RuleDef kCustomOp{"generic.custom_op", OpStatus::kUnsupportedDataType, Certainty::kSupported,
                            "custom operators (CUSTOM, including edgetpu-custom-op) are never mapped"};
constexpr RuleDef kDataType{"generic.data_type", OpStatus::kUnsupportedDataType, Certainty::kConfirmed,
                            "every activation tensor must be UINT8 or INT8"};
constexpr RuleDef kNotInSet{"generic.not_supported", OpStatus::kNotSupported, Certainty::kConfirmed,
                            "the operator is not in the Edge TPU's operator set (the mappable rows of the operator table)"};
constexpr RuleDef kMinRuntime{"generic.min_runtime", OpStatus::kNotSupported, Certainty::kSupported,
                              "the operator needs a newer runtime than --min_runtime_version"};
constexpr RuleDef kInt8Runtime{"generic.int8_host_runtime", OpStatus::kUnsupportedDataType, Certainty::kUnconfirmed,
                               "INT8 data exchanged with the host (model inputs/outputs, CPU operators next to the mapped part) needs "
                               "runtime >= 12 (int8 host data type)"};
constexpr RuleDef kOpVersion{"generic.op_version", OpStatus::kVersionNotSupported, Certainty::kSupported,
                             "op version newer than the compiler's TFLite (TF 2.5) knows"};
constexpr RuleDef kRank{"generic.rank", OpStatus::kUnsupportedRank, Certainty::kConfirmed,
                        "at most 3 dimensions larger than 1 (the 3 innermost are mapped)"};
constexpr RuleDef kParamConst{"generic.param_not_constant", OpStatus::kParamNotConstant, Certainty::kConfirmed,
                              "weights, bias and shape/axis parameters must be compile-time constants"};

/// Largest number of dimensions larger than 1 the Edge TPU maps (§5.1 item 4).
constexpr int kMaxNonUnitDims = 3;
/// The runtime that added int8 host data (compiler-behaviour.md §1.3).
constexpr int kInt8HostRuntime = 12;

namespace {

CheckMap BuildChecks() {
  CheckMap checks;
  AddConvChecks(checks);
  AddPoolChecks(checks);
  AddActivationChecks(checks);
  AddReduceChecks(checks);
  AddShapeChecks(checks);
  AddResizeChecks(checks);
  AddLstmChecks(checks);
  return checks;
}

}  // namespace

const CheckMap& Checks() {
  static const CheckMap checks = BuildChecks();
  return checks;
}

namespace {

// One spec per mappable row of the operator table, with the row's check function.
std::vector<OpSpec> BuildSpecs() {
  std::vector<OpSpec> specs;
  for (const ir::OpInfo* row : ir::MappableOps()) {
    const ir::EdgeTpuMapping& m = *row->edgetpu;
    const auto check = Checks().find(row->code);
    specs.push_back({row->code, m.min_runtime, m.runtime_certainty, m.param_slots, m.state_slots,
                     check == Checks().end() ? nullptr : check->second});
  }
  return specs;
}

const std::vector<OpSpec>& Specs() {
  static const std::vector<OpSpec> specs = BuildSpecs();
  return specs;
}

bool Contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

bool IsIntegerActivationType(ir::TensorType t) { return t == ir::TensorType::UINT8 || t == ir::TensorType::INT8; }

/// Data inputs (not parameters, not state) followed by outputs, with a label for messages.
struct Activation {
  const ir::Tensor* tensor;
  std::string label;
};

std::vector<Activation> Activations(const OpContext& ctx, const OpSpec* spec) {
  std::vector<Activation> out;
  for (size_t i = 0; i < ctx.op.inputs.size(); ++i) {
    if (spec != nullptr && (Contains(spec->param_slots, static_cast<int>(i)) ||
                            Contains(spec->state_slots, static_cast<int>(i)))) {
      continue;
    }
    const ir::Tensor* t = ctx.input(i);
    if (t == nullptr) continue;
    // Constant integer tensors of operators without a spec (axes of ARG_MAX, ...) are parameters.
    const bool int_param = t->is_constant() && (t->type == ir::TensorType::INT32 || t->type == ir::TensorType::INT64);
    if (spec == nullptr && int_param) continue;
    out.push_back({t, fmt::format("input {}", i)});
  }
  for (size_t i = 0; i < ctx.op.outputs.size(); ++i) {
    if (const ir::Tensor* t = ctx.output(i)) out.push_back({t, fmt::format("output {}", i)});
  }
  return out;
}

std::optional<SupportDecision> CheckDataType(const OpContext& ctx, const OpSpec* spec) {
  for (const Activation& a : Activations(ctx, spec)) {
    if (IsIntegerActivationType(a.tensor->type)) continue;
    // A QUANTIZE reading a float model input is the boundary case of quantize.float_input.
    if (ctx.op.code == ir::BuiltinOperator::QUANTIZE && a.label == "input 0") continue;
    return Fail(kDataType, fmt::format("{}: {} '{}' is {} (the Edge TPU maps only UINT8 and INT8 tensors)",
                                       ctx.what(), a.label, a.tensor->name, ir::TensorTypeName(a.tensor->type)));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckInt8Host(const OpContext& ctx, const OpSpec* spec) {
  if (ctx.options.min_runtime_version >= kInt8HostRuntime) return std::nullopt;
  for (const Activation& a : Activations(ctx, spec)) {
    if (a.tensor->type != ir::TensorType::INT8) continue;
    const bool is_model_io = Contains(ctx.model.inputs, a.tensor->index) || Contains(ctx.model.outputs, a.tensor->index);
    if (!is_model_io) continue;
    return Fail(kInt8Runtime, fmt::format("{}: {} '{}' is an INT8 model input/output; int8 host data needs runtime {} "
                                          "but --min_runtime_version is {}",
                                          ctx.what(), a.label, a.tensor->name, kInt8HostRuntime,
                                          ctx.options.min_runtime_version));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckRank(const OpContext& ctx, const OpSpec* spec) {
  for (const Activation& a : Activations(ctx, spec)) {
    const int non_unit = NonUnitDims(a.tensor->shape);
    if (non_unit <= kMaxNonUnitDims) continue;
    return Fail(kRank, fmt::format("{}: {} '{}' has shape {} with {} dimensions larger than 1 (at most {})",
                                   ctx.what(), a.label, a.tensor->name, ShapeString(a.tensor->shape), non_unit,
                                   kMaxNonUnitDims));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckParamsConstant(const OpContext& ctx, const OpSpec& spec) {
  for (int slot : spec.param_slots) {
    const ir::Tensor* t = ctx.input(static_cast<size_t>(slot));
    if (t == nullptr || t->is_constant()) continue;
    return Fail(kParamConst, fmt::format("{}: input {} '{}' (a weight, bias or shape/axis parameter) is not a "
                                         "compile-time constant",
                                         ctx.what(), slot, t->name));
  }
  return std::nullopt;
}

Certainty Weaker(Certainty a, Certainty b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

}  // namespace

const OpSpec* FindOpSpec(ir::BuiltinOperator code) {
  for (const OpSpec& s : Specs()) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

std::vector<const RuleDef*> GenericRules() {
  return {&kBadIndex, &kCustomOp, &kDataType, &kNotInSet, &kMinRuntime, &kInt8Runtime, &kOpVersion, &kRank, &kParamConst};
}

SupportDecision Decide(const OpContext& ctx) {
  const ir::Operator& op = ctx.op;
  if (op.code == ir::BuiltinOperator::CUSTOM) {
    return Fail(kCustomOp, fmt::format("{}: custom operator '{}' runs on the CPU", ctx.what(), op.custom_code));
  }
  const OpSpec* spec = FindOpSpec(op.code);
  if (auto d = CheckDataType(ctx, spec)) return *d;
  if (spec == nullptr) {
    return Fail(kNotInSet, fmt::format("{}: {} is not in the Edge TPU's supported operator set", ctx.what(), op.name()));
  }
  if (spec->min_runtime > ctx.options.min_runtime_version) {
    SupportDecision d = Fail(kMinRuntime, fmt::format("{}: {} needs runtime version {} but --min_runtime_version is {}",
                                                      ctx.what(), op.name(), spec->min_runtime,
                                                      ctx.options.min_runtime_version));
    d.certainty = spec->runtime_certainty;
    return d;
  }
  if (auto d = CheckInt8Host(ctx, spec)) return *d;
  const int max_version = MaxTfl25Version(static_cast<int>(op.code));
  if (op.version > max_version) {
    return Fail(kOpVersion, fmt::format("{}: op version {} is newer than version {} (the newest the compiler's "
                                        "TFLite, TF 2.5, registers)",
                                        ctx.what(), op.version, max_version));
  }
  if (auto d = CheckRank(ctx, spec)) return *d;
  if (auto d = CheckParamsConstant(ctx, *spec)) return *d;
  if (spec->check != nullptr) {
    if (auto d = spec->check(ctx)) return *d;
  }
  SupportDecision ok;
  ok.supported = true;
  ok.status = OpStatus::kMapped;
  ok.certainty = Weaker(Certainty::kConfirmed, spec->runtime_certainty);
  return ok;
}

}  // namespace internal

const char* StatusText(OpStatus status) {
  switch (status) {
    case OpStatus::kMapped: return "Mapped to Edge TPU";
    case OpStatus::kMoreThanOneSubgraph: return "More than one subgraph is not supported";
    case OpStatus::kUnspecifiedLimitation:
      return "Operation is otherwise supported, but not mapped due to some unspecified limitation";
    case OpStatus::kUnsupportedDataType: return "Operation is working on an unsupported data type";
    case OpStatus::kNotSupported: return "Operation not supported";
    case OpStatus::kVersionNotSupported: return "Operation version not supported";
    case OpStatus::kUnsupportedRank: return "Tensor has unsupported rank (up to 3 innermost dimensions mapped)";
    case OpStatus::kStridedSliceStrides: return "Only Strided-Slice with unitary strides supported";
    case OpStatus::kParamNotConstant: return "Filter, bias, or other param is not constant at compile-time";
  }
  return "Operation not supported";
}

const char* CertaintyMark(Certainty certainty) {
  switch (certainty) {
    case Certainty::kConfirmed: return "[C]";
    case Certainty::kSupported: return "[S]";
    case Certainty::kUnconfirmed: return "[U]";
  }
  return "[U]";
}

const std::vector<RuleInfo>& AllRules() {
  static const std::vector<RuleInfo> rules = [] {
    std::vector<RuleInfo> out;
    using internal::RuleDef;
    for (const auto& family :
         {internal::GenericRules(), internal::ConvRules(), internal::PoolRules(), internal::ElementwiseRules(),
          internal::ActivationRules(), internal::ReduceRules(), internal::ShapeRules(), internal::ResizeRules(),
          internal::LstmRules()}) {
      for (const RuleDef* r : family) out.push_back({r->id, r->status, r->certainty, r->summary});
    }
    return out;
  }();
  return rules;
}

SupportDecision DecideOp(const ir::Model& model, int op_index, const SupportOptions& options) {
  if (op_index < 0 || static_cast<size_t>(op_index) >= model.ops.size()) {
    return internal::Fail(internal::kBadIndex, fmt::format("operator index {} out of range (model '{}' has {} operators)",
                                                           op_index, model.path, model.ops.size()));
  }
  const internal::OpContext ctx{model, model.ops[static_cast<size_t>(op_index)], options};
  return internal::Decide(ctx);
}

std::vector<RuntimeGated> RuntimeGatedOps(const ir::Model& model, const std::vector<int>& mapped_ops,
                                          const SupportOptions& options) {
  std::set<int> in_set;
  for (int i : mapped_ops) {
    if (i >= 0 && static_cast<size_t>(i) < model.ops.size()) in_set.insert(i);
  }
  std::vector<RuntimeGated> out;
  for (int i : in_set) {
    internal::RuntimeNeed need = internal::OpRuntimeNeed(model, i, in_set);
    if (need.version <= options.min_runtime_version) continue;
    const ir::Operator& op = model.ops[static_cast<size_t>(i)];
    const internal::RuleDef& rule = need.int8_host ? internal::kInt8Runtime : internal::kMinRuntime;
    SupportDecision d = internal::Fail(rule, fmt::format("{} #{}: {} but --min_runtime_version is {}", op.name(), i,
                                                         need.why, options.min_runtime_version));
    out.push_back({i, std::move(d)});
  }
  return out;
}

std::vector<SupportDecision> DecideAll(const ir::Model& model, const SupportOptions& options) {
  std::vector<SupportDecision> out;
  out.reserve(model.ops.size());
  for (size_t i = 0; i < model.ops.size(); ++i) out.push_back(DecideOp(model, static_cast<int>(i), options));
  return out;
}

}  // namespace etpu::support
