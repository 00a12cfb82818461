// Section 6's published figures beside ours: for a source model that is one of the zoo's models
// the seed measured (EfficientNet-EdgeTPU S/M/L on a Jetson Nano, perf::SeedMeasurements), the
// seed's first and later inference next to the timing model's on the same host profile and clock.
// The identity is the zoo's, never a file name: the zoo name the model's description claims,
// confirmed by the graph's structure (every operator's code and version, and every tensor's type
// and shape) being the zoo model's; weights are not compared.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "etpu/status.h"

namespace etpu::report {

/// [{"zoo_model", "label", "source", "host", "clock", "seed_first_ms", "seed_later_ms", "ours_first_ms",
/// "ours_later_ms"}] for `source` (the source model's bytes) and `compiled` (what the report
/// compiled from it); empty when the model is not one the seed measured. Errors: the timing model's.
Result<nlohmann::json> SeedFigures(std::span<const uint8_t> source, std::span<const uint8_t> compiled, const std::string& name);

}  // namespace etpu::report
