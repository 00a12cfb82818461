// Fast quantized ADD / SUB for inputs of the output's shape (no broadcasting): 8 lanes per
// AVX2 vector, the reference's three MultiplyByQuantizedMultiplierSmallerThanOneExp steps done
// with the exact vector high-mul and rounding shift of fast_simd.h.
#include "kernels/fast_kernels.h"
#include "kernels/fast_simd.h"
#include "kernels/quant_utils.h"

namespace etpu::kernels::fast {
namespace {

bool Fits(const ArithmeticParams& p) {
  auto mul_ok = [](int32_t m, int s) { return m >= 0 && s <= 0 && s >= -31; };
  return p.left_shift >= 0 && p.left_shift <= 20 && p.input1_offset >= -256 &&
         p.input1_offset <= 256 && p.input2_offset >= -256 && p.input2_offset <= 256 &&
         mul_ok(p.input1_multiplier, p.input1_shift) && mul_ok(p.input2_multiplier, p.input2_shift) &&
         mul_ok(p.output_multiplier, p.output_shift);
}

template <typename T>
void ScalarAddSub(const ArithmeticParams& p, bool subtract, int64_t from, int64_t n, const T* a,
                  const T* b, T* out) {
  for (int64_t i = from; i < n; ++i) out[i] = AddSubElement<T>(p, subtract, a[i], b[i]);
}

#ifdef ETPU_FAST_X86
struct Lanes {
  __m256i m, r, mask, half;
};

ETPU_AVX2 inline Lanes MakeLanes(int32_t m, int shift) {
  const int right = -shift;
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right) - 1);
  return {_mm256_set1_epi32(m), _mm256_set1_epi32(right), _mm256_set1_epi32(mask),
          _mm256_set1_epi32(mask >> 1)};
}

template <typename T>
ETPU_AVX2 void AddSubAvx2(const ArithmeticParams& p, bool subtract, int64_t n, const T* a,
                          const T* b, T* out) {
  const Lanes l1 = MakeLanes(p.input1_multiplier, p.input1_shift);
  const Lanes l2 = MakeLanes(p.input2_multiplier, p.input2_shift);
  const Lanes lo = MakeLanes(p.output_multiplier, p.output_shift);
  const __m256i off1 = _mm256_set1_epi32(p.input1_offset), off2 = _mm256_set1_epi32(p.input2_offset);
  const __m256i ooff = _mm256_set1_epi32(p.output_offset);
  const __m256i vmin = _mm256_set1_epi32(p.act_min), vmax = _mm256_set1_epi32(p.act_max);
  const __m128i ls = _mm_cvtsi32_si128(p.left_shift);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i x1 = _mm256_sll_epi32(_mm256_add_epi32(Widen8To32(a + i), off1), ls);
    const __m256i x2 = _mm256_sll_epi32(_mm256_add_epi32(Widen8To32(b + i), off2), ls);
    const __m256i y1 = MulShiftLanes(x1, l1.m, l1.r, l1.mask, l1.half);
    const __m256i y2 = MulShiftLanes(x2, l2.m, l2.r, l2.mask, l2.half);
    const __m256i raw = subtract ? _mm256_sub_epi32(y1, y2) : _mm256_add_epi32(y1, y2);
    __m256i v = _mm256_add_epi32(MulShiftLanes(raw, lo.m, lo.r, lo.mask, lo.half), ooff);
    v = _mm256_min_epi32(_mm256_max_epi32(v, vmin), vmax);
    Store8(v, out + i);
  }
  ScalarAddSub(p, subtract, i, n, a, b, out);
}
#endif

template <typename T>
bool AddSubImpl(const ArithmeticParams& p, bool subtract, int64_t n, const T* a, const T* b,
                T* out) {
#ifdef ETPU_FAST_X86
  if (!Fits(p)) return false;
  AddSubAvx2(p, subtract, n, a, b, out);
  return true;
#else
  (void)p, (void)subtract, (void)n, (void)a, (void)b, (void)out;
  return false;
#endif
}

}  // namespace

bool AddSub(const ArithmeticParams& p, bool subtract, int64_t n, const uint8_t* a,
            const uint8_t* b, uint8_t* out) {
  return AddSubImpl(p, subtract, n, a, b, out);
}
bool AddSub(const ArithmeticParams& p, bool subtract, int64_t n, const int8_t* a, const int8_t* b,
            int8_t* out) {
  return AddSubImpl(p, subtract, n, a, b, out);
}

}  // namespace etpu::kernels::fast
