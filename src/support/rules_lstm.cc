// Recurrent family: UNIDIRECTIONAL_SEQUENCE_LSTM (the only LSTM the Edge TPU maps; LSTM and
// BIDIRECTIONAL_SEQUENCE_LSTM are not in the supported set and get "Operation not supported").
//
// Inputs (TFLite): 0 data; 1-4 input weights (1 optional, CIFG); 5-8 recurrent weights (5 optional);
// 9-11 peephole weights; 12-15 gate biases (12 optional); 16-17 projection; 18 output state and
// 19 cell state (variables); 20-23 layer-norm coefficients.
#include <fmt/format.h>

#include "support/rules.h"

namespace etpu::support::internal {
namespace {

constexpr RuleDef kLstmState{"lstm.state_variable", OpStatus::kUnspecifiedLimitation, Certainty::kSupported,
                             "UNIDIRECTIONAL_SEQUENCE_LSTM: output and cell state (inputs 18, 19) must be variable "
                             "tensors"};
constexpr RuleDef kLstmOptional{"lstm.optional_inputs", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                                "UNIDIRECTIONAL_SEQUENCE_LSTM: no peephole (9-11), projection (16-17) or layer-norm "
                                "(20-23) inputs"};

constexpr int kStateSlots[] = {18, 19};
constexpr int kUnmappedOptionalSlots[] = {9, 10, 11, 16, 17, 20, 21, 22, 23};

std::optional<SupportDecision> CheckLstm(const OpContext& ctx) {
  for (int slot : kStateSlots) {
    const ir::Tensor* t = ctx.input(static_cast<size_t>(slot));
    if (t == nullptr || t->is_variable) continue;
    return Fail(kLstmState, fmt::format("{}: input {} '{}' (recurrent state) is not a variable tensor", ctx.what(),
                                        slot, t->name));
  }
  for (int slot : kUnmappedOptionalSlots) {
    if (const ir::Tensor* t = ctx.input(static_cast<size_t>(slot))) {
      return Fail(kLstmOptional, fmt::format("{}: optional input {} '{}' is present (peephole, projection and "
                                             "layer-norm LSTMs are not mapped)",
                                             ctx.what(), slot, t->name));
    }
  }
  return std::nullopt;
}

}  // namespace

void AddLstmChecks(CheckMap& checks) {
  using B = ir::BuiltinOperator;
  checks[B::UNIDIRECTIONAL_SEQUENCE_LSTM] = &CheckLstm;
}

std::vector<const RuleDef*> LstmRules() { return {&kLstmState, &kLstmOptional}; }

}  // namespace etpu::support::internal
