// Predicted latency of each model on one Edge TPU (docs/PLANNER.md §10): arrival to completion,
// under the planner's workload model (Poisson demands, first-come-first-served, libedgetpu's token
// rule as in evaluate.h).
//
// The stated model: an M/G/1 queue per TPU. An invocation of model m arrives with probability
// p_m = λ_m / Λ and takes first_m with probability q_m (its cached parameters reload, evaluate.h's
// switch model) or later_m otherwise, so that
//   ρ = Σ λ_m · E[S_m]                      (the TPU's utilisation, evaluate.h's U_d)
//   E[W] = Λ · E[S²] / (2 · (1 − ρ))        (Pollaczek-Khinchine: the mean wait in the queue)
//   P(W > t) ≈ min(ρ, C · exp(−γ · t))      (Cramér-Lundberg: γ > 0 solves Λ·(E[exp(γS)] − 1) = γ,
//                                            C = (1 − ρ) / (Λ·E[S·exp(γS)] − 1); asymptotically
//                                            exact in t, and P(W > 0) = ρ exactly)
// and m's latency R_m = W + S_m with W independent of m's own service time:
//   P(R_m > t) = (1 − q_m) · P(W > t − later_m) + q_m · P(W > t − first_m).
// Its p50 and p99 are found by bisection. An overloaded TPU (ρ ≥ 1) has no finite latency.
// How good the approximation is, against etpu simulate's event-by-event play, is measured in
// src/simulate/latency_prediction_test.cc, simulate_test.cc and docs/PLANNER.md §10:
//   - without token switches, p99 within 3% on the planner's own plans, within 2% on synthetic TPUs;
//   - with switches, p99 over-predicted by up to +25% on a lightly loaded TPU (+9% at most on the
//     synthetic ones), and p50 by up to +46% for a model that reloads after switches: the model
//     takes the wait as independent of whether the invocation reloads, which it is not (a reload
//     follows the other group's invocation). The error is on the safe side for objectives.
// An exponential tail ρ·exp(−ρt/E[W]) was tried first: +19% at p99 on a lightly loaded TPU.
#pragma once

#include <vector>

namespace etpu::planner {

/// One model on the TPU, with the numbers evaluate.h computes for it.
struct QueueMember {
  double rate_hz = 0;
  double first_ms = 0;             ///< Its cached parameters reload first.
  double later_ms = 0;             ///< They stay cached.
  double reload_probability = 0;   ///< q_m.
};

struct LatencyPrediction {
  double mean_ms = 0;
  double p50_ms = 0;
  double p99_ms = 0;   ///< +infinity on an overloaded TPU (all three are).
};

/// One prediction per member, in order. Members with a zero rate still get one (the latency an
/// invocation of theirs would see).
std::vector<LatencyPrediction> PredictLatencies(const std::vector<QueueMember>& members);

/// How far a predicted p99 misses a latency objective: max(0, p99 / slo − 1); an overloaded TPU
/// (infinite p99) gives kOverloadedViolation plus its utilisation, so that among infeasible plans
/// the least loaded is preferred.
inline constexpr double kOverloadedViolation = 1e6;
double SloViolation(double p99_ms, double slo_ms, double utilisation);

}  // namespace etpu::planner
