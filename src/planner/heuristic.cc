#include "planner/heuristic.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "planner/orders.h"
#include "planner/search.h"

namespace etpu::planner {
namespace {

using Groups = std::vector<std::vector<int>>;  // one TPU's groups, each in compile order

// w[m][kind]: λ_m x the model's steady time with every parameter cached, in utilisation.
Result<std::vector<std::vector<double>>> AllCachedWork(GroupCoster& coster) {
  const Problem& p = coster.problem();
  std::vector<std::vector<double>> w(p.models.size());
  for (size_t m = 0; m < p.models.size(); ++m) {
    ETPU_ASSIGN_OR_RETURN(const GroupCost* g, coster.Cost({static_cast<int>(m)}));
    if (!g->ok) return FailedPreconditionError(fmt::format("plan: '{}' does not compile: {}", p.models[m].name, g->error));
    perf::ModelCost cost = *g->members[0].cost;
    for (auto& op : cost.edgetpu_ops) {
      op.query.cached_param_bytes += op.query.streamed_param_bytes;
      op.query.streamed_param_bytes = 0;
    }
    for (int k = 0; k < coster.kinds(); ++k) {
      const int d = coster.DeviceOfKind(k);
      auto t = perf::EstimateModelTime(cost, p.chip, p.devices[static_cast<size_t>(d)], p.ClockOf(d));
      if (!t.ok()) return t.status().WithContext(fmt::format("plan: timing '{}'", p.models[m].name));
      w[m].push_back(p.models[m].rate_hz * t->later_ms / 1000.0);
    }
  }
  return w;
}

struct Device {
  Groups groups;
  double utilisation = 0, traffic = 0, violation = 0;
};

// One candidate change: up to two TPUs get new groups.
struct Change {
  int d1 = -1, d2 = -1;
  Groups g1, g2;
};

std::vector<int> Without(const std::vector<int>& g, int m) {
  std::vector<int> out;
  for (int x : g) {
    if (x != m) out.push_back(x);
  }
  return out;
}

std::vector<int> With(std::vector<int> g, int m) {
  g.insert(std::upper_bound(g.begin(), g.end(), m), m);
  return g;
}

// `groups` with group i replaced by `g` (erased when empty).
Groups Replace(Groups groups, size_t i, std::vector<int> g) {
  if (g.empty()) {
    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(i));
  } else {
    groups[i] = std::move(g);
  }
  return groups;
}

class LocalSearch {
 public:
  using Clock = std::chrono::steady_clock;
  LocalSearch(GroupCoster& coster, const std::vector<std::vector<double>>& work, Clock::time_point deadline,
              HeuristicStats& stats)
      : coster_(coster), work_(work), deadline_(deadline), stats_(stats) {}

  Status Init(const Plan& plan) {
    devices_.clear();
    for (size_t d = 0; d < plan.devices.size(); ++d) {
      Device dev;
      dev.groups = plan.devices[d];  // the start's own orders: re-sorting could break its ties worse
      ETPU_ASSIGN_OR_RETURN(DeviceEval e, EvaluateDevice(coster_, static_cast<int>(d), dev.groups, false));
      dev.utilisation = e.utilisation;
      dev.traffic = e.streamed_mb_s;
      dev.violation = e.slo_violation;
      devices_.push_back(std::move(dev));
    }
    return OkStatus();
  }

  // Improves until a local optimum or the budget.
  Status Run() {
    while (true) {
      if (OverBudget()) {
        stats_.budget_exhausted = true;
        return OkStatus();
      }
      int worst = 0;
      for (size_t d = 1; d < devices_.size(); ++d) {
        const Device& w = devices_[static_cast<size_t>(worst)];
        if (std::pair(devices_[d].violation, devices_[d].utilisation) > std::pair(w.violation, w.utilisation)) {
          worst = static_cast<int>(d);
        }
      }
      ETPU_ASSIGN_OR_RETURN(bool moved, Improve({worst}, /*swaps=*/true));
      if (moved) continue;
      std::vector<int> all(devices_.size());
      for (size_t d = 0; d < all.size(); ++d) all[d] = static_cast<int>(d);
      ETPU_ASSIGN_OR_RETURN(moved, Improve(all, /*swaps=*/false));
      if (!moved) {
        // Improve also stops looking at the budget: then this is no local optimum.
        if (OverBudget()) stats_.budget_exhausted = true;
        return OkStatus();
      }
    }
  }

