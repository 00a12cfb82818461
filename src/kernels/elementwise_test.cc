// ADD / SUB / MUL / MAXIMUM / MINIMUM: hand-computed cases, an independent model of the
// requantization sequence (RefRequant), a real-valued +-1 LSB bound, and broadcasting checked
// against explicitly expanded inputs.
#include "kernels/elementwise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernels/kernels_test_util.h"

namespace etpu::kernels {
namespace {

using testing::RandomVector;
using testing::RefRequant;

TEST(AddTest, HandComputed) {
  auto p = PrepareAdd(QType::kUInt8, {0.5f, 0}, {0.5f, 0}, {0.5f, 0}, Activation::kNone);
  ASSERT_TRUE(p.ok());
  const uint8_t a[3] = {2, 100, 200}, b[3] = {4, 100, 100};
  uint8_t o[3];
  ASSERT_TRUE(Add(*p, {1, 1, 1, 3}, a, {1, 1, 1, 3}, b, {1, 1, 1, 3}, o).ok());
  EXPECT_EQ(o[0], 6);
  EXPECT_EQ(o[1], 200);
  EXPECT_EQ(o[2], 255);  // saturates
  ASSERT_TRUE(Sub(*p, {1, 1, 1, 3}, b, {1, 1, 1, 3}, a, {1, 1, 1, 3}, o).ok());
  EXPECT_EQ(o[0], 2);
  EXPECT_EQ(o[1], 0);
  EXPECT_EQ(o[2], 0);  // negative clamps to 0
}

template <typename T>
void RandomArith(uint32_t seed, int which) {  // 0 add, 1 sub, 2 mul
  std::mt19937 rng(seed);
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const int lo = kU8 ? 0 : -128, hi = kU8 ? 255 : 127;
  std::uniform_real_distribution<float> sc(0.01f, 0.5f);
  std::uniform_int_distribution<int> zp(lo, hi);
  for (int iter = 0; iter < 200; ++iter) {
    const QuantParams q1{sc(rng), zp(rng)}, q2{sc(rng), zp(rng)};
    const QuantParams qo{which == 2 ? sc(rng) * 20 : sc(rng) * 2, zp(rng)};
    const QType type = kU8 ? QType::kUInt8 : QType::kInt8;
    auto p = which == 2 ? PrepareMul(type, q1, q2, qo, Activation::kNone)
                        : PrepareAdd(type, q1, q2, qo, Activation::kNone);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    auto a = RandomVector<T>(rng, 64, lo, hi), b = RandomVector<T>(rng, 64, lo, hi);
    std::vector<T> o(64);
    const Shape4 s{1, 4, 4, 4};
    Status st = which == 0   ? Add(*p, s, a.data(), s, b.data(), s, o.data())
                : which == 1 ? Sub(*p, s, a.data(), s, b.data(), s, o.data())
                             : Mul(*p, s, a.data(), s, b.data(), s, o.data());
    ASSERT_TRUE(st.ok());
    for (int i = 0; i < 64; ++i) {
      const int32_t x1 = a[i] - q1.zero_point, x2 = b[i] - q2.zero_point;
      int32_t want;
      if (which == 2) {
        want = RefRequant(x1 * x2, p->output_multiplier, p->output_shift) + qo.zero_point;
      } else {
        const int32_t y1 = RefRequant(x1 * (1 << 20), p->input1_multiplier, p->input1_shift);
        const int32_t y2 = RefRequant(x2 * (1 << 20), p->input2_multiplier, p->input2_shift);
        want = RefRequant(which == 0 ? y1 + y2 : y1 - y2, p->output_multiplier, p->output_shift) +
               qo.zero_point;
      }
      want = std::min(std::max(want, lo), hi);
      ASSERT_EQ(int{o[i]}, want) << "iter " << iter << " i " << i;
      // Real-valued sanity: within 1 LSB of the exact result.
      const double r1 = q1.scale * x1, r2 = q2.scale * x2;
      const double real = which == 0 ? r1 + r2 : which == 1 ? r1 - r2 : r1 * r2;
      const double exact = std::min<double>(std::max<double>(std::round(real / qo.scale) + qo.zero_point, lo), hi);
      ASSERT_LE(std::abs(exact - o[i]), 1.0) << "iter " << iter;
    }
  }
}

TEST(AddTest, Uint8MatchesModel) { RandomArith<uint8_t>(11, 0); }
TEST(AddTest, Int8MatchesModel) { RandomArith<int8_t>(12, 0); }
TEST(SubTest, Uint8MatchesModel) { RandomArith<uint8_t>(13, 1); }
TEST(SubTest, Int8MatchesModel) { RandomArith<int8_t>(14, 1); }
TEST(MulTest, Uint8MatchesModel) { RandomArith<uint8_t>(15, 2); }
TEST(MulTest, Int8MatchesModel) { RandomArith<int8_t>(16, 2); }

TEST(BroadcastTest, MatchesExpandedInputs) {
  std::mt19937 rng(3);
  auto p = PrepareAdd(QType::kUInt8, {0.1f, 3}, {0.2f, 7}, {0.3f, 1}, Activation::kRelu);
  ASSERT_TRUE(p.ok());
  const Shape4 out{2, 3, 4, 5};
  const Shape4 shapes[] = {{2, 1, 4, 1}, {1, 3, 1, 5}, {1, 1, 1, 1}, {2, 3, 4, 5}, {1, 1, 1, 5}};
  for (Shape4 s1 : shapes)
    for (Shape4 s2 : shapes) {
      auto a = RandomVector<uint8_t>(rng, s1.FlatSize(), 0, 255);
      auto b = RandomVector<uint8_t>(rng, s2.FlatSize(), 0, 255);
      auto expand = [&](const std::vector<uint8_t>& v, Shape4 s) {
        std::vector<uint8_t> e(out.FlatSize());
        for (int n = 0; n < out.n; ++n)
          for (int y = 0; y < out.h; ++y)
            for (int x = 0; x < out.w; ++x)
              for (int c = 0; c < out.c; ++c)
                e[Offset(out, n, y, x, c)] = v[Offset(s, n % s.n, y % s.h, x % s.w, c % s.c)];
        return e;
      };
      auto bs = BroadcastShape(s1, s2);
      ASSERT_TRUE(bs.ok());
      if (!(*bs == out)) {
        std::vector<uint8_t> o(out.FlatSize());
        EXPECT_FALSE(Add(*p, s1, a.data(), s2, b.data(), out, o.data()).ok());
        continue;
      }
      auto ea = expand(a, s1), eb = expand(b, s2);
      std::vector<uint8_t> got(out.FlatSize()), want(out.FlatSize());
      ASSERT_TRUE(Add(*p, s1, a.data(), s2, b.data(), out, got.data()).ok());
      ASSERT_TRUE(Add(*p, out, ea.data(), out, eb.data(), out, want.data()).ok());
      ASSERT_EQ(got, want) << s1.ToString() << " + " << s2.ToString();
      std::vector<uint8_t> gmax(out.FlatSize()), wmax(out.FlatSize());
      ASSERT_TRUE(Maximum(s1, a.data(), s2, b.data(), out, gmax.data()).ok());
      for (size_t i = 0; i < wmax.size(); ++i) wmax[i] = std::max(ea[i], eb[i]);
      ASSERT_EQ(gmax, wmax);
    }
  std::vector<uint8_t> o(out.FlatSize()), a(24), b(24);
  EXPECT_FALSE(Add(*p, {1, 2, 3, 4}, a.data(), {1, 3, 2, 4}, b.data(), {1, 3, 3, 4}, o.data()).ok());
  EXPECT_FALSE(Add(*p, {1, 2, 3, 4}, a.data(), {1, 2, 3, 4}, b.data(), {1, 2, 3, 5}, o.data()).ok());
}

TEST(MinimumTest, Int8AndFloat) {
  const int8_t a[3] = {-5, 3, 0}, b[1] = {1};
  int8_t o[3];
  ASSERT_TRUE(Minimum({1, 1, 1, 3}, a, {1, 1, 1, 1}, b, {1, 1, 1, 3}, o).ok());
  EXPECT_EQ(o[0], -5);
  EXPECT_EQ(o[1], 1);
  EXPECT_EQ(o[2], 0);
  auto p = PrepareArithmeticFloat(Activation::kRelu6);
  const float fa[2] = {4.0f, -1.0f}, fb[2] = {5.0f, 0.5f};
  float fo[2];
  ASSERT_TRUE(Add(*p, {1, 1, 1, 2}, fa, {1, 1, 1, 2}, fb, {1, 1, 1, 2}, fo).ok());
  EXPECT_EQ(fo[0], 6.0f);
  EXPECT_EQ(fo[1], 0.0f);
}

}  // namespace
}  // namespace etpu::kernels
