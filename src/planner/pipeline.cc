#include "planner/pipeline.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "driver/output_paths.h"
#include "driver/parsed_model.h"
#include "driver/segments.h"

namespace etpu::planner {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

Result<const ir::Model*> SourceModel(const Problem& problem, int model) {
  if (model < 0 || static_cast<size_t>(model) >= problem.models.size()) {
    return InvalidArgumentError(fmt::format("plan: model {} out of range ({} models)", model, problem.models.size()));
  }
  const PlanModel& m = problem.models[static_cast<size_t>(model)];
  if (m.split_of >= 0) return InvalidArgumentError(fmt::format("plan: '{}' is already a pipeline stage", m.name));
  if (!m.parsed || !m.parsed->model) {
    return FailedPreconditionError(fmt::format("plan: '{}' was not read, so it cannot be cut into stages", m.name));
  }
  return &*m.parsed->model;
}

Status CheckStages(const ir::Model& model, const std::string& name, int stages) {
  if (stages < 2 || static_cast<size_t>(stages) > model.ops.size()) {
    return InvalidArgumentError(fmt::format("plan: '{}' ({} operators) cannot be cut into {} stages", name,
                                            model.ops.size(), stages));
  }
  return OkStatus();
}

// The cuts of libcoral's greedy for target `target` over the places `cuts` (ascending): each stage
// but the last takes the longest run within the target; empty when the target cannot be met.
Result<std::vector<int>> Greedy(StageProfiler& profiler, const std::vector<int>& cuts, int stages, double target) {
  const int n = profiler.operators();
  std::vector<int> starts{0};
  int a = 0;
  size_t next = 0;  // first place after a
  for (int s = 0; s + 1 < stages; ++s) {
    // Places for this stage's end: after a, leaving one place per later stage.
    const size_t later = static_cast<size_t>(stages - 2 - s);
    if (next + later >= cuts.size()) return std::vector<int>{};
    // The longest run within the target: from the last allowed place down to the first that meets
    // it. Not a binary search: a stage's time can fall as its run grows (a later cut sends a
    // narrower tensor through the host), so short runs may miss a target that longer ones meet.
    size_t lo = cuts.size() - 1 - later;
    while (true) {
      ETPU_ASSIGN_OR_RETURN(double t, profiler.SteadyMs(a, cuts[lo]));
      if (t <= target) break;
      if (lo == next) return std::vector<int>{};
      --lo;
    }
    a = cuts[lo];
    next = lo + 1;
    starts.push_back(a);
  }
  ETPU_ASSIGN_OR_RETURN(double tail, profiler.SteadyMs(a, n));
  if (tail > target) return std::vector<int>{};
  return starts;
}

}  // namespace

Result<Segmentation> ParameterEqualCuts(const Problem& problem, int model, int stages) {
  ETPU_ASSIGN_OR_RETURN(const ir::Model* m, SourceModel(problem, model));
  ETPU_RETURN_IF_ERROR(CheckStages(*m, problem.models[static_cast<size_t>(model)].name, stages));
  ETPU_ASSIGN_OR_RETURN(auto segments, driver::ParameterEqualSegments(*m, stages, problem.emulate));
  Segmentation out;
  out.model = model;
  out.method = "num-segments";
  for (const auto& seg : segments) {
    if (seg.empty()) return InternalError("plan: the -n split gave an empty segment");
    out.starts.push_back(seg.front());
  }
  return out;
}

int StageProfiler::operators() const {
  const auto& parsed = problem_->models.at(static_cast<size_t>(model_)).parsed;
  return parsed && parsed->model ? static_cast<int>(parsed->model->ops.size()) : 0;
}

const std::vector<int>& StageProfiler::CleanCuts() {
  if (clean_cuts_) return *clean_cuts_;
  clean_cuts_.emplace();
  const auto& parsed = problem_->models.at(static_cast<size_t>(model_)).parsed;
  if (!parsed || !parsed->model) return *clean_cuts_;
  const ir::Model& m = *parsed->model;
  const int n = static_cast<int>(m.ops.size());
  // An operator's output crosses b when its producer is before b and its last reader (or the
  // model's output list) is at or after it; the reader recorded producer and readers per tensor.
  std::vector<int> last(m.tensors.size(), -1);
  for (size_t t = 0; t < m.tensors.size(); ++t) {
    if (!m.tensors[t].consumers.empty()) last[t] = m.tensors[t].consumers.back();
  }
  for (int t : m.outputs) {
    if (t >= 0 && static_cast<size_t>(t) < last.size()) last[static_cast<size_t>(t)] = n;
  }
  for (int b = 1; b < n; ++b) {
    int crossing = 0;
    for (size_t t = 0; t < m.tensors.size() && crossing < 2; ++t) {
      const int producer = m.tensors[t].producer;
      if (producer >= 0 && producer < b && last[t] >= b) ++crossing;
    }
    if (crossing == 1) clean_cuts_->push_back(b);
  }
  return *clean_cuts_;
}

