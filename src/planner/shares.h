// Unequal replica shares (docs/PLANNER.md §8): a replicated model's demand split over its replicas
// so that their TPUs end equally busy, instead of 1/r each. Equal shares waste a fast TPU next to
// a slow one (a USB 3 and a USB 2 Edge TPU run MobileNet v2 in 2.0 and 8.0 ms: at 1/2 each the
// USB 2 one saturates first, at 4/5 and 1/5 both are 48% busy at 300 Hz), and a replica that
// shares its TPU with other models should take less than one that has its TPU alone.
//
// The shares are set for a plan whose groups, orders and TPUs are fixed, by water-filling on the
// plan's own evaluation (evaluate.h): replica j on TPU d_j costs c_j = its utilisation / its rate
// per Hz and the rest of d_j is busy b_j; the rates x_j >= 0 with Σ x_j = λ that minimise
// max_j (b_j + c_j·x_j) bring every TPU that gets a share to one level. Reloads make c_j and b_j
// depend on the rates (the switch model), so the split is recomputed from each new evaluation, a
// few passes, and a split is kept only when the exact evaluation of the plan with it is strictly
// better (Better) than without: the objective never gets worse, latency objectives included.
#pragma once

#include <string>
#include <vector>

#include "etpu/status.h"
#include "planner/solve.h"

namespace etpu::planner {

/// The rates x_j >= 0 with Σ x_j = total that minimise max_j (base[j] + cost_per_hz[j]·x_j), every
/// cost_per_hz > 0: each x_j = max(0, (L − base[j]) / cost_per_hz[j]) for the level L where they sum
/// to total. Empty when the inputs are not one finite base and one positive cost per replica, or
/// total is not positive.
std::vector<double> WaterFill(const std::vector<double>& base, const std::vector<double>& cost_per_hz, double total);

/// Rebalances the shares of every replicated model of `split` for the plan `solution` holds (its
/// groups, orders and TPUs unchanged; see above). A split that leaves a replica less than 1% of
/// its model's demand is not taken (fewer replicas is another option of the search). Returns
/// whether it changed anything; `split` (shares and the replicas' rates) and `solution` (the
/// plan's evaluation) then agree with each other. Errors: the plan does not evaluate.
Result<bool> BalanceReplicaShares(SplitProblem& split, Solution& solution);

/// "each serving 1/2 of its demand" or "serving 80.0% and 20.0% of its demand" (replicas in order).
std::string ReplicaSharesText(const Replication& replication);

}  // namespace etpu::planner
