// Threads and the runtime's contract (include/etpu/runtime.h): a Runtime is not thread-safe, but
// separate Runtimes share nothing mutable, and models of one Runtime may run from several threads
// when the caller serialises them (the Python binding's lock per device). Outputs must equal the
// sequential ones. scripts/test.sh also runs these tests under ThreadSanitizer when asked
// (ETPU_TSAN=1), where a hidden shared state (a lazily filled static table, a cache) is a report.
#include <gtest/gtest.h>

#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "base/file_io.h"
#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "testutil/shared.h"

namespace etpu {
namespace {

constexpr int kInvocations = 6;

std::vector<uint8_t> CompiledModel(const std::string& source) {
  auto bytes = base::ReadFile(source);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return {};
  auto compiled = Compile(std::vector<ModelInput>{ModelInput::FromBytes(*bytes, "m.tflite")}, CompileOptions{});
  EXPECT_TRUE(compiled.ok() && compiled->ok);
  if (!compiled.ok() || !compiled->ok) return {};
  return compiled->models.at(0).model;
}

std::vector<uint8_t> RandomInput(const LoadedModel& m, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> in(static_cast<size_t>(m.input(0).bytes));
  for (auto& b : in) b = static_cast<uint8_t>(rng());
  return in;
}

std::vector<uint8_t> RunOnce(LoadedModel& m, const std::vector<uint8_t>& input) {
  EXPECT_TRUE(m.SetInput(0, input).ok());
  Status s = m.Invoke();
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto out = m.GetOutput(0);
  return {out.begin(), out.end()};
}

TEST(RuntimeConcurrencyTest, SeparateRuntimesRunInParallelWithSequentialOutputs) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  const std::vector<uint8_t> compiled = CompiledModel(path);
  ASSERT_FALSE(compiled.empty());
  std::vector<std::unique_ptr<Runtime>> runtimes;
  std::vector<LoadedModel> models;
  std::vector<std::vector<uint8_t>> inputs, expected;
  for (int d = 0; d < 2; ++d) {
    auto rt = Runtime::Create({});
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    auto m = (*rt)->LoadModelFromBuffer(compiled, "m.tflite");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    runtimes.push_back(std::move(*rt));
    models.push_back(std::move(*m));
    inputs.push_back(RandomInput(models.back(), 7u + static_cast<uint32_t>(d)));
    expected.push_back(RunOnce(models.back(), inputs.back()));
  }
  ASSERT_NE(expected[0], expected[1]);
  std::vector<std::vector<std::vector<uint8_t>>> got(2);
  std::vector<std::thread> threads;
  for (int d = 0; d < 2; ++d) {
    threads.emplace_back([&, d] {
      for (int i = 0; i < kInvocations; ++i) got[d].push_back(RunOnce(models[d], inputs[d]));
    });
  }
  for (auto& t : threads) t.join();
  for (int d = 0; d < 2; ++d) {
    ASSERT_EQ(got[d].size(), static_cast<size_t>(kInvocations));
    for (const auto& out : got[d]) EXPECT_EQ(out, expected[d]) << "device " << d;
  }
}

TEST(RuntimeConcurrencyTest, ModelsOfOneRuntimeFromTwoThreadsUnderTheCallersLock) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  const std::vector<uint8_t> compiled = CompiledModel(path);
  ASSERT_FALSE(compiled.empty());
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  std::vector<LoadedModel> models;
  std::vector<std::vector<uint8_t>> inputs, expected;
  for (int k = 0; k < 2; ++k) {
    auto m = (*rt)->LoadModelFromBuffer(compiled, k == 0 ? "a.tflite" : "b.tflite");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    models.push_back(std::move(*m));
    inputs.push_back(RandomInput(models.back(), 21u + static_cast<uint32_t>(k)));
    expected.push_back(RunOnce(models.back(), inputs.back()));
  }
  std::mutex device_lock;
  std::vector<std::vector<std::vector<uint8_t>>> got(2);
  std::vector<std::thread> threads;
  for (int k = 0; k < 2; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < kInvocations; ++i) {
        std::lock_guard<std::mutex> lock(device_lock);
        got[k].push_back(RunOnce(models[k], inputs[k]));
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int k = 0; k < 2; ++k) {
    ASSERT_EQ(got[k].size(), static_cast<size_t>(kInvocations));
    for (const auto& out : got[k]) EXPECT_EQ(out, expected[k]) << "model " << k;
  }
}

}  // namespace
}  // namespace etpu