Result<double> StageProfiler::SteadyMs(int first, int end) {
  const auto key = std::make_pair(first, end);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  ETPU_ASSIGN_OR_RETURN(const ir::Model* source, SourceModel(*problem_, model_));
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, driver::SegmentSource(*source, first, end));
  const PlanModel& whole = problem_->models[static_cast<size_t>(model_)];
  Problem one;
  one.devices = {problem_->devices.at(static_cast<size_t>(device_))};
  one.chip = problem_->chip;
  one.clock = problem_->ClockOf(device_);
  one.emulate = problem_->emulate;
  PlanModel stage;
  stage.name = fmt::format("{} operators [{}, {})", whole.name, first, end);
  stage.file = stage.name;
  stage.rate_hz = 1;
  stage.bytes = std::move(bytes);
  stage.parsed = ParseModel(stage.bytes, stage.file);
  one.models.push_back(std::move(stage));
  ++compilations_;
  double ms = kInfinity;
  auto coster = GroupCoster::Create(one);
  if (coster.ok()) {
    ETPU_ASSIGN_OR_RETURN(const GroupCost* g, (*coster)->Cost({0}));
    // A stage with nothing on the Edge TPU is not a stage of an Edge TPU pipeline.
    if (g->ok && !g->members.at(0).cost->edgetpu_ops.empty()) ms = g->members[0].later_ms.at(0);
  } else if (coster.status().code() != StatusCode::kFailedPrecondition) {
    return coster.status();
  }
  memo_.emplace(key, ms);
  return ms;
}

Result<double> SlowestStageMs(StageProfiler& profiler, const Segmentation& cuts) {
  double worst = 0;
  for (int s = 0; s < cuts.stages(); ++s) {
    const int end = s + 1 < cuts.stages() ? cuts.starts[static_cast<size_t>(s) + 1] : profiler.operators();
    ETPU_ASSIGN_OR_RETURN(double t, profiler.SteadyMs(cuts.starts[static_cast<size_t>(s)], end));
    worst = std::max(worst, t);
  }
  return worst;
}

Result<Segmentation> ProfilingCuts(StageProfiler& profiler, int model, int stages, double tolerance) {
  // Start from the compiler's -n split: its slowest stage is a target the greedy meets when stage
  // times grow with their runs.
  ETPU_ASSIGN_OR_RETURN(Segmentation best, ParameterEqualCuts(*profiler.problem(), model, stages));
  ETPU_ASSIGN_OR_RETURN(double hi, SlowestStageMs(profiler, best));
  best.method = "profiling";
  if (!std::isfinite(hi)) {
    ETPU_ASSIGN_OR_RETURN(hi, profiler.SteadyMs(0, profiler.operators()));
    hi *= 2;  // a generous target when a stage of the -n split does not compile alone
  }
  std::vector<int> places = profiler.CleanCuts();
  if (places.size() + 1 < static_cast<size_t>(stages)) {  // too few clean places: cut anywhere
    places.clear();
    for (int b = 1; b < profiler.operators(); ++b) places.push_back(b);
  }
  double lo = 0;
  for (int i = 0; i < 40 && hi - lo > tolerance * hi; ++i) {
    const double target = (lo + hi) / 2;
    ETPU_ASSIGN_OR_RETURN(std::vector<int> starts, Greedy(profiler, places, stages, target));
    if (starts.empty()) {
      lo = target;
    } else {
      hi = target;
      best.starts = std::move(starts);
    }
  }
  // The bisection's last feasible target may not have been tried exactly: take the cuts at hi.
  ETPU_ASSIGN_OR_RETURN(std::vector<int> at_hi, Greedy(profiler, places, stages, hi));
  if (!at_hi.empty()) {
    Segmentation candidate = best;
    candidate.starts = std::move(at_hi);
    ETPU_ASSIGN_OR_RETURN(double a, SlowestStageMs(profiler, candidate));
    ETPU_ASSIGN_OR_RETURN(double b, SlowestStageMs(profiler, best));
    if (a < b) best = std::move(candidate);
  }
  return best;
}

