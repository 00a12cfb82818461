#include "cache/cache_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "base/units.h"
#include "cache/co_compile.h"
#include "cache/sram_map.h"
#include "cache/test_models.h"

namespace etpu::cache {
namespace {

using base::kKiB;
using base::kMiB;

// A random compile set: 1-5 models of 0-40 layers, sizes log-uniform from 16 B to 4 MiB,
// ~10% always-streamed layers, op indices increasing with gaps; ~10% of the layers are records
// placed in two pieces (like a softmax table and its 64-byte unit row: PlanLayer::record_offset),
// ~5% records whose second piece always streams (like Google's LSTM record and its sequence
// buffer).
std::vector<PlanModel> RandomSet(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> n_models(1, 5), n_layers(0, 40), gap(1, 3), pct(0, 99);
  std::uniform_real_distribution<double> log_size(4.0, 22.0);  // log2 bytes
  std::vector<PlanModel> set(static_cast<size_t>(n_models(rng)));
  for (size_t m = 0; m < set.size(); ++m) {
    set[m].name = "model" + std::to_string(m);
    set[m].content_digest = rng();
    int op = 0;
    const int n = n_layers(rng);
    for (int l = 0; l < n; ++l) {
      op += gap(rng);
      const int64_t bytes = base::RoundUp(static_cast<int64_t>(std::exp2(log_size(rng))), 16);
      const bool streamed = pct(rng) < 10;
      const auto kind = pct(rng) < 30 ? package::LayerKind::kDepthwise : package::LayerKind::kConv;
      if (pct(rng) < 10) {
        set[m].layers.push_back(PlanLayer{op, bytes, streamed, package::LayerKind::kSoftmaxTable});
        set[m].layers.push_back(PlanLayer{op, 64, streamed, package::LayerKind::kSoftmaxTable, bytes});
        continue;
      }
      if (pct(rng) < 5) {
        set[m].layers.push_back(PlanLayer{op, bytes, false, package::LayerKind::kLstm});
        set[m].layers.push_back(PlanLayer{op, 64 * (1 + pct(rng)), true, package::LayerKind::kLstm, bytes});
        continue;
      }
      set[m].layers.push_back(PlanLayer{op, bytes, streamed, kind});
    }
  }
  return set;
}

// (model, layer) of every cacheable layer, in command-line then execution order.
std::vector<std::pair<size_t, size_t>> InOrder(const std::vector<PlanModel>& set) {
  std::vector<std::pair<size_t, size_t>> order;
  for (size_t m = 0; m < set.size(); ++m) {
    for (size_t l = 0; l < set[m].layers.size(); ++l) {
      if (!set[m].layers[l].always_streamed) order.push_back({m, l});
    }
  }
  return order;
}

// The priority rule of cache_plan.h, checked directly on a plan: in the policy's priority order
// (default: command-line, then execution order), a layer is streamed only if it is larger than
// what remains plus every layer cached after it.
void ExpectPriorityRespected(const std::vector<PlanModel>& set, const CachePlan& plan,
                             std::vector<std::pair<size_t, size_t>> priority = {}) {
  if (priority.empty()) priority = InOrder(set);
  struct Item {
    size_t model, layer;
    int64_t bytes;
    bool cached;
  };
  std::vector<Item> order;  // cacheable layers in priority order
  for (const auto& [m, l] : priority) order.push_back({m, l, set[m].layers[l].bytes, plan.models[m].layers[l].cached});
  int64_t cached_after = 0;
  for (size_t i = order.size(); i-- > 0;) {
    const Item& it = order[i];
    if (!it.cached) {
      EXPECT_GT(it.bytes, plan.remaining_bytes + cached_after)
          << "layer " << it.layer << " of model " << it.model << " would have fit in the space of later layers";
    } else {
      cached_after += it.bytes;
    }
  }
}

TEST(GreedyInOrderPolicy, PropertiesOnRandomSets) {
  std::mt19937_64 rng(20240611);
  GreedyInOrderPolicy policy;
  std::uniform_int_distribution<int64_t> cap_dist(0, 9 * static_cast<int64_t>(kMiB));
  int sets_with_partial = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    const std::vector<PlanModel> set = RandomSet(rng);
    const int64_t capacity = cap_dist(rng);
    auto plan = policy.Plan(set, capacity);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    // Whole layers, contiguous offsets, sums, never more than capacity on chip.
    ASSERT_TRUE(VerifyPlan(set, *plan).ok()) << VerifyPlan(set, *plan).ToString();
    int64_t cached = 0;
    for (const auto& mp : plan->models) cached += mp.cached_bytes;
    EXPECT_LE(cached, capacity);
    EXPECT_GE(plan->remaining_bytes, 0);
    for (size_t m = 0; m < set.size(); ++m) {
      for (size_t l = 0; l < set[m].layers.size(); ++l) {
        if (set[m].layers[l].always_streamed) {
          EXPECT_FALSE(plan->models[m].layers[l].cached);
        }
      }
      if (plan->models[m].cached_bytes > 0 && plan->models[m].streamed_bytes > 0) ++sets_with_partial;
    }
    ExpectPriorityRespected(set, *plan);
    // Deterministic.
    auto again = policy.Plan(set, capacity);
    ASSERT_TRUE(again.ok());
    for (size_t m = 0; m < set.size(); ++m) {
      for (size_t l = 0; l < set[m].layers.size(); ++l) {
        EXPECT_EQ(again->models[m].layers[l].cached, plan->models[m].layers[l].cached);
        EXPECT_EQ(again->models[m].layers[l].offset, plan->models[m].layers[l].offset);
      }
    }
  }
  EXPECT_GT(sets_with_partial, 100) << "the generator must exercise partly cached models";
}

// The ranking of the generation policies, restated: depthwise first, then larger first, ties in
// the given order.
void RankStable(const std::vector<PlanModel>& set, std::vector<std::pair<size_t, size_t>>& order) {
  auto key = [&](const std::pair<size_t, size_t>& i) {
    const PlanLayer& l = set[i.first].layers[i.second];
    return std::make_pair(l.depthwise() ? 0 : 1, -l.bytes);
  };
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
}

TEST(RankedPolicies, PropertiesOnRandomSets) {
  std::mt19937_64 rng(20261207);
  std::uniform_int_distribution<int64_t> cap_dist(0, 9 * static_cast<int64_t>(kMiB));
  const RankedInModelOrderPolicy v15;
  const RankedAcrossModelsPolicy v16;
  int partial = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    const std::vector<PlanModel> set = RandomSet(rng);
    const int64_t capacity = cap_dist(rng);
    for (const CachePolicy* policy : {static_cast<const CachePolicy*>(&v15), static_cast<const CachePolicy*>(&v16)}) {
      SCOPED_TRACE(policy->name());
      auto plan = policy->Plan(set, capacity);
      ASSERT_TRUE(plan.ok()) << plan.status().ToString();
      ASSERT_TRUE(VerifyPlan(set, *plan).ok()) << VerifyPlan(set, *plan).ToString();  // whole layers, <= capacity
      // Priority: v15 ranks inside each model, models in command-line order; v16 ranks across all.
      std::vector<std::pair<size_t, size_t>> priority;
      if (policy == &v15) {
        for (size_t m = 0; m < set.size(); ++m) {
          std::vector<std::pair<size_t, size_t>> one;
          for (const auto& i : InOrder(set)) {
            if (i.first == m) one.push_back(i);
          }
          RankStable(set, one);
          priority.insert(priority.end(), one.begin(), one.end());
        }
      } else {
        priority = InOrder(set);
        RankStable(set, priority);
      }
      ExpectPriorityRespected(set, *plan, priority);
      for (size_t m = 0; m < set.size(); ++m) {
        for (size_t l = 0; l < set[m].layers.size(); ++l) {
          if (set[m].layers[l].always_streamed) {
            EXPECT_FALSE(plan->models[m].layers[l].cached);
          }
        }
        partial += plan->models[m].cached_bytes > 0 && plan->models[m].streamed_bytes > 0;
      }
      // Deterministic: the same input gives the same plan.
      auto again = policy->Plan(set, capacity);
      ASSERT_TRUE(again.ok());
      for (size_t m = 0; m < set.size(); ++m) {
        for (size_t l = 0; l < set[m].layers.size(); ++l) {
          EXPECT_EQ(again->models[m].layers[l].cached, plan->models[m].layers[l].cached);
          EXPECT_EQ(again->models[m].layers[l].offset, plan->models[m].layers[l].offset);
        }
      }
    }
  }
  EXPECT_GT(partial, 200) << "the generator must exercise partly cached models";
}

