// Section 8 of the report: a plan of `etpu plan --json` (read by planner::ReadPlanDocument), shown
// per Edge TPU: its co-compile groups in compile order with the edgetpu_compiler command line and
// their members (which stage of a pipelined model, which replica, each with its utilisation and
// bytes), its utilisation, token switches per second and streamed MB/s against the link's capacity
// (the device catalog's host profile); and which device runs each stage or replica.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "etpu/status.h"

namespace etpu::report {

/// {"file", "throughput_headroom", "lower_bound_headroom", "devices": [{"device_string", "host",
/// "utilisation", "token_switches_per_s", "streamed_mb_s", "link_mb_s", "link_share", "groups":
/// [{"models", "compile_command", "members": [{"name", "rate_hz", "later_ms", "part_kind" ("stage",
/// "replica" or null), "part_of", "part", "utilisation", "onchip_bytes", "offchip_bytes"}]}]}],
/// "baselines": [{"name", "throughput_headroom"}], "pipelines": [{"model", "stages", "method",
/// "starts", "devices" (the device index running each stage)}], "replicas": [{"model", "replicas",
/// "devices"}], "shared_usb_hub"}. Errors:
/// those of planner::ReadPlanDocument (naming the file and field), an unknown host profile.
Result<nlohmann::json> ReadPlanSection(const std::string& file);

}  // namespace etpu::report
