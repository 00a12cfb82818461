// Cutting one model into pipeline segments: the compiler's own `-n` split (parameter-equal) and
// the stand-alone source model of any run of operators, as `edgetpu_compiler -n` writes them and
// as the planner (src/planner/pipeline.h) compiles them. One cutting path for both.
#pragma once

#include <cstdint>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::driver {

/// The `-n N` split of `model` under compiler generation `emulate` (15 or 16): per segment, its
/// operator indices in execution order (partition::SegmentByParameters over each operator's
/// parameter bytes). Errors: N < 1, more segments than operators.
Result<std::vector<std::vector<int>>> ParameterEqualSegments(const ir::Model& model, int num_segments, int emulate);

/// The operators [first, end) of `model` (execution order) as a stand-alone .tflite: every tensor
/// they read from outside the run is an input, every tensor they produce that is read after the
/// run (or is a model output) is an output. Errors: an empty or out-of-range run.
Result<std::vector<uint8_t>> SegmentSource(const ir::Model& model, int first, int end);

/// SegmentSource of an arbitrary operator list (execution order).
Result<std::vector<uint8_t>> SegmentSource(const ir::Model& model, const std::vector<int>& ops);

}  // namespace etpu::driver
