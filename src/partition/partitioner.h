// Partitioning: which operators form Edge TPU regions (one edgetpu-custom-op each).
//
// The real compiler's rule (compiler-behaviour.md §5.2, [C] from the docs): it "cannot partition the
// model more than once, so as soon as an unsupported operation occurs, that operation and everything
// after it executes on the CPU, even if supported operations occur later". "After" is taken along
// the data flow, per path (issue 12): the region is every supported operator whose non-constant
// inputs all come from region operators, from graph inputs (or variable state), or from a leading
// CPU operator; an unsupported operator, and everything downstream of it, runs on the CPU, while a
// supported operator on another branch that comes later in execution order still maps. Leading CPU
// operators are the unsupported ones before the first supported operator in execution order (e.g. a
// QUANTIZE of a float input) [C: float-input models keep the leading QUANTIZE on the CPU and map the
// rest]. [U for the per-path part: no shared compiled file discriminates (deeplabv3's only CPU
// branch, RESIZE_BILINEAR #64, comes after every operator of the other branch in execution order);
// the rule is the issue's, from real models its author compiled; docs/COMPILER.md "Partitioning".]
//
// The region is convex (no path leaves it and comes back), so it can be replaced by one operator: an
// operator on a path between two region operators is downstream of the first, so it is not a
// leading operator (those precede every supported operator), and each operator on the path reads a
// tensor of its predecessor, so by induction from the end every one of them is in the region.
// The replaced model keeps the custom operator where the region's first operator was, and every
// other operator in its relative order (tflite::ReplaceRegions checks that this order is valid).
//
// With `multiple_subgraphs` (-a) every maximal run of consecutive supported operators (execution
// order) becomes its own region; a contiguous run is convex too. `-i` tensors and the delegate
// search's cut (`max_ops`) make every operator downstream of them (or at and after max_ops)
// unmappable, before either rule is applied.
//
// Boundary tensors, in the real compiler's order (checked on the shared compiled files):
//   inputs:  non-constant tensors read by the region and not written inside it (graph inputs,
//            CPU results, variable state), in order of first use (operator, then input slot);
//   outputs: tensors written inside the region and read outside it or listed as model outputs,
//            ordered by the depth of their producer in the region (the longest chain of region
//            operators from the region's inputs to it), ties in order of production (operator,
//            then output slot). [U, fitted to two files: Google's deeplabv3 (two outputs: the
//            shallower ASPP branch first, also first produced) and PoseNet (the heatmap and short
//            offset heads, one operator after their convolution, before the mid offsets, two after
//            it, although the mid offsets are produced first); every single-output file agrees
//            trivially. A schedule-based rule (Google reorders PoseNet's head convolutions in its
//            parameter blob too) may be the real one.]
#pragma once

#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::partition {

struct PartitionOptions {
  bool multiple_subgraphs = false;               ///< -a
  std::vector<std::string> intermediate_tensors; ///< -i: region outputs; their consumers go to the CPU.
  int max_ops = -1;                              ///< -d search: only ops [0, max_ops) may be mapped.
};

/// Why an operator that is supported on its own still runs on the CPU.
enum class CpuReason {
  kNone,                ///< Mapped, or unsupported on its own (see the support decision).
  kDownstreamOfCpuOp,   ///< Supported, but downstream of an operator that stays on the CPU (single
                        ///< region only; logged "More than one subgraph is not supported").
  kAfterIntermediate,   ///< Supported, but reads a tensor cut by -i / a delegate-search cut.
};

struct Region {
  std::vector<int> ops;       ///< Execution order; not necessarily consecutive (single region).
  std::vector<int> inputs;    ///< Boundary tensors (see file comment for the order).
  std::vector<int> outputs;
};

struct Partition {
  std::vector<Region> regions;
  std::vector<int> region_of;          ///< Per operator: region index, or -1 for the CPU.
  std::vector<CpuReason> cpu_reason;   ///< Per operator.

  int mapped_count() const;
};

/// Partitions `model` given which operators are supported on their own.
/// Fails when an -i tensor does not exist.
Result<Partition> PartitionModel(const ir::Model& model, const std::vector<bool>& supported,
                                 const PartitionOptions& options);

/// Boundary tensors of an arbitrary operator set (execution order), as documented above.
Region MakeRegion(const ir::Model& model, std::vector<int> ops, const std::vector<int>& extra_outputs = {});

}  // namespace etpu::partition
