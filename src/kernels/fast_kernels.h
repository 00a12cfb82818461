// Internal: the fast (SIMD) paths behind Conv2D, DepthwiseConv2D and FullyConnected.
//
// Each entry point returns true when it computed the output and false when the case is not
// covered (no AVX2, depth multiplier > 1, offsets or multipliers outside the ranges the SIMD
// arithmetic is exact for); the public kernel then runs the reference loop. The caller has
// checked the shapes. Bit-exactness argument:
//  - accumulators: (w + filter_offset) and (x + input_offset) are formed exactly in int16
//    (|offset| <= 256) and multiplied/summed in int32 with wrap-around (vpmaddwd / vpmulld,
//    vpaddd); the reference sums the same products in int32, so as long as the reference does
//    not overflow (it would be undefined behaviour there) the sums are identical whatever the
//    order. Padded taps contribute 0 in both.
//  - requantization: RequantTable holds the reference's per-channel (multiplier, shift); the
//    vector code computes SaturatingRoundingDoublingHighMul as floor((x*m + 2^30) / 2^31) with
//    64-bit products (identical to the reference for every x when m >= 0, which the table
//    requires) and RoundingDivideByPOT with the reference's mask / threshold formula.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/conv.h"
#include "kernels/dispatch.h"
#include "kernels/elementwise.h"
#include "kernels/fully_connected.h"
#include "kernels/packed.h"
#include "kernels/thread_pool.h"
#include "kernels/types.h"

namespace etpu::kernels::fast {

/// `ctx.packed`, when given and packed for the active ISA, replaces the per-call packing;
/// `ctx.pool` splits the output rows.
bool Conv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
            const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
            const ExecContext& ctx = {});
bool Conv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
            const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
            const ExecContext& ctx = {});
bool DepthwiseConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                     const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
                     const ExecContext& ctx = {});
bool DepthwiseConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                     const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
                     const ExecContext& ctx = {});
bool FullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                    const uint8_t* weights, const int32_t* bias, uint8_t* output,
                    const ExecContext& ctx = {});
bool FullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                    const int8_t* weights, const int32_t* bias, int8_t* output,
                    const ExecContext& ctx = {});

/// ADD (subtract = false) or SUB of two same-shape tensors of n elements (fast_elementwise.cc).
bool AddSub(const ArithmeticParams& p, bool subtract, int64_t n, const uint8_t* a,
            const uint8_t* b, uint8_t* out);
bool AddSub(const ArithmeticParams& p, bool subtract, int64_t n, const int8_t* a, const int8_t* b,
            int8_t* out);

/// One output pixel of the uint8 RESIZE_BILINEAR: o[c] = clamp(round(p00[c] s[0] + p01[c] s[1]
/// + p10[c] s[2] + p11[c] s[3])) in float, summed left to right (fast_resize.cc). `simd` false
/// runs the scalar formula (also the reference's).
void BilinearPixelU8(const uint8_t* p00, const uint8_t* p01, const uint8_t* p10,
                     const uint8_t* p11, const float s[4], int channels, bool simd, uint8_t* o);

/// Per-channel requantization parameters laid out for 8- and 16-lane vectors (padded with zeros
/// to a multiple of 16 channels).
struct RequantTable {
  std::vector<int32_t> mult, left, right, mask, half;
  int channels = 0;
  int32_t out_offset = 0, act_min = 0, act_max = 0;
  bool uniform = false;  ///< Every channel has the same multiplier and shift (per-tensor).
  /// The reference's (multiplier, shift) of channel c (for scalar tails).
  int32_t scalar_mult(int c) const { return mult[static_cast<size_t>(c)]; }
  int scalar_shift(int c) const {
    return left[static_cast<size_t>(c)] - right[static_cast<size_t>(c)];
  }
};

/// Fills `t` from one (per-tensor) or `channels` (per-channel) multipliers and shifts. Returns
/// false when the vector arithmetic would not be exact (a negative multiplier, |shift| > 31).
bool BuildRequantTable(const std::vector<int32_t>& multipliers, const std::vector<int>& shifts,
                       int channels, int32_t out_offset, int32_t act_min, int32_t act_max,
                       RequantTable* t);

/// Requantizes `n` int32 accumulators of channels [0, n) into 8-bit outputs (AVX2).
void RequantRow(const int32_t* acc, int n, const RequantTable& t, uint8_t* out);
void RequantRow(const int32_t* acc, int n, const RequantTable& t, int8_t* out);

/// The constant operands of a CONV_2D / FULLY_CONNECTED GEMM (rows x k times k x oc), laid out
/// for the AVX2 int16 path (fast_gemm.cc) or the AVX512-VNNI 8-bit path (fast_gemm_vnni.cc).
struct GemmPack {
  bool vnni = false;
  int64_t rows = 0;  ///< The GEMM rows it was packed for (they pick the tile kind).
  int k = 0, oc = 0;
  bool bcast = false;  ///< Broadcast tiles (enough rows for one): wp holds the weights.
  RequantTable rq;
  int32_t input_offset = 0;                 ///< AVX2: x' = x + input_offset.
  uint8_t x_flip = 0, w_flip = 0, pad = 0;  ///< VNNI operand domains (fast_gemm_vnni.cc).
  int32_t F = 0;                            ///< VNNI filter offset in the signed domain.
  /// Per channel, padded by 16: bias (AVX2); bias + the exact offset corrections (VNNI).
  std::vector<int32_t> col;
  std::vector<int32_t> wp;   ///< Broadcast-tile weights.
  std::vector<int16_t> w16;  ///< AVX2 dot-tile rows (w + filter_offset, k rounded up to 16).
};

