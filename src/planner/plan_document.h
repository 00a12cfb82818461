// The plan document `etpu plan --json` writes (docs/PLANNER.md, "What it prints"), read back: by
// `etpu report --plan` (section 8) and `etpu simulate`. A plan file is untrusted input: every field
// used is checked, and errors name the file and the field.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "etpu/status.h"

namespace etpu::planner {

struct PlanMemberDoc {
  std::string name;
  double rate_hz = 0;
  double first_ms = 0;
  double later_ms = 0;
  /// The planner's predicted p99 latency (latency.h); absent in older plans, null when overloaded.
  std::optional<double> latency_p99_ms;
};

struct PlanGroupDoc {
  std::vector<std::string> models;      ///< In compile order.
  std::string compile_command;
  std::vector<PlanMemberDoc> members;   ///< The same models with their demand and times.
};

struct PlanDeviceDoc {
  std::string host;
  std::string device_string;
  double utilisation = 0;
  double token_switches_per_s = 0;
  double streamed_mb_s = 0;
  std::vector<PlanGroupDoc> groups;
};

struct PlanDocument {
  std::string file;  ///< Where it was read from (messages).
  double throughput_headroom = 0;
  std::optional<double> lower_bound_headroom;
  std::vector<PlanDeviceDoc> devices;
  std::vector<std::pair<std::string, double>> baselines;  ///< name, throughput headroom.
  /// The workload (`workload` in the file; absent in older plans: Poisson). A sequence names
  /// models of the plan, issued frames_per_s times per second.
  std::vector<std::string> sequence;
  double frames_per_s = 0;
};

/// Checks and reads a parsed plan document. Errors: a field missing or of the wrong type (named
/// as "FILE: devices[1].groups[0].members[2].rate_hz: expected ..."), no device.
Result<PlanDocument> ParsePlanDocument(const nlohmann::json& plan, const std::string& file);
/// Reads a plan file (at most 64 MiB). Errors: missing or unreadable, not JSON, as ParsePlanDocument.
Result<PlanDocument> ReadPlanDocument(const std::string& file);

}  // namespace etpu::planner
