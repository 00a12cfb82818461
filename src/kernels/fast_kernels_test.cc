// The fast (SIMD) kernels against the reference kernels, bit for bit, on many seeded random
// shapes (odd channel counts, every padding / stride / dilation combination, edge sizes, both
// 8-bit types, per-tensor and per-channel multipliers), plus the vector requantization against
// MultiplyByQuantizedMultiplier on random and extreme accumulators. Zero tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include "kernels/conv.h"
#include "kernels/dispatch.h"
#include "kernels/fast_kernels.h"
#include "kernels/fully_connected.h"
#include "kernels/kernels_test_util.h"
#include "kernels/resize.h"

namespace etpu::kernels {
namespace {

using etpu::kernels::testing::RandomVector;

#define SKIP_WITHOUT_FAST_ISA()                                              \
  if (DetectedFastIsa() == FastIsa::kNone) GTEST_SKIP() << "no SIMD fast path on this CPU"

/// Runs fn once per fast instruction set this CPU has (AVX2, then AVX512-VNNI; on ARM NEON,
/// then NEON with the dot-product extension), capping the dispatcher to it; restores the cap
/// afterwards.
template <typename Fn>
void ForEachIsa(Fn fn) {
  const FastIsa before = SetFastIsaCap(FastIsa::kAvx2);
  const bool arm = DetectedFastIsa() == FastIsa::kNeon || DetectedFastIsa() == FastIsa::kNeonDot;
  const FastIsa levels[2] = {arm ? FastIsa::kNeon : FastIsa::kAvx2,
                             arm ? FastIsa::kNeonDot : FastIsa::kAvx512Vnni};
  for (FastIsa isa : levels) {
    SetFastIsaCap(isa);
    if (ActiveFastIsa() != isa) break;  // The CPU lacks this level.
    SCOPED_TRACE(FastIsaName(isa));
    fn();
    if (::testing::Test::HasFatalFailure()) break;
  }
  SetFastIsaCap(before);
}

int Pick(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

float PickScale(std::mt19937& rng, float lo, float hi) {
  return std::exp(std::uniform_real_distribution<float>(std::log(lo), std::log(hi))(rng));
}

TEST(FastRequant, MatchesScalarOnRandomAndExtremeValues) {
  SKIP_WITHOUT_FAST_ISA();
  std::mt19937 rng(7);
  const std::vector<int32_t> extremes = {0, 1, -1, INT32_MAX, INT32_MIN, INT32_MIN + 1,
                                         1 << 30, -(1 << 30), (1 << 16) + 1, -(1 << 16) - 1};
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  for (int iter = 0; iter < 3000; ++iter) {
    const int n = Pick(rng, 1, 37);
    std::vector<int32_t> mult(static_cast<size_t>(n));
    std::vector<int> shift(static_cast<size_t>(n));
    for (int c = 0; c < n; ++c) {
      mult[c] = Pick(rng, 0, 9) == 0 ? (Pick(rng, 0, 1) ? 0 : INT32_MAX)
                                     : std::uniform_int_distribution<int32_t>(1 << 30, INT32_MAX)(rng);
      // Mostly realistic right shifts, sometimes left shifts (small, to avoid the reference's
      // own overflow) and the extreme right shift.
      const int kind = Pick(rng, 0, 9);
      shift[c] = kind == 0 ? Pick(rng, 1, 4) : (kind == 1 ? -31 : -Pick(rng, 0, 20));
    }
    const bool per_tensor = Pick(rng, 0, 3) == 0;
    if (per_tensor) {
      mult.resize(1);
      shift.resize(1);
    }
    const bool u8 = Pick(rng, 0, 1);
    const int32_t zp = u8 ? Pick(rng, 0, 255) : Pick(rng, -128, 127);
    int32_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
    if (Pick(rng, 0, 1)) lo = std::min(hi, lo + Pick(rng, 0, 100));
    fast::RequantTable t;
    ASSERT_TRUE(fast::BuildRequantTable(mult, shift, n, zp, lo, hi, &t));
    std::vector<int32_t> acc(static_cast<size_t>(n));
    for (int c = 0; c < n; ++c) {
      const int left = shift[per_tensor ? 0 : c] > 0 ? shift[per_tensor ? 0 : c] : 0;
      int32_t v = Pick(rng, 0, 3) == 0 ? extremes[static_cast<size_t>(Pick(rng, 0, 9))] : any(rng);
      if (Pick(rng, 0, 1)) v = Pick(rng, -200000, 200000);
      acc[c] = left > 0 ? v >> (left + 1) : v;  // keep left-shifted values in range
    }
    std::vector<uint8_t> out8(static_cast<size_t>(n));
    std::vector<int8_t> outs8(static_cast<size_t>(n));
    if (u8) fast::RequantRow(acc.data(), n, t, out8.data());
    else fast::RequantRow(acc.data(), n, t, outs8.data());
    for (int c = 0; c < n; ++c) {
      const size_t k = per_tensor ? 0 : static_cast<size_t>(c);
      const int32_t want = Clamp(MultiplyByQuantizedMultiplier(acc[c], mult[k], shift[k]) + zp, lo, hi);
      const int32_t got = u8 ? int32_t{out8[c]} : int32_t{outs8[c]};
      ASSERT_EQ(got, want) << "iter " << iter << " c " << c << " acc " << acc[c] << " m "
                           << mult[k] << " shift " << shift[k];
    }
  }
}

TEST(FastRequant, RejectsWhatItCannotDoExactly) {
  fast::RequantTable t;
  EXPECT_FALSE(fast::BuildRequantTable({-5}, {0}, 4, 0, 0, 255, &t));
  EXPECT_FALSE(fast::BuildRequantTable({1 << 30}, {-32}, 4, 0, 0, 255, &t));
  EXPECT_FALSE(fast::BuildRequantTable({1 << 30, 1 << 30}, {0, 0}, 3, 0, 0, 255, &t));
  EXPECT_TRUE(fast::BuildRequantTable({1 << 30}, {-31}, 4, 0, 0, 255, &t));
}

struct Case {
  ConvOptions o;
  Shape4 in, f, out;
  ConvParams p;
};

template <typename T>
void CompareConv(std::mt19937& rng, const Case& c, bool depthwise, int iter) {
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const int lo = kU8 ? 0 : -128, hi = kU8 ? 255 : 127;
  auto x = RandomVector<T>(rng, static_cast<size_t>(c.in.FlatSize()), lo, hi);
  auto w = RandomVector<T>(rng, static_cast<size_t>(c.f.FlatSize()), lo, hi);
  std::vector<int32_t> bias = RandomVector<int32_t>(rng, static_cast<size_t>(c.out.c), -60000, 60000);
  const int32_t* b = Pick(rng, 0, 5) == 0 ? nullptr : bias.data();
  std::vector<T> want(static_cast<size_t>(c.out.FlatSize())), got(want.size(), T{0x5A});
  if (depthwise) {
    ASSERT_TRUE(DepthwiseConv2DReference(c.p, c.in, x.data(), c.f, w.data(), b, c.out, want.data()).ok());
    ASSERT_TRUE(fast::DepthwiseConv2D(c.p, c.in, x.data(), c.f, w.data(), b, c.out, got.data()))
        << "fast depthwise path not taken, iter " << iter;
  } else {
    ASSERT_TRUE(Conv2DReference(c.p, c.in, x.data(), c.f, w.data(), b, c.out, want.data()).ok());
    ASSERT_TRUE(fast::Conv2D(c.p, c.in, x.data(), c.f, w.data(), b, c.out, got.data()))
        << "fast conv path not taken, iter " << iter;
    if (ActiveFastIsa() == FastIsa::kAvx512Vnni) {  // The VNNI GEMM must be the one that ran.
      fast::RequantTable rq;
      ASSERT_TRUE(fast::BuildRequantTable(c.p.output_multiplier, c.p.output_shift, c.out.c,
                                          c.p.output_offset, c.p.act_min, c.p.act_max, &rq));
      std::vector<T> vnni(want.size());
      ASSERT_TRUE(fast::VnniConv2D(c.p, c.in, x.data(), c.f, w.data(), b, c.out, vnni.data(), rq));
      ASSERT_EQ(vnni, want) << "VNNI conv iter " << iter;
    }
  }
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(int{got[i]}, int{want[i]})
        << (depthwise ? "depthwise" : "conv") << " iter " << iter << " at " << i << " in "
        << c.in.ToString() << " filter " << c.f.ToString() << " stride " << c.p.stride_h << "x"
        << c.p.stride_w << " dilation " << c.p.dilation_h << "x" << c.p.dilation_w;
  }
  // The public entry point (dispatching) gives the same bytes.
  std::vector<T> pub(want.size());
  if (depthwise) {
    ASSERT_TRUE(DepthwiseConv2D(c.p, c.in, x.data(), c.f, w.data(), b, c.out, pub.data()).ok());
  } else {
    ASSERT_TRUE(Conv2D(c.p, c.in, x.data(), c.f, w.data(), b, c.out, pub.data()).ok());
  }
  ASSERT_EQ(pub, want);
}

template <typename T>
void RunRandom(uint32_t seed, bool depthwise, bool pointwise, int iters, int force_k = 0) {
  std::mt19937 rng(seed);
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const QType type = kU8 ? QType::kUInt8 : QType::kInt8;
  for (int iter = 0; iter < iters; ++iter) {
    Case c;
    c.o.padding = Pick(rng, 0, 1) ? Padding::kSame : Padding::kValid;
    c.o.stride_h = pointwise ? 1 : Pick(rng, 1, 3);
    c.o.stride_w = pointwise ? 1 : Pick(rng, 1, 3);
    c.o.dilation_h = pointwise || Pick(rng, 0, 2) ? 1 : Pick(rng, 2, 3);
    c.o.dilation_w = pointwise || Pick(rng, 0, 2) ? 1 : Pick(rng, 2, 3);
    c.o.activation = static_cast<Activation>(Pick(rng, 0, 3));
    c.in = Shape4{Pick(rng, 1, 2), Pick(rng, 1, 13), Pick(rng, 1, 13), Pick(rng, 1, 45)};
    int kh = pointwise ? 1 : Pick(rng, 1, 5), kw = pointwise ? 1 : Pick(rng, 1, 5);
    if (force_k > 0) {
      kh = kw = force_k;
      c.in.h += Pick(rng, 0, 12);  // larger images: interior rows and columns
      c.in.w += Pick(rng, 0, 12);
      c.in.c = Pick(rng, 1, 70);
    }
    if (c.o.padding == Padding::kValid) {
      c.in.h = std::max(c.in.h, (kh - 1) * c.o.dilation_h + 1);
      c.in.w = std::max(c.in.w, (kw - 1) * c.o.dilation_w + 1);
    }
    const int oc = depthwise ? c.in.c : Pick(rng, 1, 41);
    c.f = depthwise ? Shape4{1, kh, kw, oc} : Shape4{oc, kh, kw, c.in.c};
    const QuantParams in_q{PickScale(rng, 0.005f, 0.1f), kU8 ? Pick(rng, 0, 255) : Pick(rng, -128, 127)};
    const QuantParams out_q{PickScale(rng, 0.01f, 2.0f), kU8 ? Pick(rng, 0, 255) : Pick(rng, -128, 127)};
    const int n_scales = kU8 ? 1 : (Pick(rng, 0, 3) == 0 ? 1 : oc);
    std::vector<float> fs(static_cast<size_t>(n_scales));
    for (auto& s : fs) s = PickScale(rng, 0.0005f, 0.05f);
    const int32_t fzp = kU8 ? Pick(rng, 0, 255) : 0;
    auto r = depthwise ? PrepareDepthwiseConv(c.o, c.in, c.f, type, in_q, fs, fzp, out_q)
                       : PrepareConv(c.o, c.in, c.f, type, in_q, fs, fzp, out_q);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    c.p = *r;
    c.out = Shape4{c.in.n, c.p.out_h, c.p.out_w, oc};
    CompareConv<T>(rng, c, depthwise, iter);
  }
}

TEST(FastConv, GeneralMatchesReferenceUint8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunRandom<uint8_t>(11, false, false, 250); }); }
TEST(FastConv, GeneralMatchesReferenceInt8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunRandom<int8_t>(12, false, false, 250); }); }
TEST(FastConv, PointwiseMatchesReferenceUint8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunRandom<uint8_t>(13, false, true, 250); }); }
TEST(FastConv, PointwiseMatchesReferenceInt8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunRandom<int8_t>(14, false, true, 250); }); }
TEST(FastDepthwise, MatchesReferenceUint8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunRandom<uint8_t>(15, true, false, 300); }); }
TEST(FastDepthwise, ThreeByThreeMatchesReferenceUint8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunRandom<uint8_t>(17, true, false, 300, 3); }); }
TEST(FastDepthwise, ThreeByThreeMatchesReferenceInt8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunRandom<int8_t>(18, true, false, 300, 3); }); }
TEST(FastDepthwise, MatchesReferenceInt8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunRandom<int8_t>(16, true, false, 300); }); }

