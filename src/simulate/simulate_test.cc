// The simulator against closed forms it must reproduce, and the planner's predicted utilisation
// and token switches against the simulation, within 2% (issue 14), on plans the planner made.
#include "simulate/simulate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "planner/search.h"
#include "planner/solve.h"
#include "planner/test_problems.h"

namespace etpu::simulate {
namespace {

// The exact plan of `p` and every baseline's, costed.
void ExactAndBaselinePlans(const planner::Problem& p, std::vector<planner::PlanEval>& plans) {
  auto created = planner::GroupCoster::Create(p);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  planner::GroupCoster& coster = **created;
  auto best = planner::PlanExact(coster);
  ASSERT_TRUE(best.ok()) << best.status().ToString();
  plans.push_back(*best);
  for (const std::string& name : planner::BaselineNames()) {
    auto plan = planner::BaselinePlan(coster, name);
    ASSERT_TRUE(plan.ok()) << name;
    auto eval = planner::EvaluatePlan(coster, *plan);
    ASSERT_TRUE(eval.ok()) << name;
    plans.push_back(*eval);
  }
}

// The simulated devices of a costed plan, each with the planner's predictions.
std::vector<SimDevice> SimDevicesOf(const planner::Problem& p, const planner::PlanEval& e) {
  std::vector<SimDevice> devices;
  for (size_t d = 0; d < e.devices.size(); ++d) {
    SimDevice sd;
    sd.name = "device " + std::to_string(d);
    for (const auto& group : e.devices[d].groups) {
      std::vector<SimModel> g;
      for (const planner::ModelLoad& m : group) {
        g.push_back({p.models[static_cast<size_t>(m.model)].name, p.models[static_cast<size_t>(m.model)].rate_hz, m.first_ms, m.later_ms});
      }
      sd.groups.push_back(std::move(g));
    }
    sd.predicted_utilisation = e.devices[d].utilisation;
    sd.predicted_switches_per_s = e.devices[d].switches_per_s;
    devices.push_back(std::move(sd));
  }
  return devices;
}

TEST(SimulateTest, OneGroupReloadsOnceAndMatchesTheOfferedLoad) {
  SimDevice d{"usb:0", {{{"a", 30, 9.0, 2.0}, {"b", 10, 20.0, 5.0}}}, -1, -1};
  auto r = SimulateDevices({d}, {.seconds = 2000, .seed = 3});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SimDeviceResult& x = r->front();
  EXPECT_EQ(x.token_switches_per_s, 0);
  ASSERT_EQ(x.models.size(), 2u);
  EXPECT_EQ(x.models[0].reloads, 1);  // Only the first invocation uploads.
  EXPECT_EQ(x.models[1].reloads, 1);
  const double offered = (30 * 2.0 + 10 * 5.0) / 1000;  // 0.11
  EXPECT_NEAR(x.utilisation, offered, 0.02 * offered);
  EXPECT_NEAR(x.models[0].throughput_hz, 30, 0.5);
  EXPECT_GE(x.models[0].latency_p99_ms, x.models[0].latency_p50_ms);
  EXPECT_GE(x.models[0].latency_p50_ms, 2.0);
}

// Two groups of one model each, alternating at random: every switch makes the next model reload,
// so q = 1 - p for each (the closed form of docs/PLANNER.md §3 with one model per group).
TEST(SimulateTest, TwoSeparateModelsReloadAsOftenAsTheOtherRanBetween) {
  SimDevice d{"usb:0", {{{"a", 20, 10.0, 2.0}}, {{"b", 5, 12.0, 3.0}}}, -1, -1};
  auto r = SimulateDevices({d}, {.seconds = 4000, .seed = 5});
  ASSERT_TRUE(r.ok());
  const SimDeviceResult& x = r->front();
  const double pa = 0.8, pb = 0.2;
  EXPECT_NEAR(static_cast<double>(x.models[0].reloads) / static_cast<double>(x.models[0].invocations), 1 - pa, 0.02);
  EXPECT_NEAR(static_cast<double>(x.models[1].reloads) / static_cast<double>(x.models[1].invocations), 1 - pb, 0.02);
  EXPECT_NEAR(x.token_switches_per_s, 25 * 2 * pa * pb, 0.03 * 25 * 2 * pa * pb);
}

TEST(SimulateTest, BadInputsAreRefused) {
  SimDevice ok{"usb:0", {{{"a", 1, 2.0, 1.0}}}, -1, -1};
  EXPECT_FALSE(SimulateDevices({}, {}).ok());
  EXPECT_FALSE(SimulateDevices({ok}, {.seconds = 0}).ok());
  SimDevice bad_rate{"usb:0", {{{"a", 0, 2.0, 1.0}}}, -1, -1};
  EXPECT_NE(SimulateDevices({bad_rate}, {}).status().message().find("model 'a' has rate 0 Hz"), std::string::npos);
  SimDevice bad_times{"usb:0", {{{"a", 1, 1.0, 2.0}}}, -1, -1};
  EXPECT_FALSE(SimulateDevices({bad_times}, {}).ok());
  EXPECT_FALSE(SimulateDevices({ok}, {.seconds = 1e12}).ok());  // Too many arrivals.
}

// The planner's closed-form utilisation and switch rate against the simulation of its own plans
// (exact optimum and baselines), every device within 2% (utilisation) and 5% (switches), and every
// model's predicted p99 latency within 10% on TPUs without token switches (measured: within 3%),
// between -5% and +30% on TPUs that switch (measured: +23% and +25%; latency.h says why).
TEST(SimulateTest, PlannerPredictionsAgreeWithTheSimulation) {
  using planner::testing::ZooProblem;
  planner::Problem p = ZooProblem({"mobilenet_v1_0.25_128", "mobilenet_v2_1.0_224", "efficientnet_edgetpu_s", "mobilenet_v1_1.0_224"},
                                  {"usb3", "usb2"}, {40, 15, 10, 25});
  std::vector<planner::PlanEval> plans;
  ASSERT_NO_FATAL_FAILURE(ExactAndBaselinePlans(p, plans));
  int switching_devices = 0, latencies = 0;
  for (const planner::PlanEval& e : plans) {
    auto r = SimulateDevices(SimDevicesOf(p, e), {.seconds = 3000, .seed = 11});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const SimDeviceResult& x : *r) {
      if (x.predicted_utilisation <= 0) continue;
      EXPECT_NEAR(x.utilisation, x.predicted_utilisation, 0.02 * x.predicted_utilisation) << x.name;
      // The predicted p99 latency (planner/latency.h) within 10% of the simulated one.
      const size_t d = static_cast<size_t>(&x - r->data());
      size_t k = 0;
      for (const auto& group : e.devices[d].groups) {
        for (const planner::ModelLoad& m : group) {
          const SimModelResult& sim = x.models[k++];
          ++latencies;
          if (x.saturated) {  // no steady state: the prediction says so
            EXPECT_TRUE(std::isinf(m.latency_p99_ms)) << x.name;
            continue;
          }
          if (x.predicted_switches_per_s == 0) {
            EXPECT_NEAR(m.latency_p99_ms, sim.latency_p99_ms, 0.10 * sim.latency_p99_ms) << x.name << " " << sim.name;
          } else {  // switching TPUs: over-predicted, by up to 25% here (latency.h), never much under
            EXPECT_GE(m.latency_p99_ms, 0.95 * sim.latency_p99_ms) << x.name << " " << sim.name;
            EXPECT_LE(m.latency_p99_ms, 1.30 * sim.latency_p99_ms) << x.name << " " << sim.name;
          }
        }
      }
      if (x.predicted_switches_per_s > 0) {
        ++switching_devices;
        EXPECT_NEAR(x.token_switches_per_s, x.predicted_switches_per_s, 0.05 * x.predicted_switches_per_s) << x.name;
      }
    }
  }
  EXPECT_GT(switching_devices, 0) << "no plan switches tokens: the switch model is not exercised";
  EXPECT_GT(latencies, 0);
}

// Replicas with unequal shares (planner/shares.h), each an independent Poisson stream at its share
// of the demand: a fast and a slow TPU, and three TPUs where one replica shares its TPU with
// another model's. Every TPU's utilisation within 2% and its switches within 5% of the simulation.
TEST(SimulateTest, UnequalReplicaSharesAgreeWithTheSimulation) {
  using planner::testing::ZooProblem;
  const std::vector<planner::Problem> problems = {
      ZooProblem({"mobilenet_v2_1.0_224"}, {"usb3", "usb2"}, {300}),
      ZooProblem({"mobilenet_v2_1.0_224", "efficientnet_edgetpu_s"}, {"usb3", "usb3", "usb3"}, {300, 60})};
  for (const planner::Problem& p : problems) {
    auto coster = planner::GroupCoster::Create(p);
    ASSERT_TRUE(coster.ok()) << coster.status().ToString();
    auto whole = planner::Solve(**coster);
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    planner::Profilers profilers;
    auto split = planner::BestSplitPlan(p, **coster, profilers, *whole);
    ASSERT_TRUE(split.ok()) << split.status().ToString();
    ASSERT_TRUE(split->has_value());
    const auto& [sp, solution] = **split;
    bool unequal = false;
    for (const auto& r : sp.splits.replications) unequal = unequal || !r.shares.empty();
    ASSERT_TRUE(unequal) << "the plan has no replicas with unequal shares";
    auto r = SimulateDevices(SimDevicesOf(*sp.problem, solution.best.eval), {.seconds = 3000, .seed = 13});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const SimDeviceResult& x : *r) {
      EXPECT_NEAR(x.utilisation, x.predicted_utilisation, 0.02 * x.predicted_utilisation) << x.name;
      EXPECT_NEAR(x.token_switches_per_s, x.predicted_switches_per_s, 0.05 * x.predicted_switches_per_s) << x.name;
    }
  }
}

