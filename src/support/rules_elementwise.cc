// Element-wise binary family: ADD, SUB, MUL, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE.
//
// The docs list no limits for these operators (compiler-behaviour.md §5.3); the generic rules
// (data type, rank) apply, and the operators have no check function of their own. Constant
// operands are allowed (they are data, not parameters).
#include "support/rules.h"

namespace etpu::support::internal {

std::vector<const RuleDef*> ElementwiseRules() { return {}; }

}  // namespace etpu::support::internal
