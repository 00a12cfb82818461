// QUANTIZE / DEQUANTIZE, CONCATENATION, SPLIT, PAD, TRANSPOSE, STRIDED_SLICE, RESIZE_*, MEAN and
// ARG_MAX, CAST, GATHER_ND, SLICE, SPACE_TO_DEPTH, TILE, float TRANSPOSE_CONV: hand-computed cases and
// independent double-precision formulas.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernels/conv.h"
#include "kernels/kernels_test_util.h"
#include "kernels/quantize.h"
#include "kernels/reduce.h"
#include "kernels/resize.h"
#include "kernels/shape_ops.h"

namespace etpu::kernels {
namespace {

TEST(QuantizeTest, RoundsHalfAwayFromZeroAndSaturates) {
  const float x[6] = {0.25f, -0.25f, 0.74f, 1000.0f, -1000.0f, 0.0f};
  uint8_t u[6];
  Quantize({0.5f, 10}, 6, x, u);
  EXPECT_EQ(u[0], 11);
  EXPECT_EQ(u[1], 9);
  EXPECT_EQ(u[2], 11);
  EXPECT_EQ(u[3], 255);
  EXPECT_EQ(u[4], 0);
  EXPECT_EQ(u[5], 10);
  int8_t s[6];
  Quantize({0.5f, -1}, 6, x, s);
  EXPECT_EQ(s[1], -2);
  EXPECT_EQ(s[3], 127);
  EXPECT_EQ(s[4], -128);
  float f[2];
  const uint8_t q[2] = {0, 255};
  Dequantize({0.1f, 128}, 2, q, f);
  EXPECT_EQ(f[0], static_cast<float>(double{0.1f} * -128));
  EXPECT_EQ(f[1], static_cast<float>(double{0.1f} * 127));
}

TEST(QuantizeTest, RequantizeUint8ToInt8) {
  auto p = PrepareRequantize({0.1f, 128}, {0.1f, 0});
  ASSERT_TRUE(p.ok());
  std::vector<uint8_t> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<uint8_t>(i);
  std::vector<int8_t> y(256);
  Requantize(*p, 256, x.data(), y.data());
  for (int i = 0; i < 256; ++i) ASSERT_EQ(y[i], i - 128);
  auto p2 = PrepareRequantize({0.3f, 5}, {0.2f, -3});
  Requantize(*p2, 256, x.data(), y.data());
  for (int i = 0; i < 256; ++i) {
    const int want = std::min(127, std::max(-128, testing::RefRequant(i - 5, p2->multiplier, p2->shift) - 3));
    ASSERT_EQ(y[i], want);
    ASSERT_LE(std::abs(std::clamp<double>(std::round((i - 5) * 1.5) - 3, -128, 127) - y[i]), 1.0);
  }
}

TEST(ConcatenationTest, CopiesAndRequantizes) {
  // Two inputs [2, a_i, 2] along axis 1; the second has a different quantization.
  const uint8_t a[4] = {1, 2, 3, 4};              // [2,1,2]
  const uint8_t b[8] = {10, 20, 30, 40, 50, 60, 70, 80};  // [2,2,2], scale 0.5 zp 10
  ConcatInput in[2] = {{a, 1, {1.0f, 0}}, {b, 2, {0.5f, 10}}};
  uint8_t out[12];
  ASSERT_TRUE(Concatenation(in, 2, 2, QType::kUInt8, {1.0f, 0}, out).ok());
  const uint8_t want[12] = {1, 2, 0, 5, 10, 15, 3, 4, 20, 25, 30, 35};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(out[i], want[i]) << i;
  // Half-way values round away from zero in float: (11 - 10) * 0.5 = 0.5 -> 1.
  const uint8_t c[1] = {11};
  ConcatInput in2[1] = {{c, 1, {0.5f, 10}}};
  uint8_t o2;
  ASSERT_TRUE(Concatenation(in2, 1, 1, QType::kUInt8, {1.0f, 0}, &o2).ok());
  EXPECT_EQ(o2, 1);
  const int8_t d[2] = {-128, 127};
  ConcatInput in3[1] = {{d, 2, {1.0f, 0}}};
  int8_t o3[2];
  ASSERT_TRUE(Concatenation(in3, 1, 1, QType::kInt8, {2.0f, -100}, o3).ok());
  EXPECT_EQ(o3[0], -128);  // -64 - 100 clamps
  EXPECT_EQ(o3[1], -36);   // round(63.5) = 64 - 100
}

TEST(SplitTest, SplitsAlongMiddleAxis) {
  const int32_t x[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};  // [2, 3, 2]
  int32_t a[4], b[8];
  const int64_t sizes[2] = {1, 2};
  void* outs[2] = {a, b};
  ASSERT_TRUE(Split(x, 2, 2, sizeof(int32_t), sizes, outs).ok());
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[2], 6);
  EXPECT_EQ(b[0], 2);
  EXPECT_EQ(b[3], 5);
  EXPECT_EQ(b[4], 8);
}

TEST(PadTest, PadsWithValue) {
  const uint8_t x[4] = {1, 2, 3, 4};  // [2,2]
  uint8_t y[4 * 5];
  const int dims[2] = {2, 2}, before[2] = {1, 2}, after[2] = {1, 1};
  const uint8_t pad = 9;
  ASSERT_TRUE(Pad(dims, before, after, 1, &pad, x, y).ok());
  const uint8_t want[20] = {9, 9, 9, 9, 9, 9, 9, 1, 2, 9, 9, 9, 3, 4, 9, 9, 9, 9, 9, 9};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(y[i], want[i]) << i;
  const int neg[2] = {-1, 0};
  EXPECT_FALSE(Pad(dims, neg, after, 1, &pad, x, y).ok());
}

TEST(TransposeTest, Permutes3D) {
  int16_t x[24];
  for (int i = 0; i < 24; ++i) x[i] = static_cast<int16_t>(i);
  const int dims[3] = {2, 3, 4}, perm[3] = {2, 0, 1};
  int16_t y[24];
  ASSERT_TRUE(Transpose(dims, perm, sizeof(int16_t), x, y).ok());
  // y[k][i][j] = x[i][j][k]
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) ASSERT_EQ(y[(k * 2 + i) * 3 + j], x[(i * 3 + j) * 4 + k]);
  const int bad[3] = {0, 0, 1};
  EXPECT_FALSE(Transpose(dims, bad, 2, x, y).ok());
}

