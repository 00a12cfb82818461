// Exactness: on hundreds of random instances (2-5 zoo models of different sizes, 1-3 devices of
// mixed hosts, random rates) the exact search equals a brute-force enumeration of every
// grouping x order x assignment (zero gap), costed by a coster that compiles every ordered group
// (nothing derived or replayed, group_cost.h), and no baseline beats it.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "planner/pipeline.h"
#include "planner/search.h"
#include "planner/test_problems.h"

namespace etpu::planner {
namespace {

// Every grouping (set partition), every order of every group, every device of every group.
Objective BruteForce(GroupCoster& coster, int64_t* plans) {
  const Problem& p = coster.problem();
  const int n = static_cast<int>(p.models.size());
  const int devices = static_cast<int>(p.devices.size());
  Objective best;
  bool have = false;
  std::vector<int> block(static_cast<size_t>(n), 0);  // restricted growth string
  std::function<void(int, int)> partitions = [&](int i, int blocks) {
    if (i == n) {
      std::vector<std::vector<int>> groups(static_cast<size_t>(blocks));
      for (int m = 0; m < n; ++m) groups[static_cast<size_t>(block[static_cast<size_t>(m)])].push_back(m);
      // Every order of every group (odometer over permutations) x every assignment.
      std::function<void(size_t)> orders = [&](size_t g) {
        if (g == groups.size()) {
          std::vector<int> dev(groups.size(), 0);
          while (true) {
            Plan plan;
            plan.devices.resize(static_cast<size_t>(devices));
            for (size_t k = 0; k < groups.size(); ++k) plan.devices[static_cast<size_t>(dev[k])].push_back(groups[k]);
            auto e = EvaluatePlan(coster, plan);
            ++*plans;
            if (e.ok() && (!have || Better(e->objective, best))) {
              best = e->objective;
              have = true;
            }
            size_t k = 0;
            while (k < dev.size() && ++dev[k] == devices) dev[k++] = 0;
            if (k == dev.size()) break;
          }
          return;
        }
        std::sort(groups[g].begin(), groups[g].end());
        do {
          orders(g + 1);
        } while (std::next_permutation(groups[g].begin(), groups[g].end()));
      };
      orders(0);
      return;
    }
    for (int b = 0; b <= blocks; ++b) {
      block[static_cast<size_t>(i)] = b;
      partitions(i + 1, std::max(blocks, b + 1));
    }
  };
  partitions(0, 0);
  EXPECT_TRUE(have);
  return best;
}

TEST(PlannerExactnessTest, EqualsBruteForceOnRandomInstances) {
  const std::vector<std::string> pool = {"mobilenet_v1_1.0_224", "mobilenet_v2_1.0_224", "mobilenet_v1_0.75_192",
                                         "mobilenet_v1_0.5_160", "mobilenet_v1_0.25_128"};
  const std::vector<std::vector<std::string>> device_sets = {{"usb3"}, {"usb3", "usb3"}, {"usb3", "pcie", "usb2"}};
  std::mt19937 rng(14);
  int instances = 0, multi_group_optima = 0, baseline_strictly_worse = 0;
  int64_t plans = 0;
  testing::ForRandomInstances(pool, device_sets, 2, 25, rng, [&](GroupCoster& coster, GroupCoster& compiled, size_t k) {
    auto exact = PlanExact(coster);
    ASSERT_TRUE(exact.ok()) << exact.status().message();
    const Objective brute = BruteForce(compiled, &plans);
    ++instances;
    // Zero gap: neither is better, and the headroom is the same number.
    EXPECT_FALSE(Better(brute, exact->objective)) << "instance " << instances;
    EXPECT_FALSE(Better(exact->objective, brute)) << "instance " << instances;
    EXPECT_NEAR(exact->objective.max_utilisation, brute.max_utilisation, 1e-9 * brute.max_utilisation);
    if (exact->objective.groups < static_cast<int>(k)) ++multi_group_optima;
    for (const auto& name : BaselineNames()) {
      auto plan = BaselinePlan(coster, name);
      ASSERT_TRUE(plan.ok());
      auto e = EvaluatePlan(coster, *plan);
      ASSERT_TRUE(e.ok()) << e.status().message();
      EXPECT_FALSE(Better(e->objective, exact->objective)) << name;
      if (Better(exact->objective, e->objective)) ++baseline_strictly_worse;
    }
  });
  EXPECT_GE(instances, 300);
  // The instances are not all trivial: some optima co-compile, some baselines lose.
  EXPECT_GT(multi_group_optima, 0);
  EXPECT_GT(baseline_strictly_worse, 0);
  std::printf("exactness: %d instances, %lld brute-force plans, %d optima with a co-compiled group, %d baseline "
              "results strictly worse\n",
              instances, static_cast<long long>(plans), multi_group_optima, baseline_strictly_worse);
}

// Compiler 15 (`--emulate 15`): the command-line order decides the SRAM split, the candidate
// orders come from the prefix walk, ordered groups are derived from placements of compiled ones
// (group_cost.h) and each TPU's front combines only each block's Pareto-optimal orders
// (search.cc). Brute force enumerates every grouping x order x assignment with a coster that
// compiles every ordered group, and must find the same optimum.
TEST(PlannerExactnessTest, EqualsBruteForceUnderCompiler15) {
  const std::vector<std::string> pool = {"mobilenet_v2_1.0_224", "mobilenet_v1_1.0_224", "posenet_mobilenet_v1_075_481_641",
                                         "efficientnet_edgetpu_s", "mobilenet_v1_0.25_128"};
  const std::vector<std::vector<std::string>> device_sets = {{"usb3"}, {"usb3", "usb3"}, {"usb3", "pcie", "usb2"}};
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> log_rate(0.0, std::log(300.0));
  int instances = 0, order_matters = 0, multi_group_optima = 0;
  for (const auto& hosts : device_sets) {
    for (size_t k = 3; k <= pool.size(); ++k) {
      std::vector<std::string> models = pool;
      std::shuffle(models.begin(), models.end(), rng);
      models.resize(k);
      Problem p = testing::ZooProblem(models, hosts);
      p.emulate = 15;
      auto exact_coster = GroupCoster::Create(p), brute_coster = GroupCoster::Create(p);
      ASSERT_TRUE(exact_coster.ok() && brute_coster.ok());
      (*brute_coster)->set_derive_placements(false);
      for (int r = 0; r < 4; ++r) {
        for (auto& m : p.models) m.rate_hz = std::exp(log_rate(rng));
        auto exact = PlanExact(**exact_coster);
        ASSERT_TRUE(exact.ok()) << exact.status().message();
        int64_t plans = 0;
        const Objective brute = BruteForce(**brute_coster, &plans);
        ++instances;
        EXPECT_FALSE(Better(brute, exact->objective)) << "instance " << instances;
        EXPECT_FALSE(Better(exact->objective, brute)) << "instance " << instances;
        EXPECT_NEAR(exact->objective.max_utilisation, brute.max_utilisation, 1e-9 * brute.max_utilisation);
        if (exact->objective.groups < static_cast<int>(k)) ++multi_group_optima;
        // The plan's groups, re-costed by compiling them, give the same objective.
        auto recosted = EvaluatePlan(**brute_coster, exact->plan);
        ASSERT_TRUE(recosted.ok());
        EXPECT_FALSE(Better(recosted->objective, exact->objective) || Better(exact->objective, recosted->objective));
      }
      // Some group of this set places differently in another order (else the order is not exercised).
      std::vector<int> all(k);
      std::iota(all.begin(), all.end(), 0);
      std::set<std::vector<int64_t>> placements;
      do {
        auto g = (*brute_coster)->Cost(all);
        ASSERT_TRUE(g.ok());
        if (!(*g)->ok) continue;
        std::vector<int64_t> by_model(k);
        for (const auto& m : (*g)->members) by_model[static_cast<size_t>(m.model)] = m.onchip_bytes;
        placements.insert(by_model);
      } while (std::next_permutation(all.begin(), all.end()));
      if (placements.size() > 1) ++order_matters;
    }
  }
  EXPECT_EQ(instances, 36);
  EXPECT_GT(order_matters, 0);
  EXPECT_GT(multi_group_optima, 0);
  std::printf("compiler 15 exactness: %d instances, order matters in %d of 9 sets, %d optima with a co-compiled group\n",
              instances, order_matters, multi_group_optima);
}

// With split models (a model cut into two stages, another replicated twice) the exact search
// still equals brute force, which only counts plans that keep each model's parts on different
// TPUs (EvaluatePlan refuses the others).
TEST(PlannerExactnessTest, EqualsBruteForceWithPipelineStagesAndReplicas) {
  std::mt19937 rng(15);
  std::uniform_real_distribution<double> log_rate(0.0, std::log(300.0));
  int instances = 0;
  for (const auto& hosts : std::vector<std::vector<std::string>>{{"usb3", "usb3"}, {"usb3", "pcie", "usb2"}}) {
    Problem base = testing::ZooProblem({"mobilenet_v1_0.5_160", "mobilenet_v1_0.25_128", "mobilenet_v2_1.0_224"}, hosts);
    auto cuts = ParameterEqualCuts(base, 2, 2);
    ASSERT_TRUE(cuts.ok()) << cuts.status().message();
    auto split = ApplySplits(base, Splits{{*cuts}, {Replication{0, 2}}});
    ASSERT_TRUE(split.ok()) << split.status().message();
    ASSERT_EQ((*split)->models.size(), 5u);
    auto coster = GroupCoster::Create(**split);
    ASSERT_TRUE(coster.ok()) << coster.status().message();
    for (int r = 0; r < 4; ++r) {
      for (auto& m : (*split)->models) m.rate_hz = std::exp(log_rate(rng));
      auto exact = PlanExact(**coster);
      ASSERT_TRUE(exact.ok()) << exact.status().message();
      for (const auto& dev : exact->plan.devices) EXPECT_TRUE((*split)->PartsApart(dev));
      int64_t plans = 0;
      const Objective brute = BruteForce(**coster, &plans);
      EXPECT_FALSE(Better(brute, exact->objective)) << "instance " << instances;
      EXPECT_FALSE(Better(exact->objective, brute)) << "instance " << instances;
      ++instances;
    }
  }
  EXPECT_EQ(instances, 8);
}

// With latency objectives (p99 per model, latency.h) the exact search still equals brute force:
// meeting the objectives comes first in the objective, and each TPU's violation depends only on
// that TPU, so the DP's Pareto fronts stay exact. Objectives are drawn between 1.5x and 8x each
// model's steady time alone, so that some bind, some cannot be met, and pipeline stages get their
// shares of the pipeline's objective.
TEST(PlannerExactnessTest, EqualsBruteForceWithLatencyObjectives) {
  std::mt19937 rng(16);
  std::uniform_real_distribution<double> log_rate(std::log(5.0), std::log(150.0)), factor(1.5, 8.0);
  int instances = 0, feasible = 0, binding = 0;
  for (const bool split : {false, true}) {
    for (const auto& hosts : std::vector<std::vector<std::string>>{{"usb3", "usb3"}, {"usb3", "pcie", "usb2"}}) {
      Problem base = testing::ZooProblem({"mobilenet_v1_0.5_160", "mobilenet_v1_0.25_128", "mobilenet_v2_1.0_224",
                                          "mobilenet_v1_0.75_192"}, hosts);
      std::unique_ptr<Problem> p = std::make_unique<Problem>(base);
      if (split) {
        auto cuts = ParameterEqualCuts(base, 2, 2);
        ASSERT_TRUE(cuts.ok()) << cuts.status().message();
        auto applied = ApplySplits(base, Splits{{*cuts}, {}});
        ASSERT_TRUE(applied.ok()) << applied.status().message();
        p = std::move(applied).value();
      }
      auto coster = GroupCoster::Create(*p);
      ASSERT_TRUE(coster.ok()) << coster.status().message();
      for (int r = 0; r < 6; ++r) {
        for (size_t m = 0; m < p->models.size(); ++m) {
          p->models[m].rate_hz = std::exp(log_rate(rng));
          auto alone = (*coster)->Cost({static_cast<int>(m)});
          ASSERT_TRUE(alone.ok());
          p->models[m].slo_ms = (*alone)->members.front().later_ms[0] * factor(rng);
        }
        // The stages of one pipeline share the pipeline's objective: the sum of their draws.
        std::map<int, double> pipeline_slo;
        for (const auto& m : p->models) {
          if (m.split_of >= 0) pipeline_slo[m.split_of] += *m.slo_ms;
        }
        for (auto& m : p->models) {
          if (m.split_of >= 0) m.slo_ms = pipeline_slo[m.split_of];
        }
        auto exact = PlanExact(**coster);
        ASSERT_TRUE(exact.ok()) << exact.status().message();
        int64_t plans = 0;
        const Objective brute = BruteForce(**coster, &plans);
        EXPECT_FALSE(Better(brute, exact->objective)) << "instance " << instances;
        EXPECT_FALSE(Better(exact->objective, brute)) << "instance " << instances;
        ++instances;
        if (exact->objective.slo_violation > 0) continue;
        ++feasible;
        for (const auto& dev : exact->devices) {
          for (const auto& g : dev.groups) {
            for (const ModelLoad& l : g) {
              EXPECT_GT(l.slo_ms, 0);
              EXPECT_LE(l.latency_p99_ms, l.slo_ms * (1 + 1e-9));
            }
          }
        }
        // Binding: the optimum without objectives misses one.
        std::vector<std::optional<double>> slos;
        for (auto& m : p->models) slos.push_back(std::exchange(m.slo_ms, std::nullopt));
        auto free = PlanExact(**coster);
        ASSERT_TRUE(free.ok());
        for (size_t m = 0; m < p->models.size(); ++m) p->models[m].slo_ms = slos[m];
        auto free_with_slos = EvaluatePlan(**coster, free->plan);
        ASSERT_TRUE(free_with_slos.ok());
        if (free_with_slos->objective.slo_violation > 0) ++binding;
      }
    }
  }
  EXPECT_EQ(instances, 24);
  EXPECT_GT(feasible, 0);
  EXPECT_GT(binding, 0) << "no objective changed the optimum: the test does not exercise them";
  EXPECT_LT(feasible, instances) << "every instance feasible: infeasible ones are not exercised";
  std::printf("latency objectives: %d instances, %d feasible, %d where the objectives change the optimum\n",
              instances, feasible, binding);
}

// A --sequence workload (planner/sequence.h): reloads and switches come from the sequence, which
// depends only on each TPU's own models, so the exact search still equals brute force.
TEST(PlannerExactnessTest, EqualsBruteForceOnSequences) {
  const std::vector<std::vector<std::string>> sequences = {
      {"mobilenet_v1_0.5_160", "mobilenet_v2_1.0_224", "mobilenet_v2_1.0_224", "mobilenet_v1_0.25_128"},
      {"mobilenet_v2_1.0_224", "mobilenet_v1_0.75_192", "mobilenet_v2_1.0_224", "mobilenet_v1_0.5_160",
       "mobilenet_v1_0.75_192"}};
  int instances = 0;
  for (const auto& names : sequences) {
    std::vector<SequenceItem> items;
    for (const auto& n : names) items.push_back({n, std::nullopt});
    for (const auto& hosts : std::vector<std::vector<std::string>>{{"usb3"}, {"usb3", "usb2"}}) {
      for (const double fps : {5.0, 60.0}) {
        auto p = MakeSequenceProblem(items, fps, hosts, testing::Catalog(), std::nullopt);
        ASSERT_TRUE(p.ok()) << p.status().message();
        auto coster = GroupCoster::Create(*p);
        ASSERT_TRUE(coster.ok()) << coster.status().message();
        auto exact = PlanExact(**coster);
        ASSERT_TRUE(exact.ok()) << exact.status().message();
        int64_t plans = 0;
        const Objective brute = BruteForce(**coster, &plans);
        EXPECT_FALSE(Better(brute, exact->objective)) << "instance " << instances;
        EXPECT_FALSE(Better(exact->objective, brute)) << "instance " << instances;
        ++instances;
      }
    }
  }
  EXPECT_EQ(instances, 8);
}

}  // namespace
}  // namespace etpu::planner
