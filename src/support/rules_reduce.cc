// Reduction family: MEAN, SUM, REDUCE_MAX, REDUCE_MIN (input 1 = the constant axes).
#include <fmt/format.h>

#include "support/rules.h"

namespace etpu::support::internal {
namespace {

constexpr RuleDef kMeanBatch{"mean.batch_axis", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                             "MEAN: no reduction in the batch dimension"};
constexpr RuleDef kMeanZ{"mean.z_multiple_of_4", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                         "MEAN over z (innermost): z must be a multiple of 4"};
constexpr RuleDef kSumBatch{"sum.batch_axis", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                            "SUM: cannot operate on the batch dimension"};
constexpr RuleDef kReduceMaxBatch{"reduce_max.batch_axis", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                                  "REDUCE_MAX: cannot operate on the batch dimension"};
constexpr RuleDef kReduceMinBatch{"reduce_min.batch_axis", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                                  "REDUCE_MIN: cannot operate on the batch dimension"};

/// A MEAN over the innermost (z) dimension needs z to be a multiple of this.
constexpr int kMeanZMultiple = 4;

/// The normalised axes of a reduction, or nullopt when unreadable (left to the generic rules).
std::optional<std::vector<int>> Axes(const OpContext& ctx) {
  const ir::Tensor* in = ctx.input(0);
  const ir::Tensor* axes_t = ctx.input(1);
  if (in == nullptr || axes_t == nullptr) return std::nullopt;
  auto values = ConstInts(*axes_t);
  if (!values) return std::nullopt;
  std::vector<int> axes;
  for (int64_t v : *values) {
    auto a = NormalizeAxis(v, in->shape.size());
    if (a) axes.push_back(*a);
  }
  return axes;
}

std::optional<SupportDecision> CheckBatch(const OpContext& ctx, const RuleDef& rule) {
  auto axes = Axes(ctx);
  if (!axes) return std::nullopt;
  const ir::Tensor* in = ctx.input(0);
  for (int a : *axes) {
    if (IsBatchAxis(a, in->shape.size())) {
      return Fail(rule, fmt::format("{}: reduces axis {} of input '{}' {}, the batch dimension", ctx.what(), a,
                                    in->name, ShapeString(in->shape)));
    }
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckMean(const OpContext& ctx) {
  if (auto d = CheckBatch(ctx, kMeanBatch)) return d;
  auto axes = Axes(ctx);
  if (!axes) return std::nullopt;
  const ir::Tensor* in = ctx.input(0);
  const int z_axis = static_cast<int>(in->shape.size()) - 1;
  for (int a : *axes) {
    if (a == z_axis && z_axis > 0 && in->shape[static_cast<size_t>(a)] % kMeanZMultiple != 0) {
      return Fail(kMeanZ, fmt::format("{}: reduces z (axis {}) of input '{}' {}; z = {} is not a multiple of {}",
                                      ctx.what(), a, in->name, ShapeString(in->shape), in->shape[static_cast<size_t>(a)],
                                      kMeanZMultiple));
    }
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckSum(const OpContext& ctx) { return CheckBatch(ctx, kSumBatch); }
std::optional<SupportDecision> CheckReduceMax(const OpContext& ctx) { return CheckBatch(ctx, kReduceMaxBatch); }
std::optional<SupportDecision> CheckReduceMin(const OpContext& ctx) { return CheckBatch(ctx, kReduceMinBatch); }

}  // namespace

void AddReduceChecks(CheckMap& checks) {
  using B = ir::BuiltinOperator;
  checks[B::MEAN] = &CheckMean;
  checks[B::SUM] = &CheckSum;
  checks[B::REDUCE_MAX] = &CheckReduceMax;
  checks[B::REDUCE_MIN] = &CheckReduceMin;
}

std::vector<const RuleDef*> ReduceRules() { return {&kMeanBatch, &kMeanZ, &kSumBatch, &kReduceMaxBatch, &kReduceMinBatch}; }

}  // namespace etpu::support::internal
