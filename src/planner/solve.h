// One problem solved: the exact search up to kMaxExactModels x kMaxExactDevices, else the local
// search with its bound (docs/PLANNER.md §4-6); and the splitting options on top: pipelining and
// replication (§8).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "planner/heuristic.h"
#include "planner/pipeline.h"
#include "planner/search.h"

namespace etpu::planner {

struct Solution {
  BoundedPlan best;
  std::string method;  ///< "exact optimum over ..." or "local search from ...".
  SearchStats stats;
  std::optional<HeuristicStats> heuristic;
};

/// The exact optimum when the problem is small enough, else the local search.
Result<Solution> Solve(GroupCoster& coster, const HeuristicOptions& options = {});

/// A problem derived by splitting models (pipeline stages, replicas), with its own coster.
struct SplitProblem {
  Splits splits;
  std::unique_ptr<Problem> problem;
  std::unique_ptr<GroupCoster> coster;
};
/// `base_coster` (may be null): the base problem's coster, whose alone-compilations the whole
/// models and the replicas reuse.
Result<SplitProblem> MakeSplitProblem(const Problem& base, const GroupCoster* base_coster, Splits splits);

/// Models that stream parameters compiled alone (the ones pipelining can relieve), by index.
std::vector<int> StreamingModels(GroupCoster& coster);

/// Stage profilers by model index, shared by the baselines and the search (their memo).
using Profilers = std::map<int, std::unique_ptr<StageProfiler>>;

/// The pipelining baselines (the names): "num-segments" (the compiler's -n split) and
/// "profiling-partitioner" (libcoral's partition_with_profiling on the timing model). Every model
/// that streams alone is cut into k = max(2, TPUs / streaming models) stages (none when that leaves
/// fewer than 2 TPUs per model, or with one TPU); its stages go to consecutive TPUs and the other
/// models one per TPU, continuing round-robin. Errors: an unknown name, a cut that fails.
std::vector<std::string> PipelineBaselineNames();
struct SplitBaseline {
  SplitProblem split;  ///< No splits and no coster when no model is cut: the plan is then
                       ///< one-per-tpu on the base problem.
  Plan plan;
};
Result<SplitBaseline> MakePipelineBaseline(const Problem& base, GroupCoster& coster, Profilers& profilers,
                                           const std::string& name);

/// The utilisation lower bound over every plan BestSplitPlan may return: the load of every model,
/// all parameters cached, perfectly balanced over the TPUs (a model's max term is shared by its
/// replicas or stages; heuristic.h).
Result<double> SplitLowerBound(GroupCoster& coster);

/// The best plan over splitting choices, with 2 TPUs or more (none for a --sequence workload:
/// which stage or replica an occurrence goes to is not modelled). Candidates: each model that streams
/// alone (pipelined into 2..min(TPUs, 4) stages by the profiling partitioner, or replicated), each
/// model whose load alone exceeds a balanced share of the whole (replicated on 2..TPUs), and, when
/// `whole` streams or switches tokens although all parameters would fit the TPUs' SRAM, every model
/// (pipelined: its stages may fit beside other models). Replicas' shares are then balanced (shares.h).
/// Every combination of the candidates' options is solved like the whole problem when there are at
/// most 24, else each candidate's options with the others whole, the busiest candidates first,
/// until the time budget ends (a problem beyond the exact search gets at most 1 s of local search
/// per combination). Returns nothing when no combination beats `whole` (the plan without splits).
struct SplitSearchOptions {
  double max_seconds = 5;  ///< Checked between combinations.
};
/// etpu plan's budget: 5 s after an exact search, 2 s after a local search (whose own 3 s came
/// first), so that 64 models on 16 TPUs stay within about 10 s.
SplitSearchOptions SplitSearchOptionsFor(const Solution& whole);
struct SplitSearchStats {
  int combinations = 0;
  int64_t profiling_compilations = 0;
  bool budget_exhausted = false;  ///< Combinations were left untried.
};
Result<std::optional<std::pair<SplitProblem, Solution>>> BestSplitPlan(const Problem& base, GroupCoster& coster,
                                                                     Profilers& profilers, const Solution& whole,
                                                                     SplitSearchStats* stats = nullptr,
                                                                     const SplitSearchOptions& options = {});

}  // namespace etpu::planner
