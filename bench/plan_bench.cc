// Planning time of `etpu plan`'s exact search (not a timed test): zoo models at 10-40 Hz on
// 1-4 USB 3 Edge TPUs. Prints, per size: models, devices, ordered groups compiled, candidate
// groups, device configurations costed, time to compile/cost the models alone, time of the search.
//   plan_bench [MAX_MODELS]   (default 6; 8 is the exact search's limit)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "device/device_catalog.h"
#include "planner/search.h"

namespace {

double Ms(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace etpu;
  const int max_models = argc > 1 ? std::atoi(argv[1]) : 6;
  const std::vector<std::string> pool = {"mobilenet_v1_1.0_224", "mobilenet_v2_1.0_224",   "efficientnet_edgetpu_s",
                                         "mobilenet_v1_0.75_192", "inception_v1_224",      "mobilenet_v1_0.5_160",
                                         "posenet_mobilenet_v1_075_353_481", "mobilenet_v1_0.25_128"};
  auto catalog = device::BuiltinDeviceCatalog();
  if (!catalog.ok()) return 1;
  std::printf("%6s %7s %14s %10s %14s %10s %10s %10s\n", "models", "devices", "ordered_groups", "candidates",
              "device_configs", "solo_ms", "search_ms", "headroom");
  for (int n = 2; n <= max_models && n <= static_cast<int>(pool.size()); ++n) {
    for (int d : {1, 2, 4}) {
      std::vector<planner::ModelDemand> models;
      for (int i = 0; i < n; ++i) models.push_back({pool[static_cast<size_t>(i)], 10.0 + 5.0 * i});
      auto problem = planner::MakeProblem(models, std::vector<std::string>(static_cast<size_t>(d), "usb3"), *catalog,
                                          std::nullopt);
      if (!problem.ok()) {
        std::fprintf(stderr, "%s\n", problem.status().ToString().c_str());
        return 1;
      }
      const auto t0 = std::chrono::steady_clock::now();
      auto coster = planner::GroupCoster::Create(*problem);
      if (!coster.ok()) return 1;
      const auto t1 = std::chrono::steady_clock::now();
      planner::SearchStats st;
      auto plan = planner::PlanExact(**coster, &st);
      const auto t2 = std::chrono::steady_clock::now();
      if (!plan.ok()) {
        std::fprintf(stderr, "%s\n", plan.status().ToString().c_str());
        return 1;
      }
      std::printf("%6d %7d %14lld %10lld %14lld %10.0f %10.0f %10.3f\n", n, d, static_cast<long long>(st.ordered_groups),
                  static_cast<long long>(st.candidate_groups), static_cast<long long>(st.device_configs), Ms(t0, t1),
                  Ms(t1, t2), plan->objective.headroom());
    }
  }
  return 0;
}
