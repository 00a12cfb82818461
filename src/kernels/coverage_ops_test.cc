// PRELU, SQUARED_DIFFERENCE, SUM, L2_NORMALIZATION, RSQRT, REDUCE_MAX / MIN, DIV / FLOOR_DIV:
// independent double-precision formulas (results within the quantization step), hand-computed
// cases, and the uint8 paths TFLite lacks (SQUARED_DIFFERENCE, RSQRT) pinned to the
// oracle-checked int8 paths (tests/oracle/op_oracle_test.cc) by a shift of 128.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/elementwise.h"
#include "kernels/inv_sqrt.h"
#include "kernels/reduce.h"

namespace etpu::kernels {
namespace {

TEST(InvSqrtTest, MultiplierApproximatesOneOverSqrt) {
  std::mt19937 rng(5);
  std::vector<int32_t> values = {2, 3, 4, 5, 100, 65025, (1 << 27) - 1, 1 << 29, INT32_MAX};
  for (int i = 0; i < 2000; ++i) values.push_back(static_cast<int32_t>(rng() >> 1) >> (rng() % 30));
  for (int32_t v : values) {
    if (v <= 1) continue;
    const InvSqrt r = InvSqrtMultiplier(v);
    ASSERT_GE(r.right_shift, 0);
    const double got = r.multiplier / 2147483648.0 / std::ldexp(1.0, r.right_shift);
    EXPECT_NEAR(got * std::sqrt(static_cast<double>(v)), 1.0, 1e-5) << v;
  }
  const InvSqrt one = InvSqrtMultiplier(1);
  EXPECT_EQ(one.multiplier, INT32_MAX);
  EXPECT_EQ(one.right_shift, 0);
}

TEST(L2NormalizationTest, OutputsTheUnitVectorWithinOneStep) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    const int depth = 1 + static_cast<int>(rng() % 300);
    const int32_t zp = static_cast<int32_t>(rng() % 256);
    std::vector<uint8_t> x(static_cast<size_t>(depth));
    for (auto& v : x) v = static_cast<uint8_t>(rng());
    std::vector<uint8_t> u(x.size());
    ASSERT_TRUE(L2Normalization(zp, 1, depth, x.data(), u.data()).ok());
    std::vector<int8_t> xs(x.size()), s(x.size());
    for (size_t i = 0; i < x.size(); ++i) xs[i] = static_cast<int8_t>(x[i] - 128);
    ASSERT_TRUE(L2Normalization(zp - 128, 1, depth, xs.data(), s.data()).ok());
    double norm = 0;
    for (uint8_t v : x) norm += double(v - zp) * double(v - zp);
    norm = std::sqrt(norm);
    for (size_t i = 0; i < x.size(); ++i) {
      const double want = norm == 0 ? 0 : (x[i] - zp) / norm * 128.0;
      if (norm > 1) {
        EXPECT_NEAR(u[i] - 128, std::clamp(want, -128.0, 127.0), 1.01) << depth << " " << zp;
        EXPECT_NEAR(s[i], std::clamp(want, -128.0, 127.0), 1.01) << depth << " " << zp;
      }
    }
  }
  EXPECT_TRUE(PrepareL2Normalization(QType::kUInt8, {0.1f, 3}, {1.0f / 128, 128}).ok());
  EXPECT_FALSE(PrepareL2Normalization(QType::kUInt8, {0.1f, 3}, {1.0f / 128, 0}).ok());
  EXPECT_FALSE(PrepareL2Normalization(QType::kInt8, {0.1f, 3}, {1.0f / 256, 0}).ok());
}

TEST(RsqrtTest, Uint8EqualsInt8ShiftedBy128AndApproximatesTheFunction) {
  for (const auto& [s_in, zp, s_out, zp_out] :
       {std::tuple{0.05f, 0, 0.0177f, 0}, std::tuple{0.002f, 108, 0.09f, 68}, std::tuple{0.25f, 128, 0.001f, 128}}) {
    auto pu = PrepareRsqrt(QType::kUInt8, {s_in, zp}, {s_out, zp_out});
    auto ps = PrepareRsqrt(QType::kInt8, {s_in, zp - 128}, {s_out, zp_out - 128});
    ASSERT_TRUE(pu.ok() && ps.ok());
    std::vector<uint8_t> x;
    for (int v = zp; v < 256; ++v) x.push_back(static_cast<uint8_t>(v));
    std::vector<uint8_t> u(x.size());
    std::vector<int8_t> xs(x.size()), s(x.size());
    for (size_t i = 0; i < x.size(); ++i) xs[i] = static_cast<int8_t>(x[i] - 128);
    ASSERT_TRUE(Rsqrt(*pu, static_cast<int64_t>(x.size()), x.data(), u.data()).ok());
    ASSERT_TRUE(Rsqrt(*ps, static_cast<int64_t>(x.size()), xs.data(), s.data()).ok());
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(u[i] - 128, s[i]) << int(x[i]);
      if (x[i] == zp) {
        EXPECT_EQ(u[i], 255);
        continue;
      }
      const double want = zp_out + 1.0 / std::sqrt(s_in * (x[i] - zp)) / s_out;
      EXPECT_NEAR(u[i], std::clamp(want, 0.0, 255.0), 1.01) << int(x[i]);
    }
  }
  auto p = PrepareRsqrt(QType::kUInt8, {0.1f, 10}, {0.1f, 0});
  const uint8_t below[1] = {9};
  uint8_t out[1];
  EXPECT_FALSE(Rsqrt(*p, 1, below, out).ok());
}

