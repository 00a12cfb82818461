// The cost of a plan (docs/PLANNER.md §2-3): per device, the utilisation
//   U_d = Σ_m λ_m · (later_m + q_m · (first_m − later_m)) / 1000
// where later/first are the timing model's steady and first (parameters loaded) inference times
// of model m in its ordered group on that device's host, and q_m is the probability that an
// invocation of m has to reload its cached parameters because another token ran since its last
// invocation (the switch model below). The plan's objective, lexicographic:
//   1. minimise max_d U_d       (= maximise the throughput headroom a* = 1 / max_d U_d)
//   2. minimise streamed host traffic Σ_m λ_m · (offchip_m + q_m · onchip_m)  [MB/s]
//   3. minimise the number of groups.
//
// Switch model (Poisson demands, first-come-first-served): the invocations reaching device d form
// a sequence in which each invocation is of model m with probability p_m = λ_m / Λ_d (Λ_d = Σ λ on
// d), independently. Let P_g = Σ_{m∈g} p_m for m's group g. The TPU holds one token; running a
// model of another group clears the cache (libedgetpu's token rule). Looking back from an
// invocation of m, m reloads iff an invocation of another group comes before the previous one of m:
//   q_m = (1 − P_g) / (1 − P_g + p_m)            (0 when g is the only group on d)
// Token switches per second on d: Σ_g Λ_d · P_g · (1 − P_g).
//
// Latency objectives (MODEL@HZ:MSms): each model's p99 is predicted by latency.h's queue on its
// TPU. A plan meets them when every model's p99 is within its objective; a pipeline stage is held
// to the pipeline's objective times its share of the pipeline's steady time (each stage compiled
// alone, on that TPU's host), so that stages that meet their shares meet the whole (the end-to-end
// p99 is taken as the sum of the stages' p99s, an upper estimate). Meeting the objectives comes
// before the headroom in the objective below.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "planner/group_cost.h"
#include "planner/sequence.h"

namespace etpu::planner {

/// A plan: per device, its groups, each a list of model indices in compile order.
struct Plan {
  std::vector<std::vector<std::vector<int>>> devices;  ///< devices[d][g] = group g of device d.
};

/// One model as placed by a plan.
struct ModelLoad {
  int model = 0;
  int64_t onchip_bytes = 0, offchip_bytes = 0;
  double first_ms = 0, later_ms = 0;
  double share = 0;             ///< λ_m / Λ_d: its share of the device's invocations.
  double reload_probability = 0;///< q_m.
  double utilisation = 0;       ///< Its part of U_d.
  double latency_p50_ms = 0;    ///< Predicted arrival to completion (latency.h); +inf when overloaded.
  double latency_p99_ms = 0;
  /// The latency objective this model is held to on this TPU: the user's, or for a pipeline
  /// stage its share of the pipeline's (evaluate.cc); 0 when none.
  double slo_ms = 0;
};

struct DeviceEval {
  double utilisation = 0;
  double slo_violation = 0;   ///< The largest SloViolation of its models with an objective (latency.h).
  double switches_per_s = 0;
  double streamed_mb_s = 0;
  std::vector<std::vector<ModelLoad>> groups;  ///< As in the plan.
};

/// The lexicographic objective (smaller is better in every field). First the latency objectives:
/// a plan that meets every one has slo_violation 0 (always so without objectives), and among plans
/// that do not, the one that misses by least comes first.
struct Objective {
  double slo_violation = 0;   ///< max over TPUs of DeviceEval::slo_violation
  double max_utilisation = 0;
  double streamed_mb_s = 0;
  int groups = 0;
  double headroom() const { return max_utilisation > 0 ? 1.0 / max_utilisation : 0; }
};

/// a strictly better than b: lexicographic, with a relative tolerance of 1e-9 on the two real
/// fields (sums taken in different orders differ in the last bits).
bool Better(const Objective& a, const Objective& b);

/// How the invocations reaching one TPU that holds `groups` (model indices, each group in compile
/// order) interleave: each member's reload probability q_m, from the Poisson switch model or the
/// sequence, and the token switches per second. It depends only on the rates, the sequence and
/// which models share a group: neither the compile order nor the placements matter.
struct Interleaving {
  std::vector<double> reload_probability;  ///< Per member, groups in order, members in order.
  double switches_per_s = 0;
  std::vector<int> order;  ///< With a sequence: the sequence restricted to the TPU, as member indices.
  SequenceOnTpu cyclic;    ///< With a sequence: its analysis.
};
Interleaving Interleave(const Problem& p, const std::vector<std::vector<int>>& groups);

/// One member's part of its TPU's utilisation, and of the streamed traffic (MB/s), at reload
/// probability q (the formulas of the file comment).
inline double MemberUtilisation(double rate_hz, double first_ms, double later_ms, double q) {
  return rate_hz * (later_ms + q * (first_ms - later_ms)) / 1000.0;
}
inline double MemberStreamedMBs(double rate_hz, int64_t offchip_bytes, int64_t onchip_bytes, double q) {
  return rate_hz * (static_cast<double>(offchip_bytes) + q * static_cast<double>(onchip_bytes)) / 1e6;
}

/// Costs device `device` holding `groups`. With `detail` null only the numbers are returned (the
/// search's hot path); the formula is the same. Errors: a group the compiler refuses (its
/// message), a bad group.
Result<DeviceEval> EvaluateDevice(GroupCoster& coster, int device, const std::vector<std::vector<int>>& groups,
                                  bool detail = true);

struct PlanEval {
  Plan plan;
  std::vector<DeviceEval> devices;
  Objective objective;
};

/// Costs a whole plan. Errors: the plan does not place every model exactly once, names a device
/// that does not exist, or holds a group that does not compile.
Result<PlanEval> EvaluatePlan(GroupCoster& coster, const Plan& plan);

}  // namespace etpu::planner
