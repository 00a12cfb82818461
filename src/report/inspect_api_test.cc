// include/etpu/inspect.h: what InspectModel reads back from a compiled model must be what the
// compiler decided (etpu::Compile's ModelResult): token, on/off-chip bytes, per-layer placement.
#include <gtest/gtest.h>

#include "etpu/compiler.h"
#include "etpu/inspect.h"
#include "testutil/compile_zoo.h"

namespace etpu {
namespace {

using testutil::CompileZooModel;

TEST(InspectApiTest, ReadsBackWhatTheCompilerDecided) {
  const ModelResult m = CompileZooModel("mobilenet_v1_0.25_128");
  ASSERT_FALSE(m.model.empty());
  auto info = InspectModel(m.model, "m_edgetpu.tflite");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->name, "m_edgetpu.tflite");
  EXPECT_EQ(info->file_size, static_cast<int64_t>(m.model.size()));
  EXPECT_EQ(info->token, m.caching_token);
  EXPECT_NE(info->token, 0u);
  EXPECT_EQ(info->on_chip_bytes, m.onchip_bytes);
  EXPECT_EQ(info->off_chip_bytes, m.offchip_bytes);
  ASSERT_EQ(info->edgetpu_ops.size(), m.regions.size());
  const InspectedEdgeTpuOp& op = info->edgetpu_ops.front();
  EXPECT_EQ(op.token, m.caching_token);
  EXPECT_TRUE(op.runtime_error.empty()) << op.runtime_error;
  const std::vector<LayerPlacement> entries = PackageEntries(m.layers);  // a record's side-by-side pieces joined
  ASSERT_EQ(op.layers.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    SCOPED_TRACE("layer " + std::to_string(i));
    EXPECT_EQ(op.layers[i].cached, entries[i].cached);
    EXPECT_EQ(op.layers[i].bytes, static_cast<uint64_t>(entries[i].bytes));
    EXPECT_EQ(op.layers[i].offset, static_cast<uint64_t>(entries[i].offset));
    EXPECT_FALSE(op.layers[i].op.empty());
  }
  EXPECT_EQ(info->cpu_ops.size(), m.cpu_ops.size());
  EXPECT_EQ(FormatToken(0x6d146c3f97d6648cull), "0x6d146c3f97d6648c");
}

TEST(InspectApiTest, CorruptBytesGiveAnErrorNamingTheModel) {
  const std::vector<uint8_t> junk(64, 0x5a);
  auto info = InspectModel(junk, "junk_edgetpu.tflite");
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().ToString().find("junk_edgetpu.tflite"), std::string::npos) << info.status().ToString();
  EXPECT_FALSE(InspectModelFile("/nonexistent/etpu/x_edgetpu.tflite").ok());
}

}  // namespace
}  // namespace etpu
