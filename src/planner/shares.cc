#include "planner/shares.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace etpu::planner {
namespace {

constexpr int kPasses = 6;           // water-filling rounds on a fixed plan (reloads make it nonlinear)
constexpr double kMinShare = 0.01;   // below this a replica is not worth its TPU

// Where replica item `item` sits in `eval`: its TPU's utilisation and its own part of it.
struct Placed {
  double device_utilisation = 0, own = 0;
  bool found = false;
};

Placed Find(const PlanEval& eval, int item) {
  Placed out;
  for (const DeviceEval& d : eval.devices) {
    for (const auto& group : d.groups) {
      for (const ModelLoad& load : group) {
        if (load.model == item) return {d.utilisation, load.utilisation, true};
      }
    }
  }
  return out;
}

}  // namespace

std::vector<double> WaterFill(const std::vector<double>& base, const std::vector<double>& cost_per_hz, double total) {
  if (base.empty() || base.size() != cost_per_hz.size() || !std::isfinite(total) || total <= 0) return {};
  double low = base[0], high = base[0];
  for (size_t j = 0; j < base.size(); ++j) {
    if (!std::isfinite(base[j]) || !std::isfinite(cost_per_hz[j]) || cost_per_hz[j] <= 0) return {};
    low = std::min(low, base[j]);
    high = std::max(high, base[j] + cost_per_hz[j] * total);  // all of it on one replica reaches this level
  }
  const auto rates_at = [&](double level, std::vector<double>* x) {
    double sum = 0;
    for (size_t j = 0; j < base.size(); ++j) {
      const double r = std::max(0.0, (level - base[j]) / cost_per_hz[j]);
      if (x) (*x)[j] = r;
      sum += r;
    }
    return sum;
  };
  for (int i = 0; i < 200 && high - low > 1e-15 * std::max(1.0, std::abs(high)); ++i) {
    const double mid = 0.5 * (low + high);
    (rates_at(mid, nullptr) < total ? low : high) = mid;
  }
  std::vector<double> x(base.size());
  const double sum = rates_at(high, &x);
  for (double& r : x) r *= total / sum;  // the bisection's last bits
  return x;
}

Result<bool> BalanceReplicaShares(SplitProblem& split, Solution& solution) {
  Problem& p = *split.problem;
  bool changed = false;
  for (int pass = 0; pass < kPasses; ++pass) {
    bool improved = false;
    for (Replication& rep : split.splits.replications) {
      std::vector<int> items(static_cast<size_t>(rep.replicas), -1);
      for (size_t i = 0; i < p.models.size(); ++i) {
        const PlanModel& m = p.models[i];
        if (m.replica && m.split_of == rep.model && m.part >= 0 && m.part < rep.replicas) {
          items[static_cast<size_t>(m.part)] = static_cast<int>(i);
        }
      }
      std::vector<double> base, cost, old_rates;
      double total = 0;
      for (int item : items) {
        if (item < 0) return InternalError("plan: a replica of a replicated model is missing from the split problem");
        const Placed at = Find(solution.best.eval, item);
        const double rate = p.models[static_cast<size_t>(item)].rate_hz;
        if (!at.found) return InternalError(fmt::format("plan: '{}' is not placed", p.models[static_cast<size_t>(item)].name));
        base.push_back(at.device_utilisation - at.own);
        cost.push_back(at.own / rate);
        old_rates.push_back(rate);
        total += rate;
      }
      const std::vector<double> x = WaterFill(base, cost, total);
      if (x.empty() || *std::min_element(x.begin(), x.end()) < kMinShare * total) continue;
      for (size_t j = 0; j < items.size(); ++j) p.models[static_cast<size_t>(items[j])].rate_hz = x[j];
      auto eval = EvaluatePlan(*split.coster, solution.best.eval.plan);
      if (!eval.ok()) return eval.status();
      if (!Better(eval->objective, solution.best.eval.objective)) {
        for (size_t j = 0; j < items.size(); ++j) p.models[static_cast<size_t>(items[j])].rate_hz = old_rates[j];
        continue;
      }
      solution.best.eval = std::move(eval).value();
      rep.shares.resize(x.size());
      for (size_t j = 0; j < x.size(); ++j) rep.shares[j] = x[j] / total;
      improved = changed = true;
    }
    if (!improved) break;
  }
  return changed;
}

std::string ReplicaSharesText(const Replication& replication) {
  if (replication.shares.empty()) return fmt::format("each serving 1/{} of its demand", replication.replicas);
  std::vector<std::string> parts;
  for (int r = 0; r < replication.replicas; ++r) parts.push_back(fmt::format("{:.1f}%", 100 * replication.ShareOf(r)));
  return fmt::format("serving {} of its demand in replica order", fmt::join(parts, ", "));
}

}  // namespace etpu::planner
