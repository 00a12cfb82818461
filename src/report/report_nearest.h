// Section 11's nearest change for an operator the compiler's rules keep on the CPU: the smallest
// change, among those a user can make, under which the compiler's own rules map it. The candidates,
// nearest first:
//   1. a newer -m (up to the newest runtime any row of the operator table needs), confirmed by
//      compiling the model with it (the operator then lands in an Edge TPU subgraph);
//   2. an older version of the operator;
//   3. an 8-bit type (UINT8, then INT8) for the operator's non-8-bit tensors;
//   4. a smaller size of one dimension of the operator's tensors (every data tensor of the operator
//      with that size in that dimension, so that inputs and outputs stay alike): the largest that maps.
// Nothing here knows a limit: each candidate is put to support::DecideOp, which reads the operator
// table and the rules' own constants. An operator the rules map but the partition keeps on the CPU
// (other than by -m) gets no change here.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "etpu/compiler.h"
#include "etpu/status.h"

namespace etpu::report {

/// For each operator of `ops` (indices into the source model at `path`, compiled with `compiled`;
/// its -m, 0 = the emulated generation's default, is where the search starts): {"op_index", "kind" ("min_runtime", "op_version", "dtype", "size" or null when no
/// single change maps it), "text", and the change: "option" (-m N); "version"; "tensors" [names]
/// and "type"; "tensor", "dim", "from", "to" and "shape" (the tensor's shape with the advised size)}.
/// Errors: the model cannot be read or compiled.
Result<nlohmann::json> NearestChanges(const std::string& path, const std::vector<int>& ops, const CompileOptions& compiled);

}  // namespace etpu::report
