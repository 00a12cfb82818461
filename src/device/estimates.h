// The instruction-stream size estimate for when no Google executable is at hand (etpu's own
// packages carry etpu-defined instructions). The constants live in devices/devices.json
// (instruction_base_bytes, instruction_bytes_per_gmac) with their sources; the formula in
// docs/TIMING_MODEL.md. Parameter bytes are never estimated: params::LayerParamBytes gives the
// exact layout, and the cache planner the on-chip split.
//
// Note: etpu's own executables carry etpu-defined instructions, not Google's bitstream, so
// their payload size says nothing about the real link traffic; the timing of an etpu-compiled
// model should use EstimateInstructionBytes rather than the size of that payload.
#pragma once

#include <cstdint>
#include <vector>

#include "device/device_spec.h"
#include "device/timing_model.h"
#include "etpu/status.h"

namespace etpu::device {

/// Instruction bytes re-sent with every inference:
///   round(instruction_base_bytes + instruction_bytes_per_gmac · ΣLayerMacs / 1e9).
/// Errors: invalid layers (as EstimateLayerCycles).
Result<int64_t> EstimateInstructionBytes(const std::vector<LayerCost>& layers, const DeviceSpec& spec);

}  // namespace etpu::device
