// libFuzzer target: the whole compiler pipeline on any bytes that pass the model reader. The
// reader only promises indices and sizes; every later stage (support rules, partitioning,
// activation analysis, parameter layout, packaging) and the console rendering must still fail
// cleanly, never crash. In memory: nothing is written.
#include <cstddef>
#include <cstdint>
#include <span>

#include "driver/transcript.h"
#include "etpu/compiler.h"
#include "tflite/model_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  if (!etpu::tflite::ReadModelFromBuffer(bytes, "fuzz.tflite").ok()) return 0;
  etpu::CompileOptions options;
  const etpu::ModelInput input = etpu::ModelInput::FromBytes(bytes, "fuzz.tflite");
  auto result = etpu::Compile(std::span<const etpu::ModelInput>(&input, 1), options);
  if (result.ok()) (void)etpu::driver::RenderConsole(*result, options);
  return 0;
}
