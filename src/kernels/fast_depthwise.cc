// Fast DEPTHWISE_CONV_2D (depth multiplier 1, any kernel size, stride, dilation, padding),
// vectorised over channels: 8 channels per AVX2 vector, (x + input_offset) * (w + filter_offset)
// in int32 (vpmulld), summed over the taps that fall inside the input (padded taps are skipped
// as in the reference), then requantized 8 lanes at a time.
#include <algorithm>
#include <vector>

#include "kernels/fast_kernels.h"
#include "kernels/fast_simd.h"

namespace etpu::kernels::fast {

#ifdef ETPU_FAST_X86
namespace {

template <typename T>
ETPU_AVX2 bool DepthwiseImpl(const ConvParams& p, Shape4 in, const T* input, Shape4 filter,
                             const T* weights, const int32_t* bias, Shape4 out, T* output) {
  if (p.depth_multiplier != 1) return false;
  if (p.input_offset < -256 || p.input_offset > 256 || p.filter_offset < -256 ||
      p.filter_offset > 256) {
    return false;
  }
  RequantTable rq;
  if (!BuildRequantTable(p.output_multiplier, p.output_shift, out.c, p.output_offset, p.act_min,
                         p.act_max, &rq)) {
    return false;
  }
  const int c_n = out.c;
  const int c8 = c_n / 8 * 8;
  const int taps = filter.h * filter.w;
  if (taps > 64) return false;
  // w'[tap][c] = w + filter_offset as int32; bias padded.
  thread_local std::vector<int32_t> wt, bs;
  wt.resize(static_cast<size_t>(taps) * c_n);
  for (int t = 0; t < taps; ++t)
    for (int c = 0; c < c_n; ++c)
      wt[static_cast<size_t>(t) * c_n + c] = int32_t{weights[int64_t{t} * c_n + c]} + p.filter_offset;
  bs.assign(static_cast<size_t>(c_n), 0);
  if (bias) std::copy(bias, bias + c_n, bs.begin());
  const __m256i io = _mm256_set1_epi32(p.input_offset);
  const __m256i off = _mm256_set1_epi32(rq.out_offset);
  const __m256i lo = _mm256_set1_epi32(rq.act_min);
  const __m256i hi = _mm256_set1_epi32(rq.act_max);
  for (int b = 0; b < out.n; ++b) {
    for (int oy = 0; oy < out.h; ++oy) {
      const int iy0 = oy * p.stride_h - p.pad_top;
      for (int ox = 0; ox < out.w; ++ox) {
        const int ix0 = ox * p.stride_w - p.pad_left;
        // Valid taps of this output pixel.
        const T* src[64];
        const int32_t* wsrc[64];
        int nv = 0;
        for (int fy = 0; fy < filter.h; ++fy) {
          const int iy = iy0 + p.dilation_h * fy;
          if (iy < 0 || iy >= in.h) continue;
          for (int fx = 0; fx < filter.w; ++fx) {
            const int ix = ix0 + p.dilation_w * fx;
            if (ix < 0 || ix >= in.w) continue;
            src[nv] = input + Offset(in, b, iy, ix, 0);
            wsrc[nv] = wt.data() + static_cast<size_t>(fy * filter.w + fx) * c_n;
            ++nv;
          }
        }
        T* dst = output + Offset(out, b, oy, ox, 0);
        int c = 0;
        for (; c < c8; c += 8) {
          __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bs.data() + c));
          for (int t = 0; t < nv; ++t) {
            const __m256i xv = _mm256_add_epi32(Widen8To32(src[t] + c), io);
            const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wsrc[t] + c));
            acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(xv, wv));
          }
          const auto L = [&](const std::vector<int32_t>& v) ETPU_AVX2 {
            return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v.data() + c));
          };
          Store8(RequantLanes(acc, L(rq.mult), L(rq.left), L(rq.right), L(rq.mask), L(rq.half),
                              off, lo, hi),
                 dst + c);
        }
        if (c < c_n) {
          int32_t tail[8];
          for (int cc = c; cc < c_n; ++cc) {
            int32_t a = bs[static_cast<size_t>(cc)];
            for (int t = 0; t < nv; ++t) a += (int32_t{src[t][cc]} + p.input_offset) * wsrc[t][cc];
            tail[cc - c] = a;
          }
          for (int cc = c; cc < c_n; ++cc) {
            int32_t v = MultiplyByQuantizedMultiplier(tail[cc - c], rq.scalar_mult(cc),
                                                      rq.scalar_shift(cc));
            dst[cc] = static_cast<T>(Clamp(v + rq.out_offset, rq.act_min, rq.act_max));
          }
        }
      }
    }
  }
  return true;
}

}  // namespace

bool DepthwiseConv2D(const ConvParams& p, Shape4 in, const uint8_t* input, Shape4 filter,
                     const uint8_t* weights, const int32_t* bias, Shape4 out, uint8_t* output) {
  return DepthwiseImpl(p, in, input, filter, weights, bias, out, output);
}
bool DepthwiseConv2D(const ConvParams& p, Shape4 in, const int8_t* input, Shape4 filter,
                     const int8_t* weights, const int32_t* bias, Shape4 out, int8_t* output) {
  return DepthwiseImpl(p, in, input, filter, weights, bias, out, output);
}

#else

bool DepthwiseConv2D(const ConvParams&, Shape4, const uint8_t*, Shape4, const uint8_t*,
                     const int32_t*, Shape4, uint8_t*) { return false; }
bool DepthwiseConv2D(const ConvParams&, Shape4, const int8_t*, Shape4, const int8_t*,
                     const int32_t*, Shape4, int8_t*) { return false; }

#endif

}  // namespace etpu::kernels::fast
