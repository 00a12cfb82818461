#include "planner/search.h"

#include <algorithm>
#include <map>
#include <numeric>

#include <fmt/format.h>

#include "planner/orders.h"

namespace etpu::planner {
namespace {

using Mask = uint32_t;

std::vector<int> Members(Mask m) {
  std::vector<int> out;
  for (int i = 0; m != 0; ++i, m >>= 1) {
    if (m & 1u) out.push_back(i);
  }
  return out;
}

// One point of a Pareto front with what produced it.
template <typename Payload>
struct Point {
  Objective value;
  Payload payload;
};

bool Dominates(const Objective& a, const Objective& b) {
  return a.slo_violation <= b.slo_violation && a.max_utilisation <= b.max_utilisation && a.streamed_mb_s <= b.streamed_mb_s && a.groups <= b.groups;
}

template <typename Payload>
void AddToFront(std::vector<Point<Payload>>& front, Point<Payload> p) {
  for (const auto& q : front) {
    if (Dominates(q.value, p.value)) return;
  }
  std::erase_if(front, [&](const Point<Payload>& q) { return Dominates(p.value, q.value); });
  front.push_back(std::move(p));
}

using DeviceConfig = std::vector<std::vector<int>>;  // groups, each in compile order

// Enumerates every configuration of `rest` (cut into groups, each with a candidate order).
class ConfigEnumerator {
 public:
  ConfigEnumerator(const std::vector<std::vector<std::vector<int>>>& candidates, GroupCoster& coster, int device,
                   int64_t* count)
      : candidates_(candidates), coster_(coster), device_(device), count_(count) {}

  Status Run(Mask all, std::vector<Point<DeviceConfig>>& front) {
    DeviceConfig current;
    return Recurse(all, current, front);
  }

 private:
  Status Recurse(Mask rest, DeviceConfig& current, std::vector<Point<DeviceConfig>>& front) {
    if (rest == 0) {
      ++*count_;
      ETPU_ASSIGN_OR_RETURN(DeviceEval e, EvaluateDevice(coster_, device_, current, /*detail=*/false));
      Objective o;
      o.slo_violation = e.slo_violation;
      o.max_utilisation = e.utilisation;
      o.streamed_mb_s = e.streamed_mb_s;
      o.groups = static_cast<int>(current.size());
      AddToFront(front, Point<DeviceConfig>{o, current});
      return OkStatus();
    }
    const Mask low = rest & (~rest + 1);
    const Mask others = rest & ~low;
    // Every block containing the lowest remaining model.
    for (Mask sub = others;; sub = (sub - 1) & others) {
      const Mask block = sub | low;
      for (const auto& order : candidates_[block]) {
        current.push_back(order);
        ETPU_RETURN_IF_ERROR(Recurse(rest & ~block, current, front));
        current.pop_back();
      }
      if (sub == 0) break;
    }
    return OkStatus();
  }

  const std::vector<std::vector<std::vector<int>>>& candidates_;
  GroupCoster& coster_;
  int device_;
  int64_t* count_;
};

// The same front without costing every configuration, when no model has a latency objective: a
// TPU's utilisation and traffic are sums over its members, each member's term depends only on
// its own placement and its reload probability, and that probability only on the rates (or the
// sequence) and on which models share its group (Interleave). So for a TPU holding S, a block B
// of S contributes the same (utilisation, traffic) in every cut of S, and a candidate order of B
// that is no better than another in both (at those reload probabilities) can be replaced by it
// in any configuration without making any field of the objective worse: it is never needed for
// the front. Only each block's Pareto-optimal candidates are combined. The front's points are
// then costed by EvaluateDevice (the same numbers the full enumeration gives).
class BlockFrontEnumerator {
 public:
  BlockFrontEnumerator(const std::vector<std::vector<std::vector<int>>>& candidates, GroupCoster& coster, int device,
                       int64_t* count)
      : candidates_(candidates), coster_(coster), device_(device), count_(count), blocks_(candidates.size()) {}

