// Unequal replica shares (planner/shares.h): water-filling against brute force, and the planner
// splitting a model's demand over a fast and a slow TPU by their speed.
#include "planner/shares.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "planner/test_problems.h"

namespace etpu::planner {
namespace {

double Level(const std::vector<double>& base, const std::vector<double>& cost, const std::vector<double>& x) {
  double level = 0;
  for (size_t j = 0; j < base.size(); ++j) level = std::max(level, base[j] + cost[j] * x[j]);
  return level;
}

// On random instances the split sums to the demand, every replica that gets a share ends at one
// level and one without a share is already above it, and no split drawn at random (2000 per
// instance, uniform on the simplex) or the equal split has a lower maximum.
TEST(WaterFillTest, EqualisesTheLevelsAndNoOtherSplitHasALowerMaximum) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> base_of(0.0, 0.6), cost_of(1e-4, 1e-2), total_of(1.0, 300.0);
  std::exponential_distribution<double> simplex(1.0);
  for (int instance = 0; instance < 200; ++instance) {
    const size_t r = 2 + static_cast<size_t>(instance % 3);
    std::vector<double> base(r), cost(r);
    for (size_t j = 0; j < r; ++j) base[j] = base_of(rng), cost[j] = cost_of(rng);
    const double total = total_of(rng);
    const std::vector<double> x = WaterFill(base, cost, total);
    ASSERT_EQ(x.size(), r);
    EXPECT_NEAR(std::accumulate(x.begin(), x.end(), 0.0), total, 1e-9 * total);
    double water = 0;  // the level of the replicas that get a share
    for (size_t j = 0; j < r; ++j) {
      ASSERT_GE(x[j], 0);
      if (x[j] > 0) water = std::max(water, base[j] + cost[j] * x[j]);
    }
    for (size_t j = 0; j < r; ++j) {
      if (x[j] > 0) {
        EXPECT_NEAR(base[j] + cost[j] * x[j], water, 1e-9);
      } else {
        EXPECT_GE(base[j], water - 1e-9);
      }
    }
    const double level = Level(base, cost, x);
    EXPECT_LE(level, Level(base, cost, std::vector<double>(r, total / static_cast<double>(r))) + 1e-12);
    for (int k = 0; k < 2000; ++k) {
      std::vector<double> y(r);
      for (double& v : y) v = simplex(rng);
      const double sum = std::accumulate(y.begin(), y.end(), 0.0);
      for (double& v : y) v *= total / sum;
      ASSERT_LE(level, Level(base, cost, y) + 1e-12) << "instance " << instance;
    }
  }
}

TEST(WaterFillTest, RefusesWhatHasNoSplit) {
  EXPECT_TRUE(WaterFill({}, {}, 1).empty());
  EXPECT_TRUE(WaterFill({0.1, 0.2}, {0.01}, 1).empty());
  EXPECT_TRUE(WaterFill({0.1, 0.2}, {0.01, 0}, 1).empty());
  EXPECT_TRUE(WaterFill({0.1, 0.2}, {0.01, 0.02}, 0).empty());
  EXPECT_TRUE(WaterFill({0.1, std::nan("")}, {0.01, 0.02}, 1).empty());
}

TEST(ReplicaSharesTest, SharesThatAreNotOnePositiveSharePerReplicaSummingToOneAreRefused) {
  Problem p = testing::ZooProblem({"mobilenet_v1_0.25_128"}, {"usb3", "usb3"}, {100});
  for (const std::vector<double>& bad : std::vector<std::vector<double>>{{0.5}, {0.7, 0.7}, {1.2, -0.2}, {1.0, 0.0}}) {
    Splits s;
    s.replications.push_back({0, 2, bad});
    auto applied = ApplySplits(p, s);
    ASSERT_FALSE(applied.ok());
    EXPECT_NE(applied.status().message().find("summing to 1"), std::string::npos) << applied.status().message();
  }
  Splits s;
  s.replications.push_back({0, 2, {0.75, 0.25}});
  auto applied = ApplySplits(p, s);
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_DOUBLE_EQ((*applied)->models.at(0).rate_hz, 75);
  EXPECT_DOUBLE_EQ((*applied)->models.at(1).rate_hz, 25);
}

// MobileNet v2 at 300 Hz on a USB 3 and a USB 2 Edge TPU (2.0 and 8.0 ms per inference): with
// equal shares the USB 2 TPU saturates first (a* 1.67, no better than the USB 3 TPU alone); the
// planner splits the demand by speed instead, both TPUs end equally busy, and that beats the equal
// split of the same plan and the whole model alone.
TEST(ReplicaSharesTest, AFastAndASlowTpuShareTheDemandByTheirSpeed) {
  Problem p = testing::ZooProblem({"mobilenet_v2_1.0_224"}, {"usb3", "usb2"}, {300});
  auto coster = GroupCoster::Create(p);
  ASSERT_TRUE(coster.ok()) << coster.status().message();
  auto whole = Solve(**coster);
  ASSERT_TRUE(whole.ok()) << whole.status().message();
  Profilers profilers;
  auto split = BestSplitPlan(p, **coster, profilers, *whole);
  ASSERT_TRUE(split.ok()) << split.status().message();
  ASSERT_TRUE(split->has_value()) << "no split beats the whole model";
  const auto& [sp, solution] = **split;
  ASSERT_EQ(sp.splits.replications.size(), 1u);
  const Replication& rep = sp.splits.replications[0];
  ASSERT_EQ(rep.shares.size(), 2u);
  const PlanEval& e = solution.best.eval;
  ASSERT_EQ(e.devices.size(), 2u);
  // The USB 3 TPU (device 0) takes the larger share, about 4/5, and both are equally busy.
  int on_fast = -1;
  for (const auto& g : e.devices[0].groups) {
    for (const ModelLoad& m : g) on_fast = sp.problem->models.at(static_cast<size_t>(m.model)).part;
  }
  ASSERT_GE(on_fast, 0);
  EXPECT_GT(rep.ShareOf(on_fast), 0.7);
  EXPECT_NEAR(e.devices[0].utilisation, e.devices[1].utilisation, 1e-3 * e.devices[0].utilisation);
  EXPECT_GT(e.objective.headroom(), 1.2 * whole->best.eval.objective.headroom());
  // The same plan with equal shares.
  Splits equal = sp.splits;
  equal.replications[0].shares.clear();
  auto equal_problem = MakeSplitProblem(p, coster->get(), equal);
  ASSERT_TRUE(equal_problem.ok()) << equal_problem.status().message();
  auto equal_eval = EvaluatePlan(*equal_problem->coster, e.plan);
  ASSERT_TRUE(equal_eval.ok()) << equal_eval.status().message();
  EXPECT_TRUE(Better(e.objective, equal_eval->objective));
  EXPECT_GT(e.objective.headroom(), 1.2 * equal_eval->objective.headroom());
}

}  // namespace
}  // namespace etpu::planner
