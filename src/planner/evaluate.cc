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

Interleaving Interleave(const Problem& p, const std::vector<std::vector<int>>& groups) {
  Interleaving out;
  std::vector<int> model_of, group_of;
  double total_rate = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (int m : groups[g]) {
      model_of.push_back(m);
      group_of.push_back(static_cast<int>(g));
      total_rate += p.models[static_cast<size_t>(m)].rate_hz;
    }
  }
  out.reload_probability.assign(model_of.size(), 0.0);
  if (total_rate <= 0) return out;
  if (!p.sequence.empty()) {
    for (int m : p.sequence) {
      for (size_t i = 0; i < model_of.size(); ++i) {
        if (model_of[i] == m) out.order.push_back(static_cast<int>(i));
      }
    }
    out.cyclic = AnalyseSequence(out.order, group_of);
    out.reload_probability = out.cyclic.reload_probability;
    out.switches_per_s = groups.size() > 1 ? out.cyclic.switches_per_frame * p.frames_per_s : 0;
    return out;
  }
  // P_g, and 1 − P_g (0 when g is the TPU's only group).
  std::vector<double> group_share(groups.size(), 0.0), other(groups.size(), 0.0);
  for (size_t i = 0; i < model_of.size(); ++i) {
    group_share[static_cast<size_t>(group_of[i])] += p.models[static_cast<size_t>(model_of[i])].rate_hz / total_rate;
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    other[g] = groups.size() == 1 ? 0.0 : std::max(0.0, 1.0 - group_share[g]);
    out.switches_per_s += total_rate * group_share[g] * other[g];
  }
  for (size_t i = 0; i < model_of.size(); ++i) {
    const double o = other[static_cast<size_t>(group_of[i])];
    out.reload_probability[i] = o > 0 ? o / (o + p.models[static_cast<size_t>(model_of[i])].rate_hz / total_rate) : 0.0;
  }
  return out;
}

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
  // The TPU's members in group order, and how their invocations interleave: each member's reload
  // probability and the switches per second, from the Poisson switch model or the sequence.
  struct Member {
    const MemberCost* cost;
    int group;
    double rate;
  };
  std::vector<Member> members;
  for (size_t g = 0; g < costs.size(); ++g) {
    for (const auto& m : costs[g]->members) {
      members.push_back({&m, static_cast<int>(g), p.models[static_cast<size_t>(m.model)].rate_hz});
    }
  }
  const Interleaving mix = Interleave(p, groups);
  const std::vector<double>& q = mix.reload_probability;
  e.switches_per_s = mix.switches_per_s;
  // Latencies only when shown (detail) or held to an objective (not on the search's plain path).
  const bool objectives = std::any_of(members.begin(), members.end(), [&](const Member& m) {
    return p.models[static_cast<size_t>(m.cost->model)].slo_ms.has_value();
  });
  std::vector<QueueMember> queue;
  std::vector<double> slos;
  if (detail) e.groups.resize(costs.size());
  for (size_t i = 0; i < members.size(); ++i) {
    const MemberCost& m = *members[i].cost;
    const double rate = members[i].rate;
    const double first = m.first_ms[kind], later = m.later_ms[kind];
    const double u = MemberUtilisation(rate, first, later, q[i]);
    e.utilisation += u;
    e.streamed_mb_s += MemberStreamedMBs(rate, m.offchip_bytes, m.onchip_bytes, q[i]);
    if (detail || objectives) queue.push_back({rate, first, later, q[i]});
    if (objectives) {
      ETPU_ASSIGN_OR_RETURN(const double slo, SloOf(coster, m.model, kind));
      slos.push_back(slo);
    }
    if (detail) {
      ModelLoad l;
      l.model = m.model;
      l.onchip_bytes = m.onchip_bytes;
      l.offchip_bytes = m.offchip_bytes;
      l.first_ms = first;
      l.later_ms = later;
      l.share = rate / total_rate;
      l.reload_probability = q[i];
      l.utilisation = u;
      e.groups[static_cast<size_t>(members[i].group)].push_back(l);
    }
  }
  if (!detail && !objectives) return e;
  const std::vector<LatencyPrediction> latency =
      p.sequence.empty() ? PredictLatencies(queue) : SequenceLatencies(mix.order, mix.cyclic, queue, p.frames_per_s);
  std::vector<size_t> index_in_group(costs.size(), 0);
  for (size_t i = 0; i < members.size(); ++i) {
    const double slo = objectives ? slos[i] : 0.0;
    if (slo > 0) e.slo_violation = std::max(e.slo_violation, SloViolation(latency[i].p99_ms, slo, e.utilisation));
    if (!detail) continue;
    const size_t g = static_cast<size_t>(members[i].group);
    ModelLoad& l = e.groups[g][index_in_group[g]++];
    l.latency_p50_ms = latency[i].p50_ms;
    l.latency_p99_ms = latency[i].p99_ms;
    l.slo_ms = slo;
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
