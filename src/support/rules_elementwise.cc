// Element-wise binary family: ADD, SUB, MUL, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE.
//
// The docs list no limits for these operators (compiler-behaviour.md §5.3); the generic rules
// (data type, rank) apply. Constant operands are allowed (they are data, not parameters).
#include "support/rules.h"

namespace etpu::support::internal {

void AddElementwiseOps(std::vector<OpSpec>& ops) {
  using B = ir::BuiltinOperator;
  ops.push_back({B::ADD, 10, Certainty::kSupported, {}, {}, nullptr});
  ops.push_back({B::SUB, 10, Certainty::kSupported, {}, {}, nullptr});
  ops.push_back({B::MUL, 10, Certainty::kSupported, {}, {}, nullptr});
  ops.push_back({B::MAXIMUM, 10, Certainty::kSupported, {}, {}, nullptr});
  ops.push_back({B::MINIMUM, 10, Certainty::kSupported, {}, {}, nullptr});
  ops.push_back({B::SQUARED_DIFFERENCE, 14, Certainty::kUnconfirmed, {}, {}, nullptr});
}

std::vector<const RuleDef*> ElementwiseRules() { return {}; }

}  // namespace etpu::support::internal
