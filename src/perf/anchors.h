// Published and measured Edge TPU latencies that etpu's timing model is validated against, as
// data: Coral's published USB 3 desktop figures (max clock) for the models the zoo generates, and
// the seed's Jetson Nano measurements (std clock). Sources: timing-anchors.md §1.1, §1.2, §4.1.
// These are facts to compare with, never inputs of the model.
#pragma once

#include <string>
#include <vector>

#include "device/device_spec.h"

namespace etpu::perf {

/// One published latency of a zoo model.
struct LatencyAnchor {
  std::string zoo_name;   ///< The zoo model it is compared with.
  std::string label;      ///< As the source names the model.
  std::string host;       ///< Host profile name in devices/devices.json.
  device::Clock clock = device::Clock::kMax;
  double later_ms = 0;    ///< Steady-state inference.
  double first_ms = 0;    ///< First inference (parameter upload); 0 when not published.
  std::string source;     ///< "coral.ai/models" (P), "coral.ai/docs/edgetpu/benchmarks" (B), "seed" (S).
};

/// Coral's published USB 3 desktop latencies (libedgetpu1-max) for models the zoo has: MobileNet
/// v1 224 (2.4, B), v2 (2.6, B), Inception v1 (3.4, B and P), EfficientNet-EdgeTPU S/M/L
/// (5.0/7.3/21.3, P; 5.1/8.7, B), MobileNet v1 0.25/128 (0.9, P), PoseNet x3 (5.8/10.3/32.4, P),
/// Inception v3 299 (42.8, P), Inception v4 299 (85, B; 84.7, P). One entry per (model, source):
/// EfficientNet S and M and Inception v4 appear twice.
const std::vector<LatencyAnchor>& CoralPublishedLatencies();

/// The seed's measurements, Jetson Nano + USB 3 Edge TPU (libedgetpu1-std, 250 MHz):
/// EfficientNet-EdgeTPU L 50/40 ms, M 35/17, S 30/10 (first/later).
const std::vector<LatencyAnchor>& SeedMeasurements();

}  // namespace etpu::perf