// A --sequence workload (planner/sequence.h): the planner's utilisation, switches and latencies are
// those of the deterministic schedule, so the simulation of the same sequence reproduces them
// (utilisation within 0.5%: the first frame's extra reloads; switches and p99 exactly).
TEST(SimulateTest, SequencePredictionsEqualTheSimulation) {
  auto p = planner::MakeSequenceProblem({{"mobilenet_v1_0.5_160", std::nullopt}, {"mobilenet_v2_1.0_224", std::nullopt},
                                         {"mobilenet_v2_1.0_224", std::nullopt}, {"mobilenet_v1_0.25_128", std::nullopt}},
                                        20, {"usb3", "usb2"}, planner::testing::Catalog(), std::nullopt);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::vector<planner::PlanEval> plans;
  ASSERT_NO_FATAL_FAILURE(ExactAndBaselinePlans(*p, plans));
  int switching = 0;
  for (const planner::PlanEval& e : plans) {
    std::vector<SimDevice> devices;
    for (size_t d = 0; d < e.devices.size(); ++d) {
      SimDevice sd;
      sd.name = "device " + std::to_string(d);
      std::vector<int> model_of;  // flattened index -> problem model
      for (const auto& group : e.devices[d].groups) {
        std::vector<SimModel> g;
        for (const planner::ModelLoad& m : group) {
          g.push_back({p->models[static_cast<size_t>(m.model)].name, p->models[static_cast<size_t>(m.model)].rate_hz,
                       m.first_ms, m.later_ms});
          model_of.push_back(m.model);
        }
        sd.groups.push_back(std::move(g));
      }
      for (int m : p->sequence) {
        for (size_t i = 0; i < model_of.size(); ++i) {
          if (model_of[i] == m) sd.sequence.push_back(static_cast<int>(i));
        }
      }
      sd.predicted_utilisation = e.devices[d].utilisation;
      sd.predicted_switches_per_s = e.devices[d].switches_per_s;
      devices.push_back(std::move(sd));
    }
    auto r = SimulateDevices(devices, {.seconds = 300, .seed = 1, .frames_per_s = 20});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (size_t d = 0; d < r->size(); ++d) {
      const SimDeviceResult& x = (*r)[d];
      if (x.predicted_utilisation <= 0) continue;
      EXPECT_NEAR(x.utilisation, x.predicted_utilisation, 0.005 * x.predicted_utilisation) << x.name;
      EXPECT_NEAR(x.token_switches_per_s, x.predicted_switches_per_s, 0.01) << x.name;
      if (x.predicted_switches_per_s > 0) ++switching;
      size_t k = 0;
      for (const auto& group : e.devices[d].groups) {
        for (const planner::ModelLoad& m : group) {
          const SimModelResult& sim = x.models[k++];
          if (x.saturated) {
            EXPECT_TRUE(std::isinf(m.latency_p99_ms)) << x.name;
            continue;
          }
          EXPECT_NEAR(m.latency_p99_ms, sim.latency_p99_ms, 1e-9 * sim.latency_p99_ms) << x.name << " " << sim.name;
          EXPECT_NEAR(m.latency_p50_ms, sim.latency_p50_ms, 1e-9 * sim.latency_p50_ms) << x.name << " " << sim.name;
        }
      }
    }
  }
  EXPECT_GT(switching, 0) << "no plan switches tokens: the sequence's switch count is not exercised";
}

}  // namespace
}  // namespace etpu::simulate
