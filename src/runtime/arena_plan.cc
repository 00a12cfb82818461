#include "runtime/arena_plan.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace etpu::runtime {

ArenaPlan PlanArena(const std::vector<ArenaRequest>& requests, int64_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  const auto align = [&](int64_t x) { return (x + alignment - 1) & ~(alignment - 1); };
  std::vector<size_t> placed;
  std::vector<std::pair<int64_t, int64_t>> busy;  // [offset, end) of placed tensors live at the same time
  for (size_t r : order) {
    const ArenaRequest& q = requests[r];
    busy.clear();
    for (size_t p : placed) {
      const ArenaRequest& o = requests[p];
      if (o.first_op <= q.last_op && q.first_op <= o.last_op) busy.emplace_back(plan.offsets[p], plan.offsets[p] + o.bytes);
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + q.bytes <= begin) break;  // fits in the gap before this one
      offset = std::max(offset, align(end));
    }
    plan.offsets[r] = offset;
    plan.size = std::max(plan.size, offset + q.bytes);
    placed.push_back(r);
  }
  return plan;
}

}  // namespace etpu::runtime
