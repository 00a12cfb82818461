#include "tflite/region_reader.h"

#include <fmt/format.h>

#include <sys/mman.h>

#include <algorithm>
#include <memory>
#include <set>

#include "tflite/flat_model.h"
#include "tflite/model_reader.h"

namespace etpu::tflite {
namespace {

/// Bytes of a tensor of this shape and type; -1 when a dimension is negative or the size is over
/// the reader's limit.
int64_t TensorBytes(const tflite_fb::TensorT& t) {
  int64_t n = ir::ElementSize(static_cast<ir::TensorType>(t.type));
  for (int32_t d : t.shape) {
    if (d < 0) return -1;
    n *= d;
    if (n > kMaxTensorBytes) return -1;
  }
  return n;
}

}  // namespace

ModelOutline OutlineModel(std::span<const uint8_t> bytes, int64_t max_tables) {
  ModelOutline out;
  out.identified = bytes.size() >= 8 && tflite_fb::ModelBufferHasIdentifier(bytes.data());
  if (!out.identified) return out;
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 64;
  opts.max_tables = static_cast<flatbuffers::uoffset_t>(max_tables);
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), opts);
  out.verified = tflite_fb::VerifyModelBuffer(verifier);
  if (!out.verified) return out;
  const tflite_fb::Model* model = tflite_fb::GetModel(bytes.data());
  out.subgraphs = model->subgraphs() ? static_cast<int>(model->subgraphs()->size()) : 0;
  if (out.subgraphs > 0) {
    const tflite_fb::SubGraph* sg = model->subgraphs()->Get(0);
    out.first_subgraph_ops = (sg != nullptr && sg->operators() != nullptr) ? static_cast<int>(sg->operators()->size()) : 0;
  }
  return out;
}

Result<ZeroFilledModel> ReadRegionModel(std::span<const uint8_t> bytes, const std::string& what) {
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
  std::vector<ZeroFilledInput> filled;
  std::vector<std::pair<uint32_t, size_t>> zero_sizes;  // buffer, bytes
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
      // The zeros are viewed in one read-only anonymous mapping below: untouched, they take no memory.
      tensor.buffer = static_cast<uint32_t>(fb->buffers.size());
      fb->buffers.push_back(std::make_unique<tflite_fb::BufferT>());
      zero_sizes.push_back({tensor.buffer, static_cast<size_t>(size)});
      available.insert(t);
      filled.push_back({t, static_cast<int>(o), static_cast<int>(slot)});
    }
  }
  size_t zero_bytes = 0;
  for (const auto& z : zero_sizes) zero_bytes = std::max(zero_bytes, z.second);
  std::shared_ptr<const uint8_t> zeros;
  if (zero_bytes > 0) {
    void* p = ::mmap(nullptr, zero_bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return ResourceExhaustedError(fmt::format("{}: cannot map {} bytes of zeros", what, zero_bytes));
    zeros = std::shared_ptr<const uint8_t>(static_cast<const uint8_t*>(p),
                                           [zero_bytes](const uint8_t* q) { ::munmap(const_cast<uint8_t*>(q), zero_bytes); });
  }
  std::vector<std::span<const uint8_t>> payloads;
  for (const auto& b : fb->buffers) payloads.emplace_back(b->data.data(), b->data.size());
  for (const auto& [b, size] : zero_sizes) payloads[b] = std::span<const uint8_t>(zeros.get(), size);
  auto region = BuildModelWithPayloads(AdoptFlatModel(std::move(fb)), what + " region", payloads);
  if (!region.ok()) return region.status().WithContext(what);
  return ZeroFilledModel{std::move(region).value(), std::move(filled), std::move(zeros)};
}

}  // namespace etpu::tflite