  // Each group of two models or more takes its best candidate order.
  Status PolishOrders() {
    for (size_t d = 0; d < devices_.size(); ++d) {
      for (size_t gi = 0; gi < devices_[d].groups.size(); ++gi) {
        const size_t size = devices_[d].groups[gi].size();
        if (size < 2 || size > static_cast<size_t>(kMaxOrderedModels) || OverBudget()) continue;
        ETPU_ASSIGN_OR_RETURN(auto orders, CandidateOrders(coster_, devices_[d].groups[gi]));
        for (const auto& order : orders) {
          Groups g = devices_[d].groups;
          g[gi] = order;
          auto e = EvaluateDevice(coster_, static_cast<int>(d), g, false);
          if (!e.ok()) continue;
          Objective now{devices_[d].violation, devices_[d].utilisation, devices_[d].traffic, 0},
              next{e->slo_violation, e->utilisation, e->streamed_mb_s, 0};
          if (Better(next, now)) {
            devices_[d].groups = std::move(g);
            devices_[d].utilisation = e->utilisation;
            devices_[d].traffic = e->streamed_mb_s;
            devices_[d].violation = e->slo_violation;
          }
        }
      }
    }
    return OkStatus();
  }

  Plan Current() const {
    Plan p;
    for (const auto& d : devices_) p.devices.push_back(d.groups);
    return p;
  }

 private:
  bool OverBudget() const {
    return Clock::now() > deadline_;
  }

  Objective ObjectiveWith(const Change* c, const DeviceEval* e1, const DeviceEval* e2) const {
    Objective o;
    for (size_t d = 0; d < devices_.size(); ++d) {
      double u = devices_[d].utilisation, t = devices_[d].traffic, v = devices_[d].violation;
      int g = static_cast<int>(devices_[d].groups.size());
      if (c != nullptr && static_cast<int>(d) == c->d1) {
        u = e1->utilisation, t = e1->streamed_mb_s, v = e1->slo_violation, g = static_cast<int>(c->g1.size());
      } else if (c != nullptr && static_cast<int>(d) == c->d2) {
        u = e2->utilisation, t = e2->streamed_mb_s, v = e2->slo_violation, g = static_cast<int>(c->g2.size());
      }
      o.slo_violation = std::max(o.slo_violation, v);
      o.max_utilisation = std::max(o.max_utilisation, u);
      o.streamed_mb_s += t;
      o.groups += g;
    }
    return o;
  }

  // The lower bound of a TPU holding `groups`.
  double Bound(int d, const Groups& groups) const {
    double w = 0;
    for (const auto& g : groups) {
      for (int m : g) w += work_[static_cast<size_t>(m)][static_cast<size_t>(coster_.KindOf(d))];
    }
    return w;
  }

  // Whether every group compiles (without error: a refused group is just not a move).
  Result<bool> Compiles(const Groups& groups) {
    if (!coster_.problem().PartsApart(groups)) return false;  // two parts of one model (stages, replicas) on one TPU
    for (const auto& g : groups) {
      ETPU_ASSIGN_OR_RETURN(const GroupCost* c, coster_.Cost(g));
      if (!c->ok) return false;
    }
    return true;
  }