  Status Run(Mask all, std::vector<Point<DeviceConfig>>& front) {
    const Problem& p = coster_.problem();
    const size_t kind = static_cast<size_t>(coster_.KindOf(device_));
    for (Mask b = all;; b = (b - 1) & all) {
      if (b == 0) break;
      auto& choices = blocks_[b];
      choices.clear();
      if (candidates_[b].empty()) continue;
      const std::vector<int> in = Members(b), out = Members(all & ~b);
      const Interleaving mix = Interleave(p, out.empty() ? std::vector<std::vector<int>>{in}
                                                         : std::vector<std::vector<int>>{in, out});
      for (size_t c = 0; c < candidates_[b].size(); ++c) {
        ETPU_ASSIGN_OR_RETURN(const GroupCost* g, coster_.Cost(candidates_[b][c]));
        if (!g->ok) continue;
        Objective o;
        o.groups = 1;
        for (const MemberCost& m : g->members) {
          const size_t i = static_cast<size_t>(std::lower_bound(in.begin(), in.end(), m.model) - in.begin());
          const double q = mix.reload_probability[i], rate = p.models[static_cast<size_t>(m.model)].rate_hz;
          o.max_utilisation += MemberUtilisation(rate, m.first_ms[kind], m.later_ms[kind], q);
          o.streamed_mb_s += MemberStreamedMBs(rate, m.offchip_bytes, m.onchip_bytes, q);
        }
        AddToFront(choices, Point<size_t>{o, c});
      }
    }
    std::vector<Point<DeviceConfig>> sums;
    DeviceConfig current;
    Recurse(all, Objective{}, current, sums);
    // The surviving configurations, costed as the full enumeration costs them.
    for (auto& point : sums) {
      ETPU_ASSIGN_OR_RETURN(DeviceEval e, EvaluateDevice(coster_, device_, point.payload, /*detail=*/false));
      Objective o;
      o.max_utilisation = e.utilisation;
      o.streamed_mb_s = e.streamed_mb_s;
      o.groups = static_cast<int>(point.payload.size());
      AddToFront(front, Point<DeviceConfig>{o, std::move(point.payload)});
    }
    return OkStatus();
  }

 private:
  void Recurse(Mask rest, const Objective& sum, DeviceConfig& current, std::vector<Point<DeviceConfig>>& front) {
    if (rest == 0) {
      ++*count_;
      AddToFront(front, Point<DeviceConfig>{sum, current});
      return;
    }
    const Mask low = rest & (~rest + 1);
    const Mask others = rest & ~low;
    for (Mask sub = others;; sub = (sub - 1) & others) {
      const Mask block = sub | low;
      for (const auto& choice : blocks_[block]) {
        Objective next = sum;
        next.max_utilisation += choice.value.max_utilisation;
        next.streamed_mb_s += choice.value.streamed_mb_s;
        next.groups += 1;
        current.push_back(candidates_[block][choice.payload]);
        Recurse(rest & ~block, next, current, front);
        current.pop_back();
      }
      if (sub == 0) break;
    }
  }