TEST(RankedPolicies, RegisteredAndReserveOnlyForSets) {
  for (const char* name : {RankedInModelOrderPolicy::kName, RankedAcrossModelsPolicy::kName}) {
    auto p = CachePolicyRegistry::Create(name);
    ASSERT_TRUE(p.ok()) << name;
    EXPECT_EQ((*p)->SetReserveBytes(testing::BuiltinChipMemory(), 1), 0) << name;
    EXPECT_GT((*p)->SetReserveBytes(testing::BuiltinChipMemory(), 2), 0) << name;
  }
  EXPECT_EQ(GreedyInOrderPolicy().SetReserveBytes(testing::BuiltinChipMemory(), 4), 0);
}

TEST(GreedyInOrderPolicy, AnEarlierModelIsNeverStarvedByALaterOne) {
  // Cross-model form of the priority rule: swapping a later model's cached layers for an earlier
  // model's streamed layer would not make room.
  std::mt19937_64 rng(7);
  GreedyInOrderPolicy policy;
  for (int iter = 0; iter < 1000; ++iter) {
    const std::vector<PlanModel> set = RandomSet(rng);
    auto plan = policy.Plan(set, static_cast<int64_t>(rng() % (8 * kMiB)));
    ASSERT_TRUE(plan.ok());
    for (size_t j = 0; j < set.size(); ++j) {
      int64_t later_cached = 0;
      for (size_t k = j + 1; k < set.size(); ++k) later_cached += plan->models[k].cached_bytes;
      for (size_t l = 0; l < set[j].layers.size(); ++l) {
        if (set[j].layers[l].always_streamed || plan->models[j].layers[l].cached) continue;
        EXPECT_GT(set[j].layers[l].bytes, plan->remaining_bytes + later_cached);
      }
    }
  }
}

