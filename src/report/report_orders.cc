#include "report/report_orders.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "planner/group_cost.h"
#include "planner/problem.h"

namespace etpu::report {
namespace {

using nlohmann::json;

struct Scored {
  std::vector<int> order;
  const planner::GroupCost* cost = nullptr;
  double later_sum_ms = 0;
  int64_t streamed = 0;
};

}  // namespace

Result<json> OrderWhatIf(const std::vector<std::string>& paths, const std::string& host, const std::string& clock,
                         int emulate, double fps) {
  if (paths.size() < 2 || paths.size() > kMaxWhatIfModels) return json(nullptr);
  ETPU_ASSIGN_OR_RETURN(device::DeviceCatalog catalog, device::BuiltinDeviceCatalog());
  std::optional<device::Clock> c;
  if (!clock.empty()) {
    ETPU_ASSIGN_OR_RETURN(device::Clock parsed, device::ParseClock(clock));
    c = parsed;
  }
  std::vector<planner::ModelDemand> demands;
  for (const std::string& p : paths) demands.push_back({p, fps});
  ETPU_ASSIGN_OR_RETURN(planner::Problem problem, planner::MakeProblem(demands, {host}, catalog, c));
  problem.emulate = emulate;
  ETPU_ASSIGN_OR_RETURN(std::unique_ptr<planner::GroupCoster> coster, planner::GroupCoster::Create(problem));
  std::vector<int> order(paths.size());
  std::iota(order.begin(), order.end(), 0);
  const std::vector<int> given = order;
  std::vector<Scored> scored;
  do {
    ETPU_ASSIGN_OR_RETURN(const planner::GroupCost* cost, coster->Cost(order));
    Scored s{order, cost, 0, 0};
    if (cost->ok) {
      for (const planner::MemberCost& m : cost->members) {
        s.later_sum_ms += m.later_ms.at(0);
        s.streamed += m.offchip_bytes;
      }
    }
    scored.push_back(s);
  } while (std::next_permutation(order.begin(), order.end()));
  // Best: compiles, then the least later time summed over the models (each runs at the same rate),
  // then the fewest streamed bytes; ties keep the lexicographic order of the permutations.
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    if (a.cost->ok != b.cost->ok) return a.cost->ok;
    if (a.later_sum_ms != b.later_sum_ms) return a.later_sum_ms < b.later_sum_ms;
    return a.streamed < b.streamed;
  });
  json orders = json::array();
  for (size_t i = 0; i < scored.size(); ++i) {
    const Scored& s = scored[i];
    if (i >= kListedOrders && s.order != given) continue;
    json members = json::array();
    for (const planner::MemberCost& m : s.cost->members) {
      members.push_back({{"model", m.model}, {"onchip_bytes", m.onchip_bytes}, {"offchip_bytes", m.offchip_bytes},
                         {"first_ms", m.first_ms.at(0)}, {"later_ms", m.later_ms.at(0)}});
    }
    orders.push_back({{"order", s.order},
                      {"rank", static_cast<int64_t>(i)},
                      {"ok", s.cost->ok},
                      {"error", s.cost->error},
                      {"given", s.order == given},
                      {"later_sum_ms", s.later_sum_ms},
                      {"streamed_bytes", s.streamed},
                      {"models", members}});
  }
  // Each model compiled alone: what co-compiling changes.
  json solo = json::array();
  for (int i = 0; i < static_cast<int>(paths.size()); ++i) {
    ETPU_ASSIGN_OR_RETURN(const planner::GroupCost* cost, coster->Cost({i}));
    if (!cost->ok || cost->members.empty()) {
      solo.push_back(nullptr);
      continue;
    }
    const planner::MemberCost& m = cost->members.front();
    solo.push_back({{"model", i}, {"onchip_bytes", m.onchip_bytes}, {"offchip_bytes", m.offchip_bytes},
                    {"first_ms", m.first_ms.at(0)}, {"later_ms", m.later_ms.at(0)}});
  }
  return json{{"solo", solo},
              {"objective", "the least later inference time summed over the models, then the fewest streamed bytes"},
              {"orders_compared", static_cast<int64_t>(scored.size())},
              {"given", given},
              {"best", scored.front().order},
              {"orders", orders}};
}

}  // namespace etpu::report
