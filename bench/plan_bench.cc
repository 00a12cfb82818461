// Planning time of `etpu plan` (Google Benchmark; not a timed test). Instances: M models drawn
// in turn from a pool of zoo models of different sizes (repeated under distinct file names beyond
// the pool), demands 10-45 Hz, on N USB 3 Edge TPUs. Each iteration starts from the models'
// bytes, as `etpu plan` does once it has read its files:
//   BM_CostAlone   ParseModel + GroupCoster::Create (each model compiled alone, built, costed);
//   BM_PlanExact   the same + the exact search (PlanExact): the whole planning time up to 8 x 4,
//                  for compiler 16 (the default) and, third argument 15, compiler 15;
//   BM_PlanHeuristic  the same + the local search (PlanHeuristic) beyond: 32 x 8, 64 x 16.
//   BM_PlanWithSplits the same as etpu plan: Solve, then the pipelining / replication search
//                     (BestSplitPlan with etpu plan's budget), whole planning time.
// Counters: ordered groups looked up, compilations run and groups derived (compiler 15), candidate
// groups, device configurations, headroom a*.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "device/device_catalog.h"
#include "planner/heuristic.h"
#include "planner/search.h"
#include "planner/solve.h"
#include "zoo/zoo.h"

namespace {

using namespace etpu;

const std::vector<uint8_t>& ZooBytes(const std::string& name) {
  static std::map<std::string, std::vector<uint8_t>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    auto bytes = zoo::GenerateZooModel(name);
    it = cache.emplace(name, bytes.ok() ? std::move(bytes).value() : std::vector<uint8_t>{}).first;
  }
  return it->second;
}

// M models on N usb3 TPUs; model i is pool[i % pool size] (file "<name>_<i / pool size>.tflite"
// beyond the first round), at 10 + 5 (i mod 8) Hz.
planner::Problem Instance(int models, int devices) {
  static const std::vector<std::string> pool = {
      "mobilenet_v1_1.0_224", "mobilenet_v2_1.0_224", "efficientnet_edgetpu_s", "mobilenet_v1_0.75_192",
      "inception_v1_224",     "mobilenet_v1_0.5_160", "posenet_mobilenet_v1_075_353_481", "mobilenet_v1_0.25_128"};
  static const device::DeviceCatalog catalog = device::BuiltinDeviceCatalog().value();
  planner::Problem p;
  p.chip = catalog.DefaultChip();
  for (int d = 0; d < devices; ++d) p.devices.push_back(catalog.Host("usb3").value());
  for (int i = 0; i < models; ++i) {
    const std::string& name = pool[static_cast<size_t>(i) % pool.size()];
    const size_t round = static_cast<size_t>(i) / pool.size();
    planner::PlanModel m;
    m.name = round == 0 ? name : name + "_" + std::to_string(round);
    m.file = m.name + ".tflite";
    m.from_zoo = round == 0;
    m.rate_hz = 10.0 + 5.0 * (i % 8);
    m.bytes = ZooBytes(name);
    p.models.push_back(std::move(m));
  }
  return p;
}

// Parses every model afresh (ParsedModel memoises each model's preparation across compiles) and
// compiles and costs each alone; null (the benchmark skipped) on an error.
std::unique_ptr<planner::GroupCoster> ParseAndCostAlone(benchmark::State& state, planner::Problem& p) {
  for (auto& m : p.models) m.parsed = ParseModel(m.bytes, m.file);
  auto coster = planner::GroupCoster::Create(p);
  if (!coster.ok()) {
    state.SkipWithError(coster.status().message().c_str());
    return nullptr;
  }
  return std::move(coster).value();
}

void BM_CostAlone(benchmark::State& state) {
  planner::Problem p = Instance(static_cast<int>(state.range(0)), 1);
  for (auto _ : state) {
    if (ParseAndCostAlone(state, p) == nullptr) break;
  }
}
BENCHMARK(BM_CostAlone)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond);