  // Costs `c`; keeps it in `best` when it beats `best_value` and nothing was kept yet.
  Status Try(Change c, Objective& best_value, std::optional<Change>& best) {
    if (best.has_value() || OverBudget()) return OkStatus();  // first improvement
    // A move whose TPU's bound exceeds the best utilisation cannot win, unless the best still misses
    // a latency objective (then a busier TPU may be the price of meeting it).
    const double limit = best_value.max_utilisation * (1 + 1e-9);
    if (best_value.slo_violation == 0 && (Bound(c.d1, c.g1) > limit || (c.d2 >= 0 && Bound(c.d2, c.g2) > limit))) {
      return OkStatus();
    }
    ETPU_ASSIGN_OR_RETURN(bool ok1, Compiles(c.g1));
    if (!ok1) return OkStatus();
    if (c.d2 >= 0) {
      ETPU_ASSIGN_OR_RETURN(bool ok2, Compiles(c.g2));
      if (!ok2) return OkStatus();
    }
    ++stats_.moves_evaluated;
    ETPU_ASSIGN_OR_RETURN(DeviceEval e1, EvaluateDevice(coster_, c.d1, c.g1, false));
    DeviceEval e2;
    if (c.d2 >= 0) {
      ETPU_ASSIGN_OR_RETURN(e2, EvaluateDevice(coster_, c.d2, c.g2, false));
    }
    const Objective o = ObjectiveWith(&c, &e1, &e2);
    if (Better(o, best_value)) {
      best_value = o;
      best = std::move(c);
    }
    return OkStatus();
  }

  // The first strictly improving move from the TPUs `sources` (swaps too when `swaps`); applied.
  // False at a local optimum.
  Result<bool> Improve(const std::vector<int>& sources, bool swaps) {
    const Objective now = ObjectiveWith(nullptr, nullptr, nullptr);
    Objective best_value = now;
    std::optional<Change> best;
    const int n = static_cast<int>(devices_.size());
    for (int s : sources) {
      const Groups& sg = devices_[static_cast<size_t>(s)].groups;
      for (size_t gi = 0; gi < sg.size(); ++gi) {
        if (OverBudget()) break;
        const std::vector<int>& G = sg[gi];
        // The whole group onto another TPU.
        for (int t = 0; t < n; ++t) {
          if (t == s) continue;
          Groups tg = devices_[static_cast<size_t>(t)].groups;
          tg.push_back(G);
          ETPU_RETURN_IF_ERROR(Try({s, t, Replace(sg, gi, {}), tg}, best_value, best));
        }
        // Merged with another group of the same TPU.
        for (size_t gj = gi + 1; gj < sg.size(); ++gj) {
          std::vector<int> merged = G;
          for (int m : sg[gj]) merged = With(merged, m);
          Groups g = Replace(sg, gj, {});
          g[gi] = merged;
          ETPU_RETURN_IF_ERROR(Try({s, -1, g, {}}, best_value, best));
        }
        for (int m : G) {
          const std::vector<int> rest = Without(G, m);
          for (int t = 0; t < n; ++t) {
            const Groups& tg = devices_[static_cast<size_t>(t)].groups;
            // Into another group.
            for (size_t hj = 0; hj < tg.size(); ++hj) {
              if (t == s && hj == gi) continue;
              if (t == s) {
                Groups g = sg;
                g[hj] = With(g[hj], m);
                ETPU_RETURN_IF_ERROR(Try({s, -1, Replace(g, gi, rest), {}}, best_value, best));
              } else {
                Groups g = tg;
                g[hj] = With(g[hj], m);
                ETPU_RETURN_IF_ERROR(Try({s, t, Replace(sg, gi, rest), g}, best_value, best));
              }
            }
            // Into a group of its own.
            if (t == s) {
              if (G.size() == 1) continue;
              Groups g = Replace(sg, gi, rest);
              g.push_back({m});
              ETPU_RETURN_IF_ERROR(Try({s, -1, g, {}}, best_value, best));
            } else {
              Groups g = tg;
              g.push_back({m});
              ETPU_RETURN_IF_ERROR(Try({s, t, Replace(sg, gi, rest), g}, best_value, best));
            }
            // Swapped with a model of another TPU.
            if (t == s || !swaps) continue;
            for (size_t hj = 0; hj < tg.size(); ++hj) {
              for (int m2 : tg[hj]) {
                Groups a = sg, b = tg;
                a[gi] = With(rest, m2);
                b[hj] = With(Without(b[hj], m2), m);
                ETPU_RETURN_IF_ERROR(Try({s, t, a, b}, best_value, best));
              }
            }
          }
        }
      }
    }
    if (!best) return false;
    ++stats_.moves_accepted;
    for (auto [d, g] : {std::pair{best->d1, &best->g1}, std::pair{best->d2, &best->g2}}) {
      if (d < 0) continue;
      ETPU_ASSIGN_OR_RETURN(DeviceEval e, EvaluateDevice(coster_, d, *g, false));
      Device& dev = devices_[static_cast<size_t>(d)];
      dev.groups = std::move(*g);
      dev.utilisation = e.utilisation;
      dev.traffic = e.streamed_mb_s;
      dev.violation = e.slo_violation;
    }
    return true;
  }

