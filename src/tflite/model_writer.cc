#include "tflite/model_writer.h"

#include "tflite/flat_model.h"

namespace etpu::tflite {

std::vector<uint8_t> SerializeModel(const tflite_fb::ModelT& model) {
  // Sized for the constant data and custom options up front, so the builder never regrows
  // (each regrowth copies everything written so far).
  size_t estimate = size_t{1} << 16;
  for (const auto& b : model.buffers) estimate += (b ? b->data.size() : 0) + 32;
  for (const auto& sg : model.subgraphs) {
    for (const auto& op : sg->operators) estimate += op->custom_options.size() + 128;
    estimate += sg->tensors.size() * 256;
  }
  flatbuffers::FlatBufferBuilder fbb(estimate);
  auto root = tflite_fb::Model::Pack(fbb, &model);
  tflite_fb::FinishModelBuffer(fbb, root);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

ir::FlatModel CloneModel(const tflite_fb::ModelT& model) {
  std::vector<uint8_t> bytes = SerializeModel(model);
  return AdoptFlatModel(std::unique_ptr<tflite_fb::ModelT>(tflite_fb::GetModel(bytes.data())->UnPack()));
}

ir::FlatModel AdoptFlatModel(std::unique_ptr<tflite_fb::ModelT> tree) {
  return ir::FlatModel(tree.release(), ir::FlatModelDeleter{[](tflite_fb::ModelT* t) { delete t; }});
}

}  // namespace etpu::tflite
