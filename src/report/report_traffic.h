// Section 9 of the report: what one inference moves over the host link, and what that means at a
// target frame rate against every host profile of the device catalog (USB 2, USB 3, PCIe, ...).
// Bytes come from the timing model's view of each package (EdgeTpuOpTiming), link bandwidths
// from the catalog (devices/devices.json).
#pragma once

#include <nlohmann/json.hpp>

#include "etpu/status.h"

namespace etpu::report {

/// {"fps", "hosts": [...], "models": [...], "set": {...}, "shared_hub_note"} for doc["models"].
Result<nlohmann::json> HostTraffic(const nlohmann::json& models, double fps);

}  // namespace etpu::report
