// Fast quantized ADD / SUB for inputs of the output's shape (no broadcasting): 8 lanes per
// AVX2 vector, the reference's three MultiplyByQuantizedMultiplierSmallerThanOneExp steps done
// with the exact vector high-mul and rounding shift of fast_simd.h. On 64-bit ARM the same with
// NEON, 8 lanes as two int32x4: SQRDMULH is SaturatingRoundingDoublingHighMul (it saturates only
// for INT32_MIN * INT32_MIN, excluded by the multipliers being >= 0) and the rounding shift is
// the reference's mask / threshold formula.
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

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

#if defined(__aarch64__)
struct NeonLanes {
  int32x4_t m, neg_right, mask, half;
};

inline NeonLanes MakeNeonLanes(int32_t m, int shift) {
  const int right = -shift;
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right) - 1);
  return {vdupq_n_s32(m), vdupq_n_s32(-right), vdupq_n_s32(mask), vdupq_n_s32(mask >> 1)};
}

/// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, m), right) on 4 lanes.
inline int32x4_t MulShift(int32x4_t x, const NeonLanes& l) {
  const int32x4_t h = vqrdmulhq_s32(x, l.m);
  const int32x4_t rem = vandq_s32(h, l.mask);
  const int32x4_t thr = vsubq_s32(l.half, vshrq_n_s32(h, 31));  // half + (h < 0)
  return vsubq_s32(vshlq_s32(h, l.neg_right), vreinterpretq_s32_u32(vcgtq_s32(rem, thr)));
}

inline void Widen8(const uint8_t* x, int32x4_t* lo, int32x4_t* hi) {
  const uint16x8_t v = vmovl_u8(vld1_u8(x));
  *lo = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(v)));
  *hi = vreinterpretq_s32_u32(vmovl_high_u16(v));
}
inline void Widen8(const int8_t* x, int32x4_t* lo, int32x4_t* hi) {
  const int16x8_t v = vmovl_s8(vld1_s8(x));
  *lo = vmovl_s16(vget_low_s16(v));
  *hi = vmovl_high_s16(v);
}
/// Stores 8 lanes already clamped to the type's range.
inline void Narrow8(int32x4_t lo, int32x4_t hi, uint8_t* out) {
  vst1_u8(out, vmovn_u16(vreinterpretq_u16_s16(vcombine_s16(vmovn_s32(lo), vmovn_s32(hi)))));
}
inline void Narrow8(int32x4_t lo, int32x4_t hi, int8_t* out) {
  vst1_s8(out, vmovn_s16(vcombine_s16(vmovn_s32(lo), vmovn_s32(hi))));
}

template <typename T>
void AddSubNeon(const ArithmeticParams& p, bool subtract, int64_t n, const T* a, const T* b,
                T* out) {
  const NeonLanes l1 = MakeNeonLanes(p.input1_multiplier, p.input1_shift);
  const NeonLanes l2 = MakeNeonLanes(p.input2_multiplier, p.input2_shift);
  const NeonLanes lo = MakeNeonLanes(p.output_multiplier, p.output_shift);
  const int32x4_t off1 = vdupq_n_s32(p.input1_offset), off2 = vdupq_n_s32(p.input2_offset);
  const int32x4_t ooff = vdupq_n_s32(p.output_offset);
  const int32x4_t vmin = vdupq_n_s32(p.act_min), vmax = vdupq_n_s32(p.act_max);
  const int32x4_t ls = vdupq_n_s32(p.left_shift);
  auto lanes = [&](int32x4_t x1, int32x4_t x2) {
    const int32x4_t y1 = MulShift(vshlq_s32(vaddq_s32(x1, off1), ls), l1);
    const int32x4_t y2 = MulShift(vshlq_s32(vaddq_s32(x2, off2), ls), l2);
    const int32x4_t raw = subtract ? vsubq_s32(y1, y2) : vaddq_s32(y1, y2);
    const int32x4_t v = vaddq_s32(MulShift(raw, lo), ooff);
    return vminq_s32(vmaxq_s32(v, vmin), vmax);
  };
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    int32x4_t a_lo, a_hi, b_lo, b_hi;
    Widen8(a + i, &a_lo, &a_hi);
    Widen8(b + i, &b_lo, &b_hi);
    Narrow8(lanes(a_lo, b_lo), lanes(a_hi, b_hi), out + i);
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
#elif defined(__aarch64__)
  if (!Fits(p)) return false;
  AddSubNeon(p, subtract, n, a, b, out);
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
