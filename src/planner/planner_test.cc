#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "device/scenarios.h"
#include "planner/search.h"
#include "planner/test_problems.h"

namespace etpu::planner {
namespace {

using testing::ZooProblem;

TEST(ModelDemandTest, ParsesAndRejects) {
  auto d = ParseModelDemand("dir/a@b.tflite@12.5");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->model, "dir/a@b.tflite");
  EXPECT_EQ(d->rate_hz, 12.5);
  for (const char* bad : {"model", "model@", "@30", "model@0", "model@-3", "model@abc", "model@inf", "model@nan",
                          "model@3x"}) {
    EXPECT_FALSE(ParseModelDemand(bad).ok()) << bad;
  }
  EXPECT_FALSE(d->slo_ms.has_value());
  for (const char* with_slo : {"m@30:25ms", "m@30:25"}) {
    auto s = ParseModelDemand(with_slo);
    ASSERT_TRUE(s.ok()) << with_slo;
    EXPECT_EQ(s->model, "m");
    EXPECT_EQ(s->rate_hz, 30);
    EXPECT_EQ(s->slo_ms, 25);
  }
  for (const char* bad : {"m@30:", "m@30:ms", "m@30:0ms", "m@30:-5ms", "m@30:abc", "m@30:5s", "m@:5ms", "m@30:infms"}) {
    auto s = ParseModelDemand(bad);
    EXPECT_FALSE(s.ok()) << bad;
  }
  EXPECT_NE(ParseModelDemand("m@30:0ms").status().message().find("latency objective of 'm'"), std::string::npos);
}

TEST(MakeProblemTest, ClearErrors) {
  const auto& catalog = testing::Catalog();
  auto unknown = MakeProblem({{"no_such_model", 10}}, {"usb3"}, catalog, std::nullopt);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("no_such_model"), std::string::npos);
  EXPECT_FALSE(MakeProblem({{"mobilenet_v1_0.25_128", 10}}, {}, catalog, std::nullopt).ok());
  EXPECT_FALSE(MakeProblem({}, {"usb3"}, catalog, std::nullopt).ok());
  EXPECT_FALSE(MakeProblem({{"mobilenet_v1_0.25_128", 0}}, {"usb3"}, catalog, std::nullopt).ok());
  EXPECT_FALSE(MakeProblem({{"mobilenet_v1_0.25_128", 10}}, {"floppy"}, catalog, std::nullopt).ok());
  EXPECT_FALSE(
      MakeProblem({{"mobilenet_v1_0.25_128", 1}, {"mobilenet_v1_0.25_128", 2}}, {"usb3"}, catalog, std::nullopt).ok());
  auto ok = MakeProblem({{"mobilenet_v1_0.25_128", 10}}, {"usb3", "pcie"}, catalog, device::Clock::kStd);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->models[0].file, "mobilenet_v1_0.25_128.tflite");
  EXPECT_EQ(ok->ClockOf(1), device::Clock::kStd);
}

