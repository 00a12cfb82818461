#include "cache/sram_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace etpu::cache {
namespace {

std::string Bar(const std::string& map) {
  std::istringstream in(map);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.front() == '[') return line.substr(1, line.size() - 2);
  }
  return "";
}

CachePlan TwoModels() {
  CachePlan plan;
  plan.budget = {8 << 20, 96 << 10, 1 << 20, (8 << 20) - (96 << 10) - (1 << 20)};
  plan.capacity_bytes = plan.budget.parameter_capacity_bytes;
  ModelPlan a{"first.tflite", {{0, true, 0, 4 << 20}}, 4 << 20, 0};
  ModelPlan b{"second.tflite", {{0, true, 0, 2 << 20}, {1, false, 0, 3 << 20}}, 2 << 20, 3 << 20};
  plan.models = {a, b};
  plan.remaining_bytes = plan.capacity_bytes - (6 << 20);
  plan.token = 0x1234abcd;
  plan.policy = "greedy-in-order";
  return plan;
}

TEST(SramMap, BarIsProportionalAndComplete) {
  const std::string map = RenderSramMap(TwoModels(), 64);
  const std::string bar = Bar(map);
  ASSERT_EQ(bar.size(), 64u) << map;
  // 4 MiB of 8 MiB is half the bar, 2 MiB a quarter.
  EXPECT_NEAR(std::count(bar.begin(), bar.end(), 'A'), 32, 1);
  EXPECT_NEAR(std::count(bar.begin(), bar.end(), 'B'), 16, 1);
  EXPECT_NEAR(std::count(bar.begin(), bar.end(), '~'), 8, 1);
  EXPECT_GE(std::count(bar.begin(), bar.end(), '#'), 1) << "tiny regions still show";
  EXPECT_GE(std::count(bar.begin(), bar.end(), '.'), 1);
  EXPECT_NE(map.find("second.tflite"), std::string::npos);
  EXPECT_NE(map.find("streamed 3.00MiB, layers 1/2 cached"), std::string::npos) << map;
  EXPECT_NE(map.find("0x000000001234abcd"), std::string::npos);
}

TEST(SramMap, CountsLayersNotPieces) {
  CachePlan plan = TwoModels();
  // The second model's layer 1 in two pieces: its 64-byte last piece cached, the rest streamed.
  plan.models[1].layers = {{0, true, 0, 2 << 20}, {1, false, 0, 3 << 20}, {1, true, 2 << 20, 64, 3 << 20}};
  plan.models[1].cached_bytes += 64;
  plan.remaining_bytes -= 64;
  const std::string map = RenderSramMap(plan, 64);
  EXPECT_NE(map.find("layers 1/2 cached"), std::string::npos) << map;
}

TEST(SramMap, WithoutBudgetSpansTheCapacity) {
  CachePlan plan;
  plan.capacity_bytes = 1000;
  plan.remaining_bytes = 1000;
  const std::string bar = Bar(RenderSramMap(plan, 10));
  EXPECT_EQ(bar, "..........");
  EXPECT_EQ(Bar(RenderSramMap(CachePlan{}, 3)).size(), 0u) << "nothing to draw for an empty plan";
}

}  // namespace
}  // namespace etpu::cache
