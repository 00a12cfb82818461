// Test-only helpers for the kernel tests: an independent requantization formula written with
// exact integer / double arithmetic (not the fixed-point primitives under test) and a seeded RNG.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace etpu::kernels::testing {

/// floor(a / b) for b > 0.
inline int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/// Independent model of TFLite's double rounding: x*2^left, then r1 = floor(v/2^31 + 1/2)
/// (high mul: ties go up), then round(r1 / 2^right) with ties away from zero.
inline int32_t RefRequant(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int64_t xs = int64_t{x} * (int64_t{1} << left);
  if (xs > INT32_MAX || xs < INT32_MIN) return 0;  // callers avoid this (UB in TFLite too)
  const int64_t v = xs * multiplier;
  int64_t r1 = FloorDiv(v + (int64_t{1} << 30), int64_t{1} << 31);
  if (xs == INT32_MIN && multiplier == INT32_MIN) r1 = INT32_MAX;
  return static_cast<int32_t>(std::llround(static_cast<double>(r1) / std::ldexp(1.0, right)));
}

/// Independent model of QuantizeMultiplier: find (m, e) with m in [2^30, 2^31) and
/// real ~= m * 2^(e-31), m = round(real * 2^(31-e)) half away from zero.
inline void RefQuantizeMultiplier(double real, int32_t* m, int* e) {
  if (real == 0) {
    *m = 0;
    *e = 0;
    return;
  }
  int exp = 0;
  while (real >= std::ldexp(1.0, exp)) ++exp;
  while (real < std::ldexp(1.0, exp - 1)) --exp;
  double scaled = std::round(std::ldexp(real, 31 - exp));
  if (scaled >= std::ldexp(1.0, 31)) {
    scaled /= 2;
    ++exp;
  }
  if (exp < -31) {
    *m = 0;
    *e = 0;
    return;
  }
  *m = static_cast<int32_t>(scaled);
  *e = exp;
}

/// Fills a vector with uniform integers in [lo, hi].
template <typename T>
std::vector<T> RandomVector(std::mt19937& rng, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(dist(rng));
  return v;
}

}  // namespace etpu::kernels::testing
