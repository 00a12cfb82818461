// Beyond the exact search (more than kMaxExactModels models or kMaxExactDevices devices): local
// search from the best baseline, with a stated lower bound on the utilisation (docs/PLANNER.md §5).
//
// Lower bound: no plan runs a model faster than with every parameter cached (the timing model's
// steady time of its solo query with all streamed bytes moved on chip, on its fastest host kind),
// and a reload only adds time, so with w_m that time x λ_m:
//   max_d U_d >= max( max_m w_m , Σ_m w_m / N )      (no model is split; perfect balance)
// Local search (a model joins a group at its ascending position; under compiler 16 the order only
// breaks ties) from each baseline and from greedy's assignment with one group per model (best
// start first, each an equal share of what is left of the time budget; the best result wins):
// repeatedly take the first strictly improving move (the lexicographic
// objective of evaluate.h) among
//   - a model of the most loaded TPU into another group (any TPU) or into a new group of its own;
//   - a group of the most loaded TPU onto another TPU;
//   - two groups of the most loaded TPU merged;
//   - a model of the most loaded TPU swapped with a model of another TPU;
// and, once the most loaded TPU cannot be relieved, the same moves but swaps from every TPU (for
// traffic and group count). A move whose TPU cannot stay under the current maximum (its lower bound
// already exceeds it) is not compiled. Finally each group of up to 8 models takes its best
// candidate order (planner/orders.h), within the budget. Stops at a local optimum or at the time budget.
#pragma once

#include <cstdint>
#include <string>

#include "etpu/status.h"
#include "planner/evaluate.h"

namespace etpu::planner {

/// The utilisation lower bound above (every plan's max_d U_d is at least this). Errors: a model
/// that does not compile alone, a timing-model error.
/// With pipelining (planner/pipeline.h), the models of `divisible` may be cut into up to `parts`
/// stages on as many TPUs: their term in the max is w_m / parts. This stays a bound as long as a
/// model's stages, all cached, take together at least its all-cached time (the timing model adds
/// per-layer compute, and each stage adds its own fixed cost and tensor transfers;
/// pipeline_test checks the bound against the plans found).
Result<double> UtilisationLowerBound(GroupCoster& coster, const std::vector<int>& divisible = {}, int parts = 1);

struct HeuristicOptions {
  double max_seconds = 3;  ///< Time budget of the local search (the result is the best plan so far).
};

struct HeuristicStats {
  std::string start;             ///< The start of the best result.
  int64_t moves_evaluated = 0;   ///< Neighbour plans costed.
  int64_t moves_accepted = 0;
  bool budget_exhausted = false; ///< Stopped by the time budget, not at a local optimum.
};

/// A plan with a bound: a* <= headroom_bound() for every plan.
struct BoundedPlan {
  PlanEval eval;
  double lower_bound_utilisation = 0;
  double headroom_bound() const { return lower_bound_utilisation > 0 ? 1.0 / lower_bound_utilisation : 0; }
  /// Relative gap of the plan's headroom to the bound, in [0, 1].
  double gap() const {
    const double b = headroom_bound();
    return b > 0 ? (b - eval.objective.headroom()) / b : 0;
  }
};

/// Local search from every baseline (never worse than the best). Errors: no baseline compiles, a
/// timing-model error.
Result<BoundedPlan> PlanHeuristic(GroupCoster& coster, const HeuristicOptions& options = {},
                                  HeuristicStats* stats = nullptr);

}  // namespace etpu::planner
