// Internal: AVX-512 helpers shared by the fast kernels' VNNI paths (x86 only; every function
// carries the ETPU_VNNI target attribute and runs only after a run-time CPU check).
#pragma once

#include "kernels/fast_simd.h"

#ifdef ETPU_FAST_X86

// GCC 12's 512-bit intrinsics start from a self-initialised "undefined" vector, which
// -Wmaybe-uninitialized / -Wuninitialized report (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#define ETPU_VNNI __attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512vnni")))

namespace etpu::kernels::fast {

/// A RequantTable's entries for 16 channels in 512-bit registers.
struct Rq16 {
  __m512i m, left, right, mask, half, off, lo, hi;
};

ETPU_VNNI inline __m512i Load16(const std::vector<int32_t>& v, int c) {
  return _mm512_loadu_si512(v.data() + c);
}

ETPU_VNNI inline Rq16 MakeRq16(const RequantTable& t, int c) {
  return {Load16(t.mult, c), Load16(t.left, c), Load16(t.right, c), Load16(t.mask, c),
          Load16(t.half, c), _mm512_set1_epi32(t.out_offset), _mm512_set1_epi32(t.act_min),
          _mm512_set1_epi32(t.act_max)};
}

/// RequantLanes (fast_simd.h) on 16 lanes: the same integer steps with 512-bit vectors.
ETPU_VNNI inline __m512i Requant16(const Rq16& q, __m512i acc) {
  const __m512i x = _mm512_sllv_epi32(acc, q.left);
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  __m512i pe = _mm512_add_epi64(_mm512_mul_epi32(x, q.m), nudge);
  __m512i po = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(q.m, 32)), nudge);
  pe = _mm512_srli_epi64(pe, 31);
  po = _mm512_slli_epi64(_mm512_srli_epi64(po, 31), 32);
  const __m512i h = _mm512_mask_blend_epi32(0xAAAA, pe, po);
  const __m512i rem = _mm512_and_si512(h, q.mask);
  const __m512i thr = _mm512_add_epi32(q.half, _mm512_srli_epi32(h, 31));
  __m512i r = _mm512_srav_epi32(h, q.right);
  r = _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(rem, thr), r, _mm512_set1_epi32(1));
  r = _mm512_add_epi32(r, q.off);
  return _mm512_min_epi32(_mm512_max_epi32(r, q.lo), q.hi);
}

/// 32 bytes -> 32 int16 lanes (zero- or sign-extended).
ETPU_VNNI inline __m512i Widen32(const uint8_t* src) {
  return _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)));
}
ETPU_VNNI inline __m512i Widen32(const int8_t* src) {
  return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)));
}

/// 16 int32 lanes already within the 8-bit range -> 16 bytes at dst.
ETPU_VNNI inline void Store16(__m512i v, uint8_t* dst) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_cvtepi32_epi8(v));
}
ETPU_VNNI inline void Store16(__m512i v, int8_t* dst) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_cvtepi32_epi8(v));
}

}  // namespace etpu::kernels::fast

#endif  // ETPU_FAST_X86
