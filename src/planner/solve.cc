#include "planner/solve.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include <fmt/format.h>

#include "planner/shares.h"

namespace etpu::planner {
namespace {

constexpr int kMaxStages = 4;
constexpr int kMaxCombinations = 24;

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

Result<SplitProblem> MakeSplitProblem(const Problem& base, const GroupCoster* base_coster, Splits splits) {
  SplitProblem out;
  ETPU_ASSIGN_OR_RETURN(out.problem, ApplySplits(base, splits));
  out.splits = std::move(splits);
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

Result<double> SplitLowerBound(GroupCoster& coster) {
  const int devices = static_cast<int>(coster.problem().devices.size());
  std::vector<int> all(coster.problem().models.size());
  std::iota(all.begin(), all.end(), 0);
  return UtilisationLowerBound(coster, all, devices);
}

SplitSearchOptions SplitSearchOptionsFor(const Solution& whole) {
  SplitSearchOptions o;
  o.max_seconds = whole.heuristic ? 2 : 5;
  return o;
}

std::vector<std::string> PipelineBaselineNames() { return {"num-segments", "profiling-partitioner"}; }

Result<SplitBaseline> MakePipelineBaseline(const Problem& base, GroupCoster& coster, Profilers& profilers,
                                           const std::string& name) {
  const auto names = PipelineBaselineNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    return InvalidArgumentError(fmt::format("plan: unknown pipelining baseline '{}' (expected {})", name,
                                            fmt::join(names, ", ")));
  }
  if (!base.sequence.empty()) {
    return FailedPreconditionError("not modelled for --sequence workloads (a sequence's invocations are not split among TPUs)");
  }
  const int devices = static_cast<int>(base.devices.size());
  const std::vector<int> streaming = StreamingModels(coster);
  Splits splits;
  if (devices >= 2 && !streaming.empty() && devices / static_cast<int>(streaming.size()) >= 2) {
    const int k = devices / static_cast<int>(streaming.size());
    for (int m : streaming) {
      auto c = name == "num-segments" ? ParameterEqualCuts(base, m, k)
                                      : ProfilingCuts(ProfilerFor(profilers, base, m), m, k);
      if (!c.ok()) return c.status();
      splits.cuts.push_back(std::move(c).value());
    }
  }
  SplitBaseline out;
  out.plan.devices.resize(static_cast<size_t>(devices));
  size_t items = base.models.size();
  if (!splits.empty()) {  // else the baseline is one-per-tpu on the base problem (no coster of its own)
    ETPU_ASSIGN_OR_RETURN(out.split, MakeSplitProblem(base, &coster, std::move(splits)));
    items = out.split.problem->models.size();
  }
  // Stages on consecutive TPUs, every other model one per TPU, round-robin.
  int next = 0;
  for (size_t i = 0; i < items; ++i) {
    out.plan.devices[static_cast<size_t>(next)].push_back({static_cast<int>(i)});
    next = (next + 1) % devices;
  }
  return out;
}

namespace {

// One option of a candidate model: whole (1, 1), pipelined (stages, 1) or replicated (1, replicas).
struct SplitOption {
  int stages = 1, replicas = 1;
};

struct Candidate {
  int model = 0;
  double load = 0;                   // λ × steady time alone on TPU 0's host
  std::vector<SplitOption> options;  // options[0] is whole
};

// `crowded`: the best plan with every model whole streams parameters or switches tokens, so a
// model that fits alone may still be worth cutting: its stages may fit beside other models.
Result<std::vector<Candidate>> Candidates(GroupCoster& coster, bool crowded) {
  const Problem& p = coster.problem();
  const int devices = static_cast<int>(p.devices.size());
  const int max_k = std::min(devices, kMaxStages);
  const std::vector<int> streaming = StreamingModels(coster);
  // Loads alone on TPU 0's host: a model above a balanced share of the whole is worth replicating.
  std::vector<double> load(p.models.size(), 0);
  double total = 0;
  for (size_t m = 0; m < p.models.size(); ++m) {
    ETPU_ASSIGN_OR_RETURN(const GroupCost* g, coster.Cost({static_cast<int>(m)}));
    if (!g->ok) continue;
    load[m] = p.models[m].rate_hz * g->members.at(0).later_ms.at(static_cast<size_t>(coster.KindOf(0))) / 1000.0;
    total += load[m];
  }
  std::vector<Candidate> out;
  for (size_t m = 0; m < p.models.size(); ++m) {
    const bool streams = std::find(streaming.begin(), streaming.end(), static_cast<int>(m)) != streaming.end();
    const bool heavy = load[m] > total / devices;
    if (!streams && !heavy && !crowded) continue;
    Candidate c;
    c.model = static_cast<int>(m);
    c.load = load[m];
    c.options.push_back({});
    if (streams || crowded) {
      for (int k = 2; k <= max_k; ++k) c.options.push_back({k, 1});
    }
    if (streams || heavy) {
      for (int r = 2; r <= devices; ++r) c.options.push_back({1, r});
    }
    out.push_back(std::move(c));
  }
  // The busiest first: when the budget ends the search, they have been tried.
  std::stable_sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.load > b.load; });
  return out;
}

}  // namespace

