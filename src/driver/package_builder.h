// The back half of the compiler for one model: from the cache plan to the compiled .tflite.
// Each region becomes one edgetpu-custom-op whose options hold a DWN1 package with a
// PARAMETER_CACHING executable (the region's cached layers) and an EXECUTION_ONLY executable
// (the streamed layers and our virtual-chip program), both with the set's caching token.
#pragma once

#include <cstdint>
#include <vector>

#include "cache/cache_plan.h"
#include "driver/prepared_model.h"

namespace etpu::driver {


struct BuiltModel {
  std::vector<uint8_t> tflite;  ///< The compiled model file.
  int64_t cached_bytes = 0;     ///< All regions' PARAMETER_CACHING parameters.
  int64_t streamed_bytes = 0;   ///< All regions' EXECUTION_ONLY parameters.
  int package_min_runtime_version = 0;
  std::vector<LayerPlacement> layers;  ///< Where each layer of `prepared.layers` went, region by region.
};

/// The package's minimum runtime version: the -m value, raised to what the mapped operators need.
int PackageRuntimeVersion(const PreparedModel& prepared, int requested);

/// Where each layer of `prepared.layers` goes, region by region in execution order: cached or
/// streamed, and its offset inside that region's PARAMETER_CACHING or EXECUTION_ONLY blob.
Result<std::vector<LayerPlacement>> PlaceLayers(const PreparedModel& prepared, const cache::ModelPlan& plan);

/// Builds the compiled model. `plan` places every layer of `prepared.layers`; `emulate` (15 or
/// 16) names the compiler generation in the package's compiler version.
Result<BuiltModel> BuildCompiledModel(const PreparedModel& prepared, const cache::ModelPlan& plan, uint64_t token,
                                      int min_runtime_version, int emulate = 16);

}  // namespace etpu::driver
