#include "planner/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "planner/shares.h"

namespace etpu::planner {
namespace {

std::string Names(const Problem& p, const std::vector<int>& models) {
  std::string s;
  for (size_t i = 0; i < models.size(); ++i) {
    s += (i == 0 ? "" : i + 1 == models.size() ? " and " : ", ") + p.models[static_cast<size_t>(models[i])].name;
  }
  return s;
}

// "a* 4.118 instead of 3.253", or, when a* ties, the field that decides (objective of evaluate.h).
std::string Versus(const Objective& plan, const Objective& alt) {
  if (Better(plan, alt) || Better(alt, plan)) {
    const bool headroom_ties = std::abs(plan.max_utilisation - alt.max_utilisation) <=
                               1e-9 * std::max(plan.max_utilisation, alt.max_utilisation);
    if (!headroom_ties) return fmt::format("a* = {:.3f} instead of {:.3f}", alt.headroom(), plan.headroom());
    const bool traffic_ties = std::abs(plan.streamed_mb_s - alt.streamed_mb_s) <=
                              1e-9 * std::max(plan.streamed_mb_s, alt.streamed_mb_s);
    if (!traffic_ties) {
      return fmt::format("the same a* = {:.3f}, but {:.2f} MB/s streamed instead of {:.2f}", alt.headroom(),
                         alt.streamed_mb_s, plan.streamed_mb_s);
    }
    return fmt::format("the same a* and traffic, but {} groups instead of {}", alt.groups, plan.groups);
  }
  return fmt::format("an equally good plan (a* = {:.3f})", alt.headroom());
}

// Costs `alt` into `e` and finishes its text: "<what> would give <versus>."
Status Price(GroupCoster& coster, const PlanEval& best, Explanation& e, const std::string& what) {
  auto eval = EvaluatePlan(coster, e.alternative);
  if (!eval.ok()) {
    e.alternative_ok = false;
    e.alternative_error = eval.status().message();
    e.text += fmt::format("{} does not compile: {}.", what, e.alternative_error);
    return OkStatus();
  }
  e.alternative_ok = true;
  e.alternative_objective = eval->objective;
  e.text += fmt::format("{} would give {}{}.", what, Versus(best.objective, e.alternative_objective),
                        Better(e.alternative_objective, best.objective) ? " (better: the plan is not optimal)" : "");
  return OkStatus();
}

// Keeps in `best` the better of the two alternatives: one that compiles over one that does not,
// then the better objective; the first one seen when `best` is still empty.
void KeepBetter(Explanation& best, Explanation&& e) {
  if (best.kind.empty() || (e.alternative_ok && (!best.alternative_ok ||
                                                 Better(e.alternative_objective, best.alternative_objective)))) {
    best = std::move(e);
  }
}

}  // namespace

Result<std::vector<Explanation>> ExplainPlan(GroupCoster& coster, const PlanEval& best) {
  const Problem& p = coster.problem();
  const Plan& plan = best.plan;
  std::vector<Explanation> out;
  for (size_t d = 0; d < plan.devices.size(); ++d) {
    const auto& groups = plan.devices[d];
    for (size_t g = 0; g < groups.size(); ++g) {
      const std::vector<int>& group = groups[g];
      Explanation e;
      e.device = static_cast<int>(d);
      e.models = group;
      e.alternative = plan;
      if (group.size() > 1) {  // Co-compiled: against the same models apart on this TPU.
        e.kind = "co_compiled";
        auto& alt = e.alternative.devices[d];
        alt.erase(alt.begin() + static_cast<std::ptrdiff_t>(g));
        for (int m : group) alt.push_back({m});
        e.text = fmt::format("TPU {} co-compiles {} in this order (one token: no reload when they alternate). ", d,
                             Names(p, group));
        ETPU_RETURN_IF_ERROR(Price(coster, best, e, "Compiled apart on the same TPU, they"));
        out.push_back(std::move(e));
      } else if (groups.size() > 1) {  // Alone among others: against joining each other group here.
        e.kind = "kept_apart";
        e.text = fmt::format("TPU {} compiles {} alone although it runs other groups. ", d, Names(p, group));
        Explanation best_join;
        for (size_t h = 0; h < groups.size(); ++h) {
          if (h == g) continue;
          Explanation j = e;
          auto& alt = j.alternative.devices[d];
          std::vector<int> merged = alt[h];
          merged.push_back(group[0]);
          std::sort(merged.begin(), merged.end());
          alt[h] = merged;
          alt.erase(alt.begin() + static_cast<std::ptrdiff_t>(g));
          ETPU_RETURN_IF_ERROR(Price(coster, best, j, fmt::format("Co-compiled with {}, it", Names(p, groups[h]))));
          KeepBetter(best_join, std::move(j));
        }
        out.push_back(std::move(best_join));
      }
    }
    // Each model of this TPU: the best move to another TPU.
    if (plan.devices.size() < 2) continue;
    for (size_t g = 0; g < groups.size(); ++g) {
      for (int m : groups[g]) {
        Explanation best_move;
        for (size_t k = 0; k < plan.devices.size(); ++k) {
          if (k == d) continue;
          std::vector<int> there{m};  // another part of the same model there: not a move (the rule, not the cost)
          for (const auto& h : plan.devices[k]) there.insert(there.end(), h.begin(), h.end());
          if (!p.PartsApart(there)) continue;
          // Alone on TPU k, or into each of its groups.
          for (size_t h = 0; h <= plan.devices[k].size(); ++h) {
            Explanation e;
            e.kind = "placement";
            e.device = static_cast<int>(d);
            e.models = {m};
            e.alternative = plan;
            auto& from = e.alternative.devices[d][g];
            from.erase(std::find(from.begin(), from.end(), m));
            if (from.empty()) e.alternative.devices[d].erase(e.alternative.devices[d].begin() + static_cast<std::ptrdiff_t>(g));
            auto& to = e.alternative.devices[k];
            std::string where;
            if (h == to.size()) {
              to.push_back({m});
              where = fmt::format("Alone on TPU {}, it", k);
            } else {
              where = fmt::format("On TPU {} co-compiled with {}, it", k, Names(p, to[h]));
              to[h].push_back(m);
              std::sort(to[h].begin(), to[h].end());
            }
            e.text = fmt::format("{} runs on TPU {}. ", p.models[static_cast<size_t>(m)].name, d);
            ETPU_RETURN_IF_ERROR(Price(coster, best, e, where));
            KeepBetter(best_move, std::move(e));
          }
        }
        if (!best_move.kind.empty()) out.push_back(std::move(best_move));
      }
    }
  }
  return out;
}

Explanation ExplainSplits(const Problem& base, const Splits& splits, const Objective& whole, const Objective& chosen) {
  Explanation e;
  e.kind = "split";
  std::vector<std::string> parts;
  for (const auto& c : splits.cuts) {
    std::string cuts;
    for (size_t s = 1; s < c.starts.size(); ++s) cuts += (cuts.empty() ? "" : ", ") + std::to_string(c.starts[s]);
    parts.push_back(fmt::format("{} is pipelined in {} stages on as many TPUs (cut before operator{} {}, {} partitioner)",
                                base.models.at(static_cast<size_t>(c.model)).name, c.stages(),
                                c.stages() > 2 ? "s" : "", cuts, c.method));
    e.models.push_back(c.model);
  }
  for (const auto& r : splits.replications) {
    parts.push_back(fmt::format("{} is replicated on {} TPUs, {}", base.models.at(static_cast<size_t>(r.model)).name,
                                r.replicas, ReplicaSharesText(r)));
    e.models.push_back(r.model);
  }
  e.alternative_ok = true;
  e.alternative_objective = whole;
  e.text = fmt::format("{}. With every model whole, the best plan gives a* = {:.3f} instead of {:.3f}.",
                       fmt::join(parts, "; "), whole.headroom(), chosen.headroom());
  return e;
}

}  // namespace etpu::planner
