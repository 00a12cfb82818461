#include "tflite/model_writer.h"

#include <cstring>

#include "tflite/flat_model.h"

namespace etpu::tflite {
namespace {

/// Gives a FlatBufferBuilder a std::vector as its memory, so that the finished buffer becomes the
/// output vector (moved to its front) instead of being copied into a new one.
class VectorAllocator final : public flatbuffers::Allocator {
 public:
  uint8_t* allocate(size_t size) override {
    storage_.resize(size);
    return storage_.data();
  }
  void deallocate(uint8_t* /*p*/, size_t /*size*/) override {}  // The vector owns the memory.
  uint8_t* reallocate_downward(uint8_t* old_p, size_t old_size, size_t new_size, size_t in_use_back,
                               size_t in_use_front) override {
    std::vector<uint8_t> grown(new_size);
    memcpy_downward(old_p, old_size, grown.data(), new_size, in_use_back, in_use_front);
    storage_.swap(grown);
    return storage_.data();
  }
  /// The finished buffer [data, data + size), which lies in the storage, as the whole vector.
  std::vector<uint8_t> Take(const uint8_t* data, size_t size) {
    std::memmove(storage_.data(), data, size);
    storage_.resize(size);
    return std::move(storage_);
  }

 private:
  std::vector<uint8_t> storage_;
};

}  // namespace

std::vector<uint8_t> SerializeModel(const tflite_fb::ModelT& model) {
  // Sized for the constant data and custom options up front, so the builder never regrows
  // (each regrowth copies everything written so far).
  size_t estimate = size_t{1} << 16;
  for (const auto& b : model.buffers) estimate += (b ? b->data.size() : 0) + 32;
  for (const auto& sg : model.subgraphs) {
    for (const auto& op : sg->operators) estimate += op->custom_options.size() + 128;
    estimate += sg->tensors.size() * 256;
  }
  VectorAllocator memory;  // Outlives the builder, which holds a pointer to it.
  flatbuffers::FlatBufferBuilder fbb(estimate, &memory, /*own_allocator=*/false);
  auto root = tflite_fb::Model::Pack(fbb, &model);
  tflite_fb::FinishModelBuffer(fbb, root);
  return memory.Take(fbb.GetBufferPointer(), fbb.GetSize());
}

ir::FlatModel CloneModel(const tflite_fb::ModelT& model) {
  std::vector<uint8_t> bytes = SerializeModel(model);
  return AdoptFlatModel(std::unique_ptr<tflite_fb::ModelT>(tflite_fb::GetModel(bytes.data())->UnPack()));
}

ir::FlatModel AdoptFlatModel(std::unique_ptr<tflite_fb::ModelT> tree) {
  return ir::FlatModel(tree.release(), ir::FlatModelDeleter{[](tflite_fb::ModelT* t) { delete t; }});
}

}  // namespace etpu::tflite