TEST(SquaredDifferenceTest, Uint8EqualsInt8ShiftedBy128AndApproximatesTheFunction) {
  const Shape4 s1{1, 2, 3, 4}, s2{1, 1, 1, 4};
  std::mt19937 rng(3);
  std::vector<uint8_t> a(24), b(4);
  for (auto& v : a) v = static_cast<uint8_t>(rng());
  for (auto& v : b) v = static_cast<uint8_t>(rng());
  std::vector<int8_t> as(24), bs(4);
  for (size_t i = 0; i < a.size(); ++i) as[i] = static_cast<int8_t>(a[i] - 128);
  for (size_t i = 0; i < b.size(); ++i) bs[i] = static_cast<int8_t>(b[i] - 128);
  const QuantParams q1{0.03f, 138}, q2{0.08f, 135}, qo{0.5f, 28};
  auto pu = PrepareSquaredDifference(QType::kUInt8, q1, q2, qo);
  auto ps = PrepareSquaredDifference(QType::kInt8, {q1.scale, 10}, {q2.scale, 7}, {qo.scale, -100});
  ASSERT_TRUE(pu.ok() && ps.ok());
  std::vector<uint8_t> u(24);
  std::vector<int8_t> s(24);
  ASSERT_TRUE(SquaredDifference(*pu, s1, a.data(), s2, b.data(), s1, u.data()).ok());
  ASSERT_TRUE(SquaredDifference(*ps, s1, as.data(), s2, bs.data(), s1, s.data()).ok());
  for (size_t i = 0; i < u.size(); ++i) {
    EXPECT_EQ(u[i] - 128, s[i]);
    const double d = q1.scale * (a[i] - q1.zero_point) - q2.scale * (b[i % 4] - q2.zero_point);
    EXPECT_NEAR(u[i], std::clamp(qo.zero_point + d * d / qo.scale, 0.0, 255.0), 1.01);
  }
}

TEST(PreluTest, ApproximatesTheFunctionWithBroadcastAlpha) {
  const Shape4 sx{1, 2, 2, 3}, sa{1, 1, 1, 3};
  const QuantParams qx{0.05f, 128}, qa{0.01f, 100}, qo{0.04f, 120};
  auto pu = PreparePrelu(QType::kUInt8, qx, qa, qo);
  auto ps = PreparePrelu(QType::kInt8, {qx.scale, 0}, {qa.scale, -28}, {qo.scale, -8});
  ASSERT_TRUE(pu.ok() && ps.ok());
  std::mt19937 rng(9);
  std::vector<uint8_t> x(12), o(12);
  std::vector<int8_t> xs(12), os(12);
  for (auto& v : x) v = static_cast<uint8_t>(rng());
  for (size_t i = 0; i < x.size(); ++i) xs[i] = static_cast<int8_t>(x[i] - 128);
  const uint8_t alpha[3] = {0, 120, 255};
  const int8_t alpha_s[3] = {-128, -8, 127};
  ASSERT_TRUE(Prelu(*pu, sx, x.data(), sa, alpha, sx, o.data()).ok());
  ASSERT_TRUE(Prelu(*ps, sx, xs.data(), sa, alpha_s, sx, os.data()).ok());
  for (size_t i = 0; i < x.size(); ++i) {
    const double xv = qx.scale * (x[i] - qx.zero_point), av = qa.scale * (alpha[i % 3] - qa.zero_point);
    const double want = qo.zero_point + (xv >= 0 ? xv : xv * av) / qo.scale;
    // int8 (TFLite 2.9) requantizes both branches.
    EXPECT_NEAR(os[i] + 128, std::clamp(want, 0.0, 255.0), 1.01) << i;
    // uint8 (TFLite 2.2) copies non-negative inputs unchanged.
    if (xv >= 0) {
      EXPECT_EQ(o[i], x[i]) << i;
    } else {
      EXPECT_NEAR(o[i], std::clamp(want, 0.0, 255.0), 1.01) << i;
    }
  }
  const float fx[4] = {-2, -1, 0, 3}, fa[1] = {0.5f};
  float fo[4];
  ASSERT_TRUE(Prelu(Shape4{1, 1, 1, 4}, fx, Shape4{1, 1, 1, 1}, fa, Shape4{1, 1, 1, 4}, fo).ok());
  EXPECT_EQ(fo[0], -1.0f);
  EXPECT_EQ(fo[1], -0.5f);
  EXPECT_EQ(fo[2], 0.0f);
  EXPECT_EQ(fo[3], 3.0f);
}

