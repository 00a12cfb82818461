// Fast inner loop of the uint8 RESIZE_BILINEAR (TFLite 2.9 float path): the same float
// products summed in the same order ((y0x0 + y0x1) + y1x0) + y1x1 on 8 channels per AVX vector
// (separate multiplies and adds, never fused), then round half away from zero done exactly
// (trunc, then +-1 when the exact fractional part is >= 0.5) and the [0, 255] clamp.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/fast_kernels.h"
#include "kernels/fast_simd.h"

namespace etpu::kernels::fast {

namespace {

void BilinearScalar(const uint8_t* p00, const uint8_t* p01, const uint8_t* p10,
                    const uint8_t* p11, const float s[4], int from, int n, uint8_t* o) {
  for (int c = from; c < n; ++c) {
    const float v = p00[c] * s[0] + p01[c] * s[1] + p10[c] * s[2] + p11[c] * s[3];
    o[c] = static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, std::round(v))));
  }
}

#ifdef ETPU_FAST_X86
ETPU_AVX2 inline __m256 Load8f(const uint8_t* p) {
  return _mm256_cvtepi32_ps(Widen8To32(p));
}

ETPU_AVX2 inline __m256i Bilinear8(const uint8_t* p00, const uint8_t* p01, const uint8_t* p10,
                                   const uint8_t* p11, __m256 s0, __m256 s1, __m256 s2,
                                   __m256 s3) {
  __m256 v = _mm256_add_ps(_mm256_mul_ps(Load8f(p00), s0), _mm256_mul_ps(Load8f(p01), s1));
  v = _mm256_add_ps(v, _mm256_mul_ps(Load8f(p10), s2));
  v = _mm256_add_ps(v, _mm256_mul_ps(Load8f(p11), s3));
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 frac = _mm256_sub_ps(v, t);  // exact
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256 abs_frac = _mm256_andnot_ps(sign_mask, frac);
  const __m256 one = _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(sign_mask, v));
  const __m256 adj = _mm256_and_ps(_mm256_cmp_ps(abs_frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ), one);
  __m256 r = _mm256_add_ps(t, adj);
  r = _mm256_min_ps(_mm256_set1_ps(255.0f), _mm256_max_ps(_mm256_setzero_ps(), r));
  return _mm256_cvttps_epi32(r);
}

ETPU_AVX2 void BilinearAvx2(const uint8_t* p00, const uint8_t* p01, const uint8_t* p10,
                            const uint8_t* p11, const float s[4], int n, uint8_t* o) {
  const __m256 s0 = _mm256_set1_ps(s[0]), s1 = _mm256_set1_ps(s[1]), s2 = _mm256_set1_ps(s[2]),
               s3 = _mm256_set1_ps(s[3]);
  int c = 0;
  for (; c + 8 <= n; c += 8) Store8(Bilinear8(p00 + c, p01 + c, p10 + c, p11 + c, s0, s1, s2, s3), o + c);
  if (c < n) {
    uint8_t t[4][8] = {}, r[8];
    const int m = n - c;
    std::memcpy(t[0], p00 + c, static_cast<size_t>(m));
    std::memcpy(t[1], p01 + c, static_cast<size_t>(m));
    std::memcpy(t[2], p10 + c, static_cast<size_t>(m));
    std::memcpy(t[3], p11 + c, static_cast<size_t>(m));
    Store8(Bilinear8(t[0], t[1], t[2], t[3], s0, s1, s2, s3), r);
    std::memcpy(o + c, r, static_cast<size_t>(m));
  }
}
#endif

}  // namespace

void BilinearPixelU8(const uint8_t* p00, const uint8_t* p01, const uint8_t* p10,
                     const uint8_t* p11, const float s[4], int channels, bool simd, uint8_t* o) {
#ifdef ETPU_FAST_X86
  if (simd) {
    BilinearAvx2(p00, p01, p10, p11, s, channels, o);
    return;
  }
#endif
  (void)simd;
  BilinearScalar(p00, p01, p10, p11, s, 0, channels, o);
}

}  // namespace etpu::kernels::fast
