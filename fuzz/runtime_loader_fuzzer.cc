// libFuzzer target: the runtime's model loading (etpu run's first step) on any bytes: the model
// reader, the interpreter's arena and operator preparation, the Edge TPU package decoding and its
// binding to a virtual device, then one invocation with every input at zero. Every failure must be
// a Status, never a crash, a hang or an unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "etpu/runtime.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto runtime = etpu::Runtime::Create();
  if (!runtime.ok()) return 0;
  // Tensors capped at 16 MiB (ModelOptions::max_tensor_bytes; the shared models need at most 8): a
  // small input declaring nearly the interpreter's 1 GiB takes seconds to fill under ASan, and an
  // operator writing tens of MiB (a resize grown by one mutated byte) seconds to run, while the
  // code paths are those of smaller tensors.
  constexpr int64_t kFuzzTensorBytes = int64_t{16} << 20;
  auto model = (*runtime)->LoadModelFromBuffer(std::span<const uint8_t>(data, size), "fuzz.tflite", 0,
                                               etpu::ModelOptions{.max_tensor_bytes = kFuzzTensorBytes});
  if (!model.ok()) return 0;
  for (int i = 0; i < model->num_inputs(); ++i) {
    std::vector<uint8_t> zeros(static_cast<size_t>(model->input(i).bytes), 0);
    if (!model->SetInput(i, zeros).ok()) return 0;
  }
  (void)model->Invoke();
  return 0;
}