TEST(StridedSliceTest, MasksNegativeStridesAndShrink) {
  int8_t x[10];
  for (int i = 0; i < 10; ++i) x[i] = static_cast<int8_t>(i);
  const int dims[1] = {10};
  auto run = [&](int b, int e, int s, int bm, int em, int sm) {
    const int bb[1] = {b}, ee[1] = {e}, ss[1] = {s};
    auto axes = ResolveStridedSlice(dims, bb, ee, ss, bm, em, sm);
    EXPECT_TRUE(axes.ok());
    std::vector<int8_t> out((*axes)[0].Count());
    EXPECT_TRUE(StridedSlice(dims, *axes, 1, x, out.data()).ok());
    return std::vector<int>(out.begin(), out.end());
  };
  EXPECT_EQ(run(1, 7, 2, 0, 0, 0), (std::vector<int>{1, 3, 5}));
  EXPECT_EQ(run(-3, 0, 1, 0, 1, 0), (std::vector<int>{7, 8, 9}));
  EXPECT_EQ(run(0, 0, -3, 1, 1, 0), (std::vector<int>{9, 6, 3, 0}));
  EXPECT_EQ(run(-2, 0, 1, 0, 0, 1), (std::vector<int>{8}));
  EXPECT_EQ(run(5, 2, 1, 0, 0, 0), (std::vector<int>{}));
}

// Exact bilinear in double for ratios whose 1/1024 positions are exact.
double RefBilinear(const std::vector<uint8_t>& x, Shape4 in, Shape4 out, int b, int y, int xx, int c,
                   bool align, bool half) {
  auto pos = [&](int v, int i, int o) {
    const double s = (align && o > 1) ? double(i - 1) / (o - 1) : double(i) / o;
    return half ? (v + 0.5) * s - 0.5 : v * s;
  };
  const double py = pos(y, in.h, out.h), px = pos(xx, in.w, out.w);
  const int y0 = std::max(0, int(std::floor(py))), y1 = std::min(in.h - 1, int(std::ceil(py)));
  const int x0 = std::max(0, int(std::floor(px))), x1 = std::min(in.w - 1, int(std::ceil(px)));
  const double dy = py - y0, dx = px - x0;
  return x[Offset(in, b, y0, x0, c)] * (1 - dy) * (1 - dx) + x[Offset(in, b, y1, x0, c)] * dy * (1 - dx) +
         x[Offset(in, b, y0, x1, c)] * (1 - dy) * dx + x[Offset(in, b, y1, x1, c)] * dy * dx;
}

