// `etpu simulate`: plays a workload over the Edge TPUs of a plan, event by event, to check the
// planner's closed-form switch model (docs/PLANNER.md §3) against what actually happens.
//
// Each Edge TPU serves its models first-come-first-served, one invocation at a time. Demands are
// Poisson (model m arrives at rate λ_m), or a cyclic sequence issued at the start of every frame. The device applies libedgetpu's caching-token rule: it holds
// one token; running a model of another co-compile group clears the parameter cache, after which
// each model of the new group uploads its cached parameters on its first invocation (first_ms)
// and runs at later_ms while the token stays. The per-invocation times are the one timing model's
// (the plan carries them); nothing of the planner's formulas is used here. Devices are independent
// (a shared USB hub is not modelled).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu::simulate {

struct SimModel {
  std::string name;
  double rate_hz = 0;   ///< Poisson arrival rate (> 0).
  double first_ms = 0;  ///< An invocation that uploads the model's cached parameters.
  double later_ms = 0;  ///< An invocation while its parameters stay cached.
};

/// One Edge TPU: its co-compile groups (each shares one caching token) and, to compare with, what
/// the planner predicted for it (negative when unknown).
struct SimDevice {
  std::string name;
  std::vector<std::vector<SimModel>> groups;
  double predicted_utilisation = -1;
  double predicted_switches_per_s = -1;
  /// With SimOptions::frames_per_s > 0: this device's invocations of one frame, in order (indices
  /// into its models counted group by group).
  std::vector<int> sequence;
};

struct SimOptions {
  double seconds = 600;   ///< Simulated time (> 0).
  uint64_t seed = 1;      ///< Arrivals are pseudo-random but reproducible.
  /// > 0: instead of Poisson arrivals, each device's `sequence` is issued at the start of every
  /// frame, this many frames per second (etpu plan --sequence; planner/sequence.h).
  double frames_per_s = 0;
};

struct SimModelResult {
  std::string name;
  int64_t invocations = 0;
  int64_t reloads = 0;         ///< Invocations that uploaded the cached parameters.
  double throughput_hz = 0;    ///< Invocations completed per simulated second.
  double latency_p50_ms = 0;   ///< Arrival to completion (queueing + service).
  double latency_p99_ms = 0;
};

struct SimDeviceResult {
  std::string name;
  double utilisation = 0;           ///< Busy time / simulated time.
  double token_switches_per_s = 0;
  double predicted_utilisation = -1;
  double predicted_switches_per_s = -1;
  bool saturated = false;           ///< Work arrived faster than it could be served (utilisation ≥ 1).
  std::vector<SimModelResult> models;  ///< Group by group, in plan order.
};

/// Simulates `devices` for options.seconds. Errors: no device, a non-positive or non-finite rate or
/// time, first_ms < later_ms, a non-positive simulated time, a workload of more than 10^8 arrivals.
Result<std::vector<SimDeviceResult>> SimulateDevices(const std::vector<SimDevice>& devices, const SimOptions& options);

}  // namespace etpu::simulate
