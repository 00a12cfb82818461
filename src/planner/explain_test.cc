// ExplainPlan: every reason is a real alternative, priced by the same cost, and none beats the
// exact optimum; co-compiled groups and every model's placement are explained.
#include "planner/explain.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "planner/search.h"
#include "planner/test_problems.h"

namespace etpu::planner {
namespace {

using testing::ZooProblem;

void ExpectExplained(const Problem& problem) {
  auto coster = GroupCoster::Create(problem);
  ASSERT_TRUE(coster.ok()) << coster.status().message();
  auto best = PlanExact(**coster);
  ASSERT_TRUE(best.ok()) << best.status().message();
  auto explained = ExplainPlan(**coster, *best);
  ASSERT_TRUE(explained.ok()) << explained.status().message();
  std::set<int> placed_explained;
  int co_compiled_groups = 0, co_compiled_explained = 0;
  for (const auto& device : best->plan.devices) {
    for (const auto& group : device) co_compiled_groups += group.size() > 1;
  }
  for (const Explanation& e : *explained) {
    SCOPED_TRACE(e.text);
    EXPECT_FALSE(e.text.empty());
    EXPECT_NE(e.text.find(problem.models[static_cast<size_t>(e.models.at(0))].name), std::string::npos);
    if (!e.alternative_ok) {
      EXPECT_FALSE(e.alternative_error.empty());
      continue;
    }
    // The alternative is priced by the one cost, and the exact optimum is never beaten.
    auto again = EvaluatePlan(**coster, e.alternative);
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_DOUBLE_EQ(again->objective.max_utilisation, e.alternative_objective.max_utilisation);
    EXPECT_FALSE(Better(e.alternative_objective, best->objective));
    EXPECT_NE(e.text.find(fmt::format("{:.3f}", e.alternative_objective.headroom())), std::string::npos);
    if (e.kind == "placement") placed_explained.insert(e.models.at(0));
    if (e.kind == "co_compiled") ++co_compiled_explained;
  }
  EXPECT_EQ(co_compiled_explained, co_compiled_groups);
  if (problem.devices.size() > 1) {
    EXPECT_EQ(placed_explained.size(), problem.models.size());
  }
}

TEST(ExplainPlanTest, TwoTpusEveryModelAndGroupIsExplained) {
  ExpectExplained(ZooProblem({"mobilenet_v1_0.25_128", "mobilenet_v1_0.5_160", "mobilenet_v1_1.0_224"},
                             {"usb3", "usb3"}, {40, 20, 30}));
}

TEST(ExplainPlanTest, OneTpuWithALargeModelExplainsItsGroups) {
  ExpectExplained(ZooProblem({"mobilenet_v1_0.25_128", "mobilenet_v2_1.0_224", "efficientnet_edgetpu_m"},
                             {"usb3"}, {30, 10, 5}));
}

}  // namespace
}  // namespace etpu::planner
