// The public API on the real files of ../shared: CPU models, Google's compiled models (refused),
// the runtime-version message.
#include "etpu/runtime.h"

#include <gtest/gtest.h>

#include "testutil/shared.h"

namespace etpu {
namespace {

TEST(RuntimeTest, RunsACpuModelWithoutEvents) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  auto m = (*rt)->LoadModel(path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->input(0).shape, (std::vector<int>{1, 128, 128, 3}));
  std::vector<uint8_t> in(static_cast<size_t>(m->input(0).bytes), 128);
  ASSERT_TRUE(m->SetInput(0, in).ok());
  ASSERT_TRUE(m->Invoke().ok());
  EXPECT_EQ(m->GetOutput(0).size(), 1001u);
  EXPECT_TRUE(m->last_events().empty());
  EXPECT_TRUE(m->edgetpu_ops().empty());
  EXPECT_FALSE(m->SetInput(0, std::vector<uint8_t>(3)).ok());
}

TEST(RuntimeTest, RefusesGoogleCompiledModelsCleanly) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  for (const char* name : {"mobilenet_v1_0.25_128_quant_edgetpu", "mobilenet_v2_1.0_224_quant_edgetpu",
                           "deeplabv3_mnv2_dm05_pascal_quant_edgetpu", "keras_lstm_mnist_ptq_edgetpu",
                           "split_concat_edgetpu"}) {
    auto m = (*rt)->LoadModel(dir + "/" + name + ".tflite");
    ASSERT_FALSE(m.ok()) << name;
    EXPECT_NE(m.status().message().find("'beagle'"), std::string::npos) << m.status().ToString();
  }
}

TEST(RuntimeTest, RuntimeVersionMessageIsTheRealOne) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  RuntimeOptions o;
  o.runtime_version = 10;
  auto rt = Runtime::Create(o);
  ASSERT_TRUE(rt.ok());
  auto m = (*rt)->LoadModel(path);
  ASSERT_FALSE(m.ok());
  const std::string s = m.status().ToString();
  EXPECT_EQ(s.rfind("Failed precondition: Package requires runtime version (", 0), 0u) << s;
  EXPECT_NE(s.find("), which is newer than this runtime version (10)."), std::string::npos) << s;
}

TEST(RuntimeTest, RejectsBadOptionsAndDevices) {
  EXPECT_FALSE(Runtime::Create({.num_devices = 0}).ok());
  EXPECT_FALSE(Runtime::Create({.host = "no-such-host"}).ok());
  auto rt = Runtime::Create({.num_devices = 2});
  ASSERT_TRUE(rt.ok());
  EXPECT_EQ((*rt)->num_devices(), 2);
  EXPECT_FALSE((*rt)->LoadModel("/nonexistent.tflite", 2).ok());
  EXPECT_EQ((*rt)->device_state(1).sram_bytes, 8 * 1024 * 1024);
}

}  // namespace
}  // namespace etpu
