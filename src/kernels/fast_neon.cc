// Fast CONV_2D, FULLY_CONNECTED and DEPTHWISE_CONV_2D on 64-bit ARM (NEON), the counterpart of
// fast_gemm.cc / fast_depthwise.cc on x86; dispatch.cc picks kNeonDot when the CPU has the
// dot-product extension (HWCAP_ASIMDDP: UDOT/SDOT), else kNeon.
//
// CONV_2D / FULLY_CONNECTED, exact by the identity (all sums mod 2^32, as the reference's int32
// sums are whenever they do not overflow):
//   sum (x + io)(w + fo) + bias = sum x*w + fo * sum x + [bias + io * sum w + k * io * fo]
// The bracket is per output channel and constant: GemmPack::col, built once (BuildGemmPack, at
// prepare time with a PackedLayer, else per call). Per row, sum x*w of the raw 8-bit operands
// for 4 output channels at a time: UDOT/SDOT (16 bytes per instruction, kNeonDot) or
// UMULL/SMULL + UADALP/SADALP (kNeon); the filter rows are used in place (OHWI, no repacking).
// Convolution rows are gathered (im2col) with padded taps set to -io, whose (x + io) is 0, as
// the reference's skipped taps: the path declines (returns false) when -io is not an 8-bit
// value of the operand type. Requantization is RequantRow (the reference arithmetic).
//
// DEPTHWISE_CONV_2D (depth multiplier 1): over channels, 8 at a time, (x + io) * (w + fo) in
// int32 lanes (MLA), padded taps skipped as the reference does; the last < 8 channels scalar.
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/fast_kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace etpu::kernels::fast {
namespace {

#define ETPU_DOTPROD __attribute__((target("arch=armv8.2-a+dotprod")))

constexpr int kChunkRows = 64;  // Rows per block handed to one thread.

/// sum x*w over k raw bytes for 4 filter rows (mod 2^32): plain NEON widening multiplies.
void Dot4(const uint8_t* x, const uint8_t* const w[4], int k, uint32_t out[4]) {
  uint32x4_t a[4] = {vdupq_n_u32(0), vdupq_n_u32(0), vdupq_n_u32(0), vdupq_n_u32(0)};
  int i = 0;
  for (; i + 16 <= k; i += 16) {
    const uint8x16_t xv = vld1q_u8(x + i);
    for (int j = 0; j < 4; ++j) {
      const uint8x16_t wv = vld1q_u8(w[j] + i);
      a[j] = vpadalq_u16(a[j], vmull_u8(vget_low_u8(xv), vget_low_u8(wv)));
      a[j] = vpadalq_u16(a[j], vmull_high_u8(xv, wv));
    }
  }
  for (int j = 0; j < 4; ++j) {
    uint32_t s = vaddvq_u32(a[j]);
    for (int t = i; t < k; ++t) s += uint32_t{x[t]} * uint32_t{w[j][t]};
    out[j] = s;
  }
}
void Dot4(const int8_t* x, const int8_t* const w[4], int k, uint32_t out[4]) {
  int32x4_t a[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  int i = 0;
  for (; i + 16 <= k; i += 16) {
    const int8x16_t xv = vld1q_s8(x + i);
    for (int j = 0; j < 4; ++j) {
      const int8x16_t wv = vld1q_s8(w[j] + i);
      a[j] = vpadalq_s16(a[j], vmull_s8(vget_low_s8(xv), vget_low_s8(wv)));
      a[j] = vpadalq_s16(a[j], vmull_high_s8(xv, wv));
    }
  }
  for (int j = 0; j < 4; ++j) {
    uint32_t s = vaddvq_u32(vreinterpretq_u32_s32(a[j]));
    for (int t = i; t < k; ++t) s += static_cast<uint32_t>(int32_t{x[t]} * int32_t{w[j][t]});
    out[j] = s;
  }
}

/// The same with the dot-product extension (UDOT / SDOT: 4 products summed per 32-bit lane).
ETPU_DOTPROD void Dot4Dp(const uint8_t* x, const uint8_t* const w[4], int k, uint32_t out[4]) {
  uint32x4_t a[4] = {vdupq_n_u32(0), vdupq_n_u32(0), vdupq_n_u32(0), vdupq_n_u32(0)};
  int i = 0;
  for (; i + 16 <= k; i += 16) {
    const uint8x16_t xv = vld1q_u8(x + i);
    for (int j = 0; j < 4; ++j) a[j] = vdotq_u32(a[j], xv, vld1q_u8(w[j] + i));
  }
  for (int j = 0; j < 4; ++j) {
    uint32_t s = vaddvq_u32(a[j]);
    for (int t = i; t < k; ++t) s += uint32_t{x[t]} * uint32_t{w[j][t]};
    out[j] = s;
  }
}
ETPU_DOTPROD void Dot4Dp(const int8_t* x, const int8_t* const w[4], int k, uint32_t out[4]) {
  int32x4_t a[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  int i = 0;
  for (; i + 16 <= k; i += 16) {
    const int8x16_t xv = vld1q_s8(x + i);
    for (int j = 0; j < 4; ++j) a[j] = vdotq_s32(a[j], xv, vld1q_s8(w[j] + i));
  }
  for (int j = 0; j < 4; ++j) {
    uint32_t s = vaddvq_u32(vreinterpretq_u32_s32(a[j]));
    for (int t = i; t < k; ++t) s += static_cast<uint32_t>(int32_t{x[t]} * int32_t{w[j][t]});
    out[j] = s;
  }
}

/// sum x over k bytes (mod 2^32).
uint32_t SumBytes(const uint8_t* x, int k) {
  uint32x4_t a = vdupq_n_u32(0);
  int i = 0;
  for (; i + 16 <= k; i += 16) a = vpadalq_u16(a, vpaddlq_u8(vld1q_u8(x + i)));
  uint32_t s = vaddvq_u32(a);
  for (; i < k; ++i) s += x[i];
  return s;
}
uint32_t SumBytes(const int8_t* x, int k) {
  int32x4_t a = vdupq_n_s32(0);
  int i = 0;
  for (; i + 16 <= k; i += 16) a = vpadalq_s16(a, vpaddlq_s8(vld1q_s8(x + i)));
  uint32_t s = vaddvq_u32(vreinterpretq_u32_s32(a));
  for (; i < k; ++i) s += static_cast<uint32_t>(int32_t{x[i]});
  return s;
}

template <typename T>
bool BuildNeonGemmPack(FastIsa isa, int64_t rows, int k, int oc_n, const T* weights,
                       const int32_t* bias, int32_t io, int32_t fo, const RequantTable& rq,
                       GemmPack* pk) {
  if ((isa != FastIsa::kNeon && isa != FastIsa::kNeonDot) || k <= 0 || oc_n <= 0) return false;
  pk->vnni = false;
  pk->rows = rows;
  pk->k = k;
  pk->oc = oc_n;
  pk->rq = rq;
  pk->input_offset = io;
  pk->F = fo;
  pk->col.assign(static_cast<size_t>(oc_n), 0);
  const uint32_t kiofo = static_cast<uint32_t>(k) * static_cast<uint32_t>(io) * static_cast<uint32_t>(fo);
  for (int oc = 0; oc < oc_n; ++oc) {
    const uint32_t sw = SumBytes(weights + int64_t{oc} * k, k);
    const uint32_t b = bias ? static_cast<uint32_t>(bias[oc]) : 0u;
    pk->col[static_cast<size_t>(oc)] = static_cast<int32_t>(b + static_cast<uint32_t>(io) * sw + kiofo);
  }
  return true;
}

/// The layer's pack when `ctx` holds one for the active ISA and these dimensions, else one built
/// now into this thread's scratch pack (nullptr when the parameters are not covered).
template <typename T, typename Params>
const GemmPack* GetPack(const ExecContext& ctx, const Params& p, int64_t rows, int k, int oc_n,
                        const T* weights, const int32_t* bias) {
  const FastIsa isa = ActiveFastIsa();
  if (ctx.packed != nullptr && ctx.packed->isa == isa && ctx.packed->gemm.k == k &&
      ctx.packed->gemm.oc == oc_n && ctx.packed->gemm.rows == rows) {
    return &ctx.packed->gemm;
  }
  thread_local GemmPack pk;
  RequantTable rq;
  if (!BuildRequantTable(p.output_multiplier, p.output_shift, oc_n, p.output_offset, p.act_min,
                         p.act_max, &rq) ||
      !BuildNeonGemmPack(isa, rows, k, oc_n, weights, bias, p.input_offset, p.filter_offset, rq, &pk)) {
    return nullptr;
  }
  return &pk;
}

/// Output rows [r0, r0 + n): row(r, scratch) gives the k input bytes of row r.
template <typename T, typename RowFn>
void GemmRows(const GemmPack& pk, const T* weights, int64_t r0, int n, bool dot, T* output,
              RowFn&& row) {
  const int k = pk.k, oc_n = pk.oc;
  thread_local std::vector<T> scratch;
  thread_local std::vector<int32_t> acc;
  scratch.resize(static_cast<size_t>(k));
  acc.resize(static_cast<size_t>(oc_n));
  const uint32_t fo = static_cast<uint32_t>(pk.F);
  for (int64_t r = r0; r < r0 + n; ++r) {
    const T* x = row(r, scratch.data());
    const uint32_t fsx = fo * SumBytes(x, k);
    for (int oc = 0; oc < oc_n; oc += 4) {
      const T* w[4];
      for (int j = 0; j < 4; ++j) w[j] = weights + int64_t{std::min(oc + j, oc_n - 1)} * k;
      uint32_t d[4];
      if (dot) {
        Dot4Dp(x, w, k, d);
      } else {
        Dot4(x, w, k, d);
      }
      for (int j = 0; j < 4 && oc + j < oc_n; ++j) {
        acc[static_cast<size_t>(oc + j)] =
            static_cast<int32_t>(d[j] + fsx + static_cast<uint32_t>(pk.col[static_cast<size_t>(oc + j)]));
      }
    }
    RequantRow(acc.data(), oc_n, pk.rq, output + r * oc_n);
  }
}

template <typename T>
constexpr bool FitsT(int32_t v) {
  return v >= int32_t{std::numeric_limits<T>::min()} && v <= int32_t{std::numeric_limits<T>::max()};
}

template <typename T>
bool ConvImpl(const ConvParams& p, Shape4 in, const T* input, Shape4 filter, const T* weights,
              const int32_t* bias, Shape4 out, T* output, const ExecContext& ctx) {
  const int64_t k64 = int64_t{filter.h} * filter.w * in.c;
  if (k64 > (1 << 20) || !FitsT<T>(-p.input_offset)) return false;
  const int k = static_cast<int>(k64);
  const int64_t rows = int64_t{out.n} * out.h * out.w;
  const GemmPack* pk = GetPack(ctx, p, rows, k, out.c, weights, bias);
  if (pk == nullptr) return false;
  const bool dot = ActiveFastIsa() == FastIsa::kNeonDot;
  const T pad = static_cast<T>(-p.input_offset);
  const bool pointwise = filter.h == 1 && filter.w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                         p.pad_top == 0 && p.pad_left == 0 && in.h == out.h && in.w == out.w;
  auto gather = [&](int64_t r, T* dst) -> const T* {
    if (pointwise) return input + r * k;
    const int ox = static_cast<int>(r % out.w);
    const int oy = static_cast<int>((r / out.w) % out.h);
    const int b = static_cast<int>(r / (int64_t{out.w} * out.h));
    const int iy0 = oy * p.stride_h - p.pad_top, ix0 = ox * p.stride_w - p.pad_left;
    T* d = dst;
    for (int fy = 0; fy < filter.h; ++fy) {
      const int iy = iy0 + p.dilation_h * fy;
      for (int fx = 0; fx < filter.w; ++fx, d += in.c) {
        const int ix = ix0 + p.dilation_w * fx;
        if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) {
          std::fill(d, d + in.c, pad);
        } else {
          std::memcpy(d, input + Offset(in, b, iy, ix, 0), static_cast<size_t>(in.c) * sizeof(T));
        }
      }
    }
    return dst;
  };
  ForRowBlocks(rows, 1, kChunkRows, ctx.pool, [&](int64_t r0, int n) {
    GemmRows(*pk, weights, r0, n, dot, output, gather);
  });
  return true;
}

template <typename T>
bool FcImpl(const FullyConnectedParams& p, FcDims d, const T* input, const T* weights,
            const int32_t* bias, T* output, const ExecContext& ctx) {
  const int k = d.accum_depth;
  const GemmPack* pk = GetPack(ctx, p, d.batches, k, d.out_depth, weights, bias);
  if (pk == nullptr) return false;
  const bool dot = ActiveFastIsa() == FastIsa::kNeonDot;
  ForRowBlocks(d.batches, 1, kChunkRows, ctx.pool, [&](int64_t r0, int n) {
    GemmRows(*pk, weights, r0, n, dot, output, [&](int64_t r, T*) { return input + r * k; });
  });
  return true;
}

// --- DEPTHWISE_CONV_2D ---

/// 8 input bytes + io as two int32x4 halves.
inline void Load8(const uint8_t* x, int32x4_t io, int32x4_t* lo, int32x4_t* hi) {
  const uint16x8_t v = vmovl_u8(vld1_u8(x));
  *lo = vaddq_s32(vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(v))), io);
  *hi = vaddq_s32(vreinterpretq_s32_u32(vmovl_high_u16(v)), io);
}
inline void Load8(const int8_t* x, int32x4_t io, int32x4_t* lo, int32x4_t* hi) {
  const int16x8_t v = vmovl_s8(vld1_s8(x));
  *lo = vaddq_s32(vmovl_s16(vget_low_s16(v)), io);
  *hi = vaddq_s32(vmovl_high_s16(v), io);
}

/// wt[tap][c] = w + filter_offset (int32), bs[c] = bias (0 without one).
template <typename T>
bool BuildDwPack(const ConvParams& p, Shape4 filter, Shape4 out, const T* weights,
                 const int32_t* bias, DepthwisePack* pk) {
  const FastIsa isa = ActiveFastIsa();
  if ((isa != FastIsa::kNeon && isa != FastIsa::kNeonDot) || p.depth_multiplier != 1) return false;
  const int c_n = out.c, taps = filter.h * filter.w;
  if (taps <= 0 || taps > 4096 || c_n <= 0 || filter.c != c_n) return false;
  if (!BuildRequantTable(p.output_multiplier, p.output_shift, c_n, p.output_offset, p.act_min,
                         p.act_max, &pk->rq)) {
    return false;
  }
  pk->taps = taps;
  pk->channels = c_n;
  pk->wt.resize(static_cast<size_t>(taps) * c_n);
  for (size_t i = 0; i < pk->wt.size(); ++i) pk->wt[i] = int32_t{weights[i]} + p.filter_offset;
  pk->bs.assign(static_cast<size_t>(c_n), 0);
  if (bias) std::copy(bias, bias + c_n, pk->bs.begin());
  return true;
}

template <typename T>
bool DepthwiseImpl(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                   const T* weights, const int32_t* bias, Shape4 out, T* output,
                   const ExecContext& ctx) {
  const DepthwisePack* pk = nullptr;
  thread_local DepthwisePack local;
  if (ctx.packed != nullptr && ctx.packed->isa == ActiveFastIsa() && ctx.packed->dw.channels == out.c &&
      ctx.packed->dw.taps == filter.h * filter.w) {
    pk = &ctx.packed->dw;
  } else if (BuildDwPack(p, filter, out, weights, bias, &local)) {
    pk = &local;
  } else {
    return false;
  }
  const int c_n = out.c;
  const int64_t rows = int64_t{out.n} * out.h * out.w;
  const int32x4_t io = vdupq_n_s32(p.input_offset);
  ForRowBlocks(rows, 1, kChunkRows, ctx.pool, [&](int64_t r0, int n) {
    thread_local std::vector<int32_t> acc;
    acc.resize(static_cast<size_t>(c_n));
    for (int64_t r = r0; r < r0 + n; ++r) {
      const int ox = static_cast<int>(r % out.w);
      const int oy = static_cast<int>((r / out.w) % out.h);
      const int b = static_cast<int>(r / (int64_t{out.w} * out.h));
      const int iy0 = oy * p.stride_h - p.pad_top, ix0 = ox * p.stride_w - p.pad_left;
      std::copy(pk->bs.begin(), pk->bs.end(), acc.begin());
      for (int fy = 0; fy < filter.h; ++fy) {
        const int iy = iy0 + p.dilation_h * fy;
        if (iy < 0 || iy >= in.h) continue;
        for (int fx = 0; fx < filter.w; ++fx) {
          const int ix = ix0 + p.dilation_w * fx;
          if (ix < 0 || ix >= in.w) continue;
          const T* x = input + Offset(in, b, iy, ix, 0);
          const int32_t* w = pk->wt.data() + int64_t{fy * filter.w + fx} * c_n;
          int c = 0;
          for (; c + 8 <= c_n; c += 8) {
            int32x4_t xl, xh;
            Load8(x + c, io, &xl, &xh);
            int32_t* a = acc.data() + c;
            vst1q_s32(a, vmlaq_s32(vld1q_s32(a), xl, vld1q_s32(w + c)));
            vst1q_s32(a + 4, vmlaq_s32(vld1q_s32(a + 4), xh, vld1q_s32(w + c + 4)));
          }
          for (; c < c_n; ++c) {
            acc[static_cast<size_t>(c)] = static_cast<int32_t>(
                static_cast<uint32_t>(acc[static_cast<size_t>(c)]) +
                static_cast<uint32_t>((int32_t{x[c]} + p.input_offset) * w[c]));
          }
        }
      }
      RequantRow(acc.data(), c_n, pk->rq, output + r * c_n);
    }
  });
  return true;
}

}  // namespace

