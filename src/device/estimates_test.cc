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

// conv 3x3 8->16 (1152 weights, 16 biases), depthwise 3x3 16 (144, 16), pool (0, 0),
// FC 100->10 (1000, 10): 2296 weights, 42 output channels.
std::vector<LayerCost> SmallNet() {
  return {Layer(LayerCost::kConv, 10, 10, 8, 16, 3), Layer(LayerCost::kDepthwise, 10, 10, 16, 16, 3),
          Layer(LayerCost::kPool, 1, 1, 16, 16, 10), Layer(LayerCost::kFullyConnected, 1, 1, 100, 10, 1)};
}

TEST(EstimatesTest, LayerWeights) {
  const std::vector<LayerCost> net = SmallNet();
  EXPECT_EQ(LayerWeights(net[0]), 1152);
  EXPECT_EQ(LayerWeights(net[1]), 144);
  EXPECT_EQ(LayerWeights(net[2]), 0);
  EXPECT_EQ(LayerWeights(net[3]), 1000);
}

TEST(EstimatesTest, ParameterBytesHandComputed) {
  // 1.04 * 2296 + 4 * 42 = 2387.84 + 168 = 2555.84 -> 2556.
  Result<int64_t> b = EstimateParameterBytes(SmallNet(), RoundSpec());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, 2556);
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

TEST(EstimatesTest, QueryFromLayersSplitsAtTheCache) {
  Result<InvocationQuery> q = QueryFromLayers(SmallNet(), 300, 10, RoundSpec(), 1000);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->cached_param_bytes, 1000);
  EXPECT_EQ(q->streamed_param_bytes, 1556);  // 2556 - 1000
  EXPECT_EQ(q->instruction_bytes, 60'014);
  EXPECT_EQ(q->input_bytes, 300);
  EXPECT_EQ(q->output_bytes, 10);
  EXPECT_EQ(q->layers.size(), 4u);
  // Default capacity (7 MiB) holds everything.
  q = QueryFromLayers(SmallNet(), 300, 10, RoundSpec());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->cached_param_bytes, 2556);
  EXPECT_EQ(q->streamed_param_bytes, 0);
}

TEST(EstimatesTest, Errors) {
  EXPECT_FALSE(QueryFromLayers(SmallNet(), -1, 10, RoundSpec()).ok());
  std::vector<LayerCost> bad = SmallNet();
  bad[2].out_c = 0;
  Result<int64_t> b = EstimateParameterBytes(bad, RoundSpec());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("#2"), std::string::npos);
  EXPECT_NE(b.status().message().find("out_c = 0"), std::string::npos);
}

}  // namespace
}  // namespace etpu::device
