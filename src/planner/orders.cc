#include "planner/orders.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "cache/cache_plan.h"

namespace etpu::planner {
namespace {

// Per model of the problem (ascending) and region: cached and streamed parameter bytes.
std::vector<int64_t> Signature(const GroupCost& g) {
  std::vector<const MemberCost*> by_model;
  for (const auto& m : g.members) by_model.push_back(&m);
  std::sort(by_model.begin(), by_model.end(), [](const MemberCost* a, const MemberCost* b) { return a->model < b->model; });
  std::vector<int64_t> sig;
  for (const MemberCost* m : by_model) {
    for (const auto& op : m->cost->edgetpu_ops) {
      sig.push_back(op.query.cached_param_bytes);
      sig.push_back(op.query.streamed_param_bytes);
    }
  }
  return sig;
}

// Every permutation of `ascending`.
std::vector<std::vector<int>> AllOrders(std::vector<int> ascending) {
  std::vector<std::vector<int>> out;
  do {
    out.push_back(ascending);
  } while (std::next_permutation(ascending.begin(), ascending.end()));
  return out;
}

// The permutations of the tied models among their own positions of `ascending`, one per distinct
// way to break the ties. In a tie group the tied slots go to the group's models in command-line
// order, each taking as many as it can, so only the models up to the one that exhausts the slots
// matter; a model can take at least `cacheable_at_least` of them, so the prefix up to where those
// lower bounds add up to the group's cached layers contains every model that matters. Orders that
// agree on that prefix of every tie group break every tie alike.
std::vector<std::vector<int>> TiedOrders(const std::vector<int>& ascending, const std::vector<TieGroup>& tie_groups) {
  std::set<int> tied_set;
  for (const auto& g : tie_groups) tied_set.insert(g.models.begin(), g.models.end());
  std::vector<int> tied(tied_set.begin(), tied_set.end());
  std::vector<size_t> slots;
  for (size_t i = 0; i < ascending.size(); ++i) {
    if (tied_set.contains(ascending[i])) slots.push_back(i);
  }
  std::vector<std::vector<int>> out;
  std::set<std::vector<int>> keys;
  std::vector<size_t> rank(static_cast<size_t>(ascending.empty() ? 0 : ascending.back() + 1));
  std::vector<size_t> by_rank;
  do {
    for (size_t k = 0; k < tied.size(); ++k) rank[static_cast<size_t>(tied[k])] = k;
    std::vector<int> key;
    for (const auto& g : tie_groups) {
      by_rank.resize(g.models.size());
      std::iota(by_rank.begin(), by_rank.end(), size_t{0});
      std::sort(by_rank.begin(), by_rank.end(),
                [&](size_t a, size_t b) { return rank[static_cast<size_t>(g.models[a])] < rank[static_cast<size_t>(g.models[b])]; });
      int slots_taken = 0;
      for (size_t i : by_rank) {
        if (slots_taken >= g.cached_layers) break;
        key.push_back(g.models[i]);
        slots_taken += g.cacheable_at_least[i];
      }
      key.push_back(-1);
    }
    if (!keys.insert(std::move(key)).second) continue;
    std::vector<int> order = ascending;
    for (size_t k = 0; k < slots.size(); ++k) order[slots[k]] = tied[k];
    out.push_back(std::move(order));
  } while (std::next_permutation(tied.begin(), tied.end()));
  return out;
}

// Per region of one member: its cached parameter bytes (its placement in the group).
std::vector<int64_t> RegionsCached(const MemberCost& m) {
  std::vector<int64_t> out;
  for (const auto& op : m.cost->edgetpu_ops) out.push_back(op.query.cached_param_bytes);
  return out;
}

// Compiler 15 places the models one after the other in command-line order, each caching what fits
// the capacity left by those before it (cache::RankedInModelOrderPolicy): a model's placement
// depends only on the bytes its predecessors cached (the set's capacity is the same in every
// order). So the orders are walked as prefixes: a state is the set placed so far with each
// placement, states reached by different orders are merged, and a model's placement after
// `consumed` cached bytes is looked up once (from any compiled order that puts it there; every
// compiled order also gives the placements of the models after it). One order per reachable
// final state is returned: every distinct placement of the set, with far fewer compilations than
// the permutations when most models fit whole.
struct PrefixWalk {
  GroupCoster& coster;
  int64_t* compiled;
  std::map<std::pair<int, int64_t>, std::pair<int64_t, std::vector<int64_t>>> placed;  // (model, consumed) -> on-chip, regions
  std::set<std::pair<std::vector<int>, std::vector<std::vector<int64_t>>>> seen;       // (sorted set, placements)
  std::vector<std::vector<int>> leaves;

