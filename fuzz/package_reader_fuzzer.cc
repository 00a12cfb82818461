// libFuzzer target: the custom-op options decoder, the DWN1 package reader and the program
// decoder must never crash on any bytes. The first byte picks the entry point.
// CMake (fuzz/CMakeLists.txt): etpu_fuzzer(package_reader_fuzzer DEPS etpu_package)
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "package/custom_op_data.h"
#include "package/package_reader.h"
#include "package/program.h"
#include "tflite/model_reader.h"

namespace {

void TouchPackage(const etpu::package::PackageInfo& p) {
  size_t sum = static_cast<size_t>(p.on_chip_bytes() + p.off_chip_bytes());
  for (const auto& e : p.executables) {
    for (uint8_t b : e.parameters) sum += b;
    if (e.program) sum += e.program->layers.size();
  }
  (void)sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // Readers get their bytes from files read into vectors: hand them an aligned copy too.
  const std::vector<uint8_t> copy(data + 1, data + size);
  std::span<const uint8_t> bytes(copy);
  switch (data[0] % 4) {
    case 0: {  // Custom options, then the package they hold.
      auto options = etpu::package::DecodeCustomOpData(bytes, "fuzz");
      if (options.ok()) {
        auto p = etpu::package::ReadPackage(options->package, "fuzz");
        if (p.ok()) TouchPackage(*p);
      }
      break;
    }
    case 1: {  // A package (DWN1 or legacy executable).
      auto p = etpu::package::ReadPackage(bytes, "fuzz");
      if (p.ok()) {
        TouchPackage(*p);
        (void)etpu::package::CheckPackageAlignment(*p);
      }
      break;
    }
    case 2: {  // A program.
      auto prog = etpu::package::DecodeProgram(bytes, {1 << 20, 1 << 20}, "fuzz");
      (void)prog;
      break;
    }
    case 3: {  // A whole compiled model.
      auto model = etpu::tflite::ReadModelFromBuffer(bytes, "fuzz.tflite");
      if (model.ok()) {
        auto info = etpu::package::ReadCompiledModel(*model);
        if (info.ok()) {
          for (const auto& op : info->edgetpu_ops) TouchPackage(op.package);
        }
      }
      break;
    }
  }
  return 0;
}
