// The time the host CPU spends on the operators a model leaves on the CPU, measured by running
// each of them with etpu's own kernels on this machine. The timing model scales it to a host
// profile (device::HostCpuMs); `etpu bench` and the timing facade report it beside the Edge TPU
// figures, so a model whose CPU part matters (PoseNet's decoder, SSD post-processing, DeepLab's
// resize) is no longer timed as if it were free.
//
// How: every operator outside the edgetpu-custom-ops is cut out into a one-operator model
// (tflite::ExtractSubModel: its constant inputs keep their bytes, the others become inputs), fed
// deterministic pseudo-random inputs (floats in [0, 1); when the operator refuses them, zeros) and
// run once to warm up and then `repeats` times; its time is the median. This works on Google's
// compiled models too: only their CPU operators are run. Data-dependent operators (decoders,
// non-maximum suppression) take as long as these inputs make them take: an estimate.
// The time is the measuring thread's CPU time (the operator runs on that one thread), so a busy
// machine does not add the time spent waiting for a core; results still vary from run to run
// (caches, frequency) and from machine to machine.
#pragma once

#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::runtime {

/// One CPU operator's measured time.
struct CpuOpTime {
  int op_index = -1;
  std::string op;          ///< "RESIZE_BILINEAR", "CUSTOM:PosenetDecoderOp", ...
  double ms = 0;           ///< Median of the timed runs (0 when not measured).
  bool measured = false;
  std::string why_not;     ///< Why it could not be run (measured == false).
};

/// Every CPU operator of a model, in execution order.
struct CpuPartTime {
  std::vector<CpuOpTime> ops;
  double total_ms = 0;     ///< Σ ms of the measured operators.
  int unmeasured = 0;      ///< Operators that could not be run (listed with why_not).
  int repeats = 0;
};

/// Measures every operator of `model` that is not an edgetpu-custom-op. `repeats` in 1..1000.
/// An operator that cannot be run on its own (unsupported by etpu's kernels, or refusing both
/// input fillings) is listed unmeasured, not an error. Errors: bad `repeats`.
Result<CpuPartTime> MeasureCpuPart(const ir::Model& model, int repeats = 5);

}  // namespace etpu::runtime