  GroupCoster& coster_;
  const std::vector<std::vector<double>>& work_;
  Clock::time_point deadline_;
  HeuristicStats& stats_;
  std::vector<Device> devices_;
};

}  // namespace

Result<double> UtilisationLowerBound(GroupCoster& coster, const std::vector<int>& divisible, int parts) {
  ETPU_ASSIGN_OR_RETURN(auto w, AllCachedWork(coster));
  double largest = 0, total = 0;
  for (size_t m = 0; m < w.size(); ++m) {
    const double best = *std::min_element(w[m].begin(), w[m].end());
    const bool split = std::find(divisible.begin(), divisible.end(), static_cast<int>(m)) != divisible.end();
    largest = std::max(largest, split ? best / std::max(1, parts) : best);
    total += best;
  }
  return std::max(largest, total / static_cast<double>(coster.problem().devices.size()));
}

Result<BoundedPlan> PlanHeuristic(GroupCoster& coster, const HeuristicOptions& options, HeuristicStats* stats) {
  using Clock = std::chrono::steady_clock;
  HeuristicStats local;
  HeuristicStats& st = stats ? *stats : local;
  ETPU_ASSIGN_OR_RETURN(auto work, AllCachedWork(coster));
  // Starts: every baseline that compiles, and greedy's assignment with every model in a group of
  // its own (the local search then merges what pays).
  std::vector<std::pair<std::string, Plan>> starts;
  for (const auto& name : BaselineNames()) {
    auto plan = BaselinePlan(coster, name);
    if (!plan.ok() || !EvaluatePlan(coster, *plan).ok()) continue;
    if (name == "greedy") {
      Plan split;
      for (const auto& groups : plan->devices) {
        split.devices.emplace_back();
        for (const auto& g : groups) {
          for (int m : g) split.devices.back().push_back({m});
        }
      }
      starts.emplace_back("greedy, one group per model", std::move(split));
    }
    starts.emplace_back(name, std::move(plan).value());
  }
  if (starts.empty()) return FailedPreconditionError("plan: no baseline plan compiles, so the local search has no start");
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options.max_seconds));
  std::optional<PlanEval> best;
  std::vector<std::pair<Objective, size_t>> by_value;  // best start first
  for (size_t i = 0; i < starts.size(); ++i) {
    ETPU_ASSIGN_OR_RETURN(PlanEval e, EvaluatePlan(coster, starts[i].second));
    by_value.emplace_back(e.objective, i);
    // Never worse than a start (the moves' 1e-9 tolerance could otherwise add up).
    if (!best || Better(e.objective, best->objective)) {
      best = std::move(e);
      st.start = starts[i].first;
    }
  }
  std::stable_sort(by_value.begin(), by_value.end(),
                   [](const auto& a, const auto& b) { return Better(a.first, b.first); });
  for (size_t k = 0; k < by_value.size(); ++k) {
    const size_t i = by_value[k].second;
    // An equal share of what is left of the budget.
    const auto now = Clock::now();
    const auto share = deadline > now ? (deadline - now) / static_cast<int>(starts.size() - k) : Clock::duration{0};
    LocalSearch search(coster, work, now + share, st);
    ETPU_RETURN_IF_ERROR(search.Init(starts[i].second));
    ETPU_RETURN_IF_ERROR(search.Run());
    ETPU_RETURN_IF_ERROR(search.PolishOrders());
    ETPU_ASSIGN_OR_RETURN(PlanEval e, EvaluatePlan(coster, search.Current()));
    if (!best || Better(e.objective, best->objective)) {
      best = std::move(e);
      st.start = starts[i].first;
    }
  }
  BoundedPlan out;
  out.eval = std::move(best).value();
  ETPU_ASSIGN_OR_RETURN(out.lower_bound_utilisation, UtilisationLowerBound(coster));
  return out;
}

}  // namespace etpu::planner