bool BuildGemmPack(FastIsa isa, int64_t rows, int k, int oc_n, const uint8_t* weights,
                   const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                   const RequantTable& rq, GemmPack* pk) {
  return BuildNeonGemmPack(isa, rows, k, oc_n, weights, bias, input_offset, filter_offset, rq, pk);
}
bool BuildGemmPack(FastIsa isa, int64_t rows, int k, int oc_n, const int8_t* weights,
                   const int32_t* bias, int32_t input_offset, int32_t filter_offset,
                   const RequantTable& rq, GemmPack* pk) {
  return BuildNeonGemmPack(isa, rows, k, oc_n, weights, bias, input_offset, filter_offset, rq, pk);
}
bool Conv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
            const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
            const ExecContext& ctx) {
  return ConvImpl(p, in, input, filter, weights, bias, out, output, ctx);
}
bool Conv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
            const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
            const ExecContext& ctx) {
  return ConvImpl(p, in, input, filter, weights, bias, out, output, ctx);
}
bool FullyConnected(const FullyConnectedParams& p, FcDims d, const uint8_t* input,
                    const uint8_t* weights, const int32_t* bias, uint8_t* output,
                    const ExecContext& ctx) {
  return FcImpl(p, d, input, weights, bias, output, ctx);
}
bool FullyConnected(const FullyConnectedParams& p, FcDims d, const int8_t* input,
                    const int8_t* weights, const int32_t* bias, int8_t* output,
                    const ExecContext& ctx) {
  return FcImpl(p, d, input, weights, bias, output, ctx);
}
bool DepthwiseConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                     const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output,
                     const ExecContext& ctx) {
  return DepthwiseImpl(p, in, input, filter, weights, bias, out, output, ctx);
}
bool DepthwiseConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                     const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output,
                     const ExecContext& ctx) {
  return DepthwiseImpl(p, in, input, filter, weights, bias, out, output, ctx);
}
bool BuildDepthwisePack(const ConvParams& p, Shape4 filter, Shape4 out, const uint8_t* weights,
                        const int32_t* bias, DepthwisePack* pk) {
  return BuildDwPack(p, filter, out, weights, bias, pk);
}
bool BuildDepthwisePack(const ConvParams& p, Shape4 filter, Shape4 out, const int8_t* weights,
                        const int32_t* bias, DepthwisePack* pk) {
  return BuildDwPack(p, filter, out, weights, bias, pk);
}

}  // namespace etpu::kernels::fast

#endif  // __aarch64__