void BM_PlanExact(benchmark::State& state) {
  planner::Problem p = Instance(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  p.emulate = static_cast<int>(state.range(2));
  planner::SearchStats st;
  double headroom = 0, compilations = 0, derived = 0;
  for (auto _ : state) {
    auto coster = ParseAndCostAlone(state, p);
    if (coster == nullptr) break;
    st = {};
    auto plan = planner::PlanExact(*coster, &st);
    if (!plan.ok()) {
      state.SkipWithError(plan.status().message().c_str());
      break;
    }
    headroom = plan->objective.headroom();
    compilations = static_cast<double>(coster->compilations());
    derived = static_cast<double>(coster->derived());
  }
  state.counters["ordered_groups"] = static_cast<double>(st.ordered_groups);
  state.counters["compilations"] = compilations;
  state.counters["derived"] = derived;
  state.counters["candidates"] = static_cast<double>(st.candidate_groups);
  state.counters["configs"] = static_cast<double>(st.device_configs);
  state.counters["headroom"] = headroom;
}
BENCHMARK(BM_PlanExact)
    ->Args({6, 2, 16})
    ->Args({7, 4, 16})
    ->Args({8, 1, 16})
    ->Args({8, 4, 16})
    ->Args({8, 4, 15})
    ->Unit(benchmark::kMillisecond);

void BM_PlanHeuristic(benchmark::State& state) {
  planner::Problem p = Instance(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  planner::HeuristicStats st;
  double headroom = 0, bound = 0, bottleneck_models = 0;
  for (auto _ : state) {
    auto coster = ParseAndCostAlone(state, p);
    if (coster == nullptr) break;
    st = {};
    auto plan = planner::PlanHeuristic(*coster, {}, &st);
    if (!plan.ok()) {
      state.SkipWithError(plan.status().message().c_str());
      break;
    }
    headroom = plan->eval.objective.headroom();
    bound = plan->headroom_bound();
    size_t worst = 0;
    for (size_t d = 1; d < plan->eval.devices.size(); ++d) {
      if (plan->eval.devices[d].utilisation > plan->eval.devices[worst].utilisation) worst = d;
    }
    bottleneck_models = 0;
    for (const auto& g : plan->eval.plan.devices[worst]) bottleneck_models += static_cast<double>(g.size());
  }
  state.counters["bottleneck_models"] = bottleneck_models;  // models on the most loaded TPU
  state.counters["moves"] = static_cast<double>(st.moves_evaluated);
  state.counters["taken"] = static_cast<double>(st.moves_accepted);
  state.counters["budget_hit"] = st.budget_exhausted ? 1 : 0;
  state.counters["headroom"] = headroom;
  state.counters["bound"] = bound;
}
BENCHMARK(BM_PlanHeuristic)->Args({8, 4})->Args({32, 8})->Args({64, 16})->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_PlanWithSplits(benchmark::State& state) {
  planner::Problem p = Instance(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  double headroom = 0, whole_headroom = 0, combinations = 0, budget_hit = 0;
  for (auto _ : state) {
    auto coster = ParseAndCostAlone(state, p);
    if (coster == nullptr) break;
    auto whole = planner::Solve(*coster);
    if (!whole.ok()) {
      state.SkipWithError(whole.status().message().c_str());
      break;
    }
    planner::Profilers profilers;
    planner::SplitSearchStats st;
    auto split = planner::BestSplitPlan(p, *coster, profilers, *whole, &st, planner::SplitSearchOptionsFor(*whole));
    if (!split.ok()) {
      state.SkipWithError(split.status().message().c_str());
      break;
    }
    whole_headroom = whole->best.eval.objective.headroom();
    headroom = split->has_value() ? (*split)->second.best.eval.objective.headroom() : whole_headroom;
    combinations = st.combinations;
    budget_hit = st.budget_exhausted ? 1 : 0;
  }
  state.counters["headroom"] = headroom;
  state.counters["whole_headroom"] = whole_headroom;
  state.counters["split_choices"] = combinations;
  state.counters["budget_hit"] = budget_hit;
}
BENCHMARK(BM_PlanWithSplits)->Args({8, 4})->Args({64, 16})->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