TEST(ResizeBilinearTest, IntegerPathMatchesExactFormulaOnExactRatios) {
  std::mt19937 rng(31);
  const Shape4 in{1, 4, 8, 3};
  auto x = testing::RandomVector<uint8_t>(rng, in.FlatSize(), 0, 255);
  for (auto [oh, ow] : {std::pair{8, 16}, std::pair{16, 32}, std::pair{2, 4}, std::pair{4, 8}}) {
    for (int mode = 0; mode < 2; ++mode) {
      ResizeParams p;
      p.half_pixel_centers = mode == 1;
      const Shape4 out{1, oh, ow, 3};
      std::vector<uint8_t> y(out.FlatSize());
      ASSERT_TRUE(ResizeBilinear(p, in, x.data(), out, y.data()).ok());
      for (int yy = 0; yy < oh; ++yy)
        for (int xx = 0; xx < ow; ++xx)
          for (int c = 0; c < 3; ++c) {
            const double want = std::round(RefBilinear(x, in, out, 0, yy, xx, c, false, p.half_pixel_centers));
            ASSERT_EQ(y[Offset(out, 0, yy, xx, c)], want) << oh << "x" << ow << " mode " << mode;
          }
    }
  }
}

TEST(ResizeBilinearTest, HandComputedAndInt8Negative) {
  // 1x2 -> 1x4, half pixel: positions -0.25, 0.25, 0.75, 1.25 -> clamp, 0.75a+0.25b, ...
  const uint8_t x[2] = {0, 100};
  uint8_t y[4];
  ResizeParams p;
  p.half_pixel_centers = true;
  ASSERT_TRUE(ResizeBilinear(p, {1, 1, 2, 1}, x, {1, 1, 4, 1}, y).ok());
  EXPECT_EQ(y[0], 0);
  EXPECT_EQ(y[1], 25);
  EXPECT_EQ(y[2], 75);
  EXPECT_EQ(y[3], 100);
  const int8_t xi[2] = {-1, -2};
  int8_t yi[4];
  ASSERT_TRUE(ResizeBilinear(p, {1, 1, 2, 1}, xi, {1, 1, 4, 1}, yi).ok());
  EXPECT_EQ(yi[1], -1);  // -1.25 -> -1
  EXPECT_EQ(yi[2], -2);  // -1.75 -> -2
  p.align_corners = true;
  EXPECT_FALSE(ResizeBilinear(p, {1, 1, 2, 1}, x, {1, 1, 4, 1}, y).ok());
  p.half_pixel_centers = false;  // align corners: positions 0, 1/3, 2/3, 1
  ASSERT_TRUE(ResizeBilinear(p, {1, 1, 2, 1}, x, {1, 1, 4, 1}, y).ok());
  EXPECT_EQ(y[0], 0);
  EXPECT_EQ(y[1], 33);  // scale_10 = 1024/3 rounded = 341 -> 341/1024*100 = 33.3
  EXPECT_EQ(y[2], 67);
  EXPECT_EQ(y[3], 100);
}

TEST(ResizeNearestTest, Modes) {
  const uint8_t x[3] = {10, 20, 30};
  uint8_t y[6];
  ResizeParams p;
  ASSERT_TRUE(ResizeNearestNeighbor(p, {1, 1, 3, 1}, x, {1, 1, 6, 1}, y).ok());
  EXPECT_EQ(std::vector<int>(y, y + 6), (std::vector<int>{10, 10, 20, 20, 30, 30}));
  uint8_t z[2];
  ASSERT_TRUE(ResizeNearestNeighbor(p, {1, 1, 3, 1}, x, {1, 1, 2, 1}, z).ok());  // floor(0), floor(1.5)
  EXPECT_EQ(z[0], 10);
  EXPECT_EQ(z[1], 20);
  p.align_corners = true;  // round(0 * 2), round(1 * 2)
  ASSERT_TRUE(ResizeNearestNeighbor(p, {1, 1, 3, 1}, x, {1, 1, 2, 1}, z).ok());
  EXPECT_EQ(z[1], 30);
  p.align_corners = false;
  p.half_pixel_centers = true;  // floor(0.5*1.5)=0, floor(1.5*1.5)=2
  ASSERT_TRUE(ResizeNearestNeighbor(p, {1, 1, 3, 1}, x, {1, 1, 2, 1}, z).ok());
  EXPECT_EQ(z[0], 10);
  EXPECT_EQ(z[1], 30);
}

