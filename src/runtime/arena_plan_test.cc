// The arena plan against its contract on random lifetimes: tensors live at the same operator never
// share a byte, offsets are aligned, the arena is no larger than every tensor apart and no smaller
// than the bytes live at the busiest operator (a lower bound of any plan).
#include "runtime/arena_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace etpu::runtime {
namespace {

TEST(ArenaPlanTest, LiveTensorsNeverShareBytesOnRandomLifetimes) {
  std::mt19937 rng(3);
  int64_t saved = 0, total = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const int ops = 1 + static_cast<int>(rng() % 40);
    std::vector<ArenaRequest> req(1 + rng() % 60);
    for (auto& r : req) {
      r.bytes = 1 + static_cast<int64_t>(rng() % 5000);
      r.first_op = static_cast<int>(rng() % static_cast<unsigned>(ops));
      r.last_op = r.first_op + static_cast<int>(rng() % static_cast<unsigned>(ops - r.first_op));
    }
    const ArenaPlan plan = PlanArena(req, 64);
    ASSERT_EQ(plan.offsets.size(), req.size());
    int64_t sum = 0;
    for (size_t i = 0; i < req.size(); ++i) {
      EXPECT_EQ(plan.offsets[i] % 64, 0);
      EXPECT_LE(plan.offsets[i] + req[i].bytes, plan.size);
      sum += (req[i].bytes + 63) / 64 * 64;
      for (size_t j = i + 1; j < req.size(); ++j) {
        const bool live_together = req[i].first_op <= req[j].last_op && req[j].first_op <= req[i].last_op;
        const bool share = plan.offsets[i] < plan.offsets[j] + req[j].bytes && plan.offsets[j] < plan.offsets[i] + req[i].bytes;
        EXPECT_FALSE(live_together && share) << "trial " << trial << ": tensors " << i << " and " << j;
      }
    }
    EXPECT_LE(plan.size, sum);
    int64_t peak = 0;
    for (int op = 0; op < ops; ++op) {
      int64_t live = 0;
      for (const auto& r : req) live += r.first_op <= op && op <= r.last_op ? r.bytes : 0;
      peak = std::max(peak, live);
    }
    EXPECT_GE(plan.size, peak);
    saved += sum - plan.size;
    total += sum;
  }
  EXPECT_GT(saved, total / 4) << "the plan hardly reuses bytes";
}

// A chain a -> b -> c -> d: each tensor lives for two operators, so a and c can share, b and d too.
TEST(ArenaPlanTest, AChainReusesEveryOtherTensor) {
  const ArenaPlan plan = PlanArena({{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}}, 64);
  EXPECT_EQ(plan.size, 1024 + 1000);
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[3]);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
}

}  // namespace
}  // namespace etpu::runtime