Result<std::optional<std::pair<SplitProblem, Solution>>> BestSplitPlan(const Problem& base, GroupCoster& coster,
                                                                     Profilers& profilers, const Solution& whole,
                                                                     SplitSearchStats* stats, const SplitSearchOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options.max_seconds));
  SplitSearchStats local;
  SplitSearchStats& st = stats ? *stats : local;
  std::optional<std::pair<SplitProblem, Solution>> best;
  if (!base.sequence.empty()) return best;  // pipelines and replicas are not modelled for sequences
  if (base.devices.size() < 2) return best;
  // Crowded: the best plan of whole models streams or switches tokens, although every parameter
  // could be on chip somewhere (the models' bytes alone sum to at most the TPUs' SRAM): then
  // cutting a model that fits alone may let its stages fit beside other models.
  bool crowded = whole.best.eval.objective.streamed_mb_s > 0;
  for (const DeviceEval& d : whole.best.eval.devices) crowded = crowded || d.switches_per_s > 0;
  int64_t parameter_bytes = 0;
  for (size_t m = 0; m < base.models.size() && crowded; ++m) {
    ETPU_ASSIGN_OR_RETURN(const GroupCost* g, coster.Cost({static_cast<int>(m)}));
    if (g->ok) parameter_bytes += g->members.at(0).onchip_bytes + g->members.at(0).offchip_bytes;
  }
  crowded = crowded && parameter_bytes <= static_cast<int64_t>(base.devices.size()) * base.chip.sram_bytes;
  ETPU_ASSIGN_OR_RETURN(std::vector<Candidate> candidates, Candidates(coster, crowded));
  if (candidates.empty()) return best;
  // Combinations: an option index per candidate.
  std::vector<std::vector<size_t>> combos;
  int64_t all = 1;
  for (size_t i = 0; i < candidates.size() && all <= kMaxCombinations; ++i) {
    all *= static_cast<int64_t>(candidates[i].options.size());
  }
  if (all <= kMaxCombinations) {
    std::vector<size_t> pick(candidates.size(), 0);
    while (true) {
      combos.push_back(pick);
      size_t i = 0;
      while (i < pick.size() && ++pick[i] == candidates[i].options.size()) pick[i++] = 0;
      if (i == pick.size()) break;
    }
  } else {
    for (size_t i = 0; i < candidates.size(); ++i) {
      for (size_t o = 1; o < candidates[i].options.size(); ++o) {
        std::vector<size_t> pick(candidates.size(), 0);
        pick[i] = o;
        combos.push_back(std::move(pick));
      }
    }
  }
  const Objective* incumbent = &whole.best.eval.objective;
  for (const auto& pick : combos) {
    const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
    if (left <= 0) {
      st.budget_exhausted = true;
      break;
    }
    HeuristicOptions quick;  // only problems beyond the exact search use it
    quick.max_seconds = std::min(1.0, left);
    Splits splits;
    for (size_t i = 0; i < pick.size(); ++i) {
      const SplitOption& o = candidates[i].options[pick[i]];
      const int m = candidates[i].model;
      if (o.stages > 1) {
        ETPU_ASSIGN_OR_RETURN(Segmentation c, ProfilingCuts(ProfilerFor(profilers, base, m), m, o.stages));
        splits.cuts.push_back(std::move(c));
      } else if (o.replicas > 1) {
        splits.replications.push_back({m, o.replicas});
      }
    }
    if (splits.empty()) continue;
    ++st.combinations;
    ETPU_ASSIGN_OR_RETURN(SplitProblem sp, MakeSplitProblem(base, &coster, std::move(splits)));
    auto solved = Solve(*sp.coster, quick);
    if (!solved.ok()) continue;  // e.g. no placement keeps the parts apart
    if (!sp.splits.replications.empty()) {
      // Shares that keep the replicas' TPUs equally busy (shares.h); the grouping found with equal
      // shares may not be the best one for the new shares: search once more with them.
      ETPU_ASSIGN_OR_RETURN(const bool balanced, BalanceReplicaShares(sp, *solved));
      if (balanced) {
        auto again = Solve(*sp.coster, quick);
        if (again.ok() && Better(again->best.eval.objective, solved->best.eval.objective)) {
          solved = std::move(again);
          ETPU_RETURN_IF_ERROR(BalanceReplicaShares(sp, *solved).status());
        }
      }
    }
    if (Better(solved->best.eval.objective, *incumbent)) {
      best.emplace(std::move(sp), std::move(solved).value());
      incumbent = &best->second.best.eval.objective;
    }
  }
  for (const auto& [m, p] : profilers) st.profiling_compilations += p->compilations();
  if (best) {  // the parts' own bound assumes this split; state the one over every choice
    ETPU_ASSIGN_OR_RETURN(best->second.best.lower_bound_utilisation, SplitLowerBound(coster));
  }
  return best;
}

}  // namespace etpu::planner
