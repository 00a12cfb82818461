// Pooling family: AVERAGE_POOL_2D, MAX_POOL_2D.
#include <fmt/format.h>

#include "support/rules.h"

namespace etpu::support::internal {
namespace {

constexpr RuleDef kAvgPoolActivation{"average_pool2d.fused_activation", OpStatus::kUnspecifiedLimitation,
                                     Certainty::kConfirmed, "AVERAGE_POOL_2D: no fused activation function"};
constexpr RuleDef kMaxPoolActivation{"max_pool2d.fused_activation", OpStatus::kUnspecifiedLimitation,
                                     Certainty::kConfirmed, "MAX_POOL_2D: no fused activation function"};

/// The only fused activation a pooling operator may carry.
constexpr auto kPoolAllowedActivation = ir::ActivationFunctionType::NONE;

std::optional<SupportDecision> CheckPoolActivation(const OpContext& ctx, const RuleDef& rule) {
  const auto* o = ctx.op.options<ir::Pool2DOptions>();
  if (o != nullptr && o->fused_activation_function != kPoolAllowedActivation) {
    return Fail(rule, fmt::format("{}: fused activation {} (only {} is mapped)", ctx.what(),
                                  ActivationName(o->fused_activation_function), ActivationName(kPoolAllowedActivation)));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckAvgPool(const OpContext& ctx) { return CheckPoolActivation(ctx, kAvgPoolActivation); }
std::optional<SupportDecision> CheckMaxPool(const OpContext& ctx) { return CheckPoolActivation(ctx, kMaxPoolActivation); }

}  // namespace

void AddPoolChecks(CheckMap& checks) {
  using B = ir::BuiltinOperator;
  checks[B::AVERAGE_POOL_2D] = &CheckAvgPool;
  checks[B::MAX_POOL_2D] = &CheckMaxPool;
}

std::vector<const RuleDef*> PoolRules() { return {&kAvgPoolActivation, &kMaxPoolActivation}; }

}  // namespace etpu::support::internal
