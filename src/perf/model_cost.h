// What one inference of a COMPILED model costs the Edge TPU: for every edgetpu-custom-op, the
// device::InvocationQuery that the timing model (device/timing_model.h) turns into time. This is
// the single bridge between a compiled package and the timing model: the compiler report, the
// runtime's virtual Edge TPU and `etpu bench` all call ComputeModelCost, so they agree.
//
// Pure: no I/O, no globals, no state. Every input is untrusted: shapes are bounds-checked and the
// errors name the operator.
//
// Where each field of the query comes from (docs/TIMING_MODEL.md §6):
//   etpu's own packages (chip "etpu-virtual", a decoded Program):
//     layers              one LayerCost per operator of the Program's region model (its shapes);
//                         shape-only operators (RESHAPE, SQUEEZE, EXPAND_DIMS) cost nothing
//     estimated_cycles    0 (etpu writes no cycle estimate: the structural layer model is used)
//     instruction_bytes   device::EstimateInstructionBytes(layers): etpu's own program bytes are
//                         not Edge TPU instructions and say nothing about link traffic
//     cached_param_bytes  the PARAMETER_CACHING executable's parameters (PackageInfo::on_chip_bytes)
//   Google's packages (chip "beagle"; no region model):
//     estimated_cycles    estimated_cycles_64bit (else the 32-bit field); 0 = compute unknown
//     instruction_bytes   the real instruction bitstreams' length
//   Both, link traffic per inference = the main executable's DMA hints (timing-anchors.md §4.5:
//   they list everything that crosses the link on every inference):
//     input/output_bytes  INPUT_/OUTPUT_ACTIVATION descriptors (without hints: Σ IoLayer.size_bytes
//                         × execution_count_per_inference of the input/output layers)
//     streamed_param_bytes max(PARAMETER descriptors, the main executable's parameters)
//     scratch_h2d/d2h     SCRATCH descriptors by direction (without hints: scratch_size_bytes each
//                         way). etpu's executables declare a scratch buffer (scratch_size_bytes)
//                         but list no SCRATCH descriptor, so no spill traffic is timed for them;
//                         declared_scratch_bytes keeps what they declare.
//
// The CPU part (operators left on the host) is counted here (operators, MACs); its time is a
// measurement (runtime::MeasureCpuPart, on the machine etpu runs on) that the caller may put into
// ModelCost::cpu_measured_ms; EstimateModelTime scales it to the host profile
// (device::HostCpuMs) and adds it. Unmeasured, the CPU part is left out of the times.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "device/device_spec.h"
#include "device/timing_model.h"
#include "etpu/status.h"
#include "ir/graph.h"
#include "package/package_reader.h"

namespace etpu::perf {

/// The cost of one edgetpu-custom-op of a compiled model.
struct EdgeTpuOpCost {
  int op_index = -1;             ///< Operator index in the compiled model.
  uint64_t caching_token = 0;    ///< The main executable's parameter-caching token (0: none).
  std::string chip;              ///< "etpu-virtual" (ours) or "beagle" (Google's).
  bool structural = false;       ///< Cycles come from the structural layer model (region shapes).
  bool compute_known = true;     ///< False for a Google package without a cycle estimate.
  /// The main executable's scratch_size_bytes: the host scratch buffer it declares. Timed only
  /// as far as the DMA hints move it (see the table above).
  int64_t declared_scratch_bytes = 0;
  device::InvocationQuery query; ///< What the timing model needs.
};

/// The cost of one inference of a whole compiled model.
struct ModelCost {
  std::vector<EdgeTpuOpCost> edgetpu_ops;
  int cpu_op_count = 0;   ///< Operators left on the host CPU.
  int64_t cpu_macs = 0;   ///< Their conv / depthwise / fully-connected MACs.
  /// The CPU operators' time measured on the machine etpu runs on (runtime::MeasureCpuPart);
  /// negative = not measured (the CPU part is then left out of the times).
  double cpu_measured_ms = -1;

  int64_t on_chip_bytes() const;   ///< Σ cached_param_bytes.
  int64_t off_chip_bytes() const;  ///< Σ streamed_param_bytes.
};

/// The LayerCost of operator `op` of `model` from its tensor shapes (NHWC):
///   CONV_2D / TRANSPOSE_CONV  kConv, kernel from the filter [Cout, kh, kw, Cin]
///   DEPTHWISE_CONV_2D         kDepthwise, window from the filter [1, kh, kw, C]
///   FULLY_CONNECTED           kFullyConnected, rows = output elements / Cout, Cin from the weights
///   AVERAGE/MAX_POOL_2D       kPool, window from the options; MEAN over H, W: kPool with the whole map
///   everything else           kElementwise over the output (ADD, MUL, SOFTMAX, CONCATENATION, ...)
/// Dimensions below 1 count as 1. Errors: an operator or tensor index out of range, a weight
/// tensor of the wrong rank (the message names the operator).
Result<device::LayerCost> LayerCostOf(const ir::Model& model, const ir::Operator& op);

/// True for operators that only relabel a tensor's shape and cost the chip nothing.
bool IsShapeOnly(ir::BuiltinOperator code);

/// LayerCostOf every operator of `region` except the shape-only ones, in execution order.
Result<std::vector<device::LayerCost>> RegionLayerCosts(const ir::Model& region);

/// The query of one edgetpu-custom-op (see the table at the top of this file). `what` names
/// the op in messages. `region`, when given, is the etpu package's region model already decoded
/// by params::UnpackCheckedRegion (the runtime decodes it once per load); otherwise it is decoded
/// and checked here. Errors: no main executable, an etpu package whose Program's region model does
/// not read or whose layer records disagree with it (params/record_check.h), bad shapes.
Result<EdgeTpuOpCost> EdgeTpuOpCostOf(const package::EdgeTpuOpInfo& op, const device::DeviceSpec& spec,
                                      const std::string& what, const ir::Model* region = nullptr);

/// Reads every edgetpu-custom-op of the compiled `model` and costs it; the other operators are
/// the CPU part. A model without an edgetpu-custom-op gives no edgetpu_ops (all CPU).
Result<ModelCost> ComputeModelCost(const ir::Model& model, const device::DeviceSpec& spec);

/// The timing of a whole model: its edgetpu ops and its CPU part run one after another.
struct ModelTime {
  std::vector<device::InvocationTime> ops;  ///< One per ModelCost::edgetpu_ops.
  double cpu_ms = 0;        ///< The CPU part on the host profile (0 when not measured).
  bool cpu_timed = false;   ///< The CPU part was measured and is included below.
  double first_ms = 0;  ///< First inference (every op's parameters uploaded): Σ first_total_ms + cpu_ms.
  double later_ms = 0;  ///< Every later inference: Σ total_ms + cpu_ms.
};

/// EstimateInvocation of every op, summed, plus the measured CPU part scaled to `host`
/// (device::HostCpuMs) when the cost carries one. Errors: those of EstimateInvocation, naming
/// the op.
Result<ModelTime> EstimateModelTime(const ModelCost& cost, const device::DeviceSpec& spec,
                                    const device::HostProfile& host, device::Clock clock);

/// What `time` leaves out because it cannot be estimated, one phrase each ("Edge TPU compute of
/// edgetpu-custom-op #0 (its package has no cycle estimate)", "3 operator(s) on the host CPU (not
/// measured)"); empty when the times are complete. Non-empty: the times are lower bounds.
std::vector<std::string> LeftOut(const ModelCost& cost, const ModelTime& time);

}  // namespace etpu::perf
