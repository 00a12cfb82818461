// libFuzzer target: the TFLite model reader must never crash on any bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tflite/model_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model = etpu::tflite::ReadModelFromBuffer(std::span<const uint8_t>(data, size), "fuzz.tflite");
  if (model.ok()) {
    // Touch what the reader promises is valid.
    size_t sum = 0;
    for (const auto& op : model->ops) {
      for (int t : op.inputs) {
        if (t >= 0) sum += model->tensor(t).data.size();
      }
    }
    (void)sum;
  }
  return 0;
}