// The switch model's utilisation against the one switching simulator (device::EstimateSwitching,
// libedgetpu's token rule) run over a long random sequence drawn with the same demands.
// Behind one USB hub, the USB TPUs share its bandwidth (device::ShareLink); a PCIe TPU keeps its
// link. A model that streams takes longer there, and the plan's headroom can only fall.
TEST(MakeProblemTest, SharedUsbHubSplitsTheUsbBandwidth) {
  const auto& catalog = testing::Catalog();
  const std::vector<ModelDemand> models = {{"efficientnet_edgetpu_l", 10}, {"mobilenet_v1_0.25_128", 30}};
  auto apart = MakeProblem(models, {"usb3", "usb3", "pcie"}, catalog, std::nullopt);
  auto hub = MakeProblem(models, {"usb3", "usb3", "pcie"}, catalog, std::nullopt, /*shared_usb_hub=*/true);
  ASSERT_TRUE(apart.ok() && hub.ok());
  EXPECT_FALSE(apart->shared_usb_hub);
  EXPECT_TRUE(hub->shared_usb_hub);
  auto shared = device::ShareLink(apart->devices[0], 2);
  ASSERT_TRUE(shared.ok());
  for (int d = 0; d < 2; ++d) {
    EXPECT_DOUBLE_EQ(hub->devices[static_cast<size_t>(d)].h2d_bytes_per_s, shared->h2d_bytes_per_s);
    EXPECT_DOUBLE_EQ(hub->devices[static_cast<size_t>(d)].h2d_bytes_per_s, apart->devices[0].h2d_bytes_per_s / 2);
  }
  EXPECT_DOUBLE_EQ(hub->devices[2].h2d_bytes_per_s, apart->devices[2].h2d_bytes_per_s);
  auto c_apart = GroupCoster::Create(*apart);
  auto c_hub = GroupCoster::Create(*hub);
  ASSERT_TRUE(c_apart.ok() && c_hub.ok());
  auto g_apart = (*c_apart)->Cost({0});
  auto g_hub = (*c_hub)->Cost({0});
  ASSERT_TRUE(g_apart.ok() && g_hub.ok());
  ASSERT_GT((*g_apart)->members[0].offchip_bytes, 0) << "the model streams";
  const size_t usb = static_cast<size_t>((*c_apart)->KindOf(0)), pcie = static_cast<size_t>((*c_apart)->KindOf(2));
  EXPECT_GT((*g_hub)->members[0].later_ms[usb], (*g_apart)->members[0].later_ms[usb]);
  EXPECT_DOUBLE_EQ((*g_hub)->members[0].later_ms[pcie], (*g_apart)->members[0].later_ms[pcie]);
  auto e_apart = PlanExact(**c_apart);
  auto e_hub = PlanExact(**c_hub);
  ASSERT_TRUE(e_apart.ok() && e_hub.ok());
  EXPECT_LE(e_hub->objective.headroom(), e_apart->objective.headroom() * (1 + 1e-9));
}

TEST(SwitchModelTest, MatchesTokenRuleSimulationOfPoissonSequence) {
  Problem p = ZooProblem({"mobilenet_v1_1.0_224", "mobilenet_v1_0.75_192", "mobilenet_v1_0.5_160"}, {"usb3"},
                         {30, 10, 5});
  auto coster = GroupCoster::Create(p);
  ASSERT_TRUE(coster.ok());
  const std::vector<std::vector<int>> groups = {{0}, {1, 2}};
  auto e = EvaluateDevice(**coster, 0, groups);
  ASSERT_TRUE(e.ok()) << e.status().message();
  std::vector<device::ScheduledModel> scheduled(3);
  for (size_t g = 0; g < groups.size(); ++g) {
    auto c = (*coster)->Cost(groups[g]);
    ASSERT_TRUE(c.ok());
    for (const auto& m : (*c)->members) {
      ASSERT_EQ(m.cost->edgetpu_ops.size(), 1u);  // one region: the simulator's query is the model's
      scheduled[static_cast<size_t>(m.model)].query = m.cost->edgetpu_ops[0].query;
      scheduled[static_cast<size_t>(m.model)].caching_token = 100 + g;
    }
  }
  std::mt19937 rng(7);
  std::discrete_distribution<int> pick({30, 10, 5});
  std::vector<int> sequence(200000);
  for (int& s : sequence) s = pick(rng);
  auto sim = device::EstimateSwitching(scheduled, sequence, p.chip, p.devices[0], p.ClockOf(0));
  ASSERT_TRUE(sim.ok());
  int switches = 0;
  for (size_t k = 1; k < sequence.size(); ++k) switches += (sequence[k] == 0) != (sequence[k - 1] == 0);
  const double seconds = static_cast<double>(sequence.size()) / 45.0;
  const double simulated_utilisation = sim->total_ms / 1000.0 / seconds;
  EXPECT_NEAR(e->utilisation, simulated_utilisation, 0.01 * simulated_utilisation);
  EXPECT_NEAR(e->switches_per_s, switches / seconds, 0.02 * switches / seconds);
  EXPECT_GT(sim->param_loads, 1000);  // switches happen and cost something
  // One group only: no reloads at all.
  auto one = EvaluateDevice(**coster, 0, {{0, 1, 2}});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->switches_per_s, 0);
  for (const auto& l : one->groups[0]) EXPECT_EQ(l.reload_probability, 0);
}

