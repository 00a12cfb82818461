// Fast DEPTHWISE_CONV_2D (depth multiplier 1, any kernel size <= 64 taps, stride, dilation,
// padding), vectorised over channels: blocks of 16 channels (and one block of 8 after them) take
// two taps per vpmaddwd ((x + input_offset) and (w + filter_offset) as int16, interleaved), the
// last < 8 channels are scalar. Taps outside the input contribute 0 (the reference
// skips them). Then the vector requantization, 8 lanes at a time. The weights are packed once
// (DepthwisePack, at prepare time with a PackedLayer); output rows split over a thread pool.
#include <algorithm>
#include <vector>

#include "kernels/fast_kernels.h"
#include "kernels/fast_simd.h"

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

template <typename T>
ETPU_AVX2 bool DepthwiseImpl(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                             const T* weights, const int32_t* bias, Shape4 out, T* output,
                             const ExecContext& ctx) {
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
  const RequantTable& rq = pk.rq;
  const std::vector<int32_t>& wt = pk.wt;
  const std::vector<int32_t>& bs = pk.bs;
  const std::vector<int16_t>& wp = pk.wp;
  const int c_n = out.c;
  const int c16 = c_n / 16 * 16;
  const int c8 = c_n / 8 * 8;
  const int taps = pk.taps;
  const int pairs = (taps + 1) / 2;
  const int blocks = c16 / 16;
  const __m256i io16 = _mm256_set1_epi16(static_cast<int16_t>(p.input_offset));
  const RequantVec rv = MakeRequantVec(rq);
  // One output pixel, channels [c_begin, c_n): any position (taps outside the input skipped).
  auto pixel = [&](int b, int oy, int ox, int c_begin) ETPU_AVX2 {
    const int iy0 = oy * p.stride_h - p.pad_top;
    const int ix0 = ox * p.stride_w - p.pad_left;
    // Every tap in filter order; nullptr for taps outside the input (skipped: they add 0).
    const T* src[66];
    const T* valid[64];
    const int32_t* wsrc[64];
    int nv = 0;
    for (int fy = 0; fy < filter.h; ++fy) {
      const int iy = iy0 + p.dilation_h * fy;
      for (int fx = 0; fx < filter.w; ++fx) {
        const int ix = ix0 + p.dilation_w * fx;
        const int t = fy * filter.w + fx;
        if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) {
          src[t] = nullptr;
          continue;
        }
        src[t] = input + Offset(in, b, iy, ix, 0);
        valid[nv] = src[t];
        wsrc[nv] = wt.data() + static_cast<size_t>(t) * c_n;
        ++nv;
      }
    }
    src[taps] = nullptr;
    T* dst = output + Offset(out, b, oy, ox, 0);
    int c = c_begin;
    for (; c < c16; c += 16) {
      __m256i acc_lo = _mm256_setzero_si256(), acc_hi = _mm256_setzero_si256();
      const int16_t* wq = wp.data() + static_cast<size_t>(c / 16) * 32;
      for (int q = 0; q < pairs; ++q, wq += static_cast<size_t>(blocks) * 32) {
        const T* s0 = src[2 * q];
        const T* s1 = src[2 * q + 1];
        if (s0 == nullptr && s1 == nullptr) continue;
        const __m256i x0 = s0 ? _mm256_add_epi16(Widen16(s0 + c), io16) : _mm256_setzero_si256();
        const __m256i x1 = s1 ? _mm256_add_epi16(Widen16(s1 + c), io16) : _mm256_setzero_si256();
        const __m256i wlo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq));
        const __m256i whi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + 16));
        acc_lo = _mm256_add_epi32(acc_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), wlo));
        acc_hi = _mm256_add_epi32(acc_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), whi));
      }
      // lo holds channels 0-3 | 8-11, hi 4-7 | 12-15.
      for (int half = 0; half < 2; ++half) {
        const int cc = c + 8 * half;
        __m256i acc = half == 0 ? _mm256_permute2x128_si256(acc_lo, acc_hi, 0x20)
                                : _mm256_permute2x128_si256(acc_lo, acc_hi, 0x31);
        acc = _mm256_add_epi32(acc, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bs.data() + cc)));
        Store8(RequantAt(rv, rq, acc, cc), dst + cc);
      }
    }
    if (c < c8) {  // One block of 8 channels (c == c16): two taps per vpmaddwd as above.
      __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bs.data() + c));
      const __m128i io8 = _mm256_castsi256_si128(io16);
      for (int q = 0; q < pairs; ++q) {
        const T* s0 = src[2 * q];
        const T* s1 = src[2 * q + 1];
        if (s0 == nullptr && s1 == nullptr) continue;
        const __m128i x0 = s0 ? _mm_add_epi16(Widen8To16(s0 + c), io8) : _mm_setzero_si128();
        const __m128i x1 = s1 ? _mm_add_epi16(Widen8To16(s1 + c), io8) : _mm_setzero_si128();
        const __m256i xv = _mm256_set_m128i(_mm_unpackhi_epi16(x0, x1), _mm_unpacklo_epi16(x0, x1));
        const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(pk.wp8.data() + q * 16));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(xv, wv));
      }
      Store8(RequantAt(rv, rq, acc, c), dst + c);
      c += 8;
    }
    for (; c < c_n; ++c) {
      int32_t a = bs[static_cast<size_t>(c)];
      for (int t = 0; t < nv; ++t) a += (int32_t{valid[t][c]} + p.input_offset) * wsrc[t][c];
      const int32_t v = MultiplyByQuantizedMultiplier(a, rq.scalar_mult(c), rq.scalar_shift(c));
      dst[c] = static_cast<T>(Clamp(v + rq.out_offset, rq.act_min, rq.act_max));
    }
  };
  // Interior of a 3x3 filter (every tap inside the input): blocks of 16 channels outer, pixels
  // inner, the tap-pair weights held in registers.
  int ox_lo = out.w, ox_hi = 0;
  for (int ox = 0; ox < out.w; ++ox) {
    const int ix0 = ox * p.stride_w - p.pad_left;
    if (ix0 >= 0 && ix0 + p.dilation_w * (filter.w - 1) < in.w) {
      ox_lo = std::min(ox_lo, ox);
      ox_hi = ox + 1;
    }
  }
  int64_t tap_off[9] = {};
  const bool fast3x3 = taps == 9 && filter.h == 3 && ox_lo < ox_hi && blocks > 0;
  if (fast3x3) {
    for (int fy = 0; fy < 3; ++fy)
      for (int fx = 0; fx < 3; ++fx)
        tap_off[fy * 3 + fx] = (int64_t{p.dilation_h} * fy * in.w + int64_t{p.dilation_w} * fx) * in.c;
  }
  auto interior = [&](int b, int oy) ETPU_AVX2 {
    const int iy0 = oy * p.stride_h - p.pad_top;
    const size_t pair_stride = static_cast<size_t>(blocks) * 32;
    for (int cb = 0; cb < blocks; ++cb) {
      const int c = cb * 16;
      const int16_t* wq = wp.data() + static_cast<size_t>(cb) * 32;
      __m256i wl[5], wh[5];
      for (int q = 0; q < 5; ++q) {
        wl[q] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + q * pair_stride));
        wh[q] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + q * pair_stride + 16));
      }
      const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bs.data() + c));
      const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bs.data() + c + 8));
      for (int ox = ox_lo; ox < ox_hi; ++ox) {
        const T* base = input + Offset(in, b, iy0, ox * p.stride_w - p.pad_left, c);
        __m256i x[10];
        for (int t = 0; t < 9; ++t) x[t] = _mm256_add_epi16(Widen16(base + tap_off[t]), io16);
        x[9] = _mm256_setzero_si256();
        __m256i lo_acc = _mm256_madd_epi16(_mm256_unpacklo_epi16(x[0], x[1]), wl[0]);
        __m256i hi_acc = _mm256_madd_epi16(_mm256_unpackhi_epi16(x[0], x[1]), wh[0]);
        for (int q = 1; q < 5; ++q) {
          lo_acc = _mm256_add_epi32(lo_acc, _mm256_madd_epi16(_mm256_unpacklo_epi16(x[2 * q], x[2 * q + 1]), wl[q]));
          hi_acc = _mm256_add_epi32(hi_acc, _mm256_madd_epi16(_mm256_unpackhi_epi16(x[2 * q], x[2 * q + 1]), wh[q]));
        }
        T* dst = output + Offset(out, b, oy, ox, c);
        const __m256i a0 = _mm256_add_epi32(_mm256_permute2x128_si256(lo_acc, hi_acc, 0x20), b0);
        const __m256i a1 = _mm256_add_epi32(_mm256_permute2x128_si256(lo_acc, hi_acc, 0x31), b1);
        Store8(RequantAt(rv, rq, a0, c), dst);
        Store8(RequantAt(rv, rq, a1, c + 8), dst + 8);
      }
    }
    if (c16 < c_n) {
      for (int ox = ox_lo; ox < ox_hi; ++ox) pixel(b, oy, ox, c16);
    }
  };
  // Output rows (batch x oy) split over the pool's threads.
  ParallelFor(ctx.pool, int64_t{out.n} * out.h, [&](int64_t begin, int64_t end) ETPU_AVX2 {
    for (int64_t row = begin; row < end; ++row) {
      const int b = static_cast<int>(row / out.h), oy = static_cast<int>(row % out.h);
      const int iy0 = oy * p.stride_h - p.pad_top;
      const bool row_inside = iy0 >= 0 && iy0 + p.dilation_h * (filter.h - 1) < in.h;
      if (fast3x3 && row_inside) {
        for (int ox = 0; ox < ox_lo; ++ox) pixel(b, oy, ox, 0);
        interior(b, oy);
        for (int ox = ox_hi; ox < out.w; ++ox) pixel(b, oy, ox, 0);
      } else {
        for (int ox = 0; ox < out.w; ++ox) pixel(b, oy, ox, 0);
      }
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