// Border pixels (taps outside the input read a pad pixel of -input_offset): tiny images where
// most or all pixels are border pixels, 3x3 and 5x5 filters, stride 1 and 2, both paddings,
// channel counts with 32-blocks (AVX-512), 16-blocks, the 8-block and scalar tails, and the extreme input zero
// points (pad bytes 0 / 255 / -128 / 127).
TEST(FastDepthwise, BorderPixelsTinyImagesExtremeZeroPoints) {
  SKIP_WITHOUT_FAST_ISA();
  ForEachIsa([] {
    std::mt19937 rng(23);
    int iter = 0;
    for (bool u8 : {true, false}) {
      const int zps[3] = {u8 ? 0 : -128, u8 ? 255 : 127, u8 ? 131 : 3};
      for (int hw : {1, 2, 3, 4, 5, 8}) {
        for (int k : {3, 5}) {
          for (int stride : {1, 2}) {
            for (Padding pad : {Padding::kSame, Padding::kValid}) {
              if (pad == Padding::kValid && hw < k) continue;
              for (int ch : {8, 16, 27, 40, 48, 67}) {
                Case c;
                c.o.padding = pad;
                c.o.stride_h = c.o.stride_w = stride;
                c.o.activation = Activation::kNone;
                c.in = Shape4{1, hw, hw + (ch % 3), ch};
                if (pad == Padding::kValid && c.in.w < k) c.in.w = k;
                c.f = Shape4{1, k, k, ch};
                std::vector<float> fs(u8 ? 1 : static_cast<size_t>(ch));
                for (auto& f : fs) f = PickScale(rng, 0.001f, 0.02f);
                const QType t = u8 ? QType::kUInt8 : QType::kInt8;
                const QuantParams iq{0.02f, zps[iter % 3]}, oq{0.05f, u8 ? 128 : 0};
                auto r = PrepareDepthwiseConv(c.o, c.in, c.f, t, iq, fs, u8 ? 119 : 0, oq);
                ASSERT_TRUE(r.ok());
                c.p = *r;
                c.out = Shape4{1, c.p.out_h, c.p.out_w, ch};
                if (u8) CompareConv<uint8_t>(rng, c, true, iter);
                else CompareConv<int8_t>(rng, c, true, iter);
                ++iter;
              }
            }
          }
        }
      }
    }
  });
}