// Pieces of a record are items of their own: the generation policies rank each by its size, so
// a record's small last piece (a softmax unit row) takes what is left after larger items, even
// when the rest of its record streams; every policy keeps the pieces' placements in record order.
TEST(RankedPolicies, APieceOfARecordIsRankedByItsOwnSize) {
  const auto soft = package::LayerKind::kSoftmaxTable, conv = package::LayerKind::kConv;
  std::vector<PlanModel> set(2);
  set[0].name = "a";
  set[0].layers = {{0, 1000, false, conv}, {1, 500, false, soft}, {1, 64, false, soft, 500}};
  set[1].name = "b";
  set[1].layers = {{0, 800, false, conv}, {1, 500, false, soft}, {1, 64, false, soft, 500}};
  // 1000 + 800 fit, then 100 bytes are left: no table fits, exactly one row does (the first listed).
  auto plan = RankedAcrossModelsPolicy().Plan(set, 1900);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_TRUE(VerifyPlan(set, *plan).ok()) << VerifyPlan(set, *plan).ToString();
  EXPECT_FALSE(plan->models[0].layers[1].cached);
  EXPECT_TRUE(plan->models[0].layers[2].cached);
  EXPECT_FALSE(plan->models[1].layers[2].cached);  // ties: command-line order
  EXPECT_EQ(plan->models[0].cached_bytes, 1064);
  EXPECT_EQ(plan->models[0].layers[2].record_offset, 500);
  EXPECT_EQ(plan->models[0].layers[2].offset, 1000);  // cached blob: after the conv, in execution order
  EXPECT_EQ(plan->remaining_bytes, 36);
  // Without the split (one 564-byte record each), nothing more is cached.
  std::vector<PlanModel> whole = set;
  for (PlanModel& m : whole) m.layers = {m.layers[0], {1, 564, false, soft}};
  auto whole_plan = RankedAcrossModelsPolicy().Plan(whole, 1900);
  ASSERT_TRUE(whole_plan.ok());
  EXPECT_EQ(whole_plan->remaining_bytes, 100);
}

TEST(CachePlanInput, RejectsPiecesThatDoNotFollowTheirRecord) {
  GreedyInOrderPolicy policy;
  std::vector<PlanModel> set(1);
  set[0].name = "m";
  set[0].layers = {{0, 100, false}, {0, 64, false, package::LayerKind::kOther, 100}};
  EXPECT_TRUE(policy.Plan(set, 1000).ok());
  set[0].layers = {{0, 100, false}, {0, 64, false, package::LayerKind::kOther, 96}};  // a gap
  EXPECT_EQ(policy.Plan(set, 1000).status().code(), StatusCode::kInvalidArgument);
  set[0].layers = {{0, 100, false}, {1, 8, false}, {0, 64, false, package::LayerKind::kOther, 100}};  // not next
  EXPECT_EQ(policy.Plan(set, 1000).status().code(), StatusCode::kInvalidArgument);
  set[0].layers = {{0, 64, false, package::LayerKind::kOther, 100}};  // no first piece
  EXPECT_EQ(policy.Plan(set, 1000).status().code(), StatusCode::kInvalidArgument);
  set[0].layers = {{0, 100, false}, {0, 64, true, package::LayerKind::kOther, 100}};  // an always-streamed piece
  EXPECT_TRUE(policy.Plan(set, 1000).ok());
}

