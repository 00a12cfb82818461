// Fast DEPTHWISE_CONV_2D (depth multiplier 1, any kernel size <= 64 taps, stride, dilation,
// padding), vectorised over channels: blocks of 16 channels (and one block of 8 after them) take
// two taps per vpmaddwd ((x + input_offset) and (w + filter_offset) as int16, interleaved), the
// last < 8 channels are scalar. Every pixel, border or not, takes the same path: a tap outside
// the input reads a pad pixel whose bytes are -input_offset, so it contributes exactly 0 (the
// reference skips it). Then the vector requantization, 8 lanes at a time. On AVX512-VNNI CPUs
// pairs of 16-channel blocks run on 512-bit vectors (Block32: the same products, requantized 16
// lanes at a time with the VNNI GEMM's Requant16). The weights are packed once (DepthwisePack,
// at prepare time with a PackedLayer); output rows split over a thread pool.
#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/fast_kernels.h"
#include "kernels/fast_simd.h"
#include "kernels/fast_simd512.h"

namespace etpu::kernels::fast {

#ifdef ETPU_FAST_X86
namespace {

/// 8 bytes -> 8 int16 lanes (zero- or sign-extended).
ETPU_AVX2 inline __m128i Widen8To16(const uint8_t* src) {
  return _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src)));
}
ETPU_AVX2 inline __m128i Widen8To16(const int8_t* src) {
  return _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src)));
}

/// wt[tap][c] = w + filter_offset (int32, for the scalar tail); wp: per tap pair and block of
/// 16 channels, the two taps' int16 weights interleaved as _mm256_unpack{lo,hi}_epi16 leaves
/// the inputs (lo then hi, 32 int16); a missing odd tap has zero weights. bs: the bias.
template <typename T>
ETPU_AVX2 bool BuildPackImpl(const ConvParams& p, Shape4 filter, Shape4 out, const T* weights,
                             const int32_t* bias, DepthwisePack* pk) {
  if (p.depth_multiplier != 1) return false;
  if (p.input_offset < -256 || p.input_offset > 256 || p.filter_offset < -256 ||
      p.filter_offset > 256) {
    return false;
  }
  const int c_n = out.c;
  const int taps = filter.h * filter.w;
  if (taps > 64 || taps <= 0 || c_n <= 0 || filter.c != c_n) return false;
  if (!BuildRequantTable(p.output_multiplier, p.output_shift, c_n, p.output_offset, p.act_min,
                         p.act_max, &pk->rq)) {
    return false;
  }
  pk->taps = taps;
  pk->channels = c_n;
  const int pairs = (taps + 1) / 2;
  pk->wt.resize(static_cast<size_t>(taps) * c_n);
  for (int t = 0; t < taps; ++t)
    for (int c = 0; c < c_n; ++c)
      pk->wt[static_cast<size_t>(t) * c_n + c] = int32_t{weights[int64_t{t} * c_n + c]} + p.filter_offset;
  const int blocks = c_n / 16;
  pk->wp.resize(static_cast<size_t>(pairs) * blocks * 32);
  const __m256i fo16 = _mm256_set1_epi16(static_cast<int16_t>(p.filter_offset));
  for (int q = 0; q < pairs; ++q) {
    for (int cb = 0; cb < blocks; ++cb) {
      const int c = cb * 16;
      const __m256i w0 = _mm256_add_epi16(Widen16(weights + int64_t{2 * q} * c_n + c), fo16);
      const __m256i w1 = 2 * q + 1 < taps
                             ? _mm256_add_epi16(Widen16(weights + int64_t{2 * q + 1} * c_n + c), fo16)
                             : _mm256_setzero_si256();
      int16_t* d = pk->wp.data() + (static_cast<size_t>(q) * blocks + cb) * 32;
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(d), _mm256_unpacklo_epi16(w0, w1));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + 16), _mm256_unpackhi_epi16(w0, w1));
    }
  }
  // wp8: tap pairs of channels [c16, c16 + 8) interleaved for one 128-bit unpack per half.
  const int c16 = blocks * 16;
  pk->wp8.clear();
  if (c_n - c16 >= 8) {
    pk->wp8.resize(static_cast<size_t>(pairs) * 16);
    const __m128i fo8 = _mm_set1_epi16(static_cast<int16_t>(p.filter_offset));
    for (int q = 0; q < pairs; ++q) {
      const __m128i w0 = _mm_add_epi16(Widen8To16(weights + int64_t{2 * q} * c_n + c16), fo8);
      const __m128i w1 = 2 * q + 1 < taps
                             ? _mm_add_epi16(Widen8To16(weights + int64_t{2 * q + 1} * c_n + c16), fo8)
                             : _mm_setzero_si128();
      int16_t* d = pk->wp8.data() + static_cast<size_t>(q) * 16;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d), _mm_unpacklo_epi16(w0, w1));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(d + 8), _mm_unpackhi_epi16(w0, w1));
    }
  }
  pk->bs.assign(static_cast<size_t>(c_n), 0);
  if (bias) std::copy(bias, bias + c_n, pk->bs.begin());
  return true;
}

