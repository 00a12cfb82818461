// Section 8 of the report: a plan of `etpu plan --json` (read by planner::ReadPlanDocument), shown
// per Edge TPU: its co-compile groups in compile order with the edgetpu_compiler command line, its
// utilisation, token switches per second and streamed MB/s against the link's capacity (the device
// catalog's host profile).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "etpu/status.h"

namespace etpu::report {

/// {"file", "throughput_headroom", "lower_bound_headroom", "devices": [{"device_string", "host",
/// "utilisation", "token_switches_per_s", "streamed_mb_s", "link_mb_s", "link_share", "groups":
/// [{"models", "compile_command"}]}], "baselines": [{"name", "throughput_headroom"}]}. Errors:
/// those of planner::ReadPlanDocument (naming the file and field), an unknown host profile.
Result<nlohmann::json> ReadPlanSection(const std::string& file);

}  // namespace etpu::report