// Google's LSTM record: its weights are placed like any record, its sequence buffer (the second
// piece) always streams, under every policy, with room to spare or not.
TEST(CachePlanInput, AnAlwaysStreamedPieceStreamsWhileItsRecordIsCached) {
  const auto lstm = package::LayerKind::kLstm, conv = package::LayerKind::kConv;
  std::vector<PlanModel> set(1);
  set[0].name = "lstm";
  set[0].layers = {{1, 34368, false, lstm}, {1, 576, true, lstm, 34368}, {3, 9024, false, conv}};
  for (const std::string name : {GreedyInOrderPolicy::kName, RankedInModelOrderPolicy::kName,
                                  RankedAcrossModelsPolicy::kName}) {
    SCOPED_TRACE(name);
    auto policy = CachePolicyRegistry::Create(name);
    ASSERT_TRUE(policy.ok());
    for (int64_t capacity : {static_cast<int64_t>(8 * kMiB), int64_t{34368}, int64_t{0}}) {
      auto plan = (*policy)->Plan(set, capacity);
      ASSERT_TRUE(plan.ok()) << plan.status().ToString();
      ASSERT_TRUE(VerifyPlan(set, *plan).ok()) << VerifyPlan(set, *plan).ToString();
      const ModelPlan& mp = plan->models[0];
      EXPECT_EQ(mp.layers[0].cached, capacity >= 34368);
      EXPECT_FALSE(mp.layers[1].cached);
      EXPECT_EQ(mp.layers[1].record_offset, 34368);
      if (capacity == static_cast<int64_t>(8 * kMiB)) {
        EXPECT_EQ(mp.cached_bytes, 34368 + 9024);
        EXPECT_EQ(mp.streamed_bytes, 576);
        EXPECT_EQ(mp.layers[1].offset, 0);
      }
    }
  }
}

TEST(CachePlanInput, RejectsBadInput) {
  GreedyInOrderPolicy policy;
  std::vector<PlanModel> set(1);
  set[0].name = "m";
  set[0].layers = {{0, 100, false}, {0, 100, false}};
  auto dup = policy.Plan(set, 1000);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("'m'"), std::string::npos);
  set[0].layers = {{0, 100, false}, {0, 16, true}};  // one operator, a cached and a streamed part
  EXPECT_TRUE(policy.Plan(set, 1000).ok());
  set[0].layers = {{0, -5, false}};
  EXPECT_EQ(policy.Plan(set, 1000).status().code(), StatusCode::kInvalidArgument);
  set[0].layers = {{0, 5, false}};
  EXPECT_EQ(policy.Plan(set, -1).status().code(), StatusCode::kInvalidArgument);
}

TEST(CachePolicyRegistry, LooksUpByNameAndVerifiesOtherPolicies) {
  auto greedy = CachePolicyRegistry::Create("greedy-in-order");
  ASSERT_TRUE(greedy.ok());
  EXPECT_EQ((*greedy)->name(), "greedy-in-order");
  auto unknown = CachePolicyRegistry::Create("no-such-policy");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("greedy-in-order"), std::string::npos);

  // A broken policy that caches everything regardless of capacity is caught.
  class CacheAll final : public CachePolicy {
   public:
    std::string name() const override { return "test-cache-all"; }
    Result<CachePlan> Plan(std::span<const PlanModel> models, int64_t capacity) const override {
      CachePlan plan;
      plan.capacity_bytes = capacity;
      int64_t total = 0;
      for (const auto& m : models) {
        ModelPlan mp;
        for (const auto& l : m.layers) {
          mp.layers.push_back({l.op_index, true, mp.cached_bytes, l.bytes});
          mp.cached_bytes += l.bytes;
        }
        total += mp.cached_bytes;
        plan.models.push_back(mp);
      }
      plan.remaining_bytes = capacity - total;
      return plan;
    }
  };
  CachePolicyRegistry::Register("test-cache-all", [] { return std::make_unique<CacheAll>(); });
  std::vector<PlanModel> set(1);
  set[0].layers = {{0, 8 * static_cast<int64_t>(kMiB), false}, {1, 4 * static_cast<int64_t>(kMiB), false}};
  CompileSetOptions opts;
  opts.policy = "test-cache-all";
  auto bad = PlanCompileSet(set, testing::BuiltinCapacity(), opts);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
  EXPECT_NE(bad.status().message().find("over the capacity"), std::string::npos) << bad.status().message();
}