/// Where the taps of an output row's pixels are (address of channel 0 of tap t of pixel ox).
/// Border pixels: a table, with a pad pixel of bytes -input_offset for the taps outside the input
/// (x + input_offset = 0 there, so they add exactly 0, as the reference's skip does).
template <typename T>
struct TableTaps {
  const T* const* ptr;
  int taps;
  const T* at(int ox, int t) const { return ptr[static_cast<size_t>(ox) * taps + t]; }
};
/// Pixels whose taps are all inside the input: one base address plus fixed tap offsets.
template <typename T>
struct InsideTaps {
  const T* row;          ///< Input row iy0 of the batch, channel 0 of column 0.
  int64_t step, start;   ///< Elements per output column; element offset of output column 0.
  const int64_t* off;    ///< Per tap: element offset from the pixel's first tap.
  const T* at(int ox, int t) const { return row + (start + ox * step + off[t]); }
};

/// Pixels [ox_b, ox_e) of one output row, channels [c, c + 16). kTaps = 9 holds the tap-pair
/// weights in registers; 0 reads them per pixel (any tap count).
template <int kTaps, typename T, typename Taps>
ETPU_AVX2 inline void Block16(const Taps& src, int ox_b, int ox_e, int taps, int c, int c_n,
                              const int16_t* wq, size_t pair_stride, __m256i io16,
                              const int32_t* bias, const RequantVec& rv, const RequantTable& rq,
                              T* dst_row) {
  const int n = kTaps > 0 ? kTaps : taps;
  const int pairs = (n + 1) / 2;
  constexpr int kRegPairs = kTaps > 0 ? (kTaps + 1) / 2 : 1;
  __m256i wl[kRegPairs], wh[kRegPairs];
  if constexpr (kTaps > 0) {
    for (int q = 0; q < kRegPairs; ++q) {
      wl[q] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + q * pair_stride));
      wh[q] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + q * pair_stride + 16));
    }
  }
  const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + c));
  const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + c + 8));
  for (int ox = ox_b; ox < ox_e; ++ox) {
    __m256i lo_acc = _mm256_setzero_si256(), hi_acc = _mm256_setzero_si256();
    for (int q = 0; q < pairs; ++q) {
      const __m256i x0 = _mm256_add_epi16(Widen16(src.at(ox, 2 * q) + c), io16);
      const __m256i x1 = 2 * q + 1 < n ? _mm256_add_epi16(Widen16(src.at(ox, 2 * q + 1) + c), io16)
                                       : _mm256_setzero_si256();
      __m256i wlo, whi;
      if constexpr (kTaps > 0) {
        wlo = wl[q];
        whi = wh[q];
      } else {
        wlo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + q * pair_stride));
        whi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + q * pair_stride + 16));
      }
      lo_acc = _mm256_add_epi32(lo_acc, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), wlo));
      hi_acc = _mm256_add_epi32(hi_acc, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), whi));
    }
    // lo holds channels 0-3 | 8-11, hi 4-7 | 12-15.
    T* dst = dst_row + static_cast<size_t>(ox) * c_n + c;
    const __m256i a0 = _mm256_add_epi32(_mm256_permute2x128_si256(lo_acc, hi_acc, 0x20), b0);
    const __m256i a1 = _mm256_add_epi32(_mm256_permute2x128_si256(lo_acc, hi_acc, 0x31), b1);
    Store8(RequantAt(rv, rq, a0, c), dst);
    Store8(RequantAt(rv, rq, a1, c + 8), dst + 8);
  }
}