#if defined(__x86_64__) || defined(__i386__)
// x86: an input offset whose negation is not an 8-bit value of the type (hand-made parameters:
// no pad byte gives 0) is left to the reference loop.
TEST(FastDepthwise, UnrepresentablePadValueFallsBackToReference) {
  SKIP_WITHOUT_FAST_ISA();
  std::mt19937 rng(29);
  ConvOptions o;
  o.padding = Padding::kSame;
  const Shape4 in{1, 3, 3, 16}, f{1, 3, 3, 16}, out{1, 3, 3, 16};
  const std::vector<float> fs = {0.01f};
  auto r = PrepareDepthwiseConv(o, in, f, QType::kUInt8, {0.02f, 0}, fs, 119, {0.05f, 128});
  ASSERT_TRUE(r.ok());
  ConvParams p = *r;
  p.input_offset = 5;  // pad bytes would have to be -5
  auto x = RandomVector<uint8_t>(rng, static_cast<size_t>(in.FlatSize()), 0, 255);
  auto w = RandomVector<uint8_t>(rng, static_cast<size_t>(f.FlatSize()), 0, 255);
  std::vector<uint8_t> got(static_cast<size_t>(out.FlatSize())), want(got.size());
  EXPECT_FALSE(fast::DepthwiseConv2D(p, in, x.data(), f, w.data(), nullptr, out, got.data()));
  ASSERT_TRUE(DepthwiseConv2D(p, in, x.data(), f, w.data(), nullptr, out, got.data()).ok());
  ASSERT_TRUE(DepthwiseConv2DReference(p, in, x.data(), f, w.data(), nullptr, out, want.data()).ok());
  EXPECT_EQ(got, want);
}
#endif

