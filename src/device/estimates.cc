#include "device/estimates.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace etpu::device {
namespace {

/// Validates every layer by running the cycle model on it (same checks, same messages).
Status ValidateLayers(const std::vector<LayerCost>& layers, const DeviceSpec& spec) {
  for (size_t i = 0; i < layers.size(); ++i) {
    ETPU_RETURN_IF_ERROR(EstimateLayerCycles(layers[i], spec, static_cast<int>(i)).status());
  }
  return OkStatus();
}

bool HasBias(const LayerCost& l) {
  return l.kind == LayerCost::kConv || l.kind == LayerCost::kDepthwise || l.kind == LayerCost::kFullyConnected;
}

}  // namespace

int64_t LayerWeights(const LayerCost& l) {
  switch (l.kind) {
    case LayerCost::kConv: return int64_t{l.kh} * l.kw * l.in_c * l.out_c;
    case LayerCost::kDepthwise: return int64_t{l.kh} * l.kw * l.out_c;
    case LayerCost::kFullyConnected: return int64_t{l.in_c} * l.out_c;
    default: return 0;
  }
}

Result<int64_t> EstimateInstructionBytes(const std::vector<LayerCost>& layers, const DeviceSpec& spec) {
  ETPU_RETURN_IF_ERROR(ValidateLayers(layers, spec));
  double macs = 0;
  for (const LayerCost& l : layers) macs += static_cast<double>(LayerMacs(l));
  return static_cast<int64_t>(std::llround(spec.instruction_base_bytes + spec.instruction_bytes_per_gmac * macs / 1e9));
}

Result<int64_t> EstimateParameterBytes(const std::vector<LayerCost>& layers, const DeviceSpec& spec) {
  ETPU_RETURN_IF_ERROR(ValidateLayers(layers, spec));
  double weights = 0;
  double channels = 0;
  for (const LayerCost& l : layers) {
    weights += static_cast<double>(LayerWeights(l));
    if (HasBias(l)) channels += l.out_c;
  }
  return static_cast<int64_t>(
      std::llround(spec.param_bytes_per_weight * weights + spec.param_bytes_per_output_channel * channels));
}

Result<InvocationQuery> QueryFromLayers(const std::vector<LayerCost>& layers, int64_t input_bytes,
                                        int64_t output_bytes, const DeviceSpec& spec, int64_t cache_capacity_bytes) {
  if (input_bytes < 0 || output_bytes < 0) {
    return InvalidArgumentError(fmt::format(
        "failed to build a timing query: input_bytes = {}, output_bytes = {} (expected >= 0)", input_bytes,
        output_bytes));
  }
  InvocationQuery q;
  q.layers = layers;
  q.input_bytes = input_bytes;
  q.output_bytes = output_bytes;
  ETPU_ASSIGN_OR_RETURN(q.instruction_bytes, EstimateInstructionBytes(layers, spec));
  ETPU_ASSIGN_OR_RETURN(int64_t params, EstimateParameterBytes(layers, spec));
  const int64_t cap = cache_capacity_bytes < 0 ? spec.param_cache_bytes : cache_capacity_bytes;
  q.cached_param_bytes = std::min(params, cap);
  q.streamed_param_bytes = params - q.cached_param_bytes;
  return q;
}

}  // namespace etpu::device
