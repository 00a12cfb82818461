// Pipelining: the compiler's -n cuts, the profiling partitioner against every cut, stages as plan
// items (same demand, never two on one TPU), and a streaming model that the plan pipelines.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

#include "planner/pipeline.h"
#include "planner/solve.h"
#include "planner/test_problems.h"

namespace etpu::planner {
namespace {

using testing::ZooProblem;

int Operators(const Problem& p, int model) {
  StageProfiler profiler(p, model, 0);
  return profiler.operators();
}

// The split search on a zoo problem, with everything it needs kept alive.
struct SplitRun {
  Problem problem;
  std::unique_ptr<GroupCoster> coster;
  std::optional<Solution> whole;
  Profilers profilers;
  SplitSearchStats stats;
  std::optional<std::pair<SplitProblem, Solution>> split;
};

std::unique_ptr<SplitRun> RunSplitSearch(const std::vector<std::string>& models, const std::vector<std::string>& hosts,
                                         std::vector<double> rates) {
  auto run = std::make_unique<SplitRun>();
  run->problem = ZooProblem(models, hosts, std::move(rates));
  auto coster = GroupCoster::Create(run->problem);
  EXPECT_TRUE(coster.ok()) << coster.status().message();
  if (!coster.ok()) return run;
  run->coster = std::move(coster).value();
  auto whole = Solve(*run->coster);
  EXPECT_TRUE(whole.ok());
  if (!whole.ok()) return run;
  run->whole = std::move(whole).value();
  auto split = BestSplitPlan(run->problem, *run->coster, run->profilers, *run->whole, &run->stats);
  EXPECT_TRUE(split.ok()) << split.status().message();
  if (split.ok()) run->split = std::move(split).value();
  return run;
}

TEST(PipelineTest, ParameterEqualCutsAreTheCompilersOwnSplit) {
  Problem p = ZooProblem({"mobilenet_v1_0.5_160"}, {"usb3"});
  for (int k : {2, 3}) {
    auto cuts = ParameterEqualCuts(p, 0, k);
    ASSERT_TRUE(cuts.ok()) << cuts.status().message();
    ASSERT_EQ(cuts->stages(), k);
    CompileOptions options;
    options.num_segments = k;
    std::vector<ModelInput> in{ModelInput::FromParsed(p.models[0].parsed)};
    auto r = Compile(in, options);
    ASSERT_TRUE(r.ok() && r->ok);
    ASSERT_EQ(r->models.size(), static_cast<size_t>(k));
    for (int s = 0; s < k; ++s) {
      const int end = s + 1 < k ? cuts->starts[static_cast<size_t>(s) + 1] : Operators(p, 0);
      EXPECT_EQ(static_cast<int>(r->models[static_cast<size_t>(s)].operators.size()), end - cuts->starts[static_cast<size_t>(s)])
          << "segment " << s << " of " << k;
    }
  }
  EXPECT_FALSE(ParameterEqualCuts(p, 0, 1).ok());
  EXPECT_FALSE(ParameterEqualCuts(p, 0, Operators(p, 0) + 1).ok());
}

// With two stages the min-max split can be found by trying every cut: the partitioner's slowest
// stage is within its bisection tolerance of the best cut at a block boundary, and below the whole
// model's time (a chain, and a model with residual blocks).
TEST(PipelineTest, ProfilingCutsMatchTheBestOfEveryTwoStageCut) {
  for (const char* name : {"mobilenet_v1_0.25_128", "mobilenet_v2_1.0_224"}) {
    Problem p = ZooProblem({name}, {"usb3"});
    StageProfiler profiler(p, 0, 0);
    const int n = profiler.operators();
    double best = std::numeric_limits<double>::infinity();
    ASSERT_FALSE(profiler.CleanCuts().empty()) << name;
    for (int b : profiler.CleanCuts()) {
      ASSERT_GT(b, 0);
      ASSERT_LT(b, n);
      auto head = profiler.SteadyMs(0, b);
      auto tail = profiler.SteadyMs(b, n);
      ASSERT_TRUE(head.ok() && tail.ok());
      best = std::min(best, std::max(*head, *tail));
    }
    auto cuts = ProfilingCuts(profiler, 0, 2, 0.01);
    ASSERT_TRUE(cuts.ok()) << cuts.status().message();
    auto slowest = SlowestStageMs(profiler, *cuts);
    ASSERT_TRUE(slowest.ok());
    EXPECT_LE(*slowest, best * 1.01) << name << ": cut before operator " << cuts->starts[1];
    auto whole = profiler.SteadyMs(0, n);
    ASSERT_TRUE(whole.ok());
    EXPECT_LT(*slowest, *whole) << name;
  }
}

// Never worse than the compiler's -n split it starts from.
TEST(PipelineTest, ProfilingCutsAreNeverWorseThanTheParameterEqualSplit) {
  for (const char* name : {"mobilenet_v1_0.5_160", "mobilenet_v2_1.0_224"}) {
    Problem p = ZooProblem({name}, {"usb3"});
    StageProfiler profiler(p, 0, 0);
    for (int k : {2, 3}) {
      auto cuts = ProfilingCuts(profiler, 0, k, 0.02);
      ASSERT_TRUE(cuts.ok()) << cuts.status().message();
      EXPECT_EQ(cuts->stages(), k);
      EXPECT_TRUE(std::is_sorted(cuts->starts.begin(), cuts->starts.end()));
      auto equal = ParameterEqualCuts(p, 0, k);
      ASSERT_TRUE(equal.ok());
      auto a = SlowestStageMs(profiler, *cuts), b = SlowestStageMs(profiler, *equal);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_LE(*a, *b) << name << " k=" << k;
    }
  }
}

TEST(PipelineTest, StagesKeepTheDemandAndNeverShareATpu) {
  Problem p = ZooProblem({"mobilenet_v1_0.25_128", "mobilenet_v1_0.5_160"}, {"usb3", "usb3"}, {20, 7});
  auto cuts = ParameterEqualCuts(p, 1, 2);
  ASSERT_TRUE(cuts.ok());
  auto derived = ApplySplits(p, Splits{{*cuts}, {}});
  ASSERT_TRUE(derived.ok()) << derived.status().message();
  const Problem& d = **derived;
  ASSERT_EQ(d.models.size(), 3u);
  EXPECT_EQ(d.models[0].split_of, -1);
  for (int s = 0; s < 2; ++s) {
    const PlanModel& m = d.models[static_cast<size_t>(1 + s)];
    EXPECT_EQ(m.split_of, 1);
    EXPECT_EQ(m.part, s);
    EXPECT_EQ(m.parts, 2);
    EXPECT_EQ(m.rate_hz, 7);
    EXPECT_EQ(m.file, "mobilenet_v1_0.5_160_segment_" + std::to_string(s) + "_of_2.tflite");
  }
  auto coster = GroupCoster::Create(d);
  ASSERT_TRUE(coster.ok()) << coster.status().message();
  Plan together{{{{0}, {1, 2}}, {}}};
  EXPECT_FALSE(EvaluatePlan(**coster, together).ok());
  Plan apart_groups{{{{1}, {2}}, {{0}}}};
  EXPECT_FALSE(EvaluatePlan(**coster, apart_groups).ok());
  Plan apart{{{{0}, {1}}, {{2}}}};
  auto e = EvaluatePlan(**coster, apart);
  ASSERT_TRUE(e.ok()) << e.status().message();
  auto exact = PlanExact(**coster);
  ASSERT_TRUE(exact.ok()) << exact.status().message();
  for (const auto& dev : exact->plan.devices) EXPECT_TRUE(d.PartsApart(dev));
}

// A model that streams alone at a rate one TPU cannot serve: on two TPUs it can be pipelined or
// replicated. The plan takes the better of the two (each solved on its own here), beats the
// whole-model plan, and is never worse than either pipelining baseline.
TEST(PipelineTest, AStreamingModelIsSplitWhenThatRaisesTheHeadroom) {
  auto run = RunSplitSearch({"inception_v2_224"}, {"usb3", "usb3"}, {60});
  ASSERT_TRUE(run->coster && run->whole);
  const Problem& p = run->problem;
  auto& coster = run->coster;
  auto& whole = run->whole;
  auto& profilers = run->profilers;
  const SplitSearchStats& stats = run->stats;
  ASSERT_EQ(StreamingModels(*coster), std::vector<int>{0});
  ASSERT_TRUE(run->split.has_value());
  const auto& [sp, solution] = *run->split;
  EXPECT_EQ(stats.combinations, 2);  // two stages, or two replicas
  EXPECT_GT(solution.best.eval.objective.headroom(), whole->best.eval.objective.headroom());
  for (const auto& dev : solution.best.eval.plan.devices) EXPECT_EQ(dev.size(), 1u);
  auto cuts = ProfilingCuts(*profilers.at(0), 0, 2);
  ASSERT_TRUE(cuts.ok());
  for (const Splits& option : {Splits{{*cuts}, {}}, Splits{{}, {Replication{0, 2}}}}) {
    auto alone = MakeSplitProblem(p, coster.get(), option);
    ASSERT_TRUE(alone.ok()) << alone.status().message();
    auto solved = Solve(*alone->coster);
    ASSERT_TRUE(solved.ok());
    EXPECT_FALSE(Better(solved->best.eval.objective, solution.best.eval.objective));
  }
  // The bound over every splitting choice holds for the plan found; it is looser than the
  // whole-model bound (a model's term is shared by its parts).
  EXPECT_LE(solution.best.eval.objective.headroom(), solution.best.headroom_bound() * (1 + 1e-9));
  EXPECT_GE(solution.best.headroom_bound(), whole->best.headroom_bound());
  for (const auto& name : PipelineBaselineNames()) {
    auto b = MakePipelineBaseline(p, *coster, profilers, name);
    ASSERT_TRUE(b.ok()) << b.status().message();
    ASSERT_TRUE(b->split.coster) << name << " cuts the model";
    auto e = EvaluatePlan(*b->split.coster, b->plan);
    ASSERT_TRUE(e.ok()) << e.status().message();
    EXPECT_FALSE(Better(e->objective, solution.best.eval.objective)) << name;
  }
}

// A model that fits but is too busy for one TPU is replicated: each replica serves an equal share
// on its own TPU, and the headroom grows with the replicas.
// Three MobileNet v1 1.0 (4.3 MiB of parameters each) on two TPUs: whole, two of them share a TPU
// and stream; all three fit the two SRAMs, so a model that fits alone is a pipelining candidate
// too, and the plan cuts one into two stages, each co-compiled beside another model, with nothing
// streamed and more headroom than the best plan of whole models.
TEST(PipelineTest, AModelThatFitsAloneIsCutWhenItsStagesFitBesideOthers) {
  auto run = RunSplitSearch({"mobilenet_v1_1.0_224", "mobilenet_v1_1.0_192", "mobilenet_v1_1.0_160"}, {"usb3", "usb3"},
                            {100, 100, 100});
  ASSERT_TRUE(run->coster && run->whole);
  EXPECT_TRUE(StreamingModels(*run->coster).empty());
  ASSERT_GT(run->whole->best.eval.objective.streamed_mb_s, 0) << "whole models do not crowd the TPUs here";
  ASSERT_TRUE(run->split.has_value()) << "no split beats the whole models";
  const auto& [sp, solution] = *run->split;
  ASSERT_EQ(sp.splits.cuts.size(), 1u);
  EXPECT_EQ(sp.splits.cuts[0].stages(), 2);
  EXPECT_EQ(solution.best.eval.objective.streamed_mb_s, 0);
  EXPECT_GT(solution.best.eval.objective.headroom(), 1.1 * run->whole->best.eval.objective.headroom());
  for (const auto& dev : solution.best.eval.plan.devices) {  // each stage shares its TPU with a whole model
    ASSERT_EQ(dev.size(), 1u);
    EXPECT_EQ(dev[0].size(), 2u);
  }
}

TEST(PipelineTest, ABusyModelIsReplicatedOverTheTpus) {
  auto run = RunSplitSearch({"mobilenet_v1_1.0_224"}, {"usb3", "usb3", "usb3"}, {400});
  ASSERT_TRUE(run->coster && run->whole);
  auto& whole = run->whole;
  const SplitSearchStats& stats = run->stats;
  ASSERT_TRUE(StreamingModels(*run->coster).empty());
  ASSERT_TRUE(run->split.has_value());
  const auto& [sp, solution] = *run->split;
  EXPECT_EQ(stats.combinations, 2);  // 2 or 3 replicas (it does not stream: no stages)
  EXPECT_EQ(stats.profiling_compilations, 0);
  ASSERT_EQ(sp.splits.replications.size(), 1u);
  EXPECT_EQ(sp.splits.replications[0].replicas, 3);
  ASSERT_EQ(sp.problem->models.size(), 3u);
  for (const auto& m : sp.problem->models) {
    EXPECT_TRUE(m.replica);
    EXPECT_DOUBLE_EQ(m.rate_hz, 400.0 / 3);
    EXPECT_EQ(m.file, "mobilenet_v1_1.0_224.tflite");
  }
  for (const auto& dev : solution.best.eval.plan.devices) EXPECT_EQ(dev.size(), 1u);
  // Same service time, a third of the demand on each TPU.
  EXPECT_NEAR(solution.best.eval.objective.headroom(), 3 * whole->best.eval.objective.headroom(),
              1e-6 * whole->best.eval.objective.headroom());
  EXPECT_LE(solution.best.eval.objective.headroom(), solution.best.headroom_bound() * (1 + 1e-9));
}

// The split search stops at its time budget, between combinations, and says so.
TEST(PipelineTest, TheSplitSearchKeepsItsBudget) {
  Problem p = ZooProblem({"mobilenet_v1_1.0_224"}, {"usb3", "usb3"}, {400});
  auto coster = GroupCoster::Create(p);
  ASSERT_TRUE(coster.ok());
  auto whole = Solve(**coster);
  ASSERT_TRUE(whole.ok());
  Profilers profilers;
  SplitSearchStats stats;
  SplitSearchOptions none;
  none.max_seconds = 0;
  auto split = BestSplitPlan(p, **coster, profilers, *whole, &stats, none);
  ASSERT_TRUE(split.ok());
  EXPECT_FALSE(split->has_value());
  EXPECT_TRUE(stats.budget_exhausted);
  EXPECT_EQ(stats.combinations, 0);
}

TEST(PipelineTest, SplitsAreChecked) {
  Problem p = ZooProblem({"mobilenet_v1_0.25_128"}, {"usb3", "usb3"});
  EXPECT_FALSE(ApplySplits(p, Splits{{}, {Replication{0, 1}}}).ok());
  EXPECT_FALSE(ApplySplits(p, Splits{{}, {Replication{3, 2}}}).ok());
  auto cuts = ParameterEqualCuts(p, 0, 2);
  ASSERT_TRUE(cuts.ok());
  EXPECT_FALSE(ApplySplits(p, Splits{{*cuts}, {Replication{0, 2}}}).ok());
}

}  // namespace
}  // namespace etpu::planner
