// Device time of a compiled model, for library users: what one inference costs on an Edge TPU
// behind a given host link, from etpu's timing model (docs/TIMING_MODEL.md) and the device
// catalog built into the library (devices/devices.json).
//
//   auto t = etpu::EstimateModelTiming(compiled_bytes, {.host = "usb2"});
//   t->first_ms;   // first inference: cached parameters uploaded
//   t->later_ms;   // every later inference
//
// The same numbers the runtime's CacheEvent::simulated_ms and `etpu bench` report. Operators
// left on the host CPU are counted, not timed. Implemented by src/perf (model_cost).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu {

struct TimingOptions {
  std::string chip;            ///< Chip of the catalog; empty = its default chip.
  std::string host = "usb3";   ///< Host profile (usb3, usb2, pcie, ...), as RuntimeOptions::host.
  std::string clock;           ///< "max" or "std"; empty = the host profile's default clock.
  std::string device_catalog;  ///< JSON catalog path; empty = the built-in one.
};

/// One layer of an edgetpu-custom-op (an operator of its region that computes; shape-only
/// operators are free), as the timing model's layer model counts it.
struct LayerTiming {
  int region_op_index = -1;    ///< Operator index in the region (the custom op's own graph).
  std::string name;            ///< "#3 CONV_2D": region operator index and type.
  int64_t cycles = 0;
  double compute_ms = 0;       ///< cycles at the inference's clock; the op's compute_ms is their sum.
};

/// One edgetpu-custom-op, one inference.
struct EdgeTpuOpTiming {
  int op_index = -1;           ///< Operator index in the compiled model.
  uint64_t token = 0;          ///< Caching token (0: none).
  double first_ms = 0;         ///< First inference (cached parameters uploaded first).
  double later_ms = 0;         ///< Every later inference.
  double compute_ms = 0;
  double h2d_ms = 0;           ///< Host to device transfers (inputs, streamed parameters, ...).
  double d2h_ms = 0;
  double stream_ms = 0;        ///< Streaming the off-chip parameters.
  double param_load_ms = 0;    ///< Uploading the cached parameters (first inference only).
  double fixed_ms = 0;         ///< Per-invocation overhead: later = fixed + h2d + d2h + max(compute, stream).
  int64_t cycles = 0;
  double clock_hz = 0;
  bool stream_bound = false;   ///< Streaming, not compute, bounds the inference.
  int64_t cached_param_bytes = 0;
  int64_t streamed_param_bytes = 0;
  int64_t instruction_bytes = 0;   ///< Host to device every inference (with input and scratch).
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
  int64_t scratch_h2d_bytes = 0;
  int64_t scratch_d2h_bytes = 0;
  double h2d_ms_per_byte = 0;      ///< The host link: a layer's streamed bytes take bytes x this.
  /// Per layer, in region order, when the layer model timed the package (etpu's packages); empty
  /// when the package's own cycle estimate did (Google's).
  std::vector<LayerTiming> layers;
};

/// A whole compiled model: its edgetpu-custom-ops run one after another.
struct ModelTiming {
  std::string chip;            ///< The chip, host and clock actually used.
  std::string host;
  std::string clock;
  std::vector<EdgeTpuOpTiming> edgetpu_ops;
  double first_ms = 0;         ///< Σ first_ms.
  double later_ms = 0;         ///< Σ later_ms.
  int cpu_op_count = 0;        ///< Operators left on the host CPU (not timed here: `etpu bench` measures them).
  /// What first_ms / later_ms leave out, one phrase each (the host CPU part, the compute of a
  /// package without a cycle estimate); empty when complete, otherwise they are lower bounds.
  std::vector<std::string> left_out;
  int64_t cpu_macs = 0;        ///< Their conv / depthwise / fully-connected MACs.
};

/// Times one inference of a compiled model held in memory; `name` names it in errors. Errors:
/// unreadable model, unknown chip / host / clock, an unreadable catalog.
Result<ModelTiming> EstimateModelTiming(std::span<const uint8_t> compiled_model, const std::string& name,
                                        const TimingOptions& options = {});

/// Same, reading the file at `path`.
Result<ModelTiming> EstimateModelTimingFile(const std::string& path, const TimingOptions& options = {});

}  // namespace etpu