TEST(FastConv, MobileNetLikeShapes) {
  SKIP_WITHOUT_FAST_ISA();
  ForEachIsa([] {
  std::mt19937 rng(21);
  struct S { int hw, ic, oc, k, stride; bool dw; };
  const S shapes[] = {{56, 24, 144, 1, 1, false}, {14, 96, 576, 1, 1, false}, {7, 320, 1280, 1, 1, false},
                      {1, 1280, 1001, 1, 1, false}, {224, 3, 32, 3, 2, false}, {112, 32, 32, 3, 1, true},
                      {28, 192, 192, 3, 2, true}, {7, 960, 960, 3, 1, true}};
  for (const S& s : shapes) {
    for (bool u8 : {true, false}) {
      Case c;
      c.o.stride_h = c.o.stride_w = s.stride;
      c.o.activation = Activation::kRelu6;
      c.in = Shape4{1, s.hw, s.hw, s.ic};
      c.f = s.dw ? Shape4{1, s.k, s.k, s.oc} : Shape4{s.oc, s.k, s.k, s.ic};
      std::vector<float> fs(u8 ? 1 : static_cast<size_t>(s.oc));
      for (auto& f : fs) f = PickScale(rng, 0.001f, 0.02f);
      const QType t = u8 ? QType::kUInt8 : QType::kInt8;
      const QuantParams iq{0.0235f, u8 ? 128 : 0}, oq{0.0235f, u8 ? 0 : -128};
      auto r = s.dw ? PrepareDepthwiseConv(c.o, c.in, c.f, t, iq, fs, u8 ? 122 : 0, oq)
                    : PrepareConv(c.o, c.in, c.f, t, iq, fs, u8 ? 122 : 0, oq);
      ASSERT_TRUE(r.ok());
      c.p = *r;
      c.out = Shape4{1, c.p.out_h, c.p.out_w, s.oc};
      if (u8) CompareConv<uint8_t>(rng, c, s.dw, s.hw);
      else CompareConv<int8_t>(rng, c, s.dw, s.hw);
    }
  }
  });
}

