// The one timing model of etpu: how long one invocation of a compiled Edge TPU executable takes
// on a given chip, host link and clock. The compiler report, the runtime's virtual device,
// `etpu bench` and the planner all call EstimateInvocation (docs/TIMING_MODEL.md).
//
// Pure functions: no I/O, no globals, no state. Formulas (timing-anchors.md §5.1):
//   f        = EffectiveClockHz(spec, host, clock)       (PCIe ignores the std throttle)
//   C        = estimated_cycles if > 0, else sum over layers of LayerCycles
//   compute  = C / f
//   h2d      = (instruction + input + scratch_h2d) / BW_h2d
//   d2h      = (output + scratch_d2h) / BW_d2h
//   stream   = streamed_param / BW_h2d                    (overlaps compute)
//   total    = fixed + h2d + d2h + max(compute, stream)
//   first    = total + cached_param / BW_h2d              (the PARAMETER_CACHING run)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "device/device_spec.h"
#include "etpu/status.h"

namespace etpu::device {

/// The shape of one layer as the structural cycle model sees it. For kConv kh/kw are the
/// kernel size; for kDepthwise and kPool the window; for kFullyConnected out_h*out_w is the
/// number of rows (1 for a plain FC). `macs` may be 0 (then LayerMacs derives it).
struct LayerCost {
  enum Kind { kConv, kDepthwise, kFullyConnected, kElementwise, kPool, kOther };
  Kind kind = kOther;
  int out_h = 1, out_w = 1, in_c = 1, out_c = 1, kh = 1, kw = 1;
  int64_t macs = 0;
  std::string name;  ///< Optional, for error messages and reports.
  int op_index = -1; ///< The operator it comes from in its (region) model; -1 when not known.
};

/// "conv", "depthwise", "fully_connected", "elementwise", "pool", "other".
const char* LayerKindName(LayerCost::Kind kind);

/// What one invocation moves and computes. Byte counts are per inference, as in the compiled
/// executable's DMA hints; cached_param_bytes is what the PARAMETER_CACHING run uploads.
struct InvocationQuery {
  std::vector<LayerCost> layers;
  int64_t estimated_cycles = 0;  ///< The compiler's own estimate; > 0 replaces the layer model.
  int64_t instruction_bytes = 0;
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
  int64_t streamed_param_bytes = 0;
  int64_t cached_param_bytes = 0;
  int64_t scratch_h2d_bytes = 0;
  int64_t scratch_d2h_bytes = 0;
};

/// One layer's part of an invocation (layer model only): its cycles and their time at the
/// invocation's clock. The invocation's compute_ms is the sum of the layers'.
struct LayerTime {
  int64_t cycles = 0;
  double compute_ms = 0;
};

/// The estimate, in milliseconds; see the formulas at the top of this file.
struct InvocationTime {
  double compute_ms = 0;
  double h2d_ms = 0;
  double d2h_ms = 0;
  double fixed_ms = 0;
  double stream_ms = 0;
  double param_load_ms = 0;
  double total_ms = 0;        ///< Every inference once the parameters are cached.
  double first_total_ms = 0;  ///< The first inference (and the first after a cache clear).
  int64_t cycles = 0;
  double clock_hz = 0;        ///< The clock actually used.
  bool stream_bound = false;  ///< Streaming, not compute, set the overlapped term.
  double h2d_ms_per_byte = 0; ///< Host-to-device time of one byte: a layer's streamed bytes take bytes x this.
  /// Per query layer, in order, when the layer model gave the cycles (estimated_cycles == 0);
  /// empty when the compiler's estimate did.
  std::vector<LayerTime> layers;
};

/// Structural MACs of a layer: `macs` when > 0, else from the shape
/// (conv Ho·Wo·kh·kw·Cin·Cout, depthwise Ho·Wo·kh·kw·C, FC rows·Cin·Cout, others 0).
int64_t LayerMacs(const LayerCost& layer);

/// Cycles of one layer (rounded up), with T = spec.tiles, I/O = conv input/output channels per
/// cycle, D = depthwise channels per cycle, P = depthwise passes, eta = utilisation:
///   conv         ceil(Ho·Wo/T) · kh·kw · ceil(Cin/I) · ceil(Cout/O) / eta
///   depthwise    ceil(Ho·Wo/T) · kh·kw · ceil(Cout/D) · P / eta
///   pool         same as depthwise (window kh×kw)
///   elementwise  ceil(Ho·Wo/T) · ceil(Cout/D) · P / eta
///   fully conn.  rows · ceil(Cin/O) · ceil(Cout/O) / eta
///   other        ceil(macs / macs_per_cycle) / eta when macs > 0, else as elementwise
/// Errors: non-positive or absurd (> 2^24) dimensions, negative macs; the message names the
/// layer by index and name.
Result<int64_t> EstimateLayerCycles(const LayerCost& layer, const DeviceSpec& spec, int index = 0);

/// Sum of EstimateLayerCycles over `layers`.
Result<int64_t> EstimateComputeCycles(const std::vector<LayerCost>& layers, const DeviceSpec& spec);

/// Validates that a chip spec and a host profile hold usable (positive, finite) numbers.
Status ValidateDevice(const DeviceSpec& spec, const HostProfile& host);

/// The time of one invocation. Errors: negative byte counts (naming the field), invalid
/// layers, unusable spec/profile.
Result<InvocationTime> EstimateInvocation(const InvocationQuery& query, const DeviceSpec& spec,
                                          const HostProfile& host, Clock clock);

/// The host's time for the operators a model leaves on the CPU, from their time measured on the
/// machine etpu runs on: measured_here_ms x host.cpu_time_factor. Errors: a negative or
/// non-finite measurement, an unusable factor.
Result<double> HostCpuMs(double measured_here_ms, const HostProfile& host);

}  // namespace etpu::device
