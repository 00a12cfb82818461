#include "kernels/pooling.h"

#include <gtest/gtest.h>

#include <random>

#include "kernels/kernels_test_util.h"

namespace etpu::kernels {
namespace {

TEST(AveragePoolTest, HandComputedRoundingAndBorders) {
  PoolOptions o;
  o.padding = Padding::kSame;
  o.filter_h = o.filter_w = 2;
  o.stride_h = o.stride_w = 2;
  // 3x3 input, SAME 2x2 stride 2 -> 2x2 output; total padding 1 goes after (bottom/right).
  auto p = PreparePool(o, {1, 3, 3, 1}, QType::kUInt8, {1.0f, 0});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->pad_top, 0);
  const uint8_t x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  uint8_t y[4];
  ASSERT_TRUE(AveragePool(*p, {1, 3, 3, 1}, x, {1, 2, 2, 1}, y).ok());
  EXPECT_EQ(y[0], 3);  // (12 + 2) / 4
  EXPECT_EQ(y[1], 5);  // (3+6 + 1) / 2 = 5 (4.5 rounds up)
  EXPECT_EQ(y[2], 8);  // (7+8 + 1) / 2 = 8
  EXPECT_EQ(y[3], 9);
  ASSERT_TRUE(MaxPool(*p, {1, 3, 3, 1}, x, {1, 2, 2, 1}, y).ok());
  EXPECT_EQ(y[0], 5);
  EXPECT_EQ(y[3], 9);

  auto pi = PreparePool(o, {1, 3, 3, 1}, QType::kInt8, {1.0f, 0});
  const int8_t xi[9] = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
  int8_t yi[4];
  ASSERT_TRUE(AveragePool(*pi, {1, 3, 3, 1}, xi, {1, 2, 2, 1}, yi).ok());
  EXPECT_EQ(yi[0], -3);  // -12/4
  EXPECT_EQ(yi[1], -5);  // -9/2 = -4.5 -> -5 (away from zero)
  EXPECT_EQ(yi[2], -8);  // -7.5 -> -8
}

TEST(AveragePoolTest, ActivationClampAndShapeCheck) {
  PoolOptions o;
  o.padding = Padding::kValid;
  o.filter_h = o.filter_w = 1;
  o.activation = Activation::kRelu6;
  auto p = PreparePool(o, {1, 1, 1, 3}, QType::kUInt8, {0.1f, 10});
  ASSERT_TRUE(p.ok());
  const uint8_t x[3] = {0, 50, 200};
  uint8_t y[3];
  ASSERT_TRUE(AveragePool(*p, {1, 1, 1, 3}, x, {1, 1, 1, 3}, y).ok());
  EXPECT_EQ(y[0], 10);
  EXPECT_EQ(y[1], 50);
  EXPECT_EQ(y[2], 70);
  EXPECT_FALSE(AveragePool(*p, {1, 1, 1, 3}, x, {1, 1, 2, 3}, y).ok());
}

TEST(AveragePoolTest, MatchesRoundedMeanProperty) {
  std::mt19937 rng(9);
  PoolOptions o;
  o.padding = Padding::kSame;
  o.filter_h = 3;
  o.filter_w = 2;
  o.stride_h = 2;
  o.stride_w = 1;
  const Shape4 in{2, 7, 6, 3};
  auto p = PreparePool(o, in, QType::kInt8, {0.5f, 0});
  ASSERT_TRUE(p.ok());
  const Shape4 out{2, p->out_h, p->out_w, 3};
  auto x = testing::RandomVector<int8_t>(rng, in.FlatSize(), -128, 127);
  std::vector<int8_t> y(out.FlatSize());
  ASSERT_TRUE(AveragePool(*p, in, x.data(), out, y.data()).ok());
  for (int b = 0; b < 2; ++b)
    for (int oy = 0; oy < out.h; ++oy)
      for (int ox = 0; ox < out.w; ++ox)
        for (int c = 0; c < 3; ++c) {
          double sum = 0;
          int n = 0;
          for (int fy = 0; fy < 3; ++fy)
            for (int fx = 0; fx < 2; ++fx) {
              const int iy = oy * 2 - p->pad_top + fy, ix = ox - p->pad_left + fx;
              if (iy < 0 || ix < 0 || iy >= in.h || ix >= in.w) continue;
              sum += x[Offset(in, b, iy, ix, c)];
              ++n;
            }
          ASSERT_EQ(y[Offset(out, b, oy, ox, c)], static_cast<int>(std::round(sum / n)));
        }
}

}  // namespace
}  // namespace etpu::kernels
