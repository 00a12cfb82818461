// Section 8 of the report: a plan of `etpu plan --json` (docs/PLANNER.md), shown per Edge TPU: its
// co-compile groups in compile order with the edgetpu_compiler command line, its utilisation, token
// switches per second and streamed MB/s against the link's capacity (the device catalog's host
// profile). The plan file is untrusted input: every field used is checked, and errors name the
// file and the field.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "etpu/status.h"

namespace etpu::report {

/// {"file", "throughput_headroom", "lower_bound_headroom", "devices": [{"device_string", "host",
/// "utilisation", "token_switches_per_s", "streamed_mb_s", "link_mb_s", "link_share", "groups":
/// [{"models", "compile_command"}]}], "baselines": [{"name", "throughput_headroom"}]} from the
/// parsed plan document `plan`, read from `file` (used in messages).
Result<nlohmann::json> PlanSection(const nlohmann::json& plan, const std::string& file);

/// Reads and checks a plan file (PlanSection of its JSON). Errors: missing or unreadable file,
/// not JSON, a field missing or of the wrong type, an unknown host profile.
Result<nlohmann::json> ReadPlanSection(const std::string& file);

}  // namespace etpu::report
