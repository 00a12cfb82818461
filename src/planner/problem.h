// The planning problem of `etpu plan` (docs/PLANNER.md): M models, each with a demand in Hz, N
// Edge TPUs (a host profile each, mixed allowed), one chip spec and a clock. Models are parsed
// once (etpu::ParseModel) so that the planner can compile thousands of ordered groups cheaply.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "device/device_catalog.h"
#include "device/device_spec.h"
#include "etpu/compiler.h"
#include "etpu/status.h"

namespace etpu::planner {

/// One model to serve.
struct PlanModel {
  std::string name;        ///< As given (a path or a zoo name); shown in tables.
  std::string file;        ///< The file edgetpu_compiler is given ("<zoo name>.tflite" for zoo models).
  bool from_zoo = false;
  double rate_hz = 0;      ///< Demand: invocations per second (> 0).
  /// Latency objective: the predicted p99 from arrival to completion must not exceed it (ms > 0;
  /// evaluate.h). A replica has the whole model's; a pipeline stage the pipeline's.
  std::optional<double> slo_ms;
  std::vector<uint8_t> bytes;                   ///< The source .tflite.
  std::shared_ptr<const ParsedModel> parsed;    ///< ParseModel(bytes).
  /// A part of a model (planner/pipeline.h): a pipeline stage or a replica. `split_of` is the
  /// model it comes from (index into the problem it was split from; -1 for a whole model), `part`
  /// and `parts` its place and count. Two parts of one model never share a TPU: each stage is its
  /// own interpreter and Edge TPU (libcoral's PipelinedModelRunner), and a second replica on the
  /// same TPU would add nothing.
  int split_of = -1;
  int part = 0, parts = 1;
  bool replica = false;      ///< A replica (same model, a share of the demand), not a stage.
  std::string source_name;   ///< The whole model's name (for stages).
};

/// The whole problem.
struct Problem {
  std::vector<PlanModel> models;
  std::vector<device::HostProfile> devices;  ///< One host profile per Edge TPU (devices[i] = TPU i).
  device::DeviceSpec chip;
  std::optional<device::Clock> clock;        ///< Empty: each host profile's default clock.
  int emulate = 16;                          ///< Generation of Google's compiler (CompileOptions::emulate).
  /// The USB TPUs sit behind one hub and share its bandwidth (their profiles are device::ShareLink's).
  bool shared_usb_hub = false;

  /// False when `models` holds two parts of one model (they cannot run on one TPU).
  bool PartsApart(const std::vector<int>& models) const;
  bool PartsApart(const std::vector<std::vector<int>>& groups) const;

  device::Clock ClockOf(int device) const {
    return clock.value_or(devices.at(static_cast<size_t>(device)).default_clock);
  }
};

/// One "MODEL@HZ" or "MODEL@HZ:MSms" argument split: the model part, the rate and the optional
/// latency objective (p99, in ms; the "ms" suffix may be left out). Errors: no '@', a rate or an
/// objective that is not a finite number > 0.
struct ModelDemand {
  std::string model;
  double rate_hz = 0;
  std::optional<double> slo_ms;
};
Result<ModelDemand> ParseModelDemand(const std::string& text);

/// Builds a Problem: each model is a .tflite file or a zoo name (generated in memory), each
/// device a host profile name of `catalog`. With `shared_usb_hub`, the USB TPUs share one hub:
/// each gets 1/n of its link's bandwidth, n the USB TPUs (docs/TIMING_MODEL.md §2.3, the steady
/// state in which all transfer at once). Errors: no model, no device, an unknown model or host,
/// a non-positive rate or latency objective, two models with the same compiler output name.
Result<Problem> MakeProblem(const std::vector<ModelDemand>& models, const std::vector<std::string>& device_hosts,
                            const device::DeviceCatalog& catalog, std::optional<device::Clock> clock,
                            bool shared_usb_hub = false);

}  // namespace etpu::planner
