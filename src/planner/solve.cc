#include "planner/solve.h"

#include <algorithm>

#include <fmt/format.h>

namespace etpu::planner {
namespace {

constexpr int kMaxStages = 4;
constexpr int kMaxCombinations = 16;

StageProfiler& ProfilerFor(Profilers& profilers, const Problem& base, int model) {
  auto& p = profilers[model];
  if (!p) p = std::make_unique<StageProfiler>(base, model, /*device=*/0);
  return *p;
}

}  // namespace

Result<Solution> Solve(GroupCoster& coster, const HeuristicOptions& options) {
  const Problem& p = coster.problem();
  Solution out;
  if (static_cast<int>(p.models.size()) <= kMaxExactModels && static_cast<int>(p.devices.size()) <= kMaxExactDevices) {
    ETPU_ASSIGN_OR_RETURN(out.best.eval, PlanExact(coster, &out.stats));
    ETPU_ASSIGN_OR_RETURN(out.best.lower_bound_utilisation, UtilisationLowerBound(coster));
    out.method = "exact optimum over every grouping, order and assignment";
    return out;
  }
  out.heuristic.emplace();
  ETPU_ASSIGN_OR_RETURN(out.best, PlanHeuristic(coster, options, &*out.heuristic));
  const HeuristicStats& h = *out.heuristic;
  out.method = fmt::format("local search from the {} baseline ({} moves costed, {} taken{}; the exact search handles up "
                           "to {} models and {} devices)",
                           h.start, h.moves_evaluated, h.moves_accepted,
                           h.budget_exhausted ? ", stopped by the time budget" : ", a local optimum", kMaxExactModels,
                           kMaxExactDevices);
  return out;
}

Result<PipelinedProblem> MakePipelinedProblem(const Problem& base, const GroupCoster* base_coster,
                                              std::vector<Segmentation> cuts) {
  PipelinedProblem out;
  ETPU_ASSIGN_OR_RETURN(out.problem, ApplySegmentations(base, cuts));
  out.cuts = std::move(cuts);
  ETPU_ASSIGN_OR_RETURN(out.coster, GroupCoster::Create(*out.problem, base_coster));
  return out;
}

std::vector<int> StreamingModels(GroupCoster& coster) {
  std::vector<int> out;
  for (size_t m = 0; m < coster.problem().models.size(); ++m) {
    auto g = coster.Cost({static_cast<int>(m)});
    if (g.ok() && (*g)->ok && (*g)->members.at(0).offchip_bytes > 0) out.push_back(static_cast<int>(m));
  }
  return out;
}

Result<double> PipelinedLowerBound(GroupCoster& coster) {
  const int parts = std::min(static_cast<int>(coster.problem().devices.size()), kMaxStages);
  return UtilisationLowerBound(coster, parts >= 2 ? StreamingModels(coster) : std::vector<int>{}, parts);
}

std::vector<std::string> PipelineBaselineNames() { return {"num-segments", "profiling-partitioner"}; }

Result<PipelineBaseline> MakePipelineBaseline(const Problem& base, GroupCoster& coster, Profilers& profilers,
                                              const std::string& name) {
  const auto names = PipelineBaselineNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    return InvalidArgumentError(fmt::format("plan: unknown pipelining baseline '{}' (expected {})", name,
                                            fmt::join(names, ", ")));
  }
  const int devices = static_cast<int>(base.devices.size());
  const std::vector<int> streaming = StreamingModels(coster);
  const int k = streaming.empty() ? 0 : std::max(2, devices / static_cast<int>(streaming.size()));
  std::vector<Segmentation> cuts;
  if (devices >= 2 && !streaming.empty() && devices / static_cast<int>(streaming.size()) >= 2) {
    for (int m : streaming) {
      auto c = name == "num-segments" ? ParameterEqualCuts(base, m, k)
                                      : ProfilingCuts(ProfilerFor(profilers, base, m), m, k);
      if (!c.ok()) return c.status();
      cuts.push_back(std::move(c).value());
    }
  }
  PipelineBaseline out;
  out.plan.devices.resize(static_cast<size_t>(devices));
  size_t items = base.models.size();
  if (!cuts.empty()) {  // else the baseline is one-per-tpu on the base problem (no coster of its own)
    ETPU_ASSIGN_OR_RETURN(out.pipelined, MakePipelinedProblem(base, &coster, std::move(cuts)));
    items = out.pipelined.problem->models.size();
  }
  // Stages on consecutive TPUs, every other model one per TPU, round-robin.
  int next = 0;
  for (size_t i = 0; i < items; ++i) {
    out.plan.devices[static_cast<size_t>(next)].push_back({static_cast<int>(i)});
    next = (next + 1) % devices;
  }
  return out;
}

Result<std::optional<std::pair<PipelinedProblem, Solution>>> BestPipelinedPlan(const Problem& base, GroupCoster& coster,
                                                                              Profilers& profilers, const Solution& whole,
                                                                              PipelineSearchStats* stats) {
  PipelineSearchStats local;
  PipelineSearchStats& st = stats ? *stats : local;
  std::optional<std::pair<PipelinedProblem, Solution>> best;
  const int devices = static_cast<int>(base.devices.size());
  const std::vector<int> streaming = StreamingModels(coster);
  const int max_k = std::min(devices, kMaxStages);
  if (streaming.empty() || max_k < 2) return best;
  // Stage counts per streaming model: 1 = whole.
  std::vector<std::vector<int>> combos;
  int64_t all = 1;
  for (size_t i = 0; i < streaming.size() && all <= kMaxCombinations; ++i) all *= max_k;
  if (all <= kMaxCombinations) {
    std::vector<int> ks(streaming.size(), 1);
    while (true) {
      combos.push_back(ks);
      size_t i = 0;
      while (i < ks.size() && ++ks[i] > max_k) ks[i++] = 1;
      if (i == ks.size()) break;
    }
  } else {
    for (int k = 1; k <= max_k; ++k) combos.emplace_back(streaming.size(), k);
  }
  const Objective* incumbent = &whole.best.eval.objective;
  HeuristicOptions quick;
  quick.max_seconds = 1;
  for (const auto& ks : combos) {
    std::vector<Segmentation> cuts;
    for (size_t i = 0; i < ks.size(); ++i) {
      if (ks[i] < 2) continue;
      StageProfiler& profiler = ProfilerFor(profilers, base, streaming[i]);
      ETPU_ASSIGN_OR_RETURN(Segmentation c, ProfilingCuts(profiler, streaming[i], ks[i]));
      cuts.push_back(std::move(c));
    }
    if (cuts.empty()) continue;
    ++st.combinations;
    ETPU_ASSIGN_OR_RETURN(PipelinedProblem pp, MakePipelinedProblem(base, &coster, std::move(cuts)));
    auto solved = Solve(*pp.coster, quick);
    if (!solved.ok()) continue;  // e.g. no placement keeps the stages apart
    if (Better(solved->best.eval.objective, *incumbent)) {
      best.emplace(std::move(pp), std::move(solved).value());
      incumbent = &best->second.best.eval.objective;
    }
  }
  for (const auto& [m, p] : profilers) st.profiling_compilations += p->compilations();
  if (best) {  // the stages' own bound assumes these cuts; state the one over every pipelining choice
    ETPU_ASSIGN_OR_RETURN(best->second.best.lower_bound_utilisation, PipelinedLowerBound(coster));
  }
  return best;
}

}  // namespace etpu::planner
