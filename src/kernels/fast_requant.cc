// Vectorised requantization (see fast_kernels.h for the exactness argument).
#include <cstdint>

#include "kernels/fast_kernels.h"
#include "kernels/fast_simd.h"
#include "kernels/quant_utils.h"

namespace etpu::kernels::fast {

bool BuildRequantTable(const std::vector<int32_t>& multipliers, const std::vector<int>& shifts,
                       int channels, int32_t out_offset, int32_t act_min, int32_t act_max,
                       RequantTable* t) {
  const size_t n = multipliers.size();
  if (channels <= 0 || n == 0 || n != shifts.size() ||
      (n != 1 && n != static_cast<size_t>(channels))) {
    return false;
  }
  const size_t padded = (static_cast<size_t>(channels) + 15) / 16 * 16;
  t->mult.assign(padded, 0);
  t->left.assign(padded, 0);
  t->right.assign(padded, 0);
  t->mask.assign(padded, 0);
  t->half.assign(padded, 0);
  for (size_t c = 0; c < static_cast<size_t>(channels); ++c) {
    const size_t k = n == 1 ? 0 : c;
    const int32_t m = multipliers[k];
    const int s = shifts[k];
    if (m < 0 || s > 31 || s < -31) return false;
    t->mult[c] = m;
    t->left[c] = s > 0 ? s : 0;
    t->right[c] = s > 0 ? 0 : -s;
    t->mask[c] = static_cast<int32_t>((int64_t{1} << t->right[c]) - 1);
    t->half[c] = t->mask[c] >> 1;
  }
  t->uniform = true;
  for (size_t c = 1; c < static_cast<size_t>(channels); ++c) {
    if (t->mult[c] != t->mult[0] || t->left[c] != t->left[0] || t->right[c] != t->right[0]) {
      t->uniform = false;
    }
  }
  t->channels = channels;
  t->out_offset = out_offset;
  t->act_min = act_min;
  t->act_max = act_max;
  return true;
}

namespace {

template <typename T>
void RequantTail(const int32_t* acc, int from, int n, const RequantTable& t, T* out) {
  for (int c = from; c < n; ++c) {
    int32_t v = MultiplyByQuantizedMultiplier(acc[c], t.scalar_mult(c), t.scalar_shift(c));
    v += t.out_offset;
    out[c] = static_cast<T>(Clamp(v, t.act_min, t.act_max));
  }
}

#ifdef ETPU_FAST_X86
template <typename T>
ETPU_AVX2 void RequantRowAvx2(const int32_t* acc, int n, const RequantTable& t, T* out) {
  const RequantVec v = MakeRequantVec(t);
  int c = 0;
  for (; c + 8 <= n; c += 8) {
    Store8(RequantAt(v, t, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + c)), c),
           out + c);
  }
  RequantTail(acc, c, n, t, out);
}
#endif

}  // namespace

void RequantRow(const int32_t* acc, int n, const RequantTable& t, uint8_t* out) {
#ifdef ETPU_FAST_X86
  RequantRowAvx2(acc, n, t, out);
#else
  RequantTail(acc, 0, n, t, out);
#endif
}
void RequantRow(const int32_t* acc, int n, const RequantTable& t, int8_t* out) {
#ifdef ETPU_FAST_X86
  RequantRowAvx2(acc, n, t, out);
#else
  RequantTail(acc, 0, n, t, out);
#endif
}

}  // namespace etpu::kernels::fast
