// One timing model: the simulated device time the runtime reports for a compiled model (the
// CacheEvents of `etpu run`) must equal what perf::EstimateModelTime gives for the same model,
// device, host and clock (the figure of `etpu bench` and the compiler report), for the first
// inference (parameters uploaded) and for every later one.
#include <gtest/gtest.h>

#include "base/file_io.h"
#include "device/device_catalog.h"
#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "perf/model_cost.h"
#include "testutil/shared.h"
#include "tflite/model_reader.h"
#include "zoo/zoo.h"

namespace etpu::oracle_test {
namespace {

// Generates zoo model `name` and compiles it with etpu's compiler; returns the compiled bytes.
std::vector<uint8_t> CompileZoo(const std::string& name) {
  const std::string dir = testutil::MakeTempDir("timing-" + name);
  auto bytes = zoo::GenerateZooModel(name);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return {};
  const std::string path = dir + "/" + name + ".tflite";
  EXPECT_TRUE(base::WriteFileAtomic(path, *bytes).ok());
  CompileOptions o;
  o.out_dir = dir;
  CompileTranscript t = CompileModels({path}, o);
  EXPECT_TRUE(t.succeeded) << t.console;
  for (const auto& f : t.files) {
    if (f.path.size() > 7 && f.path.substr(f.path.size() - 7) == ".tflite") return f.bytes;
  }
  ADD_FAILURE() << "no compiled model for " << name << "\n" << t.console;
  return {};
}

class RuntimeTimingTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RuntimeTimingTest, SimulatedTimeEqualsTheModelCostEstimate) {
  const std::vector<uint8_t> compiled = CompileZoo(GetParam());
  ASSERT_FALSE(compiled.empty());
  auto model = tflite::ReadModelFromBuffer(compiled, GetParam() + "_edgetpu.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto catalog = device::BuiltinDeviceCatalog();
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  const device::DeviceSpec& chip = catalog->DefaultChip();
  auto cost = perf::ComputeModelCost(*model, chip);
  ASSERT_TRUE(cost.ok()) << cost.status().ToString();
  ASSERT_FALSE(cost->edgetpu_ops.empty());
  ASSERT_FALSE(catalog->hosts.empty());

  for (const device::HostProfile& host : catalog->hosts) {
    for (const std::string clock : {"max", "std"}) {
      SCOPED_TRACE(GetParam() + " on " + host.name + ", clock " + clock);
      auto parsed_clock = device::ParseClock(clock);
      ASSERT_TRUE(parsed_clock.ok());
      auto expected = perf::EstimateModelTime(*cost, chip, host, *parsed_clock);
      ASSERT_TRUE(expected.ok()) << expected.status().ToString();
      ASSERT_GT(expected->first_ms, 0);
      ASSERT_GT(expected->later_ms, 0);

      auto rt = Runtime::Create({.num_devices = 1, .host = host.name, .clock = clock});
      ASSERT_TRUE(rt.ok()) << rt.status().ToString();
      auto m = (*rt)->LoadModelFromBuffer(compiled, GetParam() + "_edgetpu.tflite");
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      const std::vector<uint8_t> input(static_cast<size_t>(m->input(0).bytes), 128);
      for (int run = 0; run < 3; ++run) {
        ASSERT_TRUE(m->SetInput(0, input).ok());
        Status s = m->Invoke();
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(m->last_events().size(), cost->edgetpu_ops.size());
        double total = 0;
        for (size_t k = 0; k < m->last_events().size(); ++k) {
          const CacheEvent& e = m->last_events()[k];
          EXPECT_EQ(e.op_index, cost->edgetpu_ops[k].op_index);
          const device::InvocationTime& t = expected->ops[k];
          EXPECT_DOUBLE_EQ(e.simulated_ms, run == 0 ? t.first_total_ms : t.total_ms) << "op " << k << " run " << run;
          total += e.simulated_ms;
        }
        EXPECT_DOUBLE_EQ(total, run == 0 ? expected->first_ms : expected->later_ms) << "run " << run;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, RuntimeTimingTest, ::testing::Values("mobilenet_v1_0.25_128", "mobilenet_v2_1.0_224"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n) {
                             if (ch == '.') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace etpu::oracle_test
