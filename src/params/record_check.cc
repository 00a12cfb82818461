#include "params/record_check.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ir/op_table.h"
#include "params/conv_layout.h"
#include "params/param_layout.h"

namespace etpu::params {
namespace {

using package::LayerKind;
using Record = package::LayerParams;  // params::LayerParams is the compiler's own record

bool IsWeightsKind(LayerKind k) {
  return k == LayerKind::kConv || k == LayerKind::kDepthwise || k == LayerKind::kConvPerChannel ||
         k == LayerKind::kDepthwisePerChannel;
}

// The record family an operator's kind must come from (kOther goes with any operator).
ir::ParamRecord FamilyOf(LayerKind k) {
  switch (k) {
    case LayerKind::kConv:
    case LayerKind::kDepthwise:
    case LayerKind::kConvPerChannel:
    case LayerKind::kDepthwisePerChannel: return ir::ParamRecord::kWeights;
    case LayerKind::kSoftmaxTable: return ir::ParamRecord::kSoftmaxTable;
    case LayerKind::kElementwiseConstant: return ir::ParamRecord::kElementwiseConstant;
    case LayerKind::kLstm: return ir::ParamRecord::kLstm;
    case LayerKind::kOther: break;
  }
  return ir::ParamRecord::kNone;
}

bool Emptied(const package::RegionModel& region, int tensor) {
  return std::any_of(region.emptied.begin(), region.emptied.end(),
                     [&](const package::EmptiedInput& e) { return e.tensor == tensor; });
}

// A weights record against the operator's geometry: the kind the compiler gives it and its size.
Status CheckWeights(const package::RegionModel& region, const Record& layer, const std::string& where) {
  const ir::Model& m = *region.model;
  const ir::Operator& op = m.ops[static_cast<size_t>(layer.op_index)];
  auto expected = LayerKindOf(m, layer.op_index);
  if (!expected.ok()) return DataLossError(fmt::format("{}: {}", where, expected.status().message()));
  if (!expected->has_value() || **expected != layer.kind) {
    return DataLossError(fmt::format("{} is a '{}' record, but the region's {} lays out its weights as '{}'", where,
                                     package::LayerKindName(layer.kind), op.name(),
                                     expected->has_value() ? package::LayerKindName(**expected) : "no record"));
  }
  auto g = ConvGeometryOf(m, layer.op_index);
  if (!g.ok()) return DataLossError(fmt::format("{}: {}", where, g.status().message()));
  const size_t bias = BiasSlot(op);
  g->has_bias = bias < op.inputs.size() && op.inputs[bias] >= 0 && Emptied(region, op.inputs[bias]);
  const int64_t bytes = ConvParamBytes(*g);
  if (bytes <= 0 || static_cast<uint64_t>(bytes) != layer.size) {
    return DataLossError(fmt::format("{} holds {} bytes, but the region's {} takes {} in the '{}' layout", where,
                                     layer.size, op.name(), bytes, package::LayerKindName(layer.kind)));
  }
  return OkStatus();
}

// Whether a record of `kind` gives the bytes of its operator's input `slot` at run time.
bool RecordRefills(LayerKind kind, size_t slot) {
  switch (kind) {
    case LayerKind::kConv:
    case LayerKind::kDepthwise:
    case LayerKind::kConvPerChannel:
    case LayerKind::kDepthwisePerChannel:
      return slot >= 1 && slot <= 3;  // Weights, bias (TRANSPOSE_CONV: weights 1, bias 3).
    case LayerKind::kElementwiseConstant:
    case LayerKind::kLstm:
      return true;  // Constant records name their slots.
    default:
      return false;
  }
}

}  // namespace

Status CheckLayerRecords(const package::RegionModel& region, const package::Program& program, std::string_view what) {
  const ir::Model& m = *region.model;
  std::map<int, size_t> record_of_op;
  for (size_t i = 0; i < program.layers.size(); ++i) {
    const Record& layer = program.layers[i];
    if (layer.op_index < 0 || static_cast<size_t>(layer.op_index) >= m.ops.size()) {
      return DataLossError(fmt::format("{}: layer record #{} names region op #{}, which does not exist ({} ops)", what,
                                       i, layer.op_index, m.ops.size()));
    }
    const std::string where = fmt::format("{}: layer record #{} (region op #{})", what, i, layer.op_index);
    // A record placed piece by piece (a softmax table and its unit row in different blobs) lists
    // its pieces one after another, with one layout; weights records are whole.
    const bool later_piece = i > 0 && program.layers[i - 1].op_index == layer.op_index &&
                             program.layers[i - 1].kind == layer.kind && !IsWeightsKind(layer.kind);
    const auto [previous, first] = record_of_op.emplace(layer.op_index, i);
    if (!first && !later_piece) {
      return DataLossError(fmt::format("{}: layer records #{} and #{} both name region op #{} (one record per operator, "
                                       "its pieces one after another)",
                                       what, previous->second, i, layer.op_index));
    }
    const ir::Operator& op = m.ops[static_cast<size_t>(layer.op_index)];
    const ir::ParamRecord family = FamilyOf(layer.kind);
    if (family != ir::ParamRecord::kNone && ir::OpInfoOf(op.code).record != family) {
      return DataLossError(fmt::format("{} is a '{}' record, which a {} does not have", where,
                                       package::LayerKindName(layer.kind), op.name()));
    }
    if (IsWeightsKind(layer.kind)) ETPU_RETURN_IF_ERROR(CheckWeights(region, layer, where));
  }
  // No two records of one blob share a byte.
  for (const package::Placement blob : {package::Placement::kCached, package::Placement::kStreamed}) {
    std::vector<size_t> in_blob;
    for (size_t i = 0; i < program.layers.size(); ++i) {
      if (program.layers[i].placement == blob && program.layers[i].size > 0) in_blob.push_back(i);
    }
    std::sort(in_blob.begin(), in_blob.end(),
              [&](size_t a, size_t b) { return program.layers[a].offset < program.layers[b].offset; });
    for (size_t k = 1; k < in_blob.size(); ++k) {
      const Record& a = program.layers[in_blob[k - 1]];
      const Record& b = program.layers[in_blob[k]];
      if (a.size > b.offset - a.offset) {  // sorted: b.offset >= a.offset; no overflow on hostile sizes
        return DataLossError(fmt::format("{}: layer records #{} [{}, +{}) and #{} [{}, +{}) overlap in the {} blob", what,
                                         in_blob[k - 1], a.offset, a.size, in_blob[k], b.offset, b.size,
                                         package::PlacementName(blob)));
      }
    }
  }
  // Every constant the compiler emptied comes back from its operator's record.
  for (const package::EmptiedInput& e : region.emptied) {
    const ir::Operator& reader = m.ops.at(static_cast<size_t>(e.op_index));
    if (reader.code == ir::BuiltinOperator::RESHAPE && e.slot == 1) continue;  // the shape operand is not read
    const auto it = record_of_op.find(e.op_index);
    if (it == record_of_op.end() || !RecordRefills(program.layers[it->second].kind, static_cast<size_t>(e.slot))) {
      return DataLossError(fmt::format(
          "{}: constant tensor '{}' (input {} of region op #{}) has no data and no parameter record carries it", what,
          m.tensor(e.tensor).name, e.slot, e.op_index));
    }
  }
  return OkStatus();
}

Result<package::RegionModel> UnpackCheckedRegion(const package::Program& program, std::string_view what) {
  ETPU_ASSIGN_OR_RETURN(package::RegionModel region, package::UnpackRegionModel(program, what));
  ETPU_RETURN_IF_ERROR(CheckLayerRecords(region, program, what));
  return region;
}

}  // namespace etpu::params
