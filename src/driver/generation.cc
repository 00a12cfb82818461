#include "driver/generation.h"

#include "cache/cache_plan.h"

namespace etpu::driver {

params::CompilerGeneration Generation(int emulate) {
  return emulate == 15 ? params::CompilerGeneration::k2020_11 : params::CompilerGeneration::k2021_07;
}

std::string DefaultCachePolicy(int emulate) {
  return emulate == 15 ? cache::RankedInModelOrderPolicy::kName : cache::RankedAcrossModelsPolicy::kName;
}

int DefaultMinRuntimeVersion(int emulate) { return emulate == 15 ? 13 : 14; }

}  // namespace etpu::driver