TEST(MeanTest, Uint8AndInt8) {
  std::mt19937 rng(41);
  const Shape4 in{2, 7, 7, 5};
  auto xu = testing::RandomVector<uint8_t>(rng, in.FlatSize(), 0, 255);
  const QuantParams iq{0.05f, 120}, oq{0.04f, 130};
  auto pu = PrepareMeanHW(QType::kUInt8, 7, 7, iq, oq);
  ASSERT_TRUE(pu.ok());
  std::vector<uint8_t> yu(10);
  ASSERT_TRUE(MeanHW(*pu, in, xu.data(), yu.data()).ok());
  const int32_t bias = oq.zero_point - static_cast<int32_t>(iq.zero_point * iq.scale / oq.scale);
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 5; ++c) {
      int32_t sum = 0;
      for (int i = 0; i < 49; ++i) sum += xu[(b * 49 + i) * 5 + c];
      const int want = std::clamp(testing::RefRequant(sum, pu->multiplier, pu->shift) + bias, 0, 255);
      ASSERT_EQ(yu[b * 5 + c], want);
      const double real = iq.scale * (sum / 49.0 - iq.zero_point) / oq.scale + oq.zero_point;
      ASSERT_LE(std::abs(real - yu[b * 5 + c]), 1.5);
    }
  auto xi = testing::RandomVector<int8_t>(rng, in.FlatSize(), -128, 127);
  const QuantParams iqi{0.05f, -3}, oqi{0.04f, 7};
  auto pi = PrepareMeanHW(QType::kInt8, 7, 7, iqi, oqi);
  std::vector<int8_t> yi(10);
  ASSERT_TRUE(MeanHW(*pi, in, xi.data(), yi.data()).ok());
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 5; ++c) {
      int32_t sum = 0;
      for (int i = 0; i < 49; ++i) sum += xi[(b * 49 + i) * 5 + c] - iqi.zero_point;
      const double scaled = testing::RefRequant(sum, pi->multiplier, pi->shift);
      const int want = std::clamp(static_cast<int>(std::round(scaled / 49)) + oqi.zero_point, -128, 127);
      ASSERT_EQ(yi[b * 5 + c], want);
    }
  EXPECT_FALSE(MeanHW(*pu, {1, 6, 7, 5}, xu.data(), yu.data()).ok());
}

TEST(ArgMaxTest, FirstMaximumWins) {
  const uint8_t x[8] = {3, 9, 9, 1, 5, 5, 5, 5};  // [2, 4, 1]
  int32_t o[2];
  ASSERT_TRUE(ArgMax(2, 4, 1, x, o).ok());
  EXPECT_EQ(o[0], 1);
  EXPECT_EQ(o[1], 0);
  const int8_t xi[6] = {-5, 4, -1, 3, -9, 4};  // [1, 3, 2] over the middle axis
  int64_t oi[2];
  ASSERT_TRUE(ArgMax(1, 3, 2, xi, oi).ok());
  EXPECT_EQ(oi[0], 1);  // -5, -1, -9
  EXPECT_EQ(oi[1], 0);  // 4, 3, 4
  EXPECT_FALSE(ArgMax(1, 0, 2, xi, oi).ok());
}

