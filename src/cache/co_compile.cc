#include "cache/co_compile.h"

#include <algorithm>

namespace etpu::cache {

namespace {

Result<CachePlan> PlanWith(const CachePolicy& policy, std::span<const PlanModel> models, const SramBudget& budget) {
  ETPU_ASSIGN_OR_RETURN(CachePlan plan, policy.Plan(models, budget.parameter_capacity_bytes));
  // Where each item starts in its record is the input's, whichever policy placed it.
  for (size_t m = 0; m < plan.models.size() && m < models.size(); ++m) {
    for (size_t l = 0; l < plan.models[m].layers.size() && l < models[m].layers.size(); ++l) {
      plan.models[m].layers[l].record_offset = models[m].layers[l].record_offset;
    }
  }
  plan.policy = policy.name();
  plan.budget = budget;
  Status verified = VerifyPlan(models, plan);
  if (!verified.ok()) return verified.WithContext("caching policy '" + policy.name() + "' produced a bad plan");
  return plan;
}

}  // namespace

Result<CachePlan> PlanCompileSet(std::span<const PlanModel> models, const CapacityModel& capacity,
                                 const CompileSetOptions& options) {
  ETPU_ASSIGN_OR_RETURN(std::unique_ptr<CachePolicy> policy, CachePolicyRegistry::Create(options.policy));
  std::vector<ActivationFootprint> acts;
  acts.reserve(models.size());
  for (const auto& m : models) acts.push_back(m.act);
  SramBudget budget = capacity.Budget(acts);
  budget.set_reserve_bytes = std::min(budget.parameter_capacity_bytes, policy->SetReserveBytes(capacity.chip(), models.size()));
  budget.parameter_capacity_bytes -= budget.set_reserve_bytes;
  ETPU_ASSIGN_OR_RETURN(CachePlan plan, PlanWith(*policy, models, budget));
  plan.token = MakeCachingToken(models, policy->name(), options.token);
  return plan;
}

Result<std::vector<CachePlan>> PlanSplit(std::span<const PlanModel> segments, const CapacityModel& capacity,
                                         const CompileSetOptions& options) {
  ETPU_ASSIGN_OR_RETURN(std::unique_ptr<CachePolicy> policy, CachePolicyRegistry::Create(options.policy));
  const uint64_t token = MakeCachingToken(segments, policy->name(), options.token);
  std::vector<CachePlan> plans;
  for (size_t i = 0; i < segments.size(); ++i) {
    const ActivationFootprint act[1] = {segments[i].act};
    ETPU_ASSIGN_OR_RETURN(CachePlan plan, PlanWith(*policy, segments.subspan(i, 1), capacity.Budget(act)));
    plan.token = token;
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace etpu::cache