TEST(SumTest, RequantizedSumWithinOneStepOverAnyAxes) {
  ReduceAxes axes{{2, 3, 4}, {true, false, true}};  // Sum over dims 0 and 2 -> 3 outputs.
  std::vector<uint8_t> x(24);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 11);
  const QuantParams qi{0.02f, 100}, qo{0.1f, 30};
  auto p = PrepareSum(QType::kUInt8, qi, qo, 8);
  ASSERT_TRUE(p.ok());
  uint8_t out[3];
  ASSERT_TRUE(Sum(*p, axes, x.data(), out).ok());
  for (int j = 0; j < 3; ++j) {
    double sum = 0;
    for (int a = 0; a < 2; ++a)
      for (int c = 0; c < 4; ++c) sum += qi.scale * (x[static_cast<size_t>(a * 12 + j * 4 + c)] - qi.zero_point);
    EXPECT_NEAR(out[j], qo.zero_point + sum / qo.scale, 1.01) << j;
  }
  // The wrong element count is refused.
  EXPECT_FALSE(Sum(*PrepareSum(QType::kUInt8, qi, qo, 4), axes, x.data(), out).ok());
}

TEST(SumTest, SameQuantizationAddsRawValuesModulo256) {
  // TFLite's generic reducer (confirmed by the oracle case sum_u8_same_quant_wraps).
  ReduceAxes axes{{1, 3}, {false, true}};
  const uint8_t x[3] = {200, 100, 7};
  auto p = PrepareSum(QType::kUInt8, {0.1f, 10}, {0.1f, 10}, 3);
  uint8_t out[1];
  ASSERT_TRUE(Sum(*p, axes, x, out).ok());
  EXPECT_EQ(out[0], (200 + 100 + 7) % 256);
}

TEST(ReduceMaxMinTest, HandComputedAcrossAxes) {
  ReduceAxes axes{{2, 3}, {true, false}};
  const int8_t x[6] = {1, -5, 7, 3, -9, 2};
  int8_t mx[3], mn[3];
  ASSERT_TRUE(ReduceMax(axes, x, mx).ok());
  ASSERT_TRUE(ReduceMin(axes, x, mn).ok());
  EXPECT_EQ(std::vector<int8_t>(mx, mx + 3), (std::vector<int8_t>{3, -5, 7}));
  EXPECT_EQ(std::vector<int8_t>(mn, mn + 3), (std::vector<int8_t>{1, -9, 2}));
  const float f[6] = {1, -5, 7, 3, -9, 2};
  float fr[1];
  ReduceAxes all{{2, 3}, {true, true}};
  ASSERT_TRUE(ReduceMax(all, f, fr).ok());
  EXPECT_EQ(fr[0], 7.0f);
  EXPECT_FALSE(ReduceMax(ReduceAxes{{0, 3}, {true, false}}, f, fr).ok());
}

TEST(DivTest, TruncatingAndFlooringIntegerDivision) {
  const Shape4 s{1, 1, 1, 4}, one{1, 1, 1, 1};
  const int32_t a[4] = {-7, 7, -8, 0}, b[1] = {2};
  int32_t q[4], f[4];
  ASSERT_TRUE(Div(s, a, one, b, s, q).ok());
  ASSERT_TRUE(FloorDiv(s, a, one, b, s, f).ok());
  EXPECT_EQ(std::vector<int32_t>(q, q + 4), (std::vector<int32_t>{-3, 3, -4, 0}));
  EXPECT_EQ(std::vector<int32_t>(f, f + 4), (std::vector<int32_t>{-4, 3, -4, 0}));
  const int32_t zero[1] = {0};
  EXPECT_FALSE(Div(s, a, one, zero, s, q).ok());
  const float fa[2] = {-7.0f, 1.0f}, fb[1] = {2.0f}, fz[1] = {0.0f};
  float fo[2];
  ASSERT_TRUE(FloorDiv(-1e30f, 1e30f, Shape4{1, 1, 1, 2}, fa, one, fb, Shape4{1, 1, 1, 2}, fo).ok());
  EXPECT_EQ(fo[0], -4.0f);
  EXPECT_EQ(fo[1], 0.0f);
  ASSERT_TRUE(Div(0.0f, 6.0f, Shape4{1, 1, 1, 2}, fa, one, fb, Shape4{1, 1, 1, 2}, fo).ok());
  EXPECT_EQ(fo[0], 0.0f);  // Clamped by the fused activation range.
  EXPECT_EQ(fo[1], 0.5f);
  EXPECT_FALSE(FloorDiv(-1e30f, 1e30f, Shape4{1, 1, 1, 2}, fa, one, fz, Shape4{1, 1, 1, 2}, fo).ok());
}

}  // namespace
}  // namespace etpu::kernels
