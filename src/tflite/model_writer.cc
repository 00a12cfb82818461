#include "tflite/model_writer.h"

namespace etpu::tflite {

std::vector<uint8_t> SerializeModel(const tflite_fb::ModelT& model) {
  flatbuffers::FlatBufferBuilder fbb(1 << 20);
  auto root = tflite_fb::Model::Pack(fbb, &model);
  tflite_fb::FinishModelBuffer(fbb, root);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

std::unique_ptr<tflite_fb::ModelT> CloneModel(const tflite_fb::ModelT& model) {
  std::vector<uint8_t> bytes = SerializeModel(model);
  return std::unique_ptr<tflite_fb::ModelT>(tflite_fb::GetModel(bytes.data())->UnPack());
}

}  // namespace etpu::tflite
