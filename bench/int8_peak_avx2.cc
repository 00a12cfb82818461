// AVX2 int8 peak loop (compiled with -mavx2; int8_peak.h). Six independent chains of vpmaddubsw
// (u8 x s8 -> pairs summed to s16) + vpmaddwd by ones (-> s32) + vpaddd, in inline assembly
// (in C the six identical products would be computed once).
#include <immintrin.h>

#include "int8_peak.h"

namespace etpu::bench {

int32_t PeakLoopAvx2(int64_t iterations) {
  const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2), ones = _mm256_set1_epi16(1);
  __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0, acc4 = acc0, acc5 = acc0;
  for (int64_t i = 0; i < iterations; ++i) {
    __m256i t0, t1, t2, t3, t4, t5;
    __asm__ volatile(
        "vpmaddubsw %[b], %[a], %[t0]\n\t"
        "vpmaddubsw %[b], %[a], %[t1]\n\t"
        "vpmaddubsw %[b], %[a], %[t2]\n\t"
        "vpmaddubsw %[b], %[a], %[t3]\n\t"
        "vpmaddubsw %[b], %[a], %[t4]\n\t"
        "vpmaddubsw %[b], %[a], %[t5]\n\t"
        "vpmaddwd %[ones], %[t0], %[t0]\n\t"
        "vpmaddwd %[ones], %[t1], %[t1]\n\t"
        "vpmaddwd %[ones], %[t2], %[t2]\n\t"
        "vpmaddwd %[ones], %[t3], %[t3]\n\t"
        "vpmaddwd %[ones], %[t4], %[t4]\n\t"
        "vpmaddwd %[ones], %[t5], %[t5]\n\t"
        "vpaddd %[t0], %[acc0], %[acc0]\n\t"
        "vpaddd %[t1], %[acc1], %[acc1]\n\t"
        "vpaddd %[t2], %[acc2], %[acc2]\n\t"
        "vpaddd %[t3], %[acc3], %[acc3]\n\t"
        "vpaddd %[t4], %[acc4], %[acc4]\n\t"
        "vpaddd %[t5], %[acc5], %[acc5]\n\t"
        : [acc0] "+x"(acc0), [acc1] "+x"(acc1), [acc2] "+x"(acc2), [acc3] "+x"(acc3),
          [acc4] "+x"(acc4), [acc5] "+x"(acc5), [t0] "=&x"(t0), [t1] "=&x"(t1), [t2] "=&x"(t2),
          [t3] "=&x"(t3), [t4] "=&x"(t4), [t5] "=&x"(t5)
        : [a] "x"(a), [b] "x"(b), [ones] "x"(ones));
  }
  const __m256i s = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(acc0, acc1), _mm256_add_epi32(acc2, acc3)),
                                     _mm256_add_epi32(acc4, acc5));
  return _mm256_extract_epi32(s, 0);
}

}  // namespace etpu::bench
