// CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED against a naive reference that pads the input
// explicitly with its zero point, runs a VALID nested-loop convolution and requantizes with the
// independent RefRequant model.
#include "kernels/conv.h"

#include <gtest/gtest.h>

#include <random>

#include "kernels/fully_connected.h"
#include "kernels/kernels_test_util.h"

namespace etpu::kernels {
namespace {

using testing::RandomVector;
using testing::RefRequant;

template <typename T>
std::vector<T> NaiveConv(const ConvParams& p, Shape4 in, const std::vector<T>& x, Shape4 f,
                         const std::vector<T>& w, const std::vector<int32_t>& bias, Shape4 out,
                         int32_t in_zp, int32_t f_zp, bool depthwise) {
  // Explicitly padded input (generous padding on every side, filled with the zero point).
  const int pad = 8;
  Shape4 ps{in.n, in.h + 2 * pad, in.w + 2 * pad, in.c};
  std::vector<int32_t> padded(ps.FlatSize(), in_zp);
  for (int b = 0; b < in.n; ++b)
    for (int y = 0; y < in.h; ++y)
      for (int xx = 0; xx < in.w; ++xx)
        for (int c = 0; c < in.c; ++c)
          padded[Offset(ps, b, y + pad, xx + pad, c)] = x[Offset(in, b, y, xx, c)];
  std::vector<T> o(out.FlatSize());
  for (int b = 0; b < out.n; ++b)
    for (int oy = 0; oy < out.h; ++oy)
      for (int ox = 0; ox < out.w; ++ox)
        for (int oc = 0; oc < out.c; ++oc) {
          int64_t acc = 0;
          for (int fy = 0; fy < f.h; ++fy)
            for (int fx = 0; fx < f.w; ++fx) {
              const int y = oy * p.stride_h - p.pad_top + fy * p.dilation_h + pad;
              const int xx = ox * p.stride_w - p.pad_left + fx * p.dilation_w + pad;
              if (depthwise) {
                const int ic = oc / p.depth_multiplier;
                acc += int64_t(padded[Offset(ps, b, y, xx, ic)] - in_zp) *
                       (w[Offset(f, 0, fy, fx, oc)] - f_zp);
              } else {
                for (int ic = 0; ic < in.c; ++ic)
                  acc += int64_t(padded[Offset(ps, b, y, xx, ic)] - in_zp) *
                         (w[Offset(f, oc, fy, fx, ic)] - f_zp);
              }
            }
          acc += bias[oc];
          const size_t k = p.output_multiplier.size() > 1 ? oc : 0;
          int32_t v = RefRequant(static_cast<int32_t>(acc), p.output_multiplier[k], p.output_shift[k]) +
                      p.output_offset;
          v = std::min(std::max(v, p.act_min), p.act_max);
          o[Offset(out, b, oy, ox, oc)] = static_cast<T>(v);
        }
  return o;
}

template <typename T>
void RunRandomConv(uint32_t seed, bool depthwise) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const QType type = kU8 ? QType::kUInt8 : QType::kInt8;
  const int lo = kU8 ? 0 : -128, hi = kU8 ? 255 : 127;
  for (int iter = 0; iter < 60; ++iter) {
    ConvOptions o;
    o.padding = pick(0, 1) ? Padding::kSame : Padding::kValid;
    o.stride_h = pick(1, 3);
    o.stride_w = pick(1, 3);
    o.dilation_h = pick(1, 2);
    o.dilation_w = pick(1, 2);
    o.depth_multiplier = depthwise ? pick(1, 3) : 1;
    o.activation = static_cast<Activation>(pick(0, 3));
    Shape4 in{pick(1, 2), pick(5, 12), pick(5, 12), pick(1, 9)};
    const int oc = depthwise ? in.c * o.depth_multiplier : pick(1, 9);
    Shape4 f = depthwise ? Shape4{1, pick(1, 3), pick(1, 3), oc} : Shape4{oc, pick(1, 3), pick(1, 3), in.c};
    const QuantParams iq{std::uniform_real_distribution<float>(0.005f, 0.05f)(rng), pick(lo, hi)};
    const QuantParams oq{std::uniform_real_distribution<float>(0.01f, 0.2f)(rng), pick(lo, hi)};
    std::vector<float> fs(kU8 ? 1 : oc);
    for (auto& s : fs) s = std::uniform_real_distribution<float>(0.001f, 0.05f)(rng);
    const int32_t fzp = kU8 ? pick(0, 255) : 0;
    auto pr = depthwise ? PrepareDepthwiseConv(o, in, f, type, iq, fs, fzp, oq)
                        : PrepareConv(o, in, f, type, iq, fs, fzp, oq);
    ASSERT_TRUE(pr.ok()) << pr.status().ToString();
    const ConvParams& p = *pr;
    Shape4 out{in.n, p.out_h, p.out_w, oc};
    auto x = RandomVector<T>(rng, in.FlatSize(), lo, hi);
    auto w = RandomVector<T>(rng, f.FlatSize(), lo, hi);
    auto bias = RandomVector<int32_t>(rng, oc, -20000, 20000);
    std::vector<T> got(out.FlatSize());
    Status st = depthwise ? DepthwiseConv2D(p, in, x.data(), f, w.data(), bias.data(), out, got.data())
                          : Conv2D(p, in, x.data(), f, w.data(), bias.data(), out, got.data());
    ASSERT_TRUE(st.ok()) << st.ToString();
    auto want = NaiveConv<T>(p, in, x, f, w, bias, out, iq.zero_point, fzp, depthwise);
    ASSERT_EQ(got, want) << "iteration " << iter;
  }
}

TEST(ConvTest, Uint8MatchesNaiveReference) { RunRandomConv<uint8_t>(1, false); }
TEST(ConvTest, Int8PerChannelMatchesNaiveReference) { RunRandomConv<int8_t>(2, false); }
TEST(DepthwiseConvTest, Uint8MatchesNaiveReference) { RunRandomConv<uint8_t>(3, true); }
TEST(DepthwiseConvTest, Int8PerChannelMatchesNaiveReference) { RunRandomConv<int8_t>(4, true); }

TEST(ConvTest, HandComputedOneByOne) {
  // in scale 0.5 zp 128, filter 0.25 zp 128, out 0.125 zp 100 -> multiplier exactly 1.0.
  ConvOptions o;
  const float fs = 0.25f;
  auto p = PrepareConv(o, {1, 1, 1, 2}, {1, 1, 1, 2}, QType::kUInt8, {0.5f, 128}, {&fs, 1}, 128,
                       {0.125f, 100});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->output_multiplier[0], 1 << 30);
  EXPECT_EQ(p->output_shift[0], 1);
  const uint8_t x[2] = {130, 125};  // 2, -3
  const uint8_t w[2] = {131, 126};  // 3, -2
  const int32_t bias[1] = {-5};
  uint8_t out = 0;
  ASSERT_TRUE(Conv2D(*p, {1, 1, 1, 2}, x, {1, 1, 1, 2}, w, bias, {1, 1, 1, 1}, &out).ok());
  EXPECT_EQ(out, 100 + 2 * 3 + 6 - 5);
}

