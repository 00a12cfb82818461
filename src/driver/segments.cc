#include "driver/segments.h"

#include <numeric>

#include <fmt/format.h>

#include "driver/generation.h"
#include "params/param_layout.h"
#include "partition/partitioner.h"
#include "partition/segmenter.h"
#include "tflite/graph_surgery.h"
#include "tflite/model_writer.h"

namespace etpu::driver {

Result<std::vector<std::vector<int>>> ParameterEqualSegments(const ir::Model& model, int num_segments, int emulate) {
  std::vector<int64_t> bytes(model.ops.size(), 0);
  for (size_t i = 0; i < model.ops.size(); ++i) {
    bytes[i] = params::LayerParamBytes(model, static_cast<int>(i), Generation(emulate));
  }
  return partition::SegmentByParameters(model, bytes, num_segments);
}

Result<std::vector<uint8_t>> SegmentSource(const ir::Model& model, const std::vector<int>& ops) {
  if (ops.empty()) return InvalidArgumentError(fmt::format("'{}': a segment needs at least one operator", model.path));
  for (int op : ops) {
    if (op < 0 || static_cast<size_t>(op) >= model.ops.size()) {
      return InvalidArgumentError(
          fmt::format("'{}': segment operator {} out of range (the model has {})", model.path, op, model.ops.size()));
    }
  }
  auto region = partition::MakeRegion(model, ops);
  ETPU_ASSIGN_OR_RETURN(ir::FlatModel sub, tflite::ExtractSubModel(model, region.ops, region.inputs, region.outputs));
  return tflite::SerializeModel(*sub);
}

Result<std::vector<uint8_t>> SegmentSource(const ir::Model& model, int first, int end) {
  if (first < 0 || end <= first || static_cast<size_t>(end) > model.ops.size()) {
    return InvalidArgumentError(fmt::format("'{}': operators [{}, {}) are not a run of its {} operators", model.path,
                                            first, end, model.ops.size()));
  }
  std::vector<int> ops(static_cast<size_t>(end - first));
  std::iota(ops.begin(), ops.end(), first);
  return SegmentSource(model, ops);
}

}  // namespace etpu::driver
