// etpu_golden_outputs: runs models on the runtime (CPU kernels and the virtual Edge TPU) with
// deterministic inputs and writes each model's output bytes, then the bytes of every other
// non-constant tensor (each layer's result), to OUT_DIR/<model file name>.out.
// scripts/test.sh's aarch64 stage runs it in the x86 Release build (whose kernels ctest checks
// bit-exact against the TFLite oracle) and in the aarch64 build under qemu, and compares the two
// directories byte for byte. --reference runs the reference kernels only (no SIMD fast paths);
// --threads N gives each model N CPU threads (the kernels split their work over the thread pool;
// the bytes must not change).
//
//   etpu_golden_outputs [--reference] [--threads N] OUT_DIR MODEL...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "base/file_io.h"
#include "etpu/runtime.h"
#include "kernels/dispatch.h"

namespace {

// splitmix64: the same bytes on every platform for a given seed.
uint64_t Next(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Output bytes of one invocation on inputs filled from `seed`; every input byte is random
// (float inputs get random bit patterns of finite floats in [-1, 1)).
etpu::Result<std::vector<uint8_t>> RunOnce(etpu::Runtime& runtime, const std::string& path, int threads,
                                           uint64_t seed) {
  auto model = runtime.LoadModel(path, /*device=*/0, threads);
  if (!model.ok()) return model.status();
  for (int i = 0; i < model->num_inputs(); ++i) {
    const etpu::TensorInfo info = model->input(i);
    std::vector<uint8_t> bytes(static_cast<size_t>(info.bytes));
    uint64_t state = seed * 1000003u + static_cast<uint64_t>(i);
    if (info.type == "FLOAT32") {
      for (size_t b = 0; b + 4 <= bytes.size(); b += 4) {
        const float v = static_cast<float>(static_cast<int64_t>(Next(state) % 2001) - 1000) / 1000.0f;
        std::memcpy(&bytes[b], &v, 4);
      }
    } else {
      for (auto& b : bytes) b = static_cast<uint8_t>(Next(state));
    }
    if (auto s = model->SetInput(i, bytes); !s.ok()) return s;
  }
  if (auto s = model->Invoke(); !s.ok()) return s;
  // The outputs, then every non-constant tensor as the interpreter holds it after the run (each
  // layer's result, so a difference points at a kernel rather than only at the last layer).
  std::vector<uint8_t> out;
  for (int o = 0; o < model->num_outputs(); ++o) {
    const auto bytes = model->GetOutput(o);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  for (int t = 0; t < model->num_tensors(); ++t) {
    if (model->tensor(t).constant) continue;
    const auto bytes = model->tensor_data(t);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--reference") {
    etpu::kernels::SetFastKernelsEnabled(false);
    args.erase(args.begin());
  }
  int threads = 1;
  if (args.size() >= 2 && args[0] == "--threads") {
    threads = std::atoi(args[1].c_str());
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.size() < 2 || threads < 1 || threads > 256) {
    std::fprintf(stderr, "usage: etpu_golden_outputs [--reference] [--threads 1-256] OUT_DIR MODEL...\n");
    return 2;
  }
  auto runtime = etpu::Runtime::Create();
  if (!runtime.ok()) {
    std::fprintf(stderr, "etpu_golden_outputs: %s\n", runtime.status().ToString().c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(args[0], ec);
  for (size_t m = 1; m < args.size(); ++m) {
    auto out = RunOnce(**runtime, args[m], threads, 1);
    if (!out.ok()) {
      std::fprintf(stderr, "etpu_golden_outputs: %s: %s\n", args[m].c_str(), out.status().ToString().c_str());
      return 1;
    }
    const std::string file = args[0] + "/" + std::filesystem::path(args[m]).filename().string() + ".out";
    if (auto s = etpu::base::WriteFileAtomic(file, *out); !s.ok()) {
      std::fprintf(stderr, "etpu_golden_outputs: %s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("%s: %zu output bytes\n", file.c_str(), out->size());
  }
  return 0;
}
