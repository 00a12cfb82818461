// The operation table of one compiled model: one row per distinct (operator, status) pair, in
// order of first appearance (the real compiler's row order looks like hash order; any stable
// order is allowed, compiler-behaviour.md §3.2).
#pragma once

#include <vector>

#include "driver/console_report.h"
#include "etpu/compiler.h"
#include "ir/graph.h"
#include "partition/partitioner.h"
#include "support/op_support.h"

namespace etpu::driver {

/// The status of each operator: "Mapped to Edge TPU" inside a region; "More than one subgraph is
/// not supported" for supported operators left behind by partitioning; else the support verdict.
std::vector<support::OpStatus> OperatorStatuses(const std::vector<support::SupportDecision>& decisions,
                                                const partition::Partition& partition);

/// Rows of the operation table, from the per-operator verdicts.
std::vector<OpLogRow> BuildOpLogRows(const std::vector<OperatorVerdict>& verdicts);

}  // namespace etpu::driver