TEST(ConvTest, RejectsMismatchedShapes) {
  ConvOptions o;
  const float fs = 0.25f;
  auto p = PrepareConv(o, {1, 4, 4, 2}, {3, 3, 3, 2}, QType::kUInt8, {0.5f, 0}, {&fs, 1}, 0, {1.f, 0});
  ASSERT_TRUE(p.ok());
  std::vector<uint8_t> x(32), w(54), y(48);
  EXPECT_FALSE(Conv2D(*p, {1, 4, 4, 2}, x.data(), {3, 3, 3, 3}, w.data(), nullptr, {1, 4, 4, 3}, y.data()).ok());
  EXPECT_FALSE(Conv2D(*p, {1, 4, 4, 2}, x.data(), {3, 3, 3, 2}, w.data(), nullptr, {1, 2, 4, 3}, y.data()).ok());
  EXPECT_TRUE(Conv2D(*p, {1, 4, 4, 2}, x.data(), {3, 3, 3, 2}, w.data(), nullptr, {1, 4, 4, 3}, y.data()).ok());
  std::vector<float> scales(2, 0.1f);  // neither 1 nor 3 scales
  EXPECT_FALSE(PrepareConv(o, {1, 4, 4, 2}, {3, 3, 3, 2}, QType::kInt8, {0.5f, 0}, scales, 0, {1.f, 0}).ok());
}