  Status Learn(const std::vector<int>& order) {
    ETPU_ASSIGN_OR_RETURN(const GroupCost* g, coster.Cost(order));
    if (compiled != nullptr) ++*compiled;
    if (!g->ok) return FailedPreconditionError(g->error);
    int64_t consumed = 0;
    for (const MemberCost& m : g->members) {
      placed.emplace(std::make_pair(m.model, consumed), std::make_pair(m.onchip_bytes, RegionsCached(m)));
      consumed += m.onchip_bytes;
    }
    return OkStatus();
  }

  Status Walk(std::vector<int>& prefix, std::vector<int> rest, int64_t consumed,
              std::map<int, std::vector<int64_t>> placements) {
    if (rest.empty()) {
      leaves.push_back(prefix);
      return OkStatus();
    }
    for (size_t k = 0; k < rest.size(); ++k) {
      const int m = rest[k];
      std::vector<int> others = rest;
      others.erase(others.begin() + static_cast<std::ptrdiff_t>(k));
      auto it = placed.find({m, consumed});
      if (it == placed.end()) {
        std::vector<int> order = prefix;
        order.push_back(m);
        order.insert(order.end(), others.begin(), others.end());
        ETPU_RETURN_IF_ERROR(Learn(order));
        it = placed.find({m, consumed});
        if (it == placed.end()) return InternalError("plan: a compiled order did not place its model");
      }
      std::map<int, std::vector<int64_t>> next = placements;
      next[m] = it->second.second;
      std::vector<int> set;
      std::vector<std::vector<int64_t>> key;
      for (const auto& [model, regions] : next) {
        set.push_back(model);
        key.push_back(regions);
      }
      if (!seen.emplace(std::move(set), std::move(key)).second) continue;
      prefix.push_back(m);
      ETPU_RETURN_IF_ERROR(Walk(prefix, std::move(others), consumed + it->second.first, std::move(next)));
      prefix.pop_back();
    }
    return OkStatus();
  }
};

}  // namespace

Result<std::vector<std::vector<int>>> CandidateOrders(GroupCoster& coster, std::vector<int> members,
                                                      OrderEnumeration how, int64_t* compiled) {
  if (members.size() > static_cast<size_t>(kMaxOrderedModels)) {
    return InvalidArgumentError(fmt::format("plan: the orders of {} models are not enumerated (at most {})",
                                            members.size(), kMaxOrderedModels));
  }
  std::sort(members.begin(), members.end());
  ETPU_ASSIGN_OR_RETURN(const GroupCost* first, coster.Cost(members));
  std::vector<std::vector<int>> orders;
  if (how == OrderEnumeration::kReduced && first->ok && first->cache_policy == cache::RankedAcrossModelsPolicy::kName) {
    orders = TiedOrders(members, first->tie_groups);
  } else if (how == OrderEnumeration::kReduced && first->ok &&
             first->cache_policy == cache::RankedInModelOrderPolicy::kName) {
    PrefixWalk walk{coster, compiled, {}, {}, {}};
    std::vector<int> prefix;
    Status walked = walk.Walk(prefix, members, 0, {});
    // An order that fails to compile while the ascending one compiles: every permutation instead.
    orders = walked.ok() ? std::move(walk.leaves) : AllOrders(members);
  } else {
    orders = AllOrders(members);
  }
  std::vector<std::vector<int>> out;
  std::set<std::vector<int64_t>> seen;
  for (const auto& order : orders) {
    ETPU_ASSIGN_OR_RETURN(const GroupCost* g, coster.Cost(order));
    if (compiled != nullptr) ++*compiled;
    if (g->ok && seen.insert(Signature(*g)).second) out.push_back(order);
  }
  return out;
}

}  // namespace etpu::planner
