// Size estimates for when no compiled executable is at hand (a model not compiled yet, a
// planner exploring splits): instruction-stream bytes, parameter bytes, and a whole
// InvocationQuery built from a layer list. The constants live in devices/devices.json
// (instruction_base_bytes, instruction_bytes_per_gmac, param_bytes_per_weight,
// param_bytes_per_output_channel) with their sources; formulas in docs/TIMING_MODEL.md.
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

/// int8 weights of a layer: conv kh·kw·Cin·Cout, depthwise kh·kw·Cout, FC Cin·Cout, others 0.
int64_t LayerWeights(const LayerCost& layer);

/// Instruction bytes re-sent with every inference:
///   round(instruction_base_bytes + instruction_bytes_per_gmac · ΣLayerMacs / 1e9).
/// Errors: invalid layers (as EstimateLayerCycles).
Result<int64_t> EstimateInstructionBytes(const std::vector<LayerCost>& layers, const DeviceSpec& spec);

/// Compiled parameter bytes:
///   round(param_bytes_per_weight · ΣLayerWeights + param_bytes_per_output_channel · ΣCout),
/// where the Cout sum runs over conv, depthwise and fully connected layers (their biases).
Result<int64_t> EstimateParameterBytes(const std::vector<LayerCost>& layers, const DeviceSpec& spec);

/// A query from a layer list: estimated instruction and parameter bytes, the parameters split
/// into cached = min(params, capacity) and streamed = the rest. capacity < 0 means
/// spec.param_cache_bytes. input/output bytes are the model's tensors as sent over the link.
Result<InvocationQuery> QueryFromLayers(const std::vector<LayerCost>& layers, int64_t input_bytes,
                                        int64_t output_bytes, const DeviceSpec& spec,
                                        int64_t cache_capacity_bytes = -1);

}  // namespace etpu::device