TEST(FastDepthwise, DepthMultiplierFallsBackToReference) {
  std::mt19937 rng(5);
  ConvOptions o;
  o.depth_multiplier = 2;
  const Shape4 in{1, 6, 6, 3}, f{1, 3, 3, 6}, out{1, 6, 6, 6};
  const float fs = 0.01f;
  auto p = PrepareDepthwiseConv(o, in, f, QType::kUInt8, {0.02f, 100}, {&fs, 1}, 120, {0.05f, 90});
  ASSERT_TRUE(p.ok());
  auto x = RandomVector<uint8_t>(rng, in.FlatSize(), 0, 255), w = RandomVector<uint8_t>(rng, f.FlatSize(), 0, 255);
  std::vector<uint8_t> a(out.FlatSize()), b(out.FlatSize());
  EXPECT_FALSE(fast::DepthwiseConv2D(*p, in, x.data(), f, w.data(), nullptr, out, a.data()));
  ASSERT_TRUE(DepthwiseConv2D(*p, in, x.data(), f, w.data(), nullptr, out, a.data()).ok());
  ASSERT_TRUE(DepthwiseConv2DReference(*p, in, x.data(), f, w.data(), nullptr, out, b.data()).ok());
  EXPECT_EQ(a, b);
}

template <typename T>
void RunFc(uint32_t seed) {
  std::mt19937 rng(seed);
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const int lo = kU8 ? 0 : -128, hi = kU8 ? 255 : 127;
  for (int iter = 0; iter < 200; ++iter) {
    FcDims d{Pick(rng, 1, 7), Pick(rng, 1, 300), Pick(rng, 1, 70)};
    const int n_scales = Pick(rng, 0, 1) ? 1 : d.out_depth;
    std::vector<float> fs(static_cast<size_t>(n_scales));
    for (auto& s : fs) s = PickScale(rng, 0.0005f, 0.05f);
    auto p = PrepareFullyConnected(kU8 ? QType::kUInt8 : QType::kInt8,
                                   {PickScale(rng, 0.005f, 0.1f), Pick(rng, lo, hi)}, fs,
                                   Pick(rng, lo, hi), {PickScale(rng, 0.01f, 2.f), Pick(rng, lo, hi)},
                                   static_cast<Activation>(Pick(rng, 0, 3)), d.out_depth);
    ASSERT_TRUE(p.ok());
    auto x = RandomVector<T>(rng, static_cast<size_t>(d.batches) * d.accum_depth, lo, hi);
    auto w = RandomVector<T>(rng, static_cast<size_t>(d.out_depth) * d.accum_depth, lo, hi);
    auto bias = RandomVector<int32_t>(rng, static_cast<size_t>(d.out_depth), -60000, 60000);
    std::vector<T> want(static_cast<size_t>(d.batches) * d.out_depth), got(want.size());
    ASSERT_TRUE(FullyConnectedReference(*p, d, x.data(), w.data(), bias.data(), want.data()).ok());
    ASSERT_TRUE(fast::FullyConnected(*p, d, x.data(), w.data(), bias.data(), got.data()));
    ASSERT_EQ(got, want) << "iter " << iter;
  }
}

