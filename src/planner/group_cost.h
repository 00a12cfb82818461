// What each model of one ORDERED co-compile group costs, from the compiler's own allocation of
// that group and the one timing model. Memoised per ordered group.
//
//   1. Each model is compiled alone once, models built (CompileOptions::build_models = true), and
//      costed with perf::ComputeModelCost: its InvocationQuery per edgetpu-custom-op (layers,
//      instruction, input/output bytes, cached and streamed parameters).
//   2. An ordered group is compiled with build_models = false (decide + partition + cache plan,
//      no package bytes): its per-layer placements say how many parameter bytes of each region
//      are cached and how many streamed in THIS group, in THIS order.
//   3. The model's query in the group = its solo query with the cached / streamed parameter
//      bytes of each region moved by the difference between the group's placements and the
//      solo placements. Nothing else of a package depends on the co-compilation, so this is the
//      query ComputeModelCost reads from the built co-compiled package (group_cost_test checks it
//      against real built packages).
//   4. Times: perf::EstimateModelTime of that query on each distinct (host profile, clock).
//
// Compiler 15 (cache::RankedInModelOrderPolicy) places the models of a set one after the other in
// command-line order, each caching what fits the capacity its predecessors left: a model's
// placement depends only on that capacity (its layers are ranked among themselves), and the
// set's capacity only on the set. So once a set has been compiled in one order (which gives its
// capacity), an ordered group of that policy whose every member has been placed by some compiled
// group at the same capacity left before it is put together from those placements instead of
// being compiled again: the same compiler allocation, reused (docs/PLANNER.md §4). That a set
// which compiled in one order compiles in every order is assumed: a plan-only compile fails only
// while preparing one model or on the set's inputs, neither of which depends on the order.
// group_cost_test checks derived groups against compiled ones, field by field, for every order
// of every subset of a pool.
//
// Compiler 16 (cache::RankedAcrossModelsPolicy) ranks every item of the set once (depthwise
// first, then larger first; ties: command-line order, then execution order) and caches each item
// that fits what is left of the set's capacity. The items (operator, region, bytes, depthwise,
// always streamed) and the capacity do not depend on the order, so once a set has been compiled
// in one order the policy is replayed on those items for any other order instead of compiling it
// again; a compiled group is learnt only when the replay of its own order reproduces each of its
// placements and byte counts. A member's cost depends only on its cached and streamed bytes per
// region, so it is built once per distinct placement. group_cost_test checks derived groups
// against compiled ones, field by field, for every order of every subset of a pool.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "etpu/status.h"
#include "perf/model_cost.h"
#include "planner/problem.h"

namespace etpu::planner {

/// One model inside one ordered group.
struct MemberCost {
  int model = 0;                 ///< Index into Problem::models.
  int64_t onchip_bytes = 0;      ///< Parameters cached on chip (the group's SRAM split).
  int64_t offchip_bytes = 0;     ///< Parameters streamed on every inference.
  /// The query per edgetpu-custom-op in this group (shared: a derived group copies its members).
  std::shared_ptr<const perf::ModelCost> cost;
  std::vector<double> first_ms;  ///< Per host kind (GroupCoster::KindOf): first inference (parameters loaded).
  std::vector<double> later_ms;  ///< Per host kind: every later inference.
};

/// Layers of one rank in a compiled group (same byte count, all depthwise convolutions or none),
/// some cached and some streamed, in two models or more.
struct TieGroup {
  int64_t bytes = 0;
  bool depthwise = false;
  int cached_layers = 0;             ///< Layers of that size cached in the group.
  std::vector<int> models;           ///< Models with a layer of that size (indices into Problem::models, ascending).
  /// Per entry of `models`: layers of that size the model can certainly cache (cached in this
  /// group or when compiled alone); a lower bound of its cacheable layers of that size.
  std::vector<int> cacheable_at_least;
};

/// One ordered group: compiled, or the compiler's failure.
struct GroupCost {
  std::vector<int> order;
  bool ok = false;
  std::string error;               ///< Why the group cannot be compiled (when !ok).
  std::vector<MemberCost> members; ///< In compile order.
  std::string cache_policy;        ///< The caching policy that placed the layers (ModelResult::cache_policy).
  /// The ranks (byte count, depthwise or not) for which one model of the group has a cached layer
  /// and another model a streamed one: where compiler 16's ranking policy may have broken ties by
  /// command-line position (planner/orders.h). Filled for that policy only (no other use).
  std::vector<TieGroup> tie_groups;
};

/// The memo. Not thread-safe.
class GroupCoster {
 public:
  /// Compiles and costs every model alone. Errors: a model the compiler refuses alone (named), a
  /// timing-model error. `problem` must outlive the coster.
  static Result<std::unique_ptr<GroupCoster>> Create(const Problem& problem);
  /// The same, taking the alone-compilation of every model that shares its parsed form with a
  /// model of `donor` from there (a problem derived by cutting some models into pipeline stages).
  static Result<std::unique_ptr<GroupCoster>> Create(const Problem& problem, const GroupCoster* donor);

