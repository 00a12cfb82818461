// libFuzzer target: the whole compiler pipeline on any bytes that pass the model reader. The
// reader only promises indices and sizes; every later stage (support rules, partitioning,
// activation analysis, parameter layout, packaging) must still fail cleanly, never crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "base/file_io.h"
#include "etpu/compiler.h"
#include "tflite/model_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  if (!etpu::tflite::ReadModelFromBuffer(bytes, "fuzz.tflite").ok()) return 0;
  static const std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / ("etpu_compiler_fuzz_" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(d);
    return d;
  }();
  const std::string path = dir + "/fuzz.tflite";
  if (!etpu::base::WriteFileAtomic(path, bytes).ok()) return 0;
  etpu::CompileOptions options;
  options.out_dir = dir;
  etpu::CompileTranscript t = etpu::CompileModels({path}, options);
  (void)t;
  return 0;
}
