#include "driver/package_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <map>
#include <set>

#include "base/units.h"
#include "driver/console_report.h"
#include "package/custom_op_data.h"
#include "package/package_writer.h"
#include "package/program.h"
#include "params/param_layout.h"
#include "tflite/graph_surgery.h"
#include "tflite/model_writer.h"

namespace etpu::driver {

namespace {

// True for layouts that carry the layer's constant operands (weights, biases, element-wise
// constants, LSTM cell parameters); false for records that only describe the layer.
bool EncodesConstants(std::optional<package::LayerKind> kind) {
  if (!kind) return false;
  switch (*kind) {
    case package::LayerKind::kConv:
    case package::LayerKind::kDepthwise:
    case package::LayerKind::kConvPerChannel:
    case package::LayerKind::kDepthwisePerChannel:
    case package::LayerKind::kElementwiseConstant:
    case package::LayerKind::kLstm:
      return true;
    default:
      return false;
  }
}

package::IoLayer MakeIoLayer(const ir::Tensor& t) {
  package::IoLayer l;
  l.name = t.name;
  l.size_bytes = static_cast<int32_t>(base::RoundUp(t.size_bytes(), 8));
  // Innermost three dimensions: y, x, z (NHWC; shorter shapes fill from z).
  std::vector<int32_t> dims(3, 1);
  for (size_t k = 0; k < t.shape.size() && k < 3; ++k) dims[2 - k] = t.shape[t.shape.size() - 1 - k];
  l.y_dim = dims[0];
  l.x_dim = dims[1];
  l.z_dim = dims[2];
  if (!t.quant.empty()) {
    l.scale = t.quant.scale[0];
    l.zero_point = static_cast<int32_t>(t.quant.zero_point[0]);
  }
  switch (t.type) {
    case ir::TensorType::INT8: l.data_type = package::LayerDataType::kSignedFixedPoint8; break;
    case ir::TensorType::INT16: l.data_type = package::LayerDataType::kSignedFixedPoint16; break;
    case ir::TensorType::INT32: l.data_type = package::LayerDataType::kSignedFixedPoint32; break;
    default: l.data_type = package::LayerDataType::kFixedPoint8; break;
  }
  return l;
}

// The region as a stand-alone TFLite model whose parameterised layers have no weight bytes left:
// constant tensors read only by parameterised layers keep their shape and quantization but lose
// their bytes (those live in the parameter blobs, in the real layout).
Result<std::vector<uint8_t>> RegionModelWithoutWeights(const ir::Model& model, const partition::Region& region,
                                                       const std::set<int>& param_ops) {
  std::map<int, bool> only_param_users;
  std::set<int> zero_biases;  // Kept: a record has no bias words for a zero bias (params::ConvGeometry).
  for (int op_index : region.ops) {
    bool is_param = param_ops.count(op_index) > 0;
    const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
    const Result<params::ConvGeometry> g = is_param ? params::ConvGeometryOf(model, op_index)
                                                    : Result<params::ConvGeometry>(NotFoundError("not a layer"));
    if (g.ok() && !g->has_bias && params::BiasSlot(op) < op.inputs.size()) {
      zero_biases.insert(op.inputs[params::BiasSlot(op)]);
    }
    for (int t : model.ops[static_cast<size_t>(op_index)].inputs) {
      if (t < 0 || !model.tensor(t).is_constant()) continue;
      auto it = only_param_users.find(t);
      only_param_users[t] = (it == only_param_users.end() ? true : it->second) && is_param;
    }
  }
  std::vector<int> without_data;
  for (const auto& [t, only_param] : only_param_users) {
    if (only_param && zero_biases.count(t) == 0) without_data.push_back(t);
  }
  ETPU_ASSIGN_OR_RETURN(auto sub, tflite::ExtractSubModel(model, region.ops, region.inputs, region.outputs, without_data));
  return tflite::SerializeModel(*sub);
}

}  // namespace

}  // namespace etpu::driver