  const Problem& problem() const { return *problem_; }
  /// Distinct (host profile, clock) pairs of the devices; device d uses kind KindOf(d).
  int kinds() const { return static_cast<int>(kind_device_.size()); }
  int KindOf(int device) const { return device_kind_.at(static_cast<size_t>(device)); }
  /// A device of that kind (for its host profile and clock).
  int DeviceOfKind(int kind) const { return kind_device_.at(static_cast<size_t>(kind)); }

  /// The group `order` (model indices, compile order; distinct, in range). Compiled on first use.
  /// Errors only for a bad `order` or a timing-model error; a compiler failure is a GroupCost with
  /// ok == false.
  Result<const GroupCost*> Cost(const std::vector<int>& order);

  /// Compilations run so far (one per distinct ordered group not derived, plus one per model alone).
  int64_t compilations() const { return compilations_; }
  /// Ordered groups put together from placements of compiled groups instead of compiled (see the
  /// file comment).
  int64_t derived() const { return derived_; }
  /// Whether Cost may derive ordered groups (on by default; tests turn it off to compare).
  void set_derive_placements(bool on) { derive_ = on; }

 private:
  struct Solo {
    perf::ModelCost cost;
    std::vector<int64_t> region_cached, region_streamed;
    std::map<std::pair<int64_t, bool>, int> cached_layers;  ///< (bytes, depthwise) -> layers of that rank cached alone.
    /// (operator, bytes) of the layers streamed alone although they would have fitted what was
    /// left: layers the policy never caches (element-wise constants), in any set.
    std::set<std::pair<int, int64_t>> never_cached;
  };
  explicit GroupCoster(const Problem& p) : problem_(&p) {}
  Status Times(MemberCost& m) const;
  /// One item of a compiled model's placement (ModelResult::layers) as the ranking policies see it.
  struct Item {
    int op_index = 0;
    int region = 0;
    int64_t bytes = 0;
    bool depthwise = false;
    bool always_streamed = false;
    bool cached = false;  ///< In the group it was read from, or as replayed.
  };
  /// Per position of a group: its items in execution order.
  using Items = std::vector<std::vector<Item>>;
  static Result<Items> ItemsOf(const CompileResult& r);
  static int64_t PlaceRanked(Items& items, int64_t capacity_bytes);
  std::vector<TieGroup> TieGroups(const Items& items, const std::vector<int>& order) const;
  /// The member `mi` whose items (as placed) are `items`: its solo cost with the parameter bytes
  /// per region moved (memoised by model and bytes per region).
  Result<MemberCost> Member(int mi, const std::vector<Item>& items, const std::vector<int>& order);
  /// The group put together from placements_, or null when a member's placement is not known.
  std::unique_ptr<GroupCost> Derive(const std::vector<int>& order) const;
  /// Compiler 16: the group replayed from a compiled order of its set, or null when none is known.
  Result<std::unique_ptr<GroupCost>> Replay(const std::vector<int>& order);
  /// Records the placements of a compiled group of compiler 15's policy.
  void Learn(const GroupCost& g, const CompileResult& r);
  /// Records the items of a compiled group of compiler 16's policy.
  void LearnItems(const GroupCost& g, const CompileResult& r, Items items);

  /// A compiled set (members ascending): its caching policy and parameter capacity.
  struct SetCapacity {
    std::string policy;
    int64_t capacity_bytes = 0;
  };

  const Problem* problem_;
  std::vector<int> device_kind_, kind_device_;
  std::vector<Solo> solo_;
  std::map<std::vector<int>, std::unique_ptr<GroupCost>> memo_;
  std::map<std::vector<int>, SetCapacity> sets_;  ///< Sets compiled without error, by sorted members.
  /// Compiler 15: (model, capacity left before it) -> its cost at that place.
  std::map<std::pair<int, int64_t>, MemberCost> placements_;
  /// Compiler 16: a compiled set (members ascending) -> its capacity and each member's items.
  struct SetItems {
    int64_t capacity_bytes = 0;
    std::map<int, std::vector<Item>> by_model;
  };
  std::map<std::vector<int>, SetItems> set_items_;
  /// (model, cached then streamed bytes per region) -> its cost.
  std::map<std::pair<int, std::vector<int64_t>>, MemberCost> members_;
  bool derive_ = true;
  int64_t compilations_ = 0, derived_ = 0;
};

/// The edgetpu_compiler command line that compiles `order` (files in compile order).
std::string CompileCommand(const Problem& problem, const std::vector<int>& order);

}  // namespace etpu::planner