/// The constant operands of a depth-multiplier-1 DEPTHWISE_CONV_2D (fast_depthwise.cc).
struct DepthwisePack {
  int taps = 0, channels = 0;
  RequantTable rq;
  std::vector<int32_t> wt, bs;  ///< int32 weights + filter_offset per tap; bias.
  std::vector<int16_t> wp;      ///< Tap pairs interleaved for vpmaddwd, per block of 16 channels.
  std::vector<int16_t> wp8;     ///< The same for the block of 8 channels after them (if any).
};

/// Fills `pk` for `rows` GEMM rows on `isa` (VNNI when it has it and the offsets fit, else
/// AVX2); false when no fast path covers the parameters. `rows` only picks the tile kind.
bool BuildGemmPack(FastIsa isa, int64_t rows, int k, int oc_n, const uint8_t* weights,
                   const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                   const RequantTable& rq, GemmPack* pk);
bool BuildGemmPack(FastIsa isa, int64_t rows, int k, int oc_n, const int8_t* weights,
                   const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                   const RequantTable& rq, GemmPack* pk);
bool BuildDepthwisePack(const ConvParams& p, Shape4 filter, Shape4 out, const uint8_t* weights,
                        const int32_t* bias, DepthwisePack* pk);
bool BuildDepthwisePack(const ConvParams& p, Shape4 filter, Shape4 out, const int8_t* weights,
                        const int32_t* bias, DepthwisePack* pk);

/// VNNI pack (fast_gemm_vnni.cc): false when the offsets do not fit its domains.
bool BuildVnniPack(int64_t rows, int k, int oc_n, const uint8_t* weights, const int32_t* bias,
                   int32_t input_offset, int32_t filter_offset, GemmPack* pk);
bool BuildVnniPack(int64_t rows, int k, int oc_n, const int8_t* weights, const int32_t* bias,
                   int32_t input_offset, int32_t filter_offset, GemmPack* pk);

/// The AVX512-VNNI GEMM behind Conv2D / FullyConnected (fast_gemm_vnni.cc) with a VNNI pack.
void VnniConv2D(const GemmPack& pk, const ConvParams& p, Shape4 in, const uint8_t* input,
                Shape4 filter, const uint8_t* weights, Shape4 out, uint8_t* output,
                ThreadPool* pool);
void VnniConv2D(const GemmPack& pk, const ConvParams& p, Shape4 in, const int8_t* input,
                Shape4 filter, const int8_t* weights, Shape4 out, int8_t* output,
                ThreadPool* pool);
void VnniFullyConnected(const GemmPack& pk, FcDims d, const uint8_t* input,
                        const uint8_t* weights, uint8_t* output, ThreadPool* pool);
void VnniFullyConnected(const GemmPack& pk, FcDims d, const int8_t* input, const int8_t* weights,
                        int8_t* output, ThreadPool* pool);

/// The VNNI GEMM alone, packing per call (tests: checks that this path is the exact one); false
/// when the offsets do not fit its domains.
bool VnniConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
                const RequantTable& rq);
bool VnniConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
                const RequantTable& rq);

/// Calls fn(r0, n) on consecutive blocks of at most `chunk` rows covering [0, rows); with a
/// pool, blocks also shrink (to a multiple of `tile`, about 4 per thread) so that every thread
/// gets a share and a late one leaves its blocks to the others.
template <typename Fn>
void ForRowBlocks(int64_t rows, int tile, int chunk, ThreadPool* pool, Fn&& fn) {
  int64_t per = chunk;
  const int threads = pool == nullptr ? 1 : pool->threads();
  if (threads > 1) {
    const int64_t parts = int64_t{threads} * 4;  // Finer than one per thread: late threads balance.
    const int64_t share = ((rows + parts - 1) / parts + tile - 1) / tile * tile;
    per = std::min<int64_t>(per, std::max<int64_t>(tile, share));
  }
  const int64_t blocks = (rows + per - 1) / per;
  ParallelFor(pool, blocks, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const int64_t r0 = i * per;
      fn(r0, static_cast<int>(std::min<int64_t>(per, rows - r0)));
    }
  });
}

}  // namespace etpu::kernels::fast

namespace etpu::kernels {

/// What Pack*() returns (packed.h): the fast ISA active when it was built and the pack.
struct PackedLayer {
  FastIsa isa = FastIsa::kNone;
  fast::GemmPack gemm;
  fast::DepthwisePack dw;
};

}  // namespace etpu::kernels
