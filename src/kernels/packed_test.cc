// Prepare-time packs and thread pools (packed.h, thread_pool.h): the fast kernels with a pack
// and 1-3 threads give the reference kernels' bytes; a pack built for another instruction set
// is ignored (the kernel packs per call), never misread.
#include "kernels/packed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/kernels_test_util.h"
#include "kernels/thread_pool.h"

namespace etpu::kernels {
namespace {

using etpu::kernels::testing::RandomVector;

int Pick(std::mt19937& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
float PickScale(std::mt19937& rng, float lo, float hi) {
  return std::exp(std::uniform_real_distribution<float>(std::log(lo), std::log(hi))(rng));
}

TEST(ThreadPool, RunsEveryIndexExactlyOnceInNonEmptyRanges) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int64_t n : {0, 1, 2, 3, 7, 64, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.ParallelFor(n, [&](int64_t b, int64_t e) {
        EXPECT_LT(b, e);
        for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
      });
      for (int64_t i = 0; i < n; ++i) EXPECT_EQ(hits[static_cast<size_t>(i)].load(), 1) << n << " " << i;
    }
  }
}

// Calls that follow each other at once, with a split that grows and shrinks: a worker still
// leaving one call must never claim a range of the next (it once could, when the next call had
// more ranges than the last: that range ran twice and the caller waited for one range too many,
// the hang seen under qemu). Every index of every call must run exactly once.
TEST(ThreadPool, BackToBackCallsOfDifferentSplitsRunEachIndexOnce) {
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    std::vector<std::atomic<int>> hits(64);
    int failures = 0;
    for (int call = 0; call < 100000 && failures == 0; ++call) {
      const int64_t n = call % 2 == 0 ? 2 : 4 * threads;  // parts: 2, then threads x 4
      for (int64_t i = 0; i < n; ++i) hits[static_cast<size_t>(i)].store(0, std::memory_order_relaxed);
      pool.ParallelFor(n, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          volatile int sink = 0;  // long enough for the workers to take part
          for (int spin = 0; spin < 200; ++spin) sink = spin;
          static_cast<void>(sink);
          hits[static_cast<size_t>(i)].fetch_add(1, std::memory_order_relaxed);
        }
      });
      for (int64_t i = 0; i < n; ++i) {
        if (hits[static_cast<size_t>(i)].load() != 1) ++failures;
      }
    }
    EXPECT_EQ(failures, 0) << threads << " threads";
  }
}

// One random layer of each kind, packed under `pack_isa` and run under `run_isa` through the
// public kernels with 1-3 threads, against the reference.
template <typename T>
void CompareLayers(std::mt19937& rng, const std::vector<ThreadPool*>& pools, FastIsa pack_isa,
                   FastIsa run_isa) {
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  const int lo = kU8 ? 0 : -128, hi = kU8 ? 255 : 127;
  const QType type = kU8 ? QType::kUInt8 : QType::kInt8;
  for (int kind = 0; kind < 3; ++kind) {  // conv, depthwise, fully connected
    const QuantParams in_q{PickScale(rng, 0.005f, 0.1f), Pick(rng, lo, hi)};
    const QuantParams out_q{PickScale(rng, 0.01f, 2.0f), Pick(rng, lo, hi)};
    const int32_t fzp = kU8 ? Pick(rng, lo, hi) : 0;
    const Activation act = static_cast<Activation>(Pick(rng, 0, 3));
    if (kind == 2) {
      const FcDims d{Pick(rng, 1, 20), Pick(rng, 1, 200), Pick(rng, 1, 70)};
      std::vector<float> fs(kU8 ? 1 : static_cast<size_t>(d.out_depth));
      for (auto& s : fs) s = PickScale(rng, 0.0005f, 0.05f);
      auto p = PrepareFullyConnected(type, in_q, fs, fzp, out_q, act, d.out_depth);
      ASSERT_TRUE(p.ok());
      auto x = RandomVector<T>(rng, static_cast<size_t>(d.batches) * d.accum_depth, lo, hi);
      auto w = RandomVector<T>(rng, static_cast<size_t>(d.out_depth) * d.accum_depth, lo, hi);
      auto b = RandomVector<int32_t>(rng, static_cast<size_t>(d.out_depth), -60000, 60000);
      std::vector<T> want(static_cast<size_t>(d.batches) * d.out_depth);
      ASSERT_TRUE(FullyConnectedReference(*p, d, x.data(), w.data(), b.data(), want.data()).ok());
      const auto pack = PackFullyConnected(*p, d, w.data(), b.data());
      EXPECT_NE(pack, nullptr);
      SetFastIsaCap(run_isa);
      for (ThreadPool* pool : pools) {
        std::vector<T> got(want.size(), T{0x5A});
        ASSERT_TRUE(FullyConnected(*p, d, x.data(), w.data(), b.data(), got.data(), {pack.get(), pool}).ok());
        ASSERT_EQ(got, want) << "FC threads " << (pool ? pool->threads() : 1);
      }
      SetFastIsaCap(pack_isa);
      continue;
    }
    const bool dw = kind == 1;
    ConvOptions o;
    o.padding = Pick(rng, 0, 1) ? Padding::kSame : Padding::kValid;
    o.stride_h = o.stride_w = Pick(rng, 1, 2);
    o.activation = act;
    const int k = Pick(rng, 0, 1) ? 1 : 3;
    const Shape4 in{Pick(rng, 1, 2), Pick(rng, 3, 19), Pick(rng, 3, 19), Pick(rng, 1, 40)};
    const int oc = dw ? in.c : Pick(rng, 1, 50);
    const Shape4 f = dw ? Shape4{1, k, k, oc} : Shape4{oc, k, k, in.c};
    std::vector<float> fs(kU8 ? 1 : static_cast<size_t>(oc));
    for (auto& s : fs) s = PickScale(rng, 0.0005f, 0.05f);
    auto p = dw ? PrepareDepthwiseConv(o, in, f, type, in_q, fs, fzp, out_q)
                : PrepareConv(o, in, f, type, in_q, fs, fzp, out_q);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    const Shape4 out{in.n, p->out_h, p->out_w, oc};
    auto x = RandomVector<T>(rng, static_cast<size_t>(in.FlatSize()), lo, hi);
    auto w = RandomVector<T>(rng, static_cast<size_t>(f.FlatSize()), lo, hi);
    auto b = RandomVector<int32_t>(rng, static_cast<size_t>(oc), -60000, 60000);
    std::vector<T> want(static_cast<size_t>(out.FlatSize()));
    ASSERT_TRUE((dw ? DepthwiseConv2DReference(*p, in, x.data(), f, w.data(), b.data(), out, want.data())
                    : Conv2DReference(*p, in, x.data(), f, w.data(), b.data(), out, want.data()))
                    .ok());
    const auto pack = dw ? PackDepthwiseConv2D(*p, in, f, w.data(), b.data(), out)
                         : PackConv2D(*p, in, f, w.data(), b.data(), out);
    EXPECT_NE(pack, nullptr);
    SetFastIsaCap(run_isa);
    for (ThreadPool* pool : pools) {
      std::vector<T> got(want.size(), T{0x5A});
      const ExecContext ctx{pack.get(), pool};
      ASSERT_TRUE((dw ? DepthwiseConv2D(*p, in, x.data(), f, w.data(), b.data(), out, got.data(), ctx)
                      : Conv2D(*p, in, x.data(), f, w.data(), b.data(), out, got.data(), ctx))
                      .ok());
      ASSERT_EQ(got, want) << (dw ? "depthwise" : "conv") << " in " << in.ToString() << " filter "
                           << f.ToString() << " threads " << (pool ? pool->threads() : 1);
    }
    SetFastIsaCap(pack_isa);
  }
}