namespace etpu {

std::vector<LayerPlacement> PackageEntries(std::span<const LayerPlacement> placements) {
  std::vector<LayerPlacement> out;
  for (const LayerPlacement& p : placements) {
    LayerPlacement* last = out.empty() ? nullptr : &out.back();
    if (last != nullptr && p.record_offset > 0 && last->op_index == p.op_index && last->region == p.region &&
        last->cached == p.cached && last->offset + last->bytes == p.offset &&
        last->record_offset + last->bytes == p.record_offset) {
      last->bytes += p.bytes;
      last->always_streamed = last->always_streamed && p.always_streamed;
    } else {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace etpu

namespace etpu::driver {

int PackageRuntimeVersion(const PreparedModel& prepared, int requested) {
  return std::max(requested, prepared.mapped_min_runtime_version);
}

Result<std::vector<LayerPlacement>> PlaceLayers(const PreparedModel& prepared, const cache::ModelPlan& plan) {
  // The plan's items of each record, in record order: one per record, or one per piece of a record
  // placed piece by piece (cache::PlanLayer::record_offset).
  std::vector<std::vector<const cache::LayerPlacement*>> items(prepared.layers.size());
  std::vector<std::vector<bool>> always(prepared.layers.size());  // per item: streamed whatever the room
  size_t j = 0;
  for (size_t i = 0; i < prepared.layers.size(); ++i) {
    const params::LayerParams& record = prepared.layers[i];
    const auto size = static_cast<int64_t>(record.bytes.size());
    const std::vector<params::RecordPiece> pieces = params::PiecesOf(record);
    int64_t covered = 0;
    do {
      if (j >= plan.layers.size() || plan.layers[j].op_index != record.op_index ||
          plan.layers[j].record_offset != covered || plan.layers[j].bytes < 0) {
        return InternalError(fmt::format("cache plan does not cover the {}-byte record of operator #{} piece by piece "
                                         "(item #{} of {})", size, record.op_index, j, plan.layers.size()));
      }
      // The piece this item starts (the plan places a record whole or piece by piece).
      bool piece_always = record.always_streamed;
      for (int64_t at = 0; const params::RecordPiece& piece : pieces) {
        if (at == covered) piece_always = piece.always_streamed;
        at += piece.bytes;
      }
      always[i].push_back(piece_always);
      covered += plan.layers[j].bytes;
      items[i].push_back(&plan.layers[j++]);
    } while (covered < size);
    if (covered != size) {
      return InternalError(fmt::format("cache plan places {} bytes of the {}-byte record of operator #{}", covered,
                                       size, record.op_index));
    }
  }
  if (j != plan.layers.size()) {
    return InternalError(fmt::format("cache plan has {} items for {} parameterised layers", plan.layers.size(),
                                     prepared.layers.size()));
  }
  std::map<int, size_t> layer_of_op;
  for (size_t i = 0; i < prepared.layers.size(); ++i) layer_of_op[prepared.layers[i].op_index] = i;
  std::vector<LayerPlacement> out;
  out.reserve(prepared.layers.size());
  if (prepared.parameter_order.size() != prepared.partition.regions.size()) {
    return InternalError(fmt::format("prepared model has the parameter order of {} regions, not {}",
                                     prepared.parameter_order.size(), prepared.partition.regions.size()));
  }
  for (size_t r = 0; r < prepared.partition.regions.size(); ++r) {
    int64_t cached_end = 0, streamed_end = 0;
    // Records in Google's blob order (params::ParameterOrder), not necessarily execution order;
    // the pieces of a record in record order, each right after the blob's previous bytes.
    for (int op_index : prepared.parameter_order[r]) {
      auto it = layer_of_op.find(op_index);
      if (it == layer_of_op.end()) continue;
      for (size_t k = 0; k < items[it->second].size(); ++k) {
        const cache::LayerPlacement* item = items[it->second][k];
        int64_t& end = item->cached ? cached_end : streamed_end;
        out.push_back({op_index, static_cast<int>(r), item->cached, end, item->bytes, item->record_offset,
                       always[it->second][k]});
        end += item->bytes;
      }
    }
  }
  return out;
}

Result<BuiltModel> BuildCompiledModel(const PreparedModel& prepared, const cache::ModelPlan& plan, uint64_t token,
                                      int min_runtime_version, int emulate) {
  const ir::Model& model = *prepared.model;
  ETPU_ASSIGN_OR_RETURN(std::vector<LayerPlacement> placements, PlaceLayers(prepared, plan));
  std::map<int, size_t> layer_of_op;
  for (size_t i = 0; i < prepared.layers.size(); ++i) layer_of_op[prepared.layers[i].op_index] = i;

  BuiltModel built;
  built.package_min_runtime_version = min_runtime_version;
  std::vector<tflite::RegionReplacement> replacements;
  for (size_t r = 0; r < prepared.partition.regions.size(); ++r) {
    const partition::Region& region = prepared.partition.regions[r];
    package::ExecutableSpec pc, eo;
    pc.type = package::ExecutableType::kParameterCaching;
    pc.name = "Unknown";
    pc.token = token;
    eo.type = package::ExecutableType::kExecutionOnly;
    eo.name = "model";
    eo.token = token;
    package::Program program;
    std::set<int> param_ops;
    size_t cached_end = 0, streamed_end = 0;
    const std::vector<LayerPlacement> entries = PackageEntries(placements);
    // A region that caches no byte is one STAND_ALONE executable (below); its empty records are
    // then streamed ones, at the streamed blob's current end.
    const bool stand_alone = std::none_of(entries.begin(), entries.end(), [&](const LayerPlacement& e) {
      return e.region == static_cast<int>(r) && e.cached && e.bytes > 0;
    });
    // One program entry per package entry: a record's pieces side by side in one blob are one.
    for (const LayerPlacement& entry : entries) {
      if (entry.region != static_cast<int>(r)) continue;
      LayerPlacement place = entry;
      if (stand_alone && place.cached) {
        place.cached = false;
        place.offset = static_cast<int64_t>(streamed_end);
      }
      const params::LayerParams& layer = prepared.layers[layer_of_op.at(place.op_index)];
      // Only layers whose constant operands are encoded in the blob lose them in the program's
      // region model; bookkeeping records (SPLIT/CONCATENATION) keep their axis constants.
      if (EncodesConstants(layer.kind)) param_ops.insert(place.op_index);
      // The blob is the layers' bytes one after another, written straight into the package.
      std::vector<std::span<const uint8_t>>& blob = place.cached ? pc.parameter_pieces : eo.parameter_pieces;
      size_t& blob_end = place.cached ? cached_end : streamed_end;
      if (place.record_offset < 0 || place.bytes < 0 ||
          static_cast<uint64_t>(place.record_offset) + static_cast<uint64_t>(place.bytes) > layer.bytes.size()) {
        return InternalError("layer placement leaves its record");
      }
      package::LayerParams rec;
      rec.op_index = static_cast<int32_t>(std::find(region.ops.begin(), region.ops.end(), place.op_index) - region.ops.begin());
      rec.kind = layer.kind.value_or(package::LayerKind::kOther);
      rec.placement = place.cached ? package::Placement::kCached : package::Placement::kStreamed;
      rec.offset = static_cast<uint64_t>(place.offset);
      rec.size = static_cast<uint64_t>(place.bytes);
      if (rec.offset != blob_end) return InternalError("layer placement does not follow the blob it is written to");
      blob.emplace_back(std::span<const uint8_t>(layer.bytes).subspan(static_cast<size_t>(place.record_offset), rec.size));
      blob_end += rec.size;
      program.layers.push_back(rec);
    }
    ETPU_ASSIGN_OR_RETURN(program.region_model, RegionModelWithoutWeights(model, region, param_ops));
    eo.program = package::EncodeProgram(program);
    for (int t : region.inputs) eo.input_layers.push_back(MakeIoLayer(model.tensor(t)));
    for (int t : region.outputs) eo.output_layers.push_back(MakeIoLayer(model.tensor(t)));
    eo.scratch_size_bytes = static_cast<int32_t>(prepared.activations.scratch_bytes);
    int64_t per_tile = 0;
    for (const auto& l : prepared.activations.layers) per_tile = std::max(per_tile, l.per_tile_bytes);
    ETPU_ASSIGN_OR_RETURN(const cache::ChipMemory chip, cache::ChipMemory::Builtin());
    eo.used_narrow_memory_bytes_per_tile =
        static_cast<int32_t>(std::min<int64_t>(per_tile, chip.narrow_bytes_per_tile));
    built.cached_bytes += static_cast<int64_t>(cached_end);
    built.streamed_bytes += static_cast<int64_t>(streamed_end);
    pc.dma_hints = package::StandardDmaHints(pc);
    eo.dma_hints = package::StandardDmaHints(eo);

    package::PackageSpec spec;
    spec.min_runtime_version = min_runtime_version;
    spec.compiler_version = fmt::format("etpu {}", CompilerVersion(emulate));
    // A region that caches nothing is one STAND_ALONE executable holding the program and every
    // (streamed) parameter: Google's compiler 16 writes no PARAMETER_CACHING executable for
    // Dense 4096x4096 and 8192x8192 models (16 and 64 MiB streamed; LibrEdgeTPU's
    // docs/HARDWARE_ANALYSIS.md, read from the MultiExecutable), and PC + EO for the cached
    // Dense 256x256. docs/COMPILER.md "A package that caches nothing".
    if (stand_alone) {
      eo.type = package::ExecutableType::kStandAlone;
      eo.dma_hints = package::StandardDmaHints(eo);
      spec.executables.push_back(std::move(eo));
    } else {
      spec.executables.push_back(std::move(pc));
      spec.executables.push_back(std::move(eo));
    }
    ETPU_ASSIGN_OR_RETURN(package::PackageBuffer pkg, package::WritePackageBuffer(spec));

    tflite::RegionReplacement rep;
    rep.ops = region.ops;
    rep.inputs = region.inputs;
    rep.outputs = region.outputs;
    rep.custom_code = ir::kEdgeTpuCustomOp;
    rep.custom_options = package::EncodeEtpuCustomOpData(pkg);
    replacements.push_back(std::move(rep));
  }
  ETPU_ASSIGN_OR_RETURN(auto out, tflite::ReplaceRegions(model, std::move(replacements), "Exported from Subgraph."));
  built.tflite = tflite::SerializeModel(*out);
  built.layers = std::move(placements);
  return built;
}

}  // namespace etpu::driver
