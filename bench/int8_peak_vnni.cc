// AVX512-VNNI int8 peak loop (compiled with -mavx512f -mavx512vnni; int8_peak.h). Twelve
// independent accumulators of vpdpbusd on 512-bit vectors (64 u8 x s8 products each).
#include <immintrin.h>

#include "int8_peak.h"

namespace etpu::bench {

int32_t PeakLoopVnni(int64_t iterations) {
  __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  __m512i acc[12];
  for (auto& v : acc) v = _mm512_setzero_si512();
  for (int64_t i = 0; i < iterations; ++i) {
    // The operands are opaque to the compiler: the products are computed every iteration.
    __asm__ volatile("" : "+v"(a), "+v"(b));
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) acc[j] = _mm512_dpbusd_epi32(acc[j], a, b);
  }
  __m512i s = acc[0];
  for (int j = 1; j < 12; ++j) s = _mm512_add_epi32(s, acc[j]);
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, s);
  return lanes[0];
}

}  // namespace etpu::bench
