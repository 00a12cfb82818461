// Multi-invocation scenarios built on EstimateInvocation: a model pipelined over several Edge
// TPUs, and several models taking turns on one Edge TPU (parameter-cache switching).
//
// Pipeline (timing-anchors.md §5.1): segment i runs on its own TPU; each segment's query
// already counts the intermediate tensors that cross the host (input_bytes / output_bytes).
//   interval   = max_i total_i                       (steady-state time between results)
//   throughput = 1000 / interval                      (results per second)
//   latency    = Σ_i total_i + (k-1) · pipeline_hop_ms
//   first      = Σ_i first_total_i + (k-1) · pipeline_hop_ms
// With shared_usb_hub, all k TPUs sit behind one USB hub: every segment is costed with the
// profile ShareLink(host, k) (each gets 1/k of the bandwidth; PCIe is unaffected).
//
// Switching (parameter caching, timing-anchors.md §3.2): the TPU holds one caching token and
// the parameters of the models loaded under it. Invoking model m:
//   token(m) != resident token  -> cache cleared, m's cached parameters loaded (first_total)
//   same token, m not yet loaded -> m's parameters loaded, nothing cleared      (first_total)
//   same token, m loaded         -> no load                                     (total)
// So separately compiled models (distinct tokens) alternating reload every time; co-compiled
// models (one shared token) load once each and then switch for free. Token 0 means "no
// token": it never matches another model's, so such a model reloads after any other model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "device/device_spec.h"
#include "device/timing_model.h"
#include "etpu/status.h"

namespace etpu::device {

/// The result of EstimatePipeline.
struct PipelineTime {
  std::vector<InvocationTime> segments;
  double interval_ms = 0;        ///< Steady-state time between two results.
  double throughput_per_s = 0;   ///< 1000 / interval_ms.
  double latency_ms = 0;         ///< One input through all segments (parameters cached).
  double first_latency_ms = 0;   ///< The very first input (every segment loads parameters).
  int bottleneck_segment = 0;    ///< Index of the slowest segment.
};

/// Options of EstimatePipeline.
struct PipelineOptions {
  bool shared_usb_hub = false;  ///< All segments' TPUs share one USB hub / controller.
};

/// Costs a pipeline of segments, one TPU each, all of chip `spec` on host `host`.
/// Errors: no segments, or any segment's EstimateInvocation error (prefixed "segment #i").
Result<PipelineTime> EstimatePipeline(const std::vector<InvocationQuery>& segments, const DeviceSpec& spec,
                                      const HostProfile& host, Clock clock, const PipelineOptions& options = {});

/// One model of a switching scenario.
struct ScheduledModel {
  std::string name;
  InvocationQuery query;
  uint64_t caching_token = 0;  ///< Co-compiled models share one non-zero token.
};

/// One invocation of a switching scenario.
struct SwitchingStep {
  int model = 0;              ///< Index into the models.
  double ms = 0;              ///< Its time (total_ms, or first_total_ms when it loaded).
  bool loaded_params = false; ///< The parameter-caching run happened.
  bool cleared_cache = false; ///< A different token was resident (or none yet).
};

/// The result of EstimateSwitching.
struct SwitchingTime {
  std::vector<SwitchingStep> steps;
  std::vector<InvocationTime> per_model;  ///< EstimateInvocation of each model.
  std::vector<double> mean_ms;            ///< Mean step time per model (0 when never invoked).
  double total_ms = 0;
  int param_loads = 0;
};

/// The index value in a sequence that clears the cache (a host-side reset, another process...).
constexpr int kClearCache = -1;

/// Runs `sequence` (indices into `models`, or kClearCache) on one TPU starting with an empty
/// cache. Errors: an index out of range (naming the step), any EstimateInvocation error.
Result<SwitchingTime> EstimateSwitching(const std::vector<ScheduledModel>& models, const std::vector<int>& sequence,
                                        const DeviceSpec& spec, const HostProfile& host, Clock clock);

}  // namespace etpu::device
