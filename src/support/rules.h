// Internal: the rule registry shared by the op-family files (rules_*.cc).
//
// A rule is a constant RuleDef (id, status, certainty, summary). A family file defines its rules
// and the check functions of its operators; which operators map, from which runtime and with which
// constant inputs is the operator table's (ir/op_table.h).
// Limits are named constants, and the reason text is formatted from the same constant the check
// compares against.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/op_support.h"

namespace etpu::support::internal {

struct RuleDef {
  const char* id;
  OpStatus status;
  Certainty certainty;
  const char* summary;
};

/// What a check sees: the model, the operator, the options.
struct OpContext {
  const ir::Model& model;
  const ir::Operator& op;
  const SupportOptions& options;

  /// Input tensor at `slot`, or nullptr when the slot is absent or -1.
  const ir::Tensor* input(size_t slot) const;
  /// Output tensor at `slot`, or nullptr.
  const ir::Tensor* output(size_t slot) const;
  /// "CONV_2D #5", for messages.
  std::string what() const;
};

/// The decision for a rule that fired.
SupportDecision Fail(const RuleDef& rule, std::string reason);

using CheckFn = std::optional<SupportDecision> (*)(const OpContext&);
using CheckMap = std::map<ir::BuiltinOperator, CheckFn>;

/// A mappable operator: its row of the operator table (ir/op_table.h: minimum runtime, constant and
/// state inputs) and the function that checks its own limits (nullptr = none).
struct OpSpec {
  ir::BuiltinOperator code;
  int min_runtime = 10;                        ///< compiler-behaviour.md §5.3 runtime column.
  Certainty runtime_certainty = Certainty::kSupported;
  std::vector<int> param_slots;                ///< Inputs that must be constant (weights, axes, ...).
  std::vector<int> state_slots;                ///< Variable inputs, excluded from generic checks.
  CheckFn check = nullptr;                     ///< The operator's own limits; nullptr = none.
};

// Family registration: each rules_*.cc adds the check functions of its operators and lists its rules.
void AddConvChecks(CheckMap& checks);
void AddPoolChecks(CheckMap& checks);
void AddActivationChecks(CheckMap& checks);
void AddReduceChecks(CheckMap& checks);
void AddShapeChecks(CheckMap& checks);
void AddResizeChecks(CheckMap& checks);
void AddLstmChecks(CheckMap& checks);
/// Every registered check function, by operator (a test holds each to a mappable table row).
const CheckMap& Checks();
std::vector<const RuleDef*> ConvRules();
std::vector<const RuleDef*> PoolRules();
std::vector<const RuleDef*> ElementwiseRules();
std::vector<const RuleDef*> ActivationRules();
std::vector<const RuleDef*> ReduceRules();
std::vector<const RuleDef*> ShapeRules();
std::vector<const RuleDef*> ResizeRules();
std::vector<const RuleDef*> LstmRules();

/// The generic rules (op_support.cc), in check order.
std::vector<const RuleDef*> GenericRules();

/// The runtime one operator of a mapped set needs, and why (for messages).
struct RuntimeNeed {
  int version = 10;
  bool int8_host = false;  ///< Raised by INT8 data crossing the set's boundary.
  std::string why;
};
/// What operator `op_index` needs when the operators `in_set` are mapped (compiler-behaviour.md §1.3, §5.3).
RuntimeNeed OpRuntimeNeed(const ir::Model& model, int op_index, const std::set<int>& in_set);

/// The spec of a supported operator, or nullptr.
const OpSpec* FindOpSpec(ir::BuiltinOperator code);

// ---- helpers for checks ----
/// "[1,33,33,256]".
std::string ShapeString(const std::vector<int32_t>& shape);
/// Number of dimensions larger than 1.
int NonUnitDims(const std::vector<int32_t>& shape);
/// The int32 (or int64) values of a constant tensor; nullopt when not constant or of another type.
std::optional<std::vector<int64_t>> ConstInts(const ir::Tensor& tensor);
/// Axis normalised into [0, rank); nullopt when out of range.
std::optional<int> NormalizeAxis(int64_t axis, size_t rank);
/// True when `axis` is the batch dimension: dimension 0 of a 4-D (NHWC) tensor.
bool IsBatchAxis(int axis, size_t rank);
/// Name of a fused activation ("RELU6").
const char* ActivationName(ir::ActivationFunctionType act);

}  // namespace etpu::support::internal
