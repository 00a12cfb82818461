#include "device/estimates.h"

#include <fmt/format.h>

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

}  // namespace

Result<int64_t> EstimateInstructionBytes(const std::vector<LayerCost>& layers, const DeviceSpec& spec) {
  ETPU_RETURN_IF_ERROR(ValidateLayers(layers, spec));
  double macs = 0;
  for (const LayerCost& l : layers) macs += static_cast<double>(LayerMacs(l));
  return static_cast<int64_t>(std::llround(spec.instruction_base_bytes + spec.instruction_bytes_per_gmac * macs / 1e9));
}

}  // namespace etpu::device
