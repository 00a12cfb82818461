#include "device/estimates.h"

#include <gtest/gtest.h>

#include "device/test_specs.h"

namespace etpu::device {
namespace {

using testing::RoundSpec;

LayerCost Layer(LayerCost::Kind kind, int h, int w, int cin, int cout, int k) {
  LayerCost l;
  l.kind = kind;
  l.out_h = h;
  l.out_w = w;
  l.in_c = cin;
  l.out_c = cout;
  l.kh = l.kw = k;
  return l;
}

// conv 3x3 8->16, depthwise 3x3 16, pool 10x10, FC 100->10.
std::vector<LayerCost> SmallNet() {
  return {Layer(LayerCost::kConv, 10, 10, 8, 16, 3), Layer(LayerCost::kDepthwise, 10, 10, 16, 16, 3),
          Layer(LayerCost::kPool, 1, 1, 16, 16, 10), Layer(LayerCost::kFullyConnected, 1, 1, 100, 10, 1)};
}

TEST(EstimatesTest, InstructionBytesHandComputed) {
  // One GMAC (FC 1000 rows x 1000 x 1000): 60,000 + 110,000 * 1 = 170,000.
  Result<int64_t> b =
      EstimateInstructionBytes({Layer(LayerCost::kFullyConnected, 1000, 1, 1000, 1000, 1)}, RoundSpec());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, 170'000);
  // SmallNet: MACs 100*9*8*16 + 100*9*16 + 0 + 1000 = 115,200 + 14,400 + 1,000 = 130,600
  // -> 60,000 + 110,000 * 1.306e-4 = 60,014.366 -> 60,014.
  b = EstimateInstructionBytes(SmallNet(), RoundSpec());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, 60'014);
  // No layers: the base alone.
  b = EstimateInstructionBytes({}, RoundSpec());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, 60'000);
}

TEST(EstimatesTest, InstructionBytesGrowWithWork) {
  int64_t previous = 0;
  for (int size = 8; size <= 256; size *= 2) {
    Result<int64_t> b =
        EstimateInstructionBytes({Layer(LayerCost::kConv, size, size, 64, 64, 3)}, RoundSpec());
    ASSERT_TRUE(b.ok());
    EXPECT_GT(*b, previous);
    previous = *b;
  }
}

TEST(EstimatesTest, Errors) {
  std::vector<LayerCost> bad = SmallNet();
  bad[2].out_c = 0;
  Result<int64_t> b = EstimateInstructionBytes(bad, RoundSpec());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("#2"), std::string::npos);
  EXPECT_NE(b.status().message().find("out_c = 0"), std::string::npos);
}

}  // namespace
}  // namespace etpu::device
