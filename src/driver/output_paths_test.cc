#include "driver/output_paths.h"

#include <gtest/gtest.h>

namespace etpu::driver {
namespace {

TEST(OutputPathsTest, RealNamingRules) {
  EXPECT_EQ(ModelStem("path/to/foo.tflite"), "foo");
  EXPECT_EQ(ModelStem("foo"), "foo");
  EXPECT_EQ(ModelStem("a.b.tflite"), "a.b");
  EXPECT_EQ(OutputPath(".", "detect2_edgetpu.tflite"), "detect2_edgetpu.tflite");
  EXPECT_EQ(OutputPath("./EdgeTPU/", "model_edgetpu.tflite"), "./EdgeTPU/model_edgetpu.tflite");
  EXPECT_EQ(OutputPath("out", "m_edgetpu.log"), "out/m_edgetpu.log");
  EXPECT_EQ(OutputPath("/", "m_edgetpu.log"), "/m_edgetpu.log");
  EXPECT_EQ(SegmentStem("foo", 0, 2), "foo_segment_0_of_2");
}

}  // namespace
}  // namespace etpu::driver
