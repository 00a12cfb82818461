// Published and measured Edge TPU latencies that etpu's timing model is validated against, as
// data: Coral's published USB 3 desktop figures (max clock) for the models the zoo generates, the
// seed's Jetson Nano measurements (std clock), and the published figures of the other host
// profiles (Dev Board, Raspberry Pi 4 and 3). Sources: timing-anchors.md §1.1, §1.2, §1.4, §4.1.
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
  /// Empty when the figure times what the timing model times (one invoke of the model, its CPU
  /// operators included); else why it does not, and it is shown but left out of the medians.
  std::string not_comparable;
};

/// Coral's published USB 3 desktop latencies (libedgetpu1-max) for models the zoo has: MobileNet
/// v1 224 (2.4, B), v2 (2.6, B), Inception v1 (3.4, B and P), EfficientNet-EdgeTPU S/M/L
/// (5.0/7.3/21.3, P; 5.1/8.7, B), MobileNet v1 0.25/128 (0.9, P), PoseNet x3 (5.8/10.3/32.4, P),
/// Inception v3 299 (42.8, P), Inception v4 299 (85, B; 84.7, P), SSD MobileNet v2 300 (7.2, B;
/// 7.3, P; its post-processing runs on the CPU). One entry per (model, source): EfficientNet S and
/// M, Inception v4 and the SSD appear twice.
const std::vector<LatencyAnchor>& CoralPublishedLatencies();

/// The seed's measurements, Jetson Nano + USB 3 Edge TPU (libedgetpu1-std, 250 MHz):
/// EfficientNet-EdgeTPU L 50/40 ms, M 35/17, S 30/10 (first/later).
const std::vector<LatencyAnchor>& SeedMeasurements();

/// Published figures of the other host profiles: Coral's Dev Board column (PCIe, max clock, C++
/// benchmark: MobileNet v1 2.4, v2 2.6, Inception v1 4.1, v4 102, EfficientNet-EdgeTPU S 5.5,
/// M 10.6, SSD MobileNet v2 14), a Raspberry Pi + USB Accelerator running pycoral's classification
/// example (MobileNet v2, 18.4 ms first / 5.2 later, edgetpu#664), and a Raspberry Pi 3 B running
/// the 2020 detection example (SSD MobileNet v2, 276.87 / 75, edgetpu#115; not comparable, see
/// its note).
const std::vector<LatencyAnchor>& OtherHostFigures();

}  // namespace etpu::perf