TEST(CastTest, StaticCastAndBoolAsTfliteDoes) {
  const float f[4] = {0.5f, -1.7f, 256.0f, 0.0f};
  int32_t i[4];
  Cast(CastType::kFloat32, CastType::kInt32, 4, f, i);
  EXPECT_EQ(std::vector<int32_t>(i, i + 4), (std::vector<int32_t>{0, -1, 256, 0}));
  uint8_t b[4];
  Cast(CastType::kFloat32, CastType::kBool, 4, f, b);  // Any non-zero value is true.
  EXPECT_EQ(std::vector<uint8_t>(b, b + 4), (std::vector<uint8_t>{1, 1, 1, 0}));
  const uint8_t bytes[3] = {0, 1, 7};
  float g[3];
  Cast(CastType::kBool, CastType::kFloat32, 3, bytes, g);
  EXPECT_EQ(std::vector<float>(g, g + 3), (std::vector<float>{0, 1, 1}));
  const int32_t big[2] = {300, -1};
  uint8_t u[2];
  Cast(CastType::kInt32, CastType::kUInt8, 2, big, u);
  EXPECT_EQ(u[0], 44);
  EXPECT_EQ(u[1], 255);
}

TEST(GatherNdTest, SlicesByIndexTuplesAndRejectsOutOfRange) {
  const int dims[3] = {3, 2, 2};
  std::vector<uint8_t> params(12);
  for (size_t i = 0; i < params.size(); ++i) params[i] = static_cast<uint8_t>(i);
  const int32_t idx[4] = {2, 1, 0, 0};  // Two tuples of depth 2 -> two slices of 2 elements.
  uint8_t out[4];
  ASSERT_TRUE(GatherNd(dims, 1, params.data(), idx, 2, 2, out).ok());
  EXPECT_EQ(std::vector<uint8_t>(out, out + 4), (std::vector<uint8_t>{10, 11, 0, 1}));
  const int32_t bad[2] = {3, 0};
  EXPECT_FALSE(GatherNd(dims, 1, params.data(), bad, 1, 2, out).ok());
}

TEST(SliceTest, ResolvesBeginAndSize) {
  const int dims[2] = {4, 5};
  const int64_t begin[2] = {1, 2}, size[2] = {2, -1};
  auto axes = ResolveSlice(dims, begin, size);
  ASSERT_TRUE(axes.ok());
  EXPECT_EQ((*axes)[0].start, 1);
  EXPECT_EQ((*axes)[0].stop, 3);
  EXPECT_EQ((*axes)[1].start, 2);
  EXPECT_EQ((*axes)[1].stop, 5);
  const int64_t too_far[2] = {3, 4};
  EXPECT_FALSE(ResolveSlice(dims, begin, too_far).ok());
}

TEST(SpaceToDepthTest, MovesEachTileIntoChannels) {
  // 1x2x4x1 -> 1x1x2x4 with block 2: tile (y, x) pixels in row-major order.
  const uint8_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  uint8_t out[8];
  ASSERT_TRUE(SpaceToDepth(2, Shape4{1, 2, 4, 1}, 1, in, Shape4{1, 1, 2, 4}, out).ok());
  EXPECT_EQ(std::vector<uint8_t>(out, out + 8), (std::vector<uint8_t>{1, 2, 5, 6, 3, 4, 7, 8}));
  EXPECT_FALSE(SpaceToDepth(3, Shape4{1, 2, 4, 1}, 1, in, Shape4{1, 1, 2, 4}, out).ok());
}

TEST(TileTest, RepeatsEachAxis) {
  // [2,3] tiled by [2,2]: each row twice side by side, then the whole block twice.
  const uint8_t in[6] = {1, 2, 3, 4, 5, 6};
  const int dims[2] = {2, 3};
  const int64_t mult[2] = {2, 2};
  uint8_t out[24];
  ASSERT_TRUE(Tile(dims, mult, 1, in, out).ok());
  EXPECT_EQ(std::vector<uint8_t>(out, out + 24),
            (std::vector<uint8_t>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}));
  // A 1x1 pooled feature [1,1,1,2] tiled to [1,2,2,2] (the segmentation-head case).
  const int32_t feat[2] = {-7, 40000};
  const int fdims[4] = {1, 1, 1, 2};
  const int64_t fmult[4] = {1, 2, 2, 1};
  int32_t fout[8];
  ASSERT_TRUE(Tile(fdims, fmult, sizeof(int32_t), feat, fout).ok());
  EXPECT_EQ(std::vector<int32_t>(fout, fout + 8), (std::vector<int32_t>{-7, 40000, -7, 40000, -7, 40000, -7, 40000}));
}

