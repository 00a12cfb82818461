// Compile-time benchmarks of the compiler library (etpu::Compile, in memory: no file reads or
// writes inside the timed loop except where a case says so): mobilenet_v2_1.0_224 alone and a
// 4-model co-compilation of MobileNet v1 variants. Baselines in the same run: reading + verifying
// + re-serialising the same models (the I/O floor), and the 4-model set compiled from paths
// (read and parsed on every call) next to the same set parsed once and compiled many times, as
// the planner does (ParsedModel also keeps each model's decisions, partition and parameter
// layout per option set), with and without building the output files. The real compiler reports 300 ms to over a second for models of this size
// (compiler-behaviour.md §4). Every case also reports the page faults per iteration (`faults`,
// getrusage's minor faults): on a VM a fault of a fresh 4 KiB page costs microseconds, and they
// were most of the compiler's time when it copied big buffers (bench/README.md).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <memory>
#include <string>
#include <vector>

#include "etpu/compiler.h"
#include "tflite/model_reader.h"
#include "tflite/model_writer.h"
#include "zoo/zoo.h"

namespace {

const std::vector<uint8_t>& ModelBytes(const std::string& zoo_name) {
  static std::vector<std::pair<std::string, std::unique_ptr<std::vector<uint8_t>>>> cache;
  for (const auto& [name, bytes] : cache) {
    if (name == zoo_name) return *bytes;
  }
  auto bytes = etpu::zoo::GenerateZooModel(zoo_name);
  cache.emplace_back(zoo_name, std::make_unique<std::vector<uint8_t>>(bytes.ok() ? *bytes : std::vector<uint8_t>{}));
  return *cache.back().second;
}

const std::vector<std::string>& FourNames() {
  static const std::vector<std::string> names = {"mobilenet_v1_1.0_224", "mobilenet_v1_0.75_192", "mobilenet_v1_0.5_160",
                                                 "mobilenet_v1_0.25_128"};
  return names;
}

std::vector<etpu::ModelInput> FromBytes(const std::vector<std::string>& names) {
  std::vector<etpu::ModelInput> inputs;
  for (const auto& n : names) inputs.push_back(etpu::ModelInput::FromBytes(ModelBytes(n), n + ".tflite"));
  return inputs;
}

long MinorFaults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

/// Counts the page faults of the timed loop of `state` while it lives.
class FaultCounter {
 public:
  explicit FaultCounter(benchmark::State& state) : state_(state), start_(MinorFaults()) {}
  ~FaultCounter() {
    state_.counters["faults"] = benchmark::Counter(static_cast<double>(MinorFaults() - start_), benchmark::Counter::kAvgIterations);
  }

 private:
  benchmark::State& state_;
  long start_;
};

void CompileLoop(benchmark::State& state, const std::vector<etpu::ModelInput>& inputs,
                 const etpu::CompileOptions& options = {}) {
  FaultCounter faults(state);
  for (auto _ : state) {
    auto r = etpu::Compile(inputs, options);
    if (!r.ok() || !r->ok) {
      state.SkipWithError(r.ok() ? r->failure->message.c_str() : r.status().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->models.data());
  }
}

void ReadWrite(benchmark::State& state, const std::vector<std::string>& names) {
  FaultCounter faults(state);
  for (auto _ : state) {
    for (const auto& n : names) {
      auto m = etpu::tflite::ReadModelFromBuffer(ModelBytes(n), n);
      if (!m.ok()) state.SkipWithError(m.status().ToString().c_str());
      auto bytes = etpu::tflite::SerializeModel(*m->fb);
      benchmark::DoNotOptimize(bytes.data());
    }
  }
}

void BM_Baseline_ReadWrite_MobilenetV2(benchmark::State& s) { ReadWrite(s, {"mobilenet_v2_1.0_224"}); }
void BM_Compile_MobilenetV2(benchmark::State& s) { CompileLoop(s, FromBytes({"mobilenet_v2_1.0_224"})); }
void BM_Baseline_ReadWrite_FourMobilenetV1(benchmark::State& s) { ReadWrite(s, FourNames()); }
// Bytes in: every call reads, verifies and checks the four models again.
void BM_CoCompile_FourMobilenetV1(benchmark::State& s) { CompileLoop(s, FromBytes(FourNames())); }
// The planner's case: the four models parsed once, the same set compiled many times.
void BM_CoCompile_FourMobilenetV1_Repeated(benchmark::State& s) {
  std::vector<etpu::ModelInput> inputs;
  for (const auto& n : FourNames()) {
    inputs.push_back(etpu::ModelInput::FromParsed(etpu::ParseModel(ModelBytes(n), n + ".tflite")));
  }
  CompileLoop(s, inputs);
}
// The same, deciding and planning only (CompileOptions::build_models = false): what the planner
// needs to compare sets (placements, on-chip/off-chip bytes, token), without the output files.
void BM_CoCompile_FourMobilenetV1_Repeated_PlanOnly(benchmark::State& s) {
  std::vector<etpu::ModelInput> inputs;
  for (const auto& n : FourNames()) {
    inputs.push_back(etpu::ModelInput::FromParsed(etpu::ParseModel(ModelBytes(n), n + ".tflite")));
  }
  etpu::CompileOptions options;
  options.build_models = false;
  CompileLoop(s, inputs, options);
}

BENCHMARK(BM_Baseline_ReadWrite_MobilenetV2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile_MobilenetV2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Baseline_ReadWrite_FourMobilenetV1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CoCompile_FourMobilenetV1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CoCompile_FourMobilenetV1_Repeated)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CoCompile_FourMobilenetV1_Repeated_PlanOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
