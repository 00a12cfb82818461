// Pipelining (docs/PLANNER.md §8): one model cut into k stages that run on k Edge TPUs, each stage
// compiled as a model of its own, as libcoral's PipelinedModelRunner runs the segments of
// `edgetpu_compiler -n k` or of its partition_with_profiling tool. In the plan a stage is an item
// like a model, with the model's demand: its utilisation on its TPU is λ × its own time, which the
// one timing model gives from the segment compiled by etpu's compiler (compute, its streamed
// parameters, and its input and output tensors crossing the host link, where the cut tensors
// travel). Two stages of one model never share a TPU.
//
// Where to cut:
//   - "num-segments": the compiler's own -n split (driver::ParameterEqualSegments: roughly equal
//     parameter bytes);
//   - "profiling": libcoral's partition_with_profiling with the timing model as its profiler:
//     bisection on a target stage latency T; for a given T, each stage but the last takes the
//     longest run of operators whose steady time (compiled alone) stays within T, and T is
//     feasible when the last stage's does too. Cuts are made where exactly one activation tensor
//     crosses (a model with too few such places may be cut anywhere). The longest run is found by
//     scanning down from the longest, not by a binary search: a stage's time can fall as its run
//     grows, when a later cut sends a narrower tensor through the host (MobileNet v2). The result
//     is never worse than the -n split it starts from; pipeline_test checks it against every
//     two-stage cut.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "etpu/status.h"
#include "planner/group_cost.h"
#include "planner/problem.h"

namespace etpu::planner {

/// One model cut into stages.
struct Segmentation {
  int model = 0;            ///< Index into the problem it cuts.
  std::vector<int> starts;  ///< First operator of each stage, ascending, starts[0] == 0.
  std::string method;       ///< "num-segments" or "profiling".
  int stages() const { return static_cast<int>(starts.size()); }
};

/// The compiler's -n split of model `model` into `stages`.
Result<Segmentation> ParameterEqualCuts(const Problem& problem, int model, int stages);

/// Steady time (ms) of a run of operators of one model compiled alone on one host kind; memoised.
class StageProfiler {
 public:
  /// `device`: the TPU whose host profile and clock time the stages.
  StageProfiler(const Problem& problem, int model, int device) : problem_(&problem), model_(model), device_(device) {}
  /// Steady time of operators [first, end); +infinity when the run does not compile.
  Result<double> SteadyMs(int first, int end);
  int operators() const;
  /// Operator indices b (0 < b < operators()) before which exactly one activation tensor crosses.
  const std::vector<int>& CleanCuts();
  int64_t compilations() const { return compilations_; }
  const Problem* problem() const { return problem_; }

 private:
  const Problem* problem_;
  int model_, device_;
  std::map<std::pair<int, int>, double> memo_;
  std::optional<std::vector<int>> clean_cuts_;
  int64_t compilations_ = 0;
};

/// libcoral's profiling partitioner (above) into `stages`, bisection to a relative tolerance.
Result<Segmentation> ProfilingCuts(StageProfiler& profiler, int model, int stages, double tolerance = 0.01);

/// The slowest stage's steady time of a segmentation (its pipeline's throughput limit).
Result<double> SlowestStageMs(StageProfiler& profiler, const Segmentation& cuts);

/// One model served by several replicas (data parallelism), each on its own TPU with a share of
/// the demand: requests dispatched at random with those probabilities, so each replica's arrivals
/// stay Poisson. Equal shares unless `shares` says otherwise (planner/shares.h balances them).
struct Replication {
  int model = 0;      ///< Index into the problem it splits.
  int replicas = 2;
  std::vector<double> shares;  ///< Empty: 1/replicas each; else one per replica, each > 0, summing to 1.
  double ShareOf(int replica) const {
    return shares.empty() ? 1.0 / replicas : shares.at(static_cast<size_t>(replica));
  }
};

/// How the models of a problem are split (a model appears at most once in all).
struct Splits {
  std::vector<Segmentation> cuts;
  std::vector<Replication> replications;
  bool empty() const { return cuts.empty() && replications.empty(); }
};

/// `problem` with each split model replaced, in place, by its parts: stages named
/// "NAME [stage i/k]" (files "<stem>_segment_<i>_of_<k>.tflite", each with the model's demand), or
/// replicas named "NAME [replica i/r]" (the model's file, each with its share of the demand). Whole
/// models and replicas share their parsed form with `problem`, which must outlive the result.
/// Errors: a model split twice, a bad stage or replica count, shares that are not one positive
/// share per replica summing to 1.
Result<std::unique_ptr<Problem>> ApplySplits(const Problem& problem, const Splits& splits);

}  // namespace etpu::planner
