// Segmenting one model into N pipeline segments (edgetpu_compiler --num_segments).
//
// The real compiler "divides the model such that all segments have roughly equal amounts of
// parameter data" (compiler-behaviour.md §8.4, [C]); its exact cut rule is unknown [U]. We use the
// public parameter-count heuristic of the same kind: average = total / N + 1; segments 0..N-2 are
// filled in execution order and cut just before an operator that would take the segment over the
// average; every segment keeps at least one operator; cuts stop before the first operator with no
// consumers (an output operator), so the last segment holds all of those.
#pragma once

#include <cstdint>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::partition {

/// Returns, per segment, the operator indices it holds (execution order).
/// `param_bytes[i]` is operator i's parameter size. Fails when N < 1 or N > number of operators.
Result<std::vector<std::vector<int>>> SegmentByParameters(const ir::Model& model, const std::vector<int64_t>& param_bytes,
                                                          int num_segments);

}  // namespace etpu::partition
