// include/etpu/timing.h: EstimateModelTiming must give the device time the runtime simulates
// for the same compiled model (first and later inference), and honour the host and chip options.
#include <gtest/gtest.h>

#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "etpu/timing.h"
#include "testutil/compile_zoo.h"
#include "zoo/zoo.h"

namespace etpu {
namespace {

std::vector<uint8_t> CompileZoo(const std::string& name) { return testutil::CompileZooModel(name).model; }

TEST(TimingApiTest, EqualsTheRuntimesSimulatedTime) {
  const std::vector<uint8_t> compiled = CompileZoo("mobilenet_v1_0.25_128");
  ASSERT_FALSE(compiled.empty());
  for (const std::string host : {"usb3", "usb2"}) {
    SCOPED_TRACE(host);
    auto t = EstimateModelTiming(compiled, "m_edgetpu.tflite", {.host = host, .clock = "max"});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->host, host);
    EXPECT_EQ(t->clock, "max");
    ASSERT_EQ(t->edgetpu_ops.size(), 1u);
    EXPECT_GT(t->first_ms, t->later_ms);  // the first inference uploads the cached parameters
    EXPECT_GT(t->edgetpu_ops[0].cached_param_bytes, 0);

    auto rt = Runtime::Create({.num_devices = 1, .host = host, .clock = "max"});
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    auto model = (*rt)->LoadModelFromBuffer(compiled, "m_edgetpu.tflite");
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    ASSERT_TRUE(model->SetInput(0, std::vector<uint8_t>(static_cast<size_t>(model->input(0).bytes), 0)).ok());
    for (double expected : {t->first_ms, t->later_ms}) {
      ASSERT_TRUE(model->Invoke().ok());
      double simulated = 0;
      for (const CacheEvent& e : model->last_events()) simulated += e.simulated_ms;
      EXPECT_DOUBLE_EQ(simulated, expected);
      EXPECT_EQ(model->last_events().front().token, t->edgetpu_ops[0].token);
    }
  }
}

TEST(TimingApiTest, SlowerLinkIsSlowerAndBadOptionsFail) {
  const std::vector<uint8_t> compiled = CompileZoo("mobilenet_v1_0.25_128");
  ASSERT_FALSE(compiled.empty());
  auto usb3 = EstimateModelTiming(compiled, "m", {.host = "usb3", .clock = "max"});
  auto usb2 = EstimateModelTiming(compiled, "m", {.host = "usb2", .clock = "max"});
  ASSERT_TRUE(usb3.ok() && usb2.ok());
  EXPECT_GT(usb2->later_ms, usb3->later_ms);
  EXPECT_FALSE(EstimateModelTiming(compiled, "m", {.chip = "no-such-chip"}).ok());
  EXPECT_FALSE(EstimateModelTiming(compiled, "m", {.host = "no-such-host"}).ok());
  EXPECT_FALSE(EstimateModelTiming(compiled, "m", {.clock = "turbo"}).ok());
  auto junk = EstimateModelTiming(std::vector<uint8_t>(32, 1), "junk.tflite");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().ToString().find("junk.tflite"), std::string::npos);
}

// A complete time leaves nothing out; a model with operators left on the CPU says so (the facade
// does not measure them: `etpu bench` does).
TEST(TimingApiTest, SaysWhatTheTimesLeaveOut) {
  const std::vector<uint8_t> compiled = CompileZoo("mobilenet_v1_0.25_128");
  ASSERT_FALSE(compiled.empty());
  auto full = EstimateModelTiming(compiled, "m_edgetpu.tflite");
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_TRUE(full->left_out.empty());
  auto source = zoo::GenerateZooModel("mobilenet_v1_0.25_128");
  ASSERT_TRUE(source.ok());
  auto cpu = EstimateModelTiming(*source, "m.tflite");  // not compiled: every operator on the CPU
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  ASSERT_EQ(cpu->left_out.size(), 1u);
  EXPECT_NE(cpu->left_out[0].find("on the host CPU"), std::string::npos) << cpu->left_out[0];
}

}  // namespace
}  // namespace etpu