TEST(FullyConnectedTest, MatchesNaiveReference) {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 50; ++iter) {
    const bool u8 = iter % 2 == 0;
    FcDims d{1 + iter % 3, 1 + static_cast<int>(rng() % 40), 1 + static_cast<int>(rng() % 20)};
    const int lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
    std::vector<float> fs(u8 ? 1 : d.out_depth);
    for (auto& s : fs) s = 0.002f + 0.001f * (rng() % 30);
    const QuantParams iq{0.02f, u8 ? 120 : -3}, oq{0.09f, u8 ? 131 : 5};
    const int32_t fzp = u8 ? 140 : 0;
    auto p = PrepareFullyConnected(u8 ? QType::kUInt8 : QType::kInt8, iq, fs, fzp, oq,
                                   static_cast<Activation>(iter % 4), d.out_depth);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    auto x = RandomVector<int>(rng, d.batches * d.accum_depth, lo, hi);
    auto w = RandomVector<int>(rng, d.out_depth * d.accum_depth, lo, hi);
    auto bias = RandomVector<int32_t>(rng, d.out_depth, -5000, 5000);
    std::vector<int> want(d.batches * d.out_depth);
    for (int b = 0; b < d.batches; ++b)
      for (int o = 0; o < d.out_depth; ++o) {
        int32_t acc = bias[o];
        for (int k = 0; k < d.accum_depth; ++k)
          acc += (x[b * d.accum_depth + k] - iq.zero_point) * (w[o * d.accum_depth + k] - fzp);
        const size_t k = u8 ? 0 : o;
        int32_t v = RefRequant(acc, p->output_multiplier[k], p->output_shift[k]) + oq.zero_point;
        want[b * d.out_depth + o] = std::min(std::max(v, p->act_min), p->act_max);
      }
    std::vector<int> got(want.size());
    if (u8) {
      std::vector<uint8_t> xi(x.begin(), x.end()), wi(w.begin(), w.end()), y(want.size());
      ASSERT_TRUE(FullyConnected(*p, d, xi.data(), wi.data(), bias.data(), y.data()).ok());
      got.assign(y.begin(), y.end());
    } else {
      std::vector<int8_t> xi(x.begin(), x.end()), wi(w.begin(), w.end()), y(want.size());
      ASSERT_TRUE(FullyConnected(*p, d, xi.data(), wi.data(), bias.data(), y.data()).ok());
      got.assign(y.begin(), y.end());
    }
    ASSERT_EQ(got, want) << iter;
  }
}

TEST(ConvTest, FloatConvMatchesNaive) {
  ConvOptions o;
  o.padding = Padding::kSame;
  o.activation = Activation::kRelu6;
  Shape4 in{1, 3, 3, 1}, f{1, 3, 3, 1}, out{1, 3, 3, 1};
  auto p = PrepareConvFloat(o, in, f, false);
  ASSERT_TRUE(p.ok());
  std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8, 9}, w(9, 0.25f), y(9);
  ASSERT_TRUE(Conv2D(*p, in, x.data(), f, w.data(), nullptr, out, y.data()).ok());
  EXPECT_FLOAT_EQ(y[0], (1 + 2 + 4 + 5) * 0.25f);
  EXPECT_FLOAT_EQ(y[4], 6.0f);  // 45/4 clamped
}

}  // namespace
}  // namespace etpu::kernels

namespace etpu::kernels {
namespace {

TEST(TransposeConvTest, MatchesGatherFormulation) {
  std::mt19937 rng(77);
  for (int iter = 0; iter < 20; ++iter) {
    const int stride = 1 + iter % 3;
    const Padding pad = iter % 2 ? Padding::kSame : Padding::kValid;
    const Shape4 in{1, 4 + iter % 3, 5, 3}, f{4, 3, 2 + iter % 2, 3};
    // Output size whose forward conv gives `in`.
    const int oh = pad == Padding::kSame ? in.h * stride : (in.h - 1) * stride + f.h;
    const int ow = pad == Padding::kSame ? in.w * stride : (in.w - 1) * stride + f.w;
    const Shape4 out{1, oh, ow, 4};
    const float fs = 0.01f;
    auto p = PrepareTransposeConv(pad, stride, stride, in, f, out, QType::kUInt8, {0.05f, 120},
                                  {&fs, 1}, 130, {0.2f, 100});
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    auto x = testing::RandomVector<uint8_t>(rng, in.FlatSize(), 0, 255);
    auto w = testing::RandomVector<uint8_t>(rng, f.FlatSize(), 0, 255);
    auto bias = testing::RandomVector<int32_t>(rng, 4, -500, 500);
    std::vector<uint8_t> y(out.FlatSize());
    ASSERT_TRUE(TransposeConv(*p, in, x.data(), f, w.data(), bias.data(), out, y.data()).ok());
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int oc = 0; oc < 4; ++oc) {
          int32_t acc = bias[oc];
          for (int iy = 0; iy < in.h; ++iy)
            for (int ix = 0; ix < in.w; ++ix) {
              const int fy = oy - (iy * stride - p->pad_top), fx = ox - (ix * stride - p->pad_left);
              if (fy < 0 || fx < 0 || fy >= f.h || fx >= f.w) continue;
              for (int ic = 0; ic < 3; ++ic)
                acc += (x[Offset(in, 0, iy, ix, ic)] - 120) * (w[Offset(f, oc, fy, fx, ic)] - 130);
            }
          const int want = std::clamp(
              testing::RefRequant(acc, p->output_multiplier[0], p->output_shift[0]) + 100, 0, 255);
          ASSERT_EQ(y[Offset(out, 0, oy, ox, oc)], want) << iter;
        }
  }
}

}  // namespace
}  // namespace etpu::kernels
