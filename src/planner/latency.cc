#include "planner/latency.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace etpu::planner {
namespace {

// The wait's tail: P(W > x) = min(ρ, C·exp(−γx)) (see the file comment of latency.h).
struct WaitTail {
  double rho = 0, c = 0, gamma = 0;
  double operator()(double x) const {
    if (x < 0) return 1.0;
    if (rho <= 0 || gamma <= 0) return 0.0;
    return std::min(rho, c * std::exp(-gamma * x));
  }
};

// P(R > t) for one member.
double Tail(const QueueMember& m, const WaitTail& wait, double t) {
  return (1 - m.reload_probability) * wait(t - m.later_ms) + m.reload_probability * wait(t - m.first_ms);
}

// The smallest t with P(R > t) ≤ 1 − p.
double Quantile(const QueueMember& m, const WaitTail& wait, double p) {
  const double target = 1 - p;
  double lo = std::min(m.later_ms, m.first_ms), hi = std::max(m.later_ms, m.first_ms);
  if (wait.gamma > 0 && wait.c > target) hi += std::log(wait.c / target) / wait.gamma;  // the tail is below target there
  hi += 1e-9;
  if (Tail(m, wait, lo) <= target) return lo;
  for (int i = 0; i < 200 && hi - lo > 1e-9 * std::max(1.0, hi); ++i) {
    const double mid = 0.5 * (lo + hi);
    (Tail(m, wait, mid) > target ? lo : hi) = mid;
  }
  return hi;
}

// The service time's distribution: (probability, ms) pairs over every member and both cases.
using Services = std::vector<std::pair<double, double>>;

// The decay rate γ > 0 of the wait's tail: the root of λ·(E[exp(γS)] − 1) = γ (λ per ms), and
// C = (1 − ρ) / (λ·E[S·exp(γS)] − 1). The left side minus γ is convex, 0 at 0 with slope ρ − 1 < 0,
// so the positive root is unique; bisection.
WaitTail Lundberg(const Services& s, double lambda_per_ms, double rho) {
  WaitTail w;
  w.rho = rho;
  if (rho <= 0) return w;
  const auto f = [&](double g) {
    double mgf = 0;
    for (const auto& [p, t] : s) mgf += p * std::exp(g * t);
    return lambda_per_ms * (mgf - 1) - g;
  };
  double max_t = 0;
  for (const auto& [p, t] : s) max_t = std::max(max_t, t);
  double hi = 1.0 / max_t;
  while (f(hi) <= 0 && hi < 1e6) hi *= 2;
  double lo = 0;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (f(mid) <= 0 ? lo : hi) = mid;
  }
  w.gamma = hi;
  double derivative = 0;  // E[S·exp(γS)]
  for (const auto& [p, t] : s) derivative += p * t * std::exp(w.gamma * t);
  w.c = (1 - rho) / (lambda_per_ms * derivative - 1);
  return w;
}

}  // namespace

std::vector<LatencyPrediction> PredictLatencies(const std::vector<QueueMember>& members) {
  double rate = 0, rho = 0, second_moment = 0;  // Λ, ρ, Λ·E[S²] (per ms: rates are per second)
  for (const auto& m : members) {
    const double q = m.reload_probability;
    rate += m.rate_hz;
    rho += m.rate_hz * ((1 - q) * m.later_ms + q * m.first_ms) / 1000.0;
    second_moment += m.rate_hz * ((1 - q) * m.later_ms * m.later_ms + q * m.first_ms * m.first_ms) / 1000.0;
  }
  std::vector<LatencyPrediction> out(members.size());
  if (rho >= 1) {
    const double inf = std::numeric_limits<double>::infinity();
    for (auto& l : out) l = {inf, inf, inf};
    return out;
  }
  Services services;
  for (const auto& m : members) {
    if (rate <= 0) break;
    const double p = m.rate_hz / rate;
    services.emplace_back(p * (1 - m.reload_probability), m.later_ms);
    services.emplace_back(p * m.reload_probability, m.first_ms);
  }
  const double mean_wait = rate > 0 ? second_moment / (2 * (1 - rho)) : 0;  // ms
  const WaitTail wait = rate > 0 ? Lundberg(services, rate / 1000.0, rho) : WaitTail{};
  for (size_t i = 0; i < members.size(); ++i) {
    const auto& m = members[i];
    out[i].mean_ms = mean_wait + (1 - m.reload_probability) * m.later_ms + m.reload_probability * m.first_ms;
    out[i].p50_ms = Quantile(m, wait, 0.50);
    out[i].p99_ms = Quantile(m, wait, 0.99);
  }
  return out;
}

double SloViolation(double p99_ms, double slo_ms, double utilisation) {
  if (!std::isfinite(p99_ms)) return kOverloadedViolation + utilisation;
  return std::max(0.0, p99_ms / slo_ms - 1);
}

}  // namespace etpu::planner
