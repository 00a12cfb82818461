#include "package/region_model.h"

#include <set>
#include <string>

#include <flatbuffers/flatbuffers.h>
#include <fmt/format.h>

#include "tflite/model_reader.h"

namespace etpu::package {
namespace {

/// Bytes of a tensor of this shape and type; -1 when a dimension is negative or the size is over
/// the reader's limit.
int64_t TensorBytes(const tflite_fb::TensorT& t) {
  int64_t n = ir::ElementSize(static_cast<ir::TensorType>(t.type));
  for (int32_t d : t.shape) {
    if (d < 0) return -1;
    n *= d;
    if (n > tflite::kMaxTensorBytes) return -1;
  }
  return n;
}

}  // namespace

Result<RegionModel> UnpackRegionModel(const Program& program, std::string_view what_view) {
  const std::string what(what_view);
  const std::vector<uint8_t>& bytes = program.region_model;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!tflite_fb::VerifyModelBuffer(verifier)) return DataLossError(what + ": the region model does not verify");
  std::unique_ptr<tflite_fb::ModelT> fb(tflite_fb::GetModel(bytes.data())->UnPack());
  if (fb->subgraphs.size() != 1 || !fb->subgraphs[0] || fb->buffers.empty()) {
    return DataLossError(what + ": the region model must have exactly one subgraph and a buffer table");
  }
  auto& sg = *fb->subgraphs[0];
  std::set<int32_t> available(sg.inputs.begin(), sg.inputs.end());
  for (const auto& op : sg.operators) {
    if (op) available.insert(op->outputs.begin(), op->outputs.end());
  }
  RegionModel out;
  for (size_t o = 0; o < sg.operators.size(); ++o) {
    if (!sg.operators[o]) continue;
    const auto& inputs = sg.operators[o]->inputs;
    for (size_t slot = 0; slot < inputs.size(); ++slot) {
      const int32_t t = inputs[slot];
      if (t < 0 || static_cast<size_t>(t) >= sg.tensors.size() || available.count(t) || !sg.tensors[t]) continue;
      auto& tensor = *sg.tensors[static_cast<size_t>(t)];
      const bool empty = tensor.buffer == 0 || tensor.buffer >= fb->buffers.size() || !fb->buffers[tensor.buffer] ||
                         fb->buffers[tensor.buffer]->data.empty();
      if (!empty || tensor.is_variable) continue;
      const int64_t size = TensorBytes(tensor);
      if (size <= 0) {
        return DataLossError(fmt::format("{}: emptied weight tensor '{}' (input {} of region op #{}) has a bad shape",
                                         what, tensor.name, slot, o));
      }
      auto buf = std::make_unique<tflite_fb::BufferT>();
      buf->data.assign(static_cast<size_t>(size), 0);
      tensor.buffer = static_cast<uint32_t>(fb->buffers.size());
      fb->buffers.push_back(std::move(buf));
      available.insert(t);
      out.emptied.push_back({t, static_cast<int>(o), static_cast<int>(slot)});
    }
  }
  auto region = tflite::BuildModel(std::move(fb), what + " region");
  if (!region.ok()) return region.status().WithContext(what);
  out.model = std::make_shared<const ir::Model>(std::move(region).value());
  return out;
}

}  // namespace etpu::package
