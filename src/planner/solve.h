// One problem solved: the exact search up to kMaxExactModels x kMaxExactDevices, else the local
// search with its bound (docs/PLANNER.md §4-6); and the pipelining options on top (§8).
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

/// A problem derived by cutting models into pipeline stages, with its own coster.
struct PipelinedProblem {
  std::vector<Segmentation> cuts;
  std::unique_ptr<Problem> problem;
  std::unique_ptr<GroupCoster> coster;
};
/// `base_coster` (may be null): the base problem's coster, whose alone-compilations the whole models reuse.
Result<PipelinedProblem> MakePipelinedProblem(const Problem& base, const GroupCoster* base_coster,
                                              std::vector<Segmentation> cuts);

/// Models that stream parameters compiled alone (the ones pipelining can relieve), by index.
std::vector<int> StreamingModels(GroupCoster& coster);

/// The pipelining baselines (the names): "num-segments" (the compiler's -n split) and
/// "profiling-partitioner" (libcoral's partition_with_profiling on the timing model). Every model
/// that streams alone is cut into k = max(2, TPUs / streaming models) stages (none when that leaves
/// fewer than 2 TPUs per model, or with one TPU); its stages go to consecutive TPUs and the other
/// models one per TPU, continuing round-robin. Errors: an unknown name, a cut that fails.
std::vector<std::string> PipelineBaselineNames();
/// Stage profilers by model index, shared by the baselines and the search (their memo).
using Profilers = std::map<int, std::unique_ptr<StageProfiler>>;
struct PipelineBaseline {
  PipelinedProblem pipelined;  ///< Empty (no cuts, no coster) when no model is cut: the plan is then
                               ///< one-per-tpu on the base problem.
  Plan plan;
};
Result<PipelineBaseline> MakePipelineBaseline(const Problem& base, GroupCoster& coster, Profilers& profilers,
                                              const std::string& name);

/// The best plan over pipelining choices: each model that streams alone runs whole or cut into
/// 2..min(TPUs, 4) stages by the profiling partitioner (every combination when there are at most 16,
/// else the same stage count for all), each combination solved like the whole problem. Returns
/// nothing when no combination beats `whole` (the plan without pipelines).
/// The utilisation lower bound over every plan BestPipelinedPlan may return (heuristic.h).
Result<double> PipelinedLowerBound(GroupCoster& coster);
struct PipelineSearchStats {
  int combinations = 0;
  int64_t profiling_compilations = 0;
};
Result<std::optional<std::pair<PipelinedProblem, Solution>>> BestPipelinedPlan(const Problem& base, GroupCoster& coster,
                                                                              Profilers& profilers, const Solution& whole,
                                                                              PipelineSearchStats* stats = nullptr);

}  // namespace etpu::planner
