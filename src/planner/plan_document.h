// The plan document `etpu plan --json` writes (docs/PLANNER.md, "What it prints"), read back: by
// `etpu report --plan` (section 8) and `etpu simulate`. A plan file is untrusted input: every field
// used is checked, and errors name the file and the field.
#pragma once

#include <cstdint>
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
  // Optional in the file (plans of older etpu versions lack them; when present they are checked):
  std::string pipeline_of;              ///< The source model when this member is a pipeline stage; empty = none.
  std::string replica_of;               ///< The source model when this member is a replica; empty = none.
  int part = 0;                         ///< Stage or replica index (0-based) within pipeline_of / replica_of.
  std::optional<double> utilisation;    ///< Its share of its device's time.
  std::optional<uint64_t> onchip_bytes;   ///< Cached parameter bytes (a decimal string in the file).
  std::optional<uint64_t> offchip_bytes;  ///< Streamed parameter bytes per inference (a decimal string).
};

/// A model the plan cut into stages on several devices (`pipelines[]`).
struct PlanPipelineDoc {
  std::string model;
  int stages = 0;
  std::string method;                   ///< "profiling" or "num-segments".
  std::vector<int> starts;              ///< The operator each stage starts at (stages entries).
};

/// A model the plan runs as several replicas (`replicas[]`).
struct PlanReplicaDoc {
  std::string model;
  int replicas = 0;
  std::vector<double> shares;  ///< The demand's split, in replica order; empty (older plans): equal.
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
  std::vector<PlanPipelineDoc> pipelines;  ///< Empty in plans without a split (or of older versions).
  std::vector<PlanReplicaDoc> replicas;
  bool shared_usb_hub = false;             ///< The USB devices share one hub (each has 1/n of its link).
  /// The workload (`workload` in the file; absent in older plans: Poisson). A sequence names
  /// models of the plan, issued frames_per_s times per second.
  std::vector<std::string> sequence;
  double frames_per_s = 0;
};

/// Checks and reads a parsed plan document. Errors: a field missing or of the wrong type (named
/// as "FILE: devices[1].groups[0].members[2].rate_hz: expected ..."), no device; a member whose
/// pipeline_of / replica_of names no entry of pipelines[] / replicas[], or whose part is not below
/// that entry's stages / replicas; a pipeline whose starts are not one increasing entry per stage.
Result<PlanDocument> ParsePlanDocument(const nlohmann::json& plan, const std::string& file);
/// Reads a plan file (at most 64 MiB). Errors: missing or unreadable, not JSON, as ParsePlanDocument.
Result<PlanDocument> ReadPlanDocument(const std::string& file);

}  // namespace etpu::planner