TEST(CompileSet, OneNonZeroDeterministicTokenPerSet) {
  std::mt19937_64 rng(99);
  const CapacityModel cm = testing::BuiltinCapacity();
  std::set<uint64_t> tokens;
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<PlanModel> set = RandomSet(rng);
    auto a = PlanCompileSet(set, cm);
    auto b = PlanCompileSet(set, cm);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a->token, 0u);
    EXPECT_EQ(a->token, b->token);
    tokens.insert(a->token);
    auto split = PlanSplit(set, cm);
    ASSERT_TRUE(split.ok());
    ASSERT_EQ(split->size(), set.size());
    for (const auto& seg : *split) EXPECT_EQ(seg.token, (*split)[0].token);
  }
  EXPECT_GE(tokens.size(), 299u) << "different sets must get different tokens";
}

// End to end on real graphs: random conv-chain models, built, analysed and co-compiled.
TEST(CompileSet, RandomGraphSetsShareTheWorstCapacityAndRespectOrder) {
  std::mt19937_64 rng(4242);
  const CapacityModel cm = testing::BuiltinCapacity();
  std::uniform_int_distribution<int> n_models(1, 4), n_convs(1, 6), ch(1, 48), side(1, 12), kernel(0, 1);
  for (int iter = 0; iter < 40; ++iter) {
    std::vector<PlanModel> set;
    int64_t min_alone = INT64_MAX;
    const int n = n_models(rng);
    for (int m = 0; m < n; ++m) {
      std::vector<int> filters(static_cast<size_t>(n_convs(rng)));
      for (int& f : filters) f = 16 * ch(rng);
      const int s = 8 * side(rng);
      std::string name = "m";
      name += std::to_string(m);
      ir::Model g = testing::ConvChain(name, s, s, 16 * ch(rng), filters, kernel(rng) ? 3 : 1);
      auto pm = testing::PlanModelOf(g, g.path, {}, cm);
      ASSERT_TRUE(pm.ok()) << pm.status().ToString();
      const ActivationFootprint alone[1] = {pm->act};
      min_alone = std::min(min_alone, cm.ParameterCapacity(alone));
      set.push_back(*pm);
    }
    auto plan = PlanCompileSet(set, cm);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_EQ(plan->capacity_bytes, min_alone) << "a set has the capacity of its most demanding member";
    EXPECT_EQ(plan->capacity_bytes, plan->budget.parameter_capacity_bytes);
    ExpectPriorityRespected(set, *plan);
    int64_t first_total = 0;
    for (const auto& l : set[0].layers) first_total += l.always_streamed ? 0 : l.bytes;
    if (first_total <= plan->capacity_bytes) {
      EXPECT_EQ(plan->models[0].cached_bytes, first_total) << "the first model fits, so it is fully cached";
    }
  }
}

// The seed's scenario: two models that together exceed the SRAM, co-compiled in both orders.
TEST(CompileSet, FirstListedModelKeepsItsLayersOnChip) {
  const CapacityModel cm = testing::BuiltinCapacity();
  // Twenty 1x1 convolutions 512 -> 512 on 8x8: 20 x 264192 B = 5.04 MiB each.
  ir::Model a = testing::ConvChain("a.tflite", 8, 8, 512, std::vector<int>(20, 512), 1);
  ir::Model b = testing::ConvChain("b.tflite", 8, 8, 512, std::vector<int>(18, 512), 1);
  auto pa = testing::PlanModelOf(a, "a", {}, cm);
  auto pb = testing::PlanModelOf(b, "b", {}, cm);
  ASSERT_TRUE(pa.ok() && pb.ok());
  for (bool a_first : {true, false}) {
    std::vector<PlanModel> set = a_first ? std::vector<PlanModel>{*pa, *pb} : std::vector<PlanModel>{*pb, *pa};
    auto plan = PlanCompileSet(set, cm);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    const ModelPlan& first = plan->models[0];
    const ModelPlan& second = plan->models[1];
    std::printf("%s", RenderSramMap(*plan, 72).c_str());
    EXPECT_EQ(first.streamed_bytes, 0) << first.name << " is listed first";
    EXPECT_GT(second.streamed_bytes, 0);
    EXPECT_GT(second.cached_bytes, 0) << "the second takes what is left";
    EXPECT_LT(plan->remaining_bytes, 264192) << "no further layer would fit";
    EXPECT_LE(first.cached_bytes + second.cached_bytes, plan->capacity_bytes);
  }
}

}  // namespace
}  // namespace etpu::cache
