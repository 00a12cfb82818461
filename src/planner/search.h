// The plan search (docs/PLANNER.md §4) and the baselines (§5), all costed by EvaluatePlan.
//
// Exact search, for up to kMaxExactModels models and kMaxExactDevices devices:
//   1. for every set B of models and every order of B: compile the ordered group (memoised);
//      orders of B whose placements are identical (same on-chip/streamed bytes per model) are
//      one candidate;
//   2. for every set S of models and every host kind: every way to cut S into groups, each with
//      one of its candidate orders, costed by EvaluateDevice; keep the Pareto front of
//      (utilisation, streamed MB/s, groups) (a dominated configuration can never be part of a
//      lexicographically best plan, because the plan objective is monotone in each field);
//   3. dynamic programming over the devices: state = set of models placed so far, value = the
//      Pareto front of (max utilisation, Σ traffic, Σ groups); device i takes any subset of the
//      rest (possibly none) with any configuration of its front.
//   The lexicographic best of the final front is the optimum over every grouping, order and
//   assignment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "planner/evaluate.h"

namespace etpu::planner {

inline constexpr int kMaxExactModels = 8;
inline constexpr int kMaxExactDevices = 4;

struct SearchStats {
  int64_t ordered_groups = 0;    ///< Ordered groups compiled (memoised).
  int64_t candidate_groups = 0;  ///< After merging orders with identical placements.
  int64_t device_configs = 0;    ///< Device configurations costed.
  int64_t front_entries = 0;     ///< Entries of the final DP front.
};

/// The exact optimum. Errors: more than kMaxExactModels models or kMaxExactDevices devices, or
/// no plan at all compiles.
Result<PlanEval> PlanExact(GroupCoster& coster, SearchStats* stats = nullptr);

/// Baselines (the names): "one-per-tpu", "all-cocompiled", "greedy".
std::vector<std::string> BaselineNames();
/// The baseline's plan (not costed). Errors: an unknown name.
Result<Plan> BaselinePlan(GroupCoster& coster, const std::string& name);

}  // namespace etpu::planner
