// Internal: AVX2 helpers shared by the fast kernels (x86 only; every function carries the
// avx2 target attribute, so the files build with default flags and run only after a run-time
// CPU check).
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#define ETPU_FAST_X86 1
#include <immintrin.h>

#include <cstdint>

#include "kernels/fast_kernels.h"

#define ETPU_AVX2 __attribute__((target("avx2")))

namespace etpu::kernels::fast {

/// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, mult), right) on 8 lanes (the
/// reference's MultiplyByQuantizedMultiplierSmallerThanOneExp). Requires mult >= 0 and
/// 0 <= right <= 31; mask = 2^right - 1, half = mask >> 1.
ETPU_AVX2 inline __m256i MulShiftLanes(__m256i x, __m256i mult, __m256i right, __m256i mask,
                                       __m256i half) {
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(x, mult), nudge);
  __m256i po = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(mult, 32)), nudge);
  pe = _mm256_srli_epi64(pe, 31);
  po = _mm256_slli_epi64(_mm256_srli_epi64(po, 31), 32);
  const __m256i h = _mm256_blend_epi32(pe, po, 0xAA);
  const __m256i rem = _mm256_and_si256(h, mask);
  const __m256i thr = _mm256_add_epi32(half, _mm256_srli_epi32(h, 31));
  return _mm256_sub_epi32(_mm256_srav_epi32(h, right), _mm256_cmpgt_epi32(rem, thr));
}

/// MultiplyByQuantizedMultiplier(acc, m, shift) + offset, clamped, on 8 lanes. left/right are
/// the shift split as the reference does; mask = 2^right - 1, half = mask >> 1. Requires
/// m >= 0 and 0 <= left, right <= 31.
ETPU_AVX2 inline __m256i RequantLanes(__m256i acc, __m256i mult, __m256i left, __m256i right,
                                      __m256i mask, __m256i half, __m256i offset, __m256i lo,
                                      __m256i hi) {
  const __m256i x = _mm256_sllv_epi32(acc, left);
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  // Even lanes: signed 32x32->64 products of lanes 0,2,4,6; odd lanes shifted down first.
  __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(x, mult), nudge);
  __m256i po = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(mult, 32)), nudge);
  // floor(v / 2^31): the low 32 bits of a logical and an arithmetic shift agree.
  pe = _mm256_srli_epi64(pe, 31);
  po = _mm256_slli_epi64(_mm256_srli_epi64(po, 31), 32);
  const __m256i h = _mm256_blend_epi32(pe, po, 0xAA);
  // RoundingDivideByPOT: (h >> e) + ((h & mask) > (mask >> 1) + (h < 0)).
  const __m256i rem = _mm256_and_si256(h, mask);
  const __m256i thr = _mm256_add_epi32(half, _mm256_srli_epi32(h, 31));
  __m256i r = _mm256_sub_epi32(_mm256_srav_epi32(h, right), _mm256_cmpgt_epi32(rem, thr));
  r = _mm256_add_epi32(r, offset);
  return _mm256_min_epi32(_mm256_max_epi32(r, lo), hi);
}

/// A RequantTable's constants in registers (for per-tensor tables: no per-channel loads).
struct RequantVec {
  __m256i m, left, right, mask, half, off, lo, hi;
  bool uniform, no_left;
};

ETPU_AVX2 inline RequantVec MakeRequantVec(const RequantTable& t) {
  return {_mm256_set1_epi32(t.mult[0]),  _mm256_set1_epi32(t.left[0]),
          _mm256_set1_epi32(t.right[0]), _mm256_set1_epi32(t.mask[0]),
          _mm256_set1_epi32(t.half[0]),  _mm256_set1_epi32(t.out_offset),
          _mm256_set1_epi32(t.act_min),  _mm256_set1_epi32(t.act_max),
          t.uniform,                     t.uniform && t.left[0] == 0};
}

ETPU_AVX2 inline __m256i LoadAt(const std::vector<int32_t>& v, int c) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v.data() + c));
}

/// Requantizes the accumulators of channels [c, c + 8) (same result as RequantLanes with the
/// table's entries; a per-tensor table uses the constants of `v`).
ETPU_AVX2 inline __m256i RequantAt(const RequantVec& v, const RequantTable& t, __m256i acc, int c) {
  if (v.uniform) {
    const __m256i x = v.no_left ? acc : _mm256_sllv_epi32(acc, v.left);
    const __m256i r = _mm256_add_epi32(MulShiftLanes(x, v.m, v.right, v.mask, v.half), v.off);
    return _mm256_min_epi32(_mm256_max_epi32(r, v.lo), v.hi);
  }
  return RequantLanes(acc, LoadAt(t.mult, c), LoadAt(t.left, c), LoadAt(t.right, c),
                      LoadAt(t.mask, c), LoadAt(t.half, c), v.off, v.lo, v.hi);
}

/// Packs 8 int32 lanes already within the 8-bit range into 8 bytes at dst.
ETPU_AVX2 inline void Store8(__m256i v, uint8_t* dst) {
  const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), _mm_packus_epi16(p16, p16));
}
ETPU_AVX2 inline void Store8(__m256i v, int8_t* dst) {
  const __m128i p16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), _mm_packs_epi16(p16, p16));
}

/// 16 bytes -> 16 int16 lanes (zero- or sign-extended).
ETPU_AVX2 inline __m256i Widen16(const uint8_t* src) {
  return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
}
ETPU_AVX2 inline __m256i Widen16(const int8_t* src) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
}
/// 8 bytes -> 8 int32 lanes.
ETPU_AVX2 inline __m256i Widen8To32(const uint8_t* src) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src)));
}
ETPU_AVX2 inline __m256i Widen8To32(const int8_t* src) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src)));
}

/// dst[i] = src[i] + offset as int16, n elements.
template <typename T>
ETPU_AVX2 inline void WidenAdd(const T* src, int n, int16_t offset, int16_t* dst) {
  const __m256i off = _mm256_set1_epi16(offset);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                        _mm256_add_epi16(Widen16(src + i), off));
  }
  for (; i < n; ++i) dst[i] = static_cast<int16_t>(int32_t{src[i]} + offset);
}

}  // namespace etpu::kernels::fast

#endif  // x86
