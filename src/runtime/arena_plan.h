// The arena of intermediate tensors: tensors whose lifetimes do not overlap share bytes.
//
// Each request is a tensor's size and its lifetime, the first and last operator (in execution
// order, inclusive) that write or read it. Greedy by size, as TFLite's arena planner does: the
// largest tensor first, each at the lowest aligned offset that overlaps no already placed tensor
// whose lifetime meets its own. Two tensors live at the same operator never share a byte, so an
// operator's inputs and outputs are always apart.
#pragma once

#include <cstdint>
#include <vector>

namespace etpu::runtime {

struct ArenaRequest {
  int64_t bytes = 0;
  int first_op = 0, last_op = 0;  ///< Inclusive; first_op <= last_op.
};

struct ArenaPlan {
  std::vector<int64_t> offsets;  ///< Per request, a multiple of the alignment.
  int64_t size = 0;              ///< Bytes of the arena.
};

/// `alignment` must be a power of two.
ArenaPlan PlanArena(const std::vector<ArenaRequest>& requests, int64_t alignment = 64);

}  // namespace etpu::runtime