Result<std::unique_ptr<Problem>> ApplySplits(const Problem& problem, const Splits& splits) {
  if (!problem.sequence.empty()) return FailedPreconditionError("plan: a --sequence workload's models cannot be split");
  auto out = std::make_unique<Problem>();
  out->devices = problem.devices;
  out->chip = problem.chip;
  out->clock = problem.clock;
  out->emulate = problem.emulate;
  out->shared_usb_hub = problem.shared_usb_hub;
  std::vector<int> split(problem.models.size(), 0);
  for (const auto& c : splits.cuts) {
    if (c.model < 0 || static_cast<size_t>(c.model) >= split.size()) return InvalidArgumentError("plan: a cut names no model");
    ++split[static_cast<size_t>(c.model)];
  }
  for (const auto& r : splits.replications) {
    if (r.model < 0 || static_cast<size_t>(r.model) >= split.size()) {
      return InvalidArgumentError("plan: a replication names no model");
    }
    if (r.replicas < 2) return InvalidArgumentError(fmt::format("plan: {} replicas (at least 2)", r.replicas));
    if (!r.shares.empty()) {
      double sum = 0;
      bool positive = r.shares.size() == static_cast<size_t>(r.replicas);
      for (double s : r.shares) {
        positive = positive && std::isfinite(s) && s > 0;
        sum += s;
      }
      if (!positive || std::abs(sum - 1) > 1e-6) {
        return InvalidArgumentError(fmt::format("plan: the shares of '{}''s {} replicas must be {} positive numbers summing "
                                                "to 1 (got {})",
                                                problem.models.at(static_cast<size_t>(r.model)).name, r.replicas,
                                                r.replicas, fmt::join(r.shares, ", ")));
      }
    }
    ++split[static_cast<size_t>(r.model)];
  }
  for (size_t i = 0; i < problem.models.size(); ++i) {
    const PlanModel& m = problem.models[i];
    if (split[i] > 1) return InvalidArgumentError(fmt::format("plan: '{}' is split twice", m.name));
    const auto cut = std::find_if(splits.cuts.begin(), splits.cuts.end(),
                                  [&](const Segmentation& c) { return c.model == static_cast<int>(i); });
    const auto rep = std::find_if(splits.replications.begin(), splits.replications.end(),
                                  [&](const Replication& r) { return r.model == static_cast<int>(i); });
    if (rep != splits.replications.end()) {
      if (m.split_of >= 0) return InvalidArgumentError(fmt::format("plan: '{}' is already a part", m.name));
      for (int r = 0; r < rep->replicas; ++r) {
        PlanModel replica = m;
        replica.name = fmt::format("{} [replica {}/{}]", m.name, r + 1, rep->replicas);
        replica.rate_hz = m.rate_hz * rep->ShareOf(r);
        replica.split_of = static_cast<int>(i);
        replica.part = r;
        replica.parts = rep->replicas;
        replica.replica = true;
        replica.source_name = m.name;
        out->models.push_back(std::move(replica));
      }
      continue;
    }
    if (cut == splits.cuts.end()) {
      out->models.push_back(m);
      continue;
    }
    ETPU_ASSIGN_OR_RETURN(const ir::Model* source, SourceModel(problem, static_cast<int>(i)));
    ETPU_RETURN_IF_ERROR(CheckStages(*source, m.name, cut->stages()));
    const int k = cut->stages();
    for (int s = 0; s < k; ++s) {
      const int first = cut->starts[static_cast<size_t>(s)];
      const int end = s + 1 < k ? cut->starts[static_cast<size_t>(s) + 1] : static_cast<int>(source->ops.size());
      PlanModel stage;
      stage.name = fmt::format("{} [stage {}/{}]", m.name, s + 1, k);
      stage.file = driver::SegmentStem(driver::ModelStem(m.file), s, k) + ".tflite";
      stage.from_zoo = m.from_zoo;
      stage.rate_hz = m.rate_hz;
      stage.slo_ms = m.slo_ms;  // the pipeline's; each stage is held to its share (evaluate.h)
      ETPU_ASSIGN_OR_RETURN(stage.bytes, driver::SegmentSource(*source, first, end));
      stage.parsed = ParseModel(stage.bytes, stage.file);
      stage.split_of = static_cast<int>(i);
      stage.part = s;
      stage.parts = k;
      stage.source_name = m.name;
      out->models.push_back(std::move(stage));
    }
  }
  return out;
}

}  // namespace etpu::planner
