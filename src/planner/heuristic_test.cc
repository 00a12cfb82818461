// The heuristic (planner/heuristic.h): on instances small enough for the exact search it never
// beats the exact optimum, and neither does any plan beat its lower bound; beyond the exact
// search's limits it returns a valid plan no worse than the best baseline, within its bound.
#include <optional>
#include <random>

#include <gtest/gtest.h>

#include "planner/heuristic.h"
#include "planner/search.h"
#include "planner/test_problems.h"

namespace etpu::planner {
namespace {

Objective BestBaseline(GroupCoster& coster) {
  std::optional<Objective> best;
  for (const auto& name : BaselineNames()) {
    auto plan = BaselinePlan(coster, name);
    if (!plan.ok()) continue;
    auto e = EvaluatePlan(coster, *plan);
    if (e.ok() && (!best || Better(e->objective, *best))) best = e->objective;
  }
  EXPECT_TRUE(best.has_value());
  return best.value_or(Objective{});
}

TEST(PlanHeuristicTest, NeverBeatsTheExactOptimumAndRespectsItsBound) {
  const std::vector<std::string> pool = {"mobilenet_v1_1.0_224", "mobilenet_v2_1.0_224", "mobilenet_v1_0.75_192",
                                         "mobilenet_v1_0.5_160", "efficientnet_edgetpu_s", "mobilenet_v1_0.25_128"};
  const std::vector<std::vector<std::string>> device_sets = {{"usb3"}, {"usb3", "usb3"}, {"usb3", "pcie", "usb2"}};
  std::mt19937 rng(1414);
  int instances = 0, optimal = 0, improved = 0;
  testing::ForRandomInstances(pool, device_sets, 3, 4, rng, [&](GroupCoster& coster, GroupCoster&, size_t) {
    auto exact = PlanExact(coster);
    ASSERT_TRUE(exact.ok()) << exact.status().message();
    auto h = PlanHeuristic(coster);
    ASSERT_TRUE(h.ok()) << h.status().message();
    ++instances;
    EXPECT_FALSE(Better(h->eval.objective, exact->objective)) << "instance " << instances;
    // The bound holds for the optimum, hence for every plan.
    EXPECT_LE(h->lower_bound_utilisation, exact->objective.max_utilisation * (1 + 1e-9)) << "instance " << instances;
    EXPECT_GE(h->gap(), -1e-9);
    EXPECT_LE(h->gap(), 1.0);
    const Objective baseline = BestBaseline(coster);
    EXPECT_FALSE(Better(baseline, h->eval.objective)) << "instance " << instances;
    if (!Better(exact->objective, h->eval.objective)) ++optimal;
    if (Better(h->eval.objective, baseline)) ++improved;
  });
  EXPECT_EQ(instances, 48);
  EXPECT_GT(improved, 0);  // the local search does something beyond the baselines
  std::printf("heuristic: %d instances, %d exact optima found, %d better than every baseline\n", instances, optimal,
              improved);
}

TEST(PlanHeuristicTest, BeyondTheExactLimitsAValidPlanWithinItsBound) {
  std::vector<std::string> names;
  for (const char* w : {"0.25", "0.5", "0.75", "1.0"}) {
    for (const char* s : {"128", "160", "192"}) names.push_back(std::string("mobilenet_v1_") + w + "_" + s);
  }
  std::vector<double> rates;
  for (size_t i = 0; i < names.size(); ++i) rates.push_back(5.0 + 7.0 * static_cast<double>(i % 5));
  Problem p = testing::ZooProblem(names, {"usb3", "usb3", "pcie", "usb2", "usb3"}, rates);
  auto coster = GroupCoster::Create(p);
  ASSERT_TRUE(coster.ok()) << coster.status().message();
  EXPECT_FALSE(PlanExact(**coster).ok());  // 12 models x 5 TPUs: beyond the exact search
  HeuristicStats st;
  auto h = PlanHeuristic(**coster, {}, &st);
  ASSERT_TRUE(h.ok()) << h.status().message();
  auto again = EvaluatePlan(**coster, h->eval.plan);  // every model placed once, every group compiles
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_FALSE(Better(BestBaseline(**coster), h->eval.objective));
  EXPECT_LE(h->lower_bound_utilisation, h->eval.objective.max_utilisation * (1 + 1e-9));
  EXPECT_GT(st.moves_evaluated, 0);
  EXPECT_FALSE(st.budget_exhausted);
  std::printf("heuristic 12 x 5: start %s, %lld moves costed, %lld taken, headroom %.3f, bound %.3f, gap %.1f%%\n",
              st.start.c_str(), static_cast<long long>(st.moves_evaluated), static_cast<long long>(st.moves_accepted),
              h->eval.objective.headroom(), h->headroom_bound(), 100 * h->gap());
}

}  // namespace
}  // namespace etpu::planner