TEST(EvaluatePlanTest, RejectsPlansThatDoNotPlaceEveryModelOnce) {
  Problem p = ZooProblem({"mobilenet_v1_0.25_128", "mobilenet_v1_0.5_160"}, {"usb3", "usb3"});
  auto coster = GroupCoster::Create(p);
  ASSERT_TRUE(coster.ok());
  EXPECT_FALSE(EvaluatePlan(**coster, Plan{{{{0}}, {}}}).ok());            // model 1 missing
  EXPECT_FALSE(EvaluatePlan(**coster, Plan{{{{0, 1}}, {{1}}}}).ok());      // model 1 twice
  EXPECT_FALSE(EvaluatePlan(**coster, Plan{{{{0, 1}}}}).ok());             // one device short
  auto ok = EvaluatePlan(**coster, Plan{{{{0}}, {{1}}}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->objective.groups, 2);
  const double u0 = 10 * ok->devices[0].groups[0][0].later_ms / 1000;
  EXPECT_DOUBLE_EQ(ok->devices[0].utilisation, u0);
}

TEST(BaselineTest, Shapes) {
  Problem p = ZooProblem({"mobilenet_v1_0.25_128", "mobilenet_v1_0.5_160", "mobilenet_v1_0.75_192"}, {"usb3", "usb3"},
                         {5, 50, 20});
  auto coster = GroupCoster::Create(p);
  ASSERT_TRUE(coster.ok());
  auto one = BaselinePlan(**coster, "one-per-tpu");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->devices[0], (std::vector<std::vector<int>>{{0}, {2}}));
  EXPECT_EQ(one->devices[1], (std::vector<std::vector<int>>{{1}}));
  auto all = BaselinePlan(**coster, "all-cocompiled");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->devices[0], (std::vector<std::vector<int>>{{0, 1, 2}}));
  EXPECT_TRUE(all->devices[1].empty());
  auto greedy = BaselinePlan(**coster, "greedy");
  ASSERT_TRUE(greedy.ok());
  // 50 Hz first onto TPU 0, 20 Hz onto the then least loaded TPU 1, 5 Hz onto the lesser of both.
  EXPECT_EQ(greedy->devices[0].size() + greedy->devices[1].size(), 2u);
  EXPECT_EQ(greedy->devices[0][0].front(), 1);
  EXPECT_EQ(greedy->devices[1][0].front(), 2);
  EXPECT_FALSE(BaselinePlan(**coster, "magic").ok());
}

TEST(PlanExactTest, LimitsAndStats) {
  Problem p = ZooProblem({"mobilenet_v1_0.25_128", "mobilenet_v1_0.5_160", "mobilenet_v1_0.75_192"}, {"usb3"});
  auto coster = GroupCoster::Create(p);
  ASSERT_TRUE(coster.ok());
  SearchStats st;
  auto e = PlanExact(**coster, &st);
  ASSERT_TRUE(e.ok()) << e.status().message();
  // Compiler 16: small models fit whole, no ties, so one order per set (7 sets), not 3 + 6 + 6.
  EXPECT_EQ(st.ordered_groups, 7);
  EXPECT_EQ(st.candidate_groups, 7);
  Problem many = ZooProblem({"mobilenet_v1_0.25_128"}, {"usb3", "usb3", "usb3", "usb3", "usb3"});
  auto c5 = GroupCoster::Create(many);
  ASSERT_TRUE(c5.ok());
  EXPECT_FALSE(PlanExact(**c5).ok());
}

}  // namespace
}  // namespace etpu::planner