/// Block16 on AVX-512 (VNNI CPUs): channels [c, c + 32) = two packed blocks of 16, two taps per
/// 512-bit vpmaddwd, the requantization on 16 lanes (Requant16, as the VNNI GEMM's). The same
/// int16 products and int32 sums as Block16.
template <int kTaps, typename T, typename Taps>
ETPU_VNNI void Block32(const Taps& src, int ox_b, int ox_e, int taps, int c, int c_n,
                       const int16_t* wq, size_t pair_stride, int32_t input_offset,
                       const int32_t* bias, const RequantTable& rq, T* dst_row) {
  const __m512i io16 = _mm512_set1_epi16(static_cast<int16_t>(input_offset));
  const int n = kTaps > 0 ? kTaps : taps;
  const int pairs = (n + 1) / 2;
  // The 512-bit lo / hi weights: block c's 256-bit halves, then block c + 16's.
  auto weights = [&](int q, int half) ETPU_VNNI {
    const int16_t* w = wq + q * pair_stride + 16 * half;
    return _mm512_inserti64x4(
        _mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32)), 1);
  };
  constexpr int kRegPairs = kTaps > 0 ? (kTaps + 1) / 2 : 1;
  __m512i wl[kRegPairs], wh[kRegPairs];
  if constexpr (kTaps > 0) {
    for (int q = 0; q < kRegPairs; ++q) {
      wl[q] = weights(q, 0);
      wh[q] = weights(q, 1);
    }
  }
  const __m512i b0 = _mm512_loadu_si512(bias + c);
  const __m512i b1 = _mm512_loadu_si512(bias + c + 16);
  const Rq16 q0 = MakeRq16(rq, c), q1 = MakeRq16(rq, c + 16);
  // lo holds channels 0-3 | 8-11 | 16-19 | 24-27 (64-bit lanes 0-1 | 2-3 | 4-5 | 6-7), hi the
  // 4 after each: channels 0-15 are lo 0-1, hi 0-1, lo 2-3, hi 2-3 (hi's lanes numbered 8-15).
  const __m512i first = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
  const __m512i second = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
  for (int ox = ox_b; ox < ox_e; ++ox) {
    __m512i lo_acc = _mm512_setzero_si512(), hi_acc = _mm512_setzero_si512();
    for (int q = 0; q < pairs; ++q) {
      const __m512i a0 = _mm512_add_epi16(Widen32(src.at(ox, 2 * q) + c), io16);
      const __m512i a1 = 2 * q + 1 < n ? _mm512_add_epi16(Widen32(src.at(ox, 2 * q + 1) + c), io16)
                                       : _mm512_setzero_si512();
      __m512i wlo, whi;
      if constexpr (kTaps > 0) {
        wlo = wl[q];
        whi = wh[q];
      } else {
        wlo = weights(q, 0);
        whi = weights(q, 1);
      }
      lo_acc = _mm512_add_epi32(lo_acc, _mm512_madd_epi16(_mm512_unpacklo_epi16(a0, a1), wlo));
      hi_acc = _mm512_add_epi32(hi_acc, _mm512_madd_epi16(_mm512_unpackhi_epi16(a0, a1), whi));
    }
    T* dst = dst_row + static_cast<size_t>(ox) * c_n + c;
    const __m512i s0 = _mm512_add_epi32(_mm512_permutex2var_epi64(lo_acc, first, hi_acc), b0);
    const __m512i s1 = _mm512_add_epi32(_mm512_permutex2var_epi64(lo_acc, second, hi_acc), b1);
    Store16(Requant16(q0, s0), dst);
    Store16(Requant16(q1, s1), dst + 16);
  }
}

/// Pixels [ox_b, ox_e) of one output row, the channels after the blocks of 16: one block of 8
/// (two taps per vpmaddwd as above), then scalar.
template <typename T, typename Taps>
ETPU_AVX2 inline void TailChannels(const Taps& src, int ox_b, int ox_e, int c16, int c_n,
                                   const DepthwisePack& pk, int32_t input_offset, __m256i io16,
                                   const RequantVec& rv, T* dst_row) {
  const RequantTable& rq = pk.rq;
  const int taps = pk.taps, pairs = (taps + 1) / 2;
  const int c8 = c_n / 8 * 8;
  const __m128i io8 = _mm256_castsi256_si128(io16);
  for (int ox = ox_b; ox < ox_e; ++ox) {
    T* dst = dst_row + static_cast<size_t>(ox) * c_n;
    int c = c16;
    if (c < c8) {
      __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(pk.bs.data() + c));
      for (int q = 0; q < pairs; ++q) {
        const __m128i x0 = _mm_add_epi16(Widen8To16(src.at(ox, 2 * q) + c), io8);
        const __m128i x1 = 2 * q + 1 < taps ? _mm_add_epi16(Widen8To16(src.at(ox, 2 * q + 1) + c), io8)
                                            : _mm_setzero_si128();
        const __m256i xv = _mm256_set_m128i(_mm_unpackhi_epi16(x0, x1), _mm_unpacklo_epi16(x0, x1));
        const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(pk.wp8.data() + q * 16));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(xv, wv));
      }
      Store8(RequantAt(rv, rq, acc, c), dst + c);
      c += 8;
    }
    for (; c < c_n; ++c) {
      int32_t a = pk.bs[static_cast<size_t>(c)];
      for (int t = 0; t < taps; ++t) {
        a += (int32_t{src.at(ox, t)[c]} + input_offset) * pk.wt[static_cast<size_t>(t) * c_n + c];
      }
      const int32_t v = MultiplyByQuantizedMultiplier(a, rq.scalar_mult(c), rq.scalar_shift(c));
      dst[c] = static_cast<T>(Clamp(v + rq.out_offset, rq.act_min, rq.act_max));
    }
  }
}

