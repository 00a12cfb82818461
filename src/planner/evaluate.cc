#include "planner/evaluate.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "planner/latency.h"

namespace etpu::planner {
namespace {

bool Less(double a, double b) {
  const double scale = std::max({std::fabs(a), std::fabs(b), 1e-300});
  return a < b && (b - a) > 1e-9 * scale;
}

// The latency objective of model m on a TPU of host kind `kind`: its own, or for a pipeline stage
// the pipeline's times the stage's share of the stages' steady times, each compiled alone.
Result<double> SloOf(GroupCoster& coster, int m, size_t kind) {
  const Problem& p = coster.problem();
  const PlanModel& model = p.models[static_cast<size_t>(m)];
  if (!model.slo_ms || model.split_of < 0 || model.replica) return model.slo_ms.value_or(0);
  double own = 0, all = 0;
  for (size_t s = 0; s < p.models.size(); ++s) {
    const PlanModel& other = p.models[s];
    if (other.split_of != model.split_of || other.replica) continue;
    ETPU_ASSIGN_OR_RETURN(const GroupCost* c, coster.Cost({static_cast<int>(s)}));
    if (!c->ok) return FailedPreconditionError(fmt::format("plan: {} fails: {}", other.name, c->error));
    const double later = c->members.front().later_ms[kind];
    all += later;
    if (static_cast<int>(s) == m) own = later;
  }
  return all > 0 ? *model.slo_ms * own / all : *model.slo_ms;
}

}  // namespace

bool Better(const Objective& a, const Objective& b) {
  if (Less(a.slo_violation, b.slo_violation)) return true;
  if (Less(b.slo_violation, a.slo_violation)) return false;
  if (Less(a.max_utilisation, b.max_utilisation)) return true;
  if (Less(b.max_utilisation, a.max_utilisation)) return false;
  if (Less(a.streamed_mb_s, b.streamed_mb_s)) return true;
  if (Less(b.streamed_mb_s, a.streamed_mb_s)) return false;
  return a.groups < b.groups;
}

Result<DeviceEval> EvaluateDevice(GroupCoster& coster, int device, const std::vector<std::vector<int>>& groups,
                                  bool detail) {
  const Problem& p = coster.problem();
  if (device < 0 || static_cast<size_t>(device) >= p.devices.size()) {
    return InvalidArgumentError(fmt::format("plan: device {} does not exist ({} devices)", device, p.devices.size()));
  }
  if (!p.PartsApart(groups)) {
    return FailedPreconditionError(fmt::format("plan: TPU {} holds two parts of one model (stages or replicas never share a TPU)", device));
  }
  const size_t kind = static_cast<size_t>(coster.KindOf(device));
  DeviceEval e;
  double total_rate = 0;
  std::vector<const GroupCost*> costs;
  for (const auto& g : groups) {
    ETPU_ASSIGN_OR_RETURN(const GroupCost* c, coster.Cost(g));
    if (!c->ok) return FailedPreconditionError(fmt::format("plan: {} fails: {}", CompileCommand(p, g), c->error));
    costs.push_back(c);
    for (int m : g) total_rate += p.models[static_cast<size_t>(m)].rate_hz;
  }
  if (total_rate <= 0) return e;
  const bool alone = groups.size() == 1;
  std::vector<QueueMember> queue;
  std::vector<double> slos;
  bool any_slo = false;
  for (const GroupCost* c : costs) {
    double group_share = 0;
    for (const auto& m : c->members) group_share += p.models[static_cast<size_t>(m.model)].rate_hz / total_rate;
    const double other = alone ? 0.0 : std::max(0.0, 1.0 - group_share);
    e.switches_per_s += total_rate * group_share * other;
    std::vector<ModelLoad> loads;
    for (const auto& m : c->members) {
      const double rate = p.models[static_cast<size_t>(m.model)].rate_hz;
      const double share = rate / total_rate;
      const double q = other > 0 ? other / (other + share) : 0.0;
      const double first = m.first_ms[kind], later = m.later_ms[kind];
      const double u = rate * (later + q * (first - later)) / 1000.0;
      e.utilisation += u;
      e.streamed_mb_s += rate * (static_cast<double>(m.offchip_bytes) + q * static_cast<double>(m.onchip_bytes)) / 1e6;
      queue.push_back({rate, first, later, q});
      ETPU_ASSIGN_OR_RETURN(const double slo, SloOf(coster, m.model, kind));
      slos.push_back(slo);
      any_slo = any_slo || slo > 0;
      if (detail) {
        ModelLoad l;
        l.model = m.model;
        l.onchip_bytes = m.onchip_bytes;
        l.offchip_bytes = m.offchip_bytes;
        l.first_ms = first;
        l.later_ms = later;
        l.share = share;
        l.reload_probability = q;
        l.utilisation = u;
        loads.push_back(l);
      }
    }
    if (detail) e.groups.push_back(std::move(loads));
  }
  if (!detail && !any_slo) return e;
  const std::vector<LatencyPrediction> latency = PredictLatencies(queue);
  size_t i = 0;
  for (size_t g = 0; g < costs.size(); ++g) {
    for (size_t k = 0; k < costs[g]->members.size(); ++k, ++i) {
      if (slos[i] > 0) e.slo_violation = std::max(e.slo_violation, SloViolation(latency[i].p99_ms, slos[i], e.utilisation));
      if (!detail) continue;
      ModelLoad& l = e.groups[g][k];
      l.latency_p50_ms = latency[i].p50_ms;
      l.latency_p99_ms = latency[i].p99_ms;
      l.slo_ms = slos[i];
    }
  }
  return e;
}

Result<PlanEval> EvaluatePlan(GroupCoster& coster, const Plan& plan) {
  const Problem& p = coster.problem();
  if (plan.devices.size() != p.devices.size()) {
    return InvalidArgumentError(
        fmt::format("plan: {} device(s) in the plan, {} in the problem", plan.devices.size(), p.devices.size()));
  }
  std::vector<int> placed(p.models.size(), 0);
  PlanEval out;
  out.plan = plan;
  for (size_t d = 0; d < plan.devices.size(); ++d) {
    for (const auto& g : plan.devices[d]) {
      for (int m : g) {
        if (m < 0 || static_cast<size_t>(m) >= p.models.size()) {
          return InvalidArgumentError(fmt::format("plan: model index {} out of range", m));
        }
        ++placed[static_cast<size_t>(m)];
      }
    }
  }
  for (size_t m = 0; m < placed.size(); ++m) {
    if (placed[m] != 1) {
      return InvalidArgumentError(fmt::format("plan: '{}' is placed {} times (expected once)", p.models[m].name, placed[m]));
    }
  }
  for (size_t d = 0; d < plan.devices.size(); ++d) {
    ETPU_ASSIGN_OR_RETURN(DeviceEval e, EvaluateDevice(coster, static_cast<int>(d), plan.devices[d]));
    out.objective.max_utilisation = std::max(out.objective.max_utilisation, e.utilisation);
    out.objective.slo_violation = std::max(out.objective.slo_violation, e.slo_violation);
    out.objective.streamed_mb_s += e.streamed_mb_s;
    out.objective.groups += static_cast<int>(plan.devices[d].size());
    out.devices.push_back(std::move(e));
  }
  return out;
}

}  // namespace etpu::planner