// Packs under `pack_isa`, runs under `run_isa` (a different one: the pack must be ignored).
void RunAll(uint32_t seed, FastIsa pack_isa, FastIsa run_isa) {
  std::mt19937 rng(seed);
  ThreadPool two(2), three(3);
  const std::vector<ThreadPool*> pools = {nullptr, &two, &three};
  const FastIsa before = SetFastIsaCap(pack_isa);
  for (int iter = 0; iter < 20 && !::testing::Test::HasFatalFailure(); ++iter) {
    CompareLayers<uint8_t>(rng, pools, pack_isa, run_isa);
    CompareLayers<int8_t>(rng, pools, pack_isa, run_isa);
  }
  SetFastIsaCap(before);
}

// This CPU family's two fast levels: AVX2 and AVX-512 VNNI on x86, NEON and NEON + dot product
// on aarch64.
bool IsArm(FastIsa isa) { return isa == FastIsa::kNeon || isa == FastIsa::kNeonDot; }
FastIsa LevelOne() { return IsArm(DetectedFastIsa()) ? FastIsa::kNeon : FastIsa::kAvx2; }
FastIsa LevelTwo() { return IsArm(DetectedFastIsa()) ? FastIsa::kNeonDot : FastIsa::kAvx512Vnni; }

TEST(Packed, AnyThreadCountGivesTheReferenceBytes) {
  if (DetectedFastIsa() == FastIsa::kNone) GTEST_SKIP() << "no SIMD fast path on this CPU";
  RunAll(41, LevelOne(), LevelOne());
  if (DetectedFastIsa() == LevelTwo()) RunAll(42, LevelTwo(), LevelTwo());
}

TEST(Packed, APackOfAnotherInstructionSetIsIgnored) {
  if (DetectedFastIsa() != LevelTwo()) GTEST_SKIP() << "needs two fast instruction sets";
  RunAll(43, LevelTwo(), LevelOne());
  RunAll(44, LevelOne(), LevelTwo());
}

TEST(Packed, NothingToPackWithoutAFastPath) {
  const bool before = SetFastKernelsEnabled(false);
  const std::vector<uint8_t> w(9, 1);
  ConvParams p;
  p.output_multiplier = {1 << 30};
  p.output_shift = {0};
  EXPECT_EQ(PackDepthwiseConv2D(p, {1, 3, 3, 1}, {1, 3, 3, 1}, w.data(), nullptr, {1, 3, 3, 1}), nullptr);
  SetFastKernelsEnabled(before);
}

}  // namespace
}  // namespace etpu::kernels