template <typename T>
ETPU_AVX2 bool DepthwiseImpl(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                             const T* weights, const int32_t* bias, Shape4 out, T* output,
                             const ExecContext& ctx) {
  // Taps outside the input read a pad pixel of -input_offset (0 after the offset is added).
  if (-p.input_offset < std::numeric_limits<T>::min() ||
      -p.input_offset > std::numeric_limits<T>::max()) {
    return false;
  }
  const DepthwisePack* pkp = nullptr;
  if (ctx.packed != nullptr && ctx.packed->isa == ActiveFastIsa() &&
      ctx.packed->dw.taps == filter.h * filter.w && ctx.packed->dw.channels == out.c &&
      p.depth_multiplier == 1) {
    pkp = &ctx.packed->dw;
  } else {
    thread_local DepthwisePack scratch;
    if (!BuildPackImpl(p, filter, out, weights, bias, &scratch)) return false;
    pkp = &scratch;
  }
  const DepthwisePack& pk = *pkp;
  const int c_n = out.c;
  const int c16 = c_n / 16 * 16;
  const int taps = pk.taps;
  const int blocks = c16 / 16;
  const size_t pair_stride = static_cast<size_t>(blocks) * 32;
  const __m256i io16 = _mm256_set1_epi16(static_cast<int16_t>(p.input_offset));
  const RequantVec rv = MakeRequantVec(pk.rq);
  const bool wide = ActiveFastIsa() == FastIsa::kAvx512Vnni;  // Block32 (AVX-512) for 32 channels.
  thread_local std::vector<T> pad_pixel;
  pad_pixel.assign(static_cast<size_t>(c_n), static_cast<T>(-p.input_offset));
  const T* const pad = pad_pixel.data();
  // Output columns whose taps are all inside the input's width: [ox_lo, ox_hi).
  int ox_lo = out.w, ox_hi = 0;
  for (int ox = 0; ox < out.w; ++ox) {
    const int ix0 = ox * p.stride_w - p.pad_left;
    if (ix0 >= 0 && ix0 + p.dilation_w * (filter.w - 1) < in.w) {
      ox_lo = std::min(ox_lo, ox);
      ox_hi = ox + 1;
    }
  }
  int64_t tap_off[64];
  for (int fy = 0; fy < filter.h; ++fy)
    for (int fx = 0; fx < filter.w; ++fx)
      tap_off[fy * filter.w + fx] = (int64_t{p.dilation_h} * fy * in.w + int64_t{p.dilation_w} * fx) * in.c;
  // Pixels [ox_b, ox_e) of a row, every block of 16 channels then the rest.
  auto pixels = [&](const auto& src, int ox_b, int ox_e, T* dst_row) ETPU_AVX2 {
    if (ox_b >= ox_e) return;
    int cb = 0;
    for (; wide && cb + 2 <= blocks; cb += 2) {
      const int16_t* wq = pk.wp.data() + static_cast<size_t>(cb) * 32;
      if (taps == 9) {
        Block32<9, T>(src, ox_b, ox_e, taps, cb * 16, c_n, wq, pair_stride, p.input_offset, pk.bs.data(), pk.rq, dst_row);
      } else {
        Block32<0, T>(src, ox_b, ox_e, taps, cb * 16, c_n, wq, pair_stride, p.input_offset, pk.bs.data(), pk.rq, dst_row);
      }
    }
    for (; cb < blocks; ++cb) {
      const int16_t* wq = pk.wp.data() + static_cast<size_t>(cb) * 32;
      if (taps == 9) {
        Block16<9, T>(src, ox_b, ox_e, taps, cb * 16, c_n, wq, pair_stride, io16, pk.bs.data(), rv, pk.rq, dst_row);
      } else {
        Block16<0, T>(src, ox_b, ox_e, taps, cb * 16, c_n, wq, pair_stride, io16, pk.bs.data(), rv, pk.rq, dst_row);
      }
    }
    if (c16 < c_n) TailChannels(src, ox_b, ox_e, c16, c_n, pk, p.input_offset, io16, rv, dst_row);
  };
  // One output row: border pixels through a table of tap addresses, the others by offsets.
  auto row = [&](int b, int oy, const T** ptr) ETPU_AVX2 {
    const int iy0 = oy * p.stride_h - p.pad_top;
    const bool row_inside = iy0 >= 0 && iy0 + p.dilation_h * (filter.h - 1) < in.h;
    const int lo = row_inside ? ox_lo : out.w, hi = row_inside ? ox_hi : out.w;
    const T* const batch = input + Offset(in, b, 0, 0, 0);
    const int fh = filter.h, fw = filter.w, dh = p.dilation_h, dw = p.dilation_w;
    const int ih = in.h, iw = in.w, ic = in.c, sw = p.stride_w, pl = p.pad_left;
    for (int ox = 0; ox < out.w; ++ox) {
      if (ox == lo) ox = hi;
      if (ox >= out.w) break;
      const int ix0 = ox * sw - pl;
      const T** pp = ptr + static_cast<size_t>(ox) * taps;
      for (int fy = 0; fy < fh; ++fy) {
        const int iy = iy0 + dh * fy;
        const bool y_in = iy >= 0 && iy < ih;
        const T* const irow = batch + int64_t{y_in ? iy : 0} * iw * ic;
        for (int fx = 0; fx < fw; ++fx) {
          const int ix = ix0 + dw * fx;
          pp[fx] = y_in && ix >= 0 && ix < iw ? irow + int64_t{ix} * ic : pad;
        }
        pp += fw;
      }
    }
    T* dst_row = output + Offset(out, b, oy, 0, 0);
    const TableTaps<T> table{ptr, taps};
    pixels(table, 0, lo, dst_row);
    if (lo < hi) {
      const InsideTaps<T> inside{batch + int64_t{iy0} * iw * ic, int64_t{sw} * ic,
                                 -int64_t{pl} * ic, tap_off};
      pixels(inside, lo, hi, dst_row);
    }
    pixels(table, hi, out.w, dst_row);
  };
  // Output rows (batch x oy) split over the pool's threads.
  ParallelFor(ctx.pool, int64_t{out.n} * out.h, [&](int64_t begin, int64_t end) ETPU_AVX2 {
    thread_local std::vector<const T*> ptrs;
    ptrs.resize(static_cast<size_t>(out.w) * taps);
    for (int64_t r = begin; r < end; ++r) {
      row(static_cast<int>(r / out.h), static_cast<int>(r % out.h), ptrs.data());
    }
  });
  return true;
}

}  // namespace