TEST(FastFullyConnected, MatchesReferenceUint8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunFc<uint8_t>(31); }); }
TEST(FastFullyConnected, MatchesReferenceInt8) { SKIP_WITHOUT_FAST_ISA(); ForEachIsa([] { RunFc<int8_t>(32); }); }

#if defined(__aarch64__) && defined(__linux__)
// On 64-bit ARM the dot-product paths run only where the CPU has UDOT/SDOT (qemu-aarch64
// -cpu max has them, -cpu cortex-a53 has not), and capping to level 1 selects plain NEON.
TEST(FastDispatch, Arm64FollowsTheDotProductHwcap) {
  const bool dot = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
  EXPECT_EQ(DetectedFastIsa(), dot ? FastIsa::kNeonDot : FastIsa::kNeon);
  const FastIsa before = SetFastIsaCap(FastIsa::kNeon);
  EXPECT_EQ(ActiveFastIsa(), FastIsa::kNeon);
  SetFastIsaCap(FastIsa::kNone);
  EXPECT_EQ(ActiveFastIsa(), FastIsa::kNone);
  SetFastIsaCap(before);
}
#endif

TEST(FastDispatch, SwitchSelectsReference) {
  const bool before = SetFastKernelsEnabled(false);
  EXPECT_FALSE(FastKernelsActive());
  SetFastKernelsEnabled(true);
  EXPECT_EQ(FastKernelsActive(), DetectedFastIsa() != FastIsa::kNone);
  SetFastKernelsEnabled(before);
}

}  // namespace
}  // namespace etpu::kernels

