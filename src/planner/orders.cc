#include "planner/orders.h"

#include <algorithm>
#include <numeric>
#include <set>

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
    for (const auto& op : m->cost.edgetpu_ops) {
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
  if (how == OrderEnumeration::kAll || !first->ok ||
      first->cache_policy != cache::RankedAcrossModelsPolicy::kName) {
    orders = AllOrders(members);
  } else {
    orders = TiedOrders(members, first->tie_groups);
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
