// Compile-time benchmarks of the compiler library (the whole pipeline in memory, no file writes):
// mobilenet_v2_1.0_224 alone and a 4-model co-compilation of MobileNet v1 variants. The baseline
// in the same run is reading + verifying + re-serialising the same models (the I/O floor). The real
// compiler reports 300 ms to over a second for models of this size (compiler-behaviour.md §4).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/file_io.h"
#include "etpu/compiler.h"
#include "tflite/model_reader.h"
#include "tflite/model_writer.h"
#include "zoo/zoo.h"

namespace {

std::string ModelPath(const std::string& zoo_name) {
  static const std::string dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / "etpu_compile_bench").string();
    std::filesystem::create_directories(d);
    return d;
  }();
  std::string path = dir + "/" + zoo_name + ".tflite";
  if (!std::filesystem::exists(path)) {
    auto bytes = etpu::zoo::GenerateZooModel(zoo_name);
    if (bytes.ok()) (void)etpu::base::WriteFileAtomic(path, *bytes);
  }
  return path;
}

const std::vector<std::string>& FourModels() {
  static const std::vector<std::string> paths = {ModelPath("mobilenet_v1_1.0_224"), ModelPath("mobilenet_v1_0.75_192"),
                                                 ModelPath("mobilenet_v1_0.5_160"), ModelPath("mobilenet_v1_0.25_128")};
  return paths;
}

void Compile(benchmark::State& state, const std::vector<std::string>& paths) {
  etpu::CompileOptions options;
  options.out_dir = std::filesystem::temp_directory_path().string();
  for (auto _ : state) {
    etpu::CompileTranscript t = etpu::CompileModels(paths, options);
    if (!t.succeeded) state.SkipWithError(t.console.c_str());
    benchmark::DoNotOptimize(t.files.data());
  }
}

void ReadWrite(benchmark::State& state, const std::vector<std::string>& paths) {
  for (auto _ : state) {
    for (const auto& p : paths) {
      auto m = etpu::tflite::ReadModel(p);
      if (!m.ok()) state.SkipWithError(m.status().ToString().c_str());
      auto bytes = etpu::tflite::SerializeModel(*m->fb);
      benchmark::DoNotOptimize(bytes.data());
    }
  }
}

void BM_Baseline_ReadWrite_MobilenetV2(benchmark::State& s) { ReadWrite(s, {ModelPath("mobilenet_v2_1.0_224")}); }
void BM_Compile_MobilenetV2(benchmark::State& s) { Compile(s, {ModelPath("mobilenet_v2_1.0_224")}); }
void BM_Baseline_ReadWrite_FourMobilenetV1(benchmark::State& s) { ReadWrite(s, FourModels()); }
void BM_CoCompile_FourMobilenetV1(benchmark::State& s) { Compile(s, FourModels()); }

BENCHMARK(BM_Baseline_ReadWrite_MobilenetV2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile_MobilenetV2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Baseline_ReadWrite_FourMobilenetV1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CoCompile_FourMobilenetV1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