namespace etpu::kernels {
namespace {

template <typename T>
void RunAddSub(uint32_t seed) {
  std::mt19937 rng(seed);
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const int lo = kU8 ? 0 : -128, hi = kU8 ? 255 : 127;
  const QType type = kU8 ? QType::kUInt8 : QType::kInt8;
  for (int iter = 0; iter < 300; ++iter) {
    const QuantParams q1{PickScale(rng, 0.001f, 1.f), Pick(rng, lo, hi)};
    const QuantParams q2{Pick(rng, 0, 3) == 0 ? q1.scale : PickScale(rng, 0.001f, 1.f), Pick(rng, lo, hi)};
    const QuantParams qo{PickScale(rng, 0.001f, 2.f), Pick(rng, lo, hi)};
    auto p = PrepareAdd(type, q1, q2, qo, static_cast<Activation>(Pick(rng, 0, 3)));
    if (!p.ok()) continue;  // multipliers outside the prepare's range
    const Shape4 s{1, Pick(rng, 1, 9), Pick(rng, 1, 9), Pick(rng, 1, 40)};
    auto a = RandomVector<T>(rng, static_cast<size_t>(s.FlatSize()), lo, hi);
    auto b = RandomVector<T>(rng, static_cast<size_t>(s.FlatSize()), lo, hi);
    const bool sub = Pick(rng, 0, 1);
    std::vector<T> want(a.size()), got(a.size());
    const bool before = SetFastKernelsEnabled(false);
    ASSERT_TRUE((sub ? Sub(*p, s, a.data(), s, b.data(), s, want.data())
                     : Add(*p, s, a.data(), s, b.data(), s, want.data())).ok());
    SetFastKernelsEnabled(before);
    ASSERT_TRUE(fast::AddSub(*p, sub, s.FlatSize(), a.data(), b.data(), got.data())) << iter;
    ASSERT_EQ(got, want) << (sub ? "SUB" : "ADD") << " iter " << iter;
  }
}

TEST(FastAddSub, MatchesReferenceUint8) { SKIP_WITHOUT_FAST_ISA(); RunAddSub<uint8_t>(41); }
TEST(FastAddSub, MatchesReferenceInt8) { SKIP_WITHOUT_FAST_ISA(); RunAddSub<int8_t>(42); }

}  // namespace
}  // namespace etpu::kernels

namespace etpu::kernels {
namespace {

TEST(FastResizeBilinear, Uint8MatchesScalarFloatPath) {
  SKIP_WITHOUT_FAST_ISA();
  std::mt19937 rng(51);
  for (int iter = 0; iter < 300; ++iter) {
    ResizeParams p;
    const int mode = Pick(rng, 0, 2);
    p.align_corners = mode == 1;
    p.half_pixel_centers = mode == 2;
    const Shape4 in{Pick(rng, 1, 2), Pick(rng, 1, 12), Pick(rng, 1, 12), Pick(rng, 1, 40)};
    const Shape4 out{in.n, Pick(rng, 1, 40), Pick(rng, 1, 40), in.c};
    auto x = RandomVector<uint8_t>(rng, static_cast<size_t>(in.FlatSize()), 0, 255);
    std::vector<uint8_t> want(static_cast<size_t>(out.FlatSize())), got(want.size());
    const bool before = SetFastKernelsEnabled(false);
    ASSERT_TRUE(ResizeBilinear(p, in, x.data(), out, want.data()).ok());
    SetFastKernelsEnabled(true);
    ASSERT_TRUE(ResizeBilinear(p, in, x.data(), out, got.data()).ok());
    SetFastKernelsEnabled(before);
    ASSERT_EQ(got, want) << "iter " << iter << " in " << in.ToString() << " out " << out.ToString();
  }
  // Values exactly at and next to .5 must round away from zero in both paths.
  const float halves[][4] = {{0.5f, 0.5f, 0.f, 0.f}, {0.25f, 0.25f, 0.25f, 0.25f},
                             {0.49999997f, 0.f, 0.f, 0.f}, {0.5000001f, 0.f, 0.f, 0.f}};
  for (const auto& s : halves) {
    std::vector<uint8_t> a(40), b(40), c(40), d(40), want(40), got(40);
    for (int i = 0; i < 40; ++i) {
      a[i] = static_cast<uint8_t>(i * 6 + 1);
      b[i] = static_cast<uint8_t>(i * 3);
      c[i] = static_cast<uint8_t>(255 - i);
      d[i] = static_cast<uint8_t>(i);
    }
    fast::BilinearPixelU8(a.data(), b.data(), c.data(), d.data(), s, 40, false, want.data());
    fast::BilinearPixelU8(a.data(), b.data(), c.data(), d.data(), s, 40, true, got.data());
    EXPECT_EQ(got, want);
  }
}

}  // namespace
}  // namespace etpu::kernels
