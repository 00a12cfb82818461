#include "base/units.h"

#include <gtest/gtest.h>

namespace etpu::base {
namespace {

TEST(FormatBytesTest, MatchesCompilerGrammar) {
  EXPECT_EQ(FormatBytes(0), "0.00B");
  EXPECT_EQ(FormatBytes(1023), "1023.00B");
  EXPECT_EQ(FormatBytes(1024), "1.00KiB");
  EXPECT_EQ(FormatBytes(1792), "1.75KiB");
  EXPECT_EQ(FormatBytes(523776), "511.50KiB");
  EXPECT_EQ(FormatBytes(8346665), "7.96MiB");
  EXPECT_EQ(FormatBytes(uint64_t{3} << 30), "3.00GiB");
}

TEST(RoundUpTest, Multiples) {
  EXPECT_EQ(RoundUp(0, 16), 0);
  EXPECT_EQ(RoundUp(1, 16), 16);
  EXPECT_EQ(RoundUp(64, 64), 64);
  EXPECT_EQ(RoundUp(1001, 64), 1024);
  EXPECT_EQ(CeilDiv(1001, 4), 251);
}

}  // namespace
}  // namespace etpu::base
