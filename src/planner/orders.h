// Which command-line orders of one set of models the exact search must compile
// (docs/PLANNER.md §4, step 1).
//
// Compiler 16's co-compile policy (cache::RankedAcrossModelsPolicy, the default `--emulate 16`)
// ranks every layer of the set once (depthwise first, then larger first) and caches each layer
// that fits what is left; the command-line order only breaks ties between layers of equal rank.
// Layers that tie have the same byte count, so whatever the order, the ranked sequence of byte
// counts and hence the remaining capacity at every step are the same: only WHICH model's layer
// takes a tied slot can change, and only for a run of tied layers that is partly cached and
// partly streamed. The compile of the set in ascending order lists, per byte count with a cached
// layer in one model and a streamed one in another, the models with a layer of that size
// (GroupCost::tie_groups: a superset of the real ties, it compares byte counts only; layers that
// were streamed alone although they would have fitted are never cached and left out). In such a
// run the tied slots go to the models in command-line order, each taking what it can; only the
// models up to the one that exhausts the slots matter, and the lower bounds of what each can take
// (cached in this group or alone) bound that prefix. One order per distinct tuple of prefixes is
// looked up (replayed by GroupCoster from the set's first compile, not compiled again). Compiler
// 15's policy (cache::RankedInModelOrderPolicy: models in command-line order, each caching what
// fits what its predecessors left) is walked as prefixes instead: a model's
// placement depends only on the bytes cached before it, so orders reaching the same placements
// are merged and each (model, bytes cached before it) is looked up once (compiled, or derived by
// GroupCoster from a group of another set with the same capacity left); one order per distinct
// placement of the set remains. Every other policy, and a set that fails to compile, gets every
// permutation. orders_test checks both reductions against every permutation.
#pragma once

#include <cstdint>
#include <vector>

#include "etpu/status.h"
#include "planner/group_cost.h"

namespace etpu::planner {

/// CandidateOrders takes sets of up to this many models (8! orders at worst).
inline constexpr int kMaxOrderedModels = 8;

enum class OrderEnumeration {
  kReduced,  ///< The orders above.
  kAll,      ///< Every permutation (for tests and for policies without the tie argument).
};

/// The orders of `members` (distinct model indices) that compile, one per distinct placement
/// (per model and region: cached and streamed parameter bytes), the ascending order first when it
/// compiles. `compiled` (optional) is increased by the number of orders looked up. Errors: more
/// than kMaxOrderedModels members.
Result<std::vector<std::vector<int>>> CandidateOrders(GroupCoster& coster, std::vector<int> members,
                                                      OrderEnumeration how = OrderEnumeration::kReduced,
                                                      int64_t* compiled = nullptr);

}  // namespace etpu::planner