TEST(TileTest, EveryOutputElementReadsTheInputIndexModuloItsDims) {
  std::mt19937 rng(12);
  for (int rank = 1; rank <= 5; ++rank) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<int> dims(static_cast<size_t>(rank)), out_dims(static_cast<size_t>(rank));
      std::vector<int64_t> mult(static_cast<size_t>(rank));
      int64_t n_in = 1, n_out = 1;
      for (int d = 0; d < rank; ++d) {
        dims[d] = 1 + static_cast<int>(rng() % 4);
        mult[d] = 1 + static_cast<int>(rng() % 3);
        out_dims[d] = dims[d] * static_cast<int>(mult[d]);
        n_in *= dims[d];
        n_out *= out_dims[d];
      }
      std::vector<float> in(static_cast<size_t>(n_in));
      for (auto& v : in) v = static_cast<float>(rng() % 1000) - 500.5f;
      std::vector<float> out(static_cast<size_t>(n_out), 0.0f);
      ASSERT_TRUE(Tile(dims, mult, sizeof(float), in.data(), out.data()).ok());
      std::vector<int> idx(static_cast<size_t>(rank), 0);
      for (int64_t o = 0; o < n_out; ++o) {
        int64_t src = 0;
        for (int d = 0; d < rank; ++d) src = src * dims[d] + idx[d] % dims[d];
        ASSERT_EQ(out[static_cast<size_t>(o)], in[static_cast<size_t>(src)]) << "rank " << rank << " element " << o;
        for (int d = rank - 1; d >= 0; --d) {
          if (++idx[d] < out_dims[d]) break;
          idx[d] = 0;
        }
      }
    }
  }
}

TEST(TileTest, RejectsBadMultiples) {
  const uint8_t in[2] = {1, 2};
  uint8_t out[8];
  const int dims[1] = {2};
  const int64_t negative[1] = {-1};
  EXPECT_FALSE(Tile(dims, negative, 1, in, out).ok());
  const int64_t two[2] = {1, 1};
  EXPECT_FALSE(Tile(dims, two, 1, in, out).ok());
  const int64_t zero[1] = {0};
  EXPECT_TRUE(Tile(dims, zero, 1, in, out).ok());  // empty output, nothing written
}

TEST(TransposeConvFloatTest, EqualsTheGatherFormulation) {
  // Output pixel (oy, ox, oc) = bias + sum over input pixels and taps with iy * s - pad + fy = oy.
  const Shape4 in{1, 3, 2, 2}, filter{3, 3, 3, 2}, out{1, 6, 4, 3};
  auto p = PrepareTransposeConvFloat(Padding::kSame, 2, 2, Activation::kNone, in, filter, out);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> x(static_cast<size_t>(in.FlatSize())), w(static_cast<size_t>(filter.FlatSize())), bias(3);
  for (auto& v : x) v = dist(rng);
  for (auto& v : w) v = dist(rng);
  for (auto& v : bias) v = dist(rng);
  std::vector<float> y(static_cast<size_t>(out.FlatSize()));
  ASSERT_TRUE(TransposeConv(*p, in, x.data(), filter, w.data(), bias.data(), out, y.data()).ok());
  for (int oy = 0; oy < out.h; ++oy)
    for (int ox = 0; ox < out.w; ++ox)
      for (int oc = 0; oc < out.c; ++oc) {
        double want = bias[static_cast<size_t>(oc)];
        for (int iy = 0; iy < in.h; ++iy)
          for (int ix = 0; ix < in.w; ++ix) {
            const int fy = oy - (iy * 2 - p->pad_top), fx = ox - (ix * 2 - p->pad_left);
            if (fy < 0 || fy >= filter.h || fx < 0 || fx >= filter.w) continue;
            for (int ic = 0; ic < in.c; ++ic) {
              want += double{x[static_cast<size_t>(Offset(in, 0, iy, ix, ic))]} *
                      w[static_cast<size_t>(Offset(filter, oc, fy, fx, ic))];
            }
          }
        EXPECT_NEAR(y[static_cast<size_t>(Offset(out, 0, oy, ox, oc))], want, 1e-5) << oy << " " << ox << " " << oc;
      }
  EXPECT_FALSE(TransposeConv(*p, Shape4{1, 4, 2, 2}, x.data(), filter, w.data(), nullptr, out, y.data()).ok());
}

}  // namespace
}  // namespace etpu::kernels