  const std::vector<std::vector<std::vector<int>>>& candidates_;
  GroupCoster& coster_;
  int device_;
  int64_t* count_;
  std::vector<std::vector<Point<size_t>>> blocks_;  // per block of the current set: its front
};

struct Pick {
  std::vector<std::pair<Mask, int>> per_device;  // (models, index into that front)
};

}  // namespace

Result<PlanEval> PlanExact(GroupCoster& coster, SearchStats* stats) {
  const Problem& p = coster.problem();
  const int n = static_cast<int>(p.models.size());
  const int devices = static_cast<int>(p.devices.size());
  if (n < 1 || devices < 1) return InvalidArgumentError("plan: the problem needs a model and a device");
  if (n > kMaxExactModels || devices > kMaxExactDevices) {
    return InvalidArgumentError(fmt::format("plan: the exact search handles up to {} models and {} devices (got {} and {})",
                                            kMaxExactModels, kMaxExactDevices, n, devices));
  }
  SearchStats local;
  SearchStats& st = stats ? *stats : local;
  const Mask full = (Mask{1} << n) - 1;
  // 1. Candidate orders per block (planner/orders.h): the orders that can place differently.
  std::vector<std::vector<std::vector<int>>> candidates(full + 1);
  for (Mask b = 1; b <= full; ++b) {
    if (!p.PartsApart(Members(b))) continue;  // never on one TPU, so never one group
    ETPU_ASSIGN_OR_RETURN(candidates[b], CandidateOrders(coster, Members(b), OrderEnumeration::kReduced,
                                                         &st.ordered_groups));
    st.candidate_groups += static_cast<int64_t>(candidates[b].size());
  }
  // 2. Pareto front per (set, host kind).
  std::vector<std::vector<std::vector<Point<DeviceConfig>>>> fronts(
      static_cast<size_t>(coster.kinds()), std::vector<std::vector<Point<DeviceConfig>>>(full + 1));
  // Latency objectives depend on every member of a TPU at once: then every configuration is costed.
  const bool objectives =
      std::any_of(p.models.begin(), p.models.end(), [](const PlanModel& m) { return m.slo_ms.has_value(); });
  for (int k = 0; k < coster.kinds(); ++k) {
    fronts[k][0].push_back(Point<DeviceConfig>{Objective{}, {}});
    ConfigEnumerator every(candidates, coster, coster.DeviceOfKind(k), &st.device_configs);
    BlockFrontEnumerator pruned(candidates, coster, coster.DeviceOfKind(k), &st.device_configs);
    for (Mask s = 1; s <= full; ++s) {
      if (!p.PartsApart(Members(s))) continue;
      ETPU_RETURN_IF_ERROR(objectives ? every.Run(s, fronts[k][s]) : pruned.Run(s, fronts[k][s]));
    }
  }
  // 3. DP over devices.
  std::vector<std::vector<Point<Pick>>> dp(full + 1);
  dp[0].push_back(Point<Pick>{Objective{}, {}});
  for (int d = 0; d < devices; ++d) {
    const auto& front = fronts[static_cast<size_t>(coster.KindOf(d))];
    std::vector<std::vector<Point<Pick>>> next(full + 1);
    for (Mask placed = 0; placed <= full; ++placed) {
      if (dp[placed].empty()) continue;
      const Mask rest = full & ~placed;
      for (Mask s = rest;; s = (s - 1) & rest) {
        for (size_t fi = 0; fi < front[s].size(); ++fi) {
          const Objective& f = front[s][fi].value;
          for (const auto& e : dp[placed]) {
            Point<Pick> np;
            np.value.slo_violation = std::max(e.value.slo_violation, f.slo_violation);
            np.value.max_utilisation = std::max(e.value.max_utilisation, f.max_utilisation);
            np.value.streamed_mb_s = e.value.streamed_mb_s + f.streamed_mb_s;
            np.value.groups = e.value.groups + f.groups;
            np.payload = e.payload;
            np.payload.per_device.emplace_back(s, static_cast<int>(fi));
            AddToFront(next[placed | s], std::move(np));
          }
        }
        if (s == 0) break;
      }
    }
    dp = std::move(next);
  }
  st.front_entries = static_cast<int64_t>(dp[full].size());
  if (dp[full].empty()) {
    return FailedPreconditionError("plan: no plan compiles (every grouping of some model fails; see the baselines)");
  }
  const Point<Pick>* best = &dp[full].front();
  for (const auto& e : dp[full]) {
    if (Better(e.value, best->value)) best = &e;
  }
  Plan plan;
  for (int d = 0; d < devices; ++d) {
    const auto [s, fi] = best->payload.per_device[static_cast<size_t>(d)];
    plan.devices.push_back(fronts[static_cast<size_t>(coster.KindOf(d))][s][static_cast<size_t>(fi)].payload);
  }
  return EvaluatePlan(coster, plan);
}

std::vector<std::string> BaselineNames() { return {"one-per-tpu", "all-cocompiled", "greedy"}; }

Result<Plan> BaselinePlan(GroupCoster& coster, const std::string& name) {
  const Problem& p = coster.problem();
  const int n = static_cast<int>(p.models.size());
  const int devices = static_cast<int>(p.devices.size());
  Plan plan;
  plan.devices.resize(static_cast<size_t>(devices));
  if (name == "one-per-tpu") {
    for (int m = 0; m < n; ++m) plan.devices[static_cast<size_t>(m % devices)].push_back({m});
    return plan;
  }
  if (name == "all-cocompiled") {
    std::vector<int> all(static_cast<size_t>(n));
    std::iota(all.begin(), all.end(), 0);
    plan.devices[0].push_back(all);
    return plan;
  }
  if (name == "greedy") {
    std::vector<int> by_demand(static_cast<size_t>(n));
    std::iota(by_demand.begin(), by_demand.end(), 0);
    std::stable_sort(by_demand.begin(), by_demand.end(), [&](int a, int b) {
      return p.models[static_cast<size_t>(a)].rate_hz > p.models[static_cast<size_t>(b)].rate_hz;
    });
    std::vector<double> load(static_cast<size_t>(devices), 0.0);
    std::vector<std::vector<int>> on(static_cast<size_t>(devices));
    for (int m : by_demand) {
      size_t best = 0;
      for (size_t d = 1; d < load.size(); ++d) {
        if (load[d] < load[best]) best = d;
      }
      // The model's steady time compiled alone on that device's host.
      ETPU_ASSIGN_OR_RETURN(const GroupCost* g, coster.Cost({m}));
      if (!g->ok) return FailedPreconditionError(fmt::format("plan: '{}' does not compile: {}", p.models[m].name, g->error));
      load[best] += p.models[static_cast<size_t>(m)].rate_hz *
                    g->members[0].later_ms[static_cast<size_t>(coster.KindOf(static_cast<int>(best)))] / 1000.0;
      on[best].push_back(m);
    }
    for (size_t d = 0; d < on.size(); ++d) {
      if (!on[d].empty()) plan.devices[d].push_back(on[d]);
    }
    return plan;
  }
  return InvalidArgumentError(fmt::format("plan: unknown baseline '{}' (expected {})", name, fmt::join(BaselineNames(), ", ")));
}

}  // namespace etpu::planner