bool BuildDepthwisePack(const ConvParams& p, Shape4 filter, Shape4 out, const uint8_t* weights,
                        const int32_t* bias, DepthwisePack* pk) {
  return BuildPackImpl(p, filter, out, weights, bias, pk);
}
bool BuildDepthwisePack(const ConvParams& p, Shape4 filter, Shape4 out, const int8_t* weights,
                        const int32_t* bias, DepthwisePack* pk) {
  return BuildPackImpl(p, filter, out, weights, bias, pk);
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

#elif !defined(__aarch64__)  // neither x86 nor 64-bit ARM (fast_neon.cc): no fast path.

bool BuildDepthwisePack(const ConvParams&, Shape4, Shape4, const uint8_t*, const int32_t*,
                        DepthwisePack*) { return false; }
bool BuildDepthwisePack(const ConvParams&, Shape4, Shape4, const int8_t*, const int32_t*,
                        DepthwisePack*) { return false; }
bool DepthwiseConv2D(const ConvParams&, Shape4, const uint8_t*, Shape4, const uint8_t*,
                     const int32_t*, Shape4, uint8_t*, const ExecContext&) { return false; }
bool DepthwiseConv2D(const ConvParams&, Shape4, const int8_t*, Shape4, const int8_t*,
                     const int32_t*, Shape4, int8_t*, const ExecContext&) { return false; }

#endif

}  // namespace etpu::kernels::fast
