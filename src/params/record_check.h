// An etpu package's layer records against the region model they describe (hostile input, issue
// 18). The Program of an etpu package (package/program.h) lists, for each parameterised operator
// of its Edge TPU region, the kind of its parameter record and where its bytes lie. The package
// reader checks each record on its own (an operator that exists, a range inside its blob); this
// checks them against the operators: a file whose records disagree with its region is refused
// when it is read, by every tool, naming the operator, instead of failing (or computing with the
// wrong bytes) at the first invocation.
#pragma once

#include <string_view>

#include "etpu/status.h"
#include "package/program.h"
#include "package/region_model.h"

namespace etpu::params {

/// Checks the records of `program` against `region` (its region model, unpacked):
///  - at most one record per operator, which may be listed in pieces (one after another, one
///    layout, not a weights layout: a softmax table and its unit row placed in different blobs);
///  - a kind the operator can have: the weights kinds only on a conv-like operator, and exactly
///    the kind the compiler gives it (LayerKindOf: depthwise or conv layout, per-tensor or
///    per-channel) with exactly the bytes its geometry takes (ConvParamBytes, with bias words when
///    the region's bias was emptied); a softmax table only on SOFTMAX; element-wise constants
///    only on an element-wise operator; LSTM records only on an LSTM; kOther (bookkeeping) on any;
///  - no two records of one blob share a byte;
///  - every constant input the compiler emptied is carried by its operator's record (RESHAPE's
///    shape operand, which is never read, excepted).
/// DataLoss errors name `what`, the record, the operator and what was expected.
Status CheckLayerRecords(const package::RegionModel& region, const package::Program& program, std::string_view what);

/// package::UnpackRegionModel, then CheckLayerRecords: how every reader of an etpu package (the
/// runtime, the cost model, etpu inspect) gets its region.
Result<package::RegionModel> UnpackCheckedRegion(const package::Program& program, std::string_view what);

}  // namespace etpu::params
