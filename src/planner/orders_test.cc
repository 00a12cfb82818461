// The order reduction of the exact search (planner/orders.h), checked on the library itself:
// for every subset of a pool of zoo models that overflows the SRAM and holds models with
// identical layers (MobileNet v1 1.0 at three resolutions: every layer ties), the reduced orders
// give exactly the placements that every permutation gives.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "planner/orders.h"
#include "planner/test_problems.h"

namespace etpu::planner {
namespace {

using Signatures = std::set<std::vector<std::pair<int64_t, int64_t>>>;

// Per model (ascending index): on-chip and streamed bytes of each candidate.
Signatures Placements(GroupCoster& coster, const std::vector<std::vector<int>>& orders) {
  Signatures out;
  for (const auto& order : orders) {
    auto g = coster.Cost(order);
    EXPECT_TRUE(g.ok() && (*g)->ok);
    if (!g.ok() || !(*g)->ok) continue;
    std::vector<std::pair<int64_t, int64_t>> sig(order.size());
    std::vector<int> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& m : (*g)->members) {
      const size_t k = static_cast<size_t>(std::lower_bound(sorted.begin(), sorted.end(), m.model) - sorted.begin());
      sig[k] = {m.onchip_bytes, m.offchip_bytes};
    }
    out.insert(sig);
  }
  return out;
}

std::vector<int> Members(unsigned mask) {
  std::vector<int> out;
  for (int i = 0; mask != 0; ++i, mask >>= 1) {
    if (mask & 1u) out.push_back(i);
  }
  return out;
}

struct Counts {
  int64_t reduced = 0, all = 0;
  int sets_where_order_matters = 0, sets_with_ties = 0;
};

// Every subset of `pool`: the reduced orders place exactly as every permutation does.
Counts CheckEverySubset(const std::vector<std::string>& pool, int emulate = 16) {
  Counts c;
  Problem p = testing::ZooProblem(pool, {"usb3"});
  p.emulate = emulate;
  // The planner's coster (compiler 15's groups derived from compiled placements, compiler 16's
  // replayed from the set's first compile, group_cost.h) for the reduced orders; every
  // permutation compiled for real.
  auto coster = GroupCoster::Create(p), every = GroupCoster::Create(p);
  EXPECT_TRUE(coster.ok() && every.ok());
  if (!coster.ok() || !every.ok()) return c;
  (*every)->set_derive_placements(false);
  for (unsigned mask = 1; mask < (1u << pool.size()); ++mask) {
    const std::vector<int> members = Members(mask);
    auto r = CandidateOrders(**coster, members, OrderEnumeration::kReduced, &c.reduced);
    auto a = CandidateOrders(**every, members, OrderEnumeration::kAll, &c.all);
    EXPECT_TRUE(r.ok() && a.ok());
    if (!r.ok() || !a.ok()) return c;
    const Signatures rs = Placements(**coster, *r), as = Placements(**every, *a);
    EXPECT_EQ(rs, as) << "set " << mask;
    EXPECT_EQ(r->size(), a->size()) << "set " << mask;
    if (as.size() > 1) ++c.sets_where_order_matters;
    auto first = (*coster)->Cost(members);
    if (first.ok() && !(*first)->tie_groups.empty()) ++c.sets_with_ties;
  }
  std::printf("orders: %lld reduced vs %lld permutations; order matters in %d sets, ties in %d\n",
              static_cast<long long>(c.reduced), static_cast<long long>(c.all), c.sets_where_order_matters,
              c.sets_with_ties);
  return c;
}

// MobileNet v1 1.0 at three resolutions: identical layers, so every layer ties and the order
// decides which model keeps the last tied slots.
TEST(CandidateOrdersTest, Compiler16ReductionKeepsOrdersThatBreakTies) {
  const Counts c = CheckEverySubset({"mobilenet_v1_1.0_224", "mobilenet_v1_1.0_192", "mobilenet_v2_1.0_224",
                                     "mobilenet_v1_1.0_160", "mobilenet_v1_0.5_160"});
  EXPECT_EQ(c.all, 325);
  EXPECT_GT(c.sets_where_order_matters, 0);
  EXPECT_GT(c.sets_with_ties, 0);
  // 189 of 325 since a softmax table's 64-byte unit row is an item of its own (issue 11): the five
  // models' rows all tie, so the order also decides which rows get the last bytes (102 before).
  EXPECT_LT(c.reduced, c.all * 2 / 3);
}

// Different architectures that overflow the SRAM together: few ties, far fewer compilations.
TEST(CandidateOrdersTest, Compiler16ReductionCompilesFewOrdersWithoutTies) {
  const Counts c = CheckEverySubset({"mobilenet_v1_1.0_224", "mobilenet_v2_1.0_224", "efficientnet_edgetpu_s",
                                     "mobilenet_v1_0.75_192", "mobilenet_v1_0.5_160"});
  EXPECT_EQ(c.all, 325);
  EXPECT_LT(c.reduced, c.all / 3);
}

// Compiler 15 places the models one after the other in command-line order: the order changes
// placements (the "order effect"), and the prefix walk finds every distinct placement
// that the permutations give, on every subset of a pool that overflows the SRAM, with fewer
// compilations.
TEST(CandidateOrdersTest, Compiler15PrefixWalkKeepsEveryPlacement) {
  const Counts c = CheckEverySubset({"mobilenet_v2_1.0_224", "mobilenet_v1_1.0_224", "mobilenet_v1_0.5_160",
                                     "efficientnet_edgetpu_s", "mobilenet_v1_0.25_128"},
                                    /*emulate=*/15);
  EXPECT_EQ(c.all, 325);
  EXPECT_GT(c.sets_where_order_matters, 0);
}

// What the walk saves is compilations (memo misses; every candidate is looked up again when the
// search costs it): for the eight-model set of `etpu plan --emulate 15`, against the 40,320
// permutations.
TEST(CandidateOrdersTest, Compiler15PrefixWalkCompilesFarFewerOrders) {
  Problem p = testing::ZooProblem({"mobilenet_v1_0.25_128", "mobilenet_v1_0.5_160", "mobilenet_v1_0.75_192",
                                   "mobilenet_v1_1.0_224", "mobilenet_v2_1.0_224", "efficientnet_edgetpu_s",
                                   "inception_v1_224", "mobilenet_v1_0.5_224"},
                                  {"usb3"});
  p.emulate = 15;
  auto coster = GroupCoster::Create(p);
  ASSERT_TRUE(coster.ok()) << coster.status().message();
  const int64_t before = (*coster)->compilations();
  auto r = CandidateOrders(**coster, {0, 1, 2, 3, 4, 5, 6, 7}, OrderEnumeration::kReduced);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const int64_t compiled = (*coster)->compilations() - before;
  std::printf("8 models, compiler 15: %zu distinct placements from %lld compilations\n", r->size(),
              static_cast<long long>(compiled));
  EXPECT_GT(r->size(), 1u);
  EXPECT_LT(compiled, 2000);
}

}  // namespace
}  // namespace etpu::planner
