// TRANSPOSE_CONV (uint8 per-tensor, int8 per-channel, float32): a stop-gap kernel written here
// because src/kernels has none yet. Numerics follow TFLite's reference TransposeConv: every input
// pixel scatters (x + input_offset) * (w + filter_offset) into an int32 scratch of the output
// size, then bias, MultiplyByQuantizedMultiplier (per channel), output offset and clamp.
// Padding: TFLite's ComputePaddingHeightWidth with the transpose output as the "input" extent.
#pragma once

#include "etpu/status.h"
#include "runtime/interpreter.h"

namespace etpu::runtime::ops {

/// Factory of TRANSPOSE_CONV: inputs (output_shape, weights OHWI, input, [bias]).
Result<EvalFn> MakeTransposeConv(OpBuildContext& c);

}  // namespace etpu::runtime::ops
