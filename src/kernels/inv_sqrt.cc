#include "kernels/inv_sqrt.h"

#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "kernels/fixed_point.h"

namespace etpu::kernels {
namespace {

Status CheckScale(const char* op, const char* what, QuantParams q, QType type) {
  if (!(q.scale > 0.0f) || !std::isfinite(q.scale) || q.zero_point < QMin(type) || q.zero_point > QMax(type)) {
    return InvalidArgumentError(std::string("failed to prepare ") + op + ": " + what + " scale " +
                                std::to_string(q.scale) + " zero point " + std::to_string(q.zero_point) +
                                " out of range");
  }
  return OkStatus();
}

template <typename T>
Status L2NormQuantized(int32_t zp, int64_t rows, int depth, const T* input, T* output) {
  if (rows < 0 || depth < 1) {
    return InvalidArgumentError("failed to run L2_NORMALIZATION: " + std::to_string(rows) + " rows of depth " +
                                std::to_string(depth));
  }
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  for (int64_t r = 0; r < rows; ++r) {
    const T* in = input + r * depth;
    T* out = output + r * depth;
    int32_t acc = 0;  // depth <= 2^15 keeps it exact (255^2 * 2^15 < 2^31); wraps as TFLite beyond.
    for (int c = 0; c < depth; ++c) {
      const int32_t d = int32_t{in[c]} - zp;
      acc = static_cast<int32_t>(static_cast<uint32_t>(acc) + static_cast<uint32_t>(d * d));
    }
    const InvSqrt inv = InvSqrtMultiplier(acc);
    for (int c = 0; c < depth; ++c) {
      const int32_t d = int32_t{in[c]} - zp;
      if constexpr (kU8) {
        const int32_t v = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(128 * d, inv.multiplier),
                                              inv.right_shift);
        out[c] = static_cast<T>(Clamp(128 + v, 0, 255));
      } else {
        const int32_t v = MultiplyByQuantizedMultiplier(d, inv.multiplier, 7 - inv.right_shift);
        out[c] = static_cast<T>(Clamp(v, -128, 127));
      }
    }
  }
  return OkStatus();
}

template <typename T>
Status RsqrtQuantized(const RsqrtParams& p, int64_t n, const T* input, T* output) {
  constexpr int32_t kMax = std::numeric_limits<T>::max(), kMin = std::numeric_limits<T>::min();
  constexpr int kShift = 20;  // Keeps the intermediate 1/sqrt(v) an integer.
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = int32_t{input[i]} - p.input_zero_point;
    if (v < 0) {
      return InvalidArgumentError("failed to run RSQRT: input value " + std::to_string(int32_t{input[i]}) +
                                  " is below the zero point " + std::to_string(p.input_zero_point) +
                                  " (RSQRT is only defined for positive values)");
    }
    if (v == 0) {
      output[i] = static_cast<T>(kMax);
      continue;
    }
    const InvSqrt inv = InvSqrtMultiplier(v);
    const int32_t y = MultiplyByQuantizedMultiplier(1, inv.multiplier, kShift - inv.right_shift);
    const int32_t q = MultiplyByQuantizedMultiplier(y, p.multiplier, p.shift - kShift) + p.output_zero_point;
    output[i] = static_cast<T>(Clamp(q, kMin, kMax));
  }
  return OkStatus();
}

}  // namespace

InvSqrt InvSqrtMultiplier(int32_t v) {
  if (v <= 1) return {std::numeric_limits<int32_t>::max(), 0};
  int shift = 11;
  while (v >= (1 << 29)) {
    v /= 4;
    ++shift;
  }
  // Scale v by 4^k so that it lands in [2^27, 2^29).
  const int headroom_pairs = (std::countl_zero(static_cast<uint32_t>(v)) - 1) / 2 - 1;
  shift -= headroom_pairs;
  v <<= 2 * headroom_pairs;
  using fixed::Fixed;
  using F3 = Fixed<3>;
  const F3 input = F3::FromRaw(v >> 1);
  const F3 half_input = fixed::SaturatingRoundingMultiplyByPOT<-1>(input);
  const F3 one_and_half = F3::FromRaw((1 << 28) + (1 << 27));
  F3 x = F3::One();
  for (int i = 0; i < 5; ++i) {
    const F3 x3 = fixed::Rescale<3>(x * x * x);
    x = fixed::Rescale<3>(one_and_half * x - half_input * x3);
  }
  const Fixed<0> half_sqrt2 = Fixed<0>::FromRaw(1518500250);
  x = x * half_sqrt2;
  InvSqrt r{x.raw, shift};
  if (r.right_shift < 0) {
    r.multiplier = static_cast<int32_t>(static_cast<uint32_t>(r.multiplier) << -r.right_shift);
    r.right_shift = 0;
  }
  return r;
}

Status PrepareL2Normalization(QType type, QuantParams input, QuantParams output) {
  ETPU_RETURN_IF_ERROR(CheckScale("L2_NORMALIZATION", "input", input, type));
  const int32_t zp = type == QType::kUInt8 ? 128 : 0;
  if (output.scale != 1.0f / 128 || output.zero_point != zp) {
    return InvalidArgumentError("failed to prepare L2_NORMALIZATION: output scale " + std::to_string(output.scale) +
                                " zero point " + std::to_string(output.zero_point) + " (expected 1/128 and " +
                                std::to_string(zp) + ")");
  }
  return OkStatus();
}

Status L2Normalization(int32_t input_zero_point, int64_t rows, int depth, const uint8_t* input, uint8_t* output) {
  return L2NormQuantized(input_zero_point, rows, depth, input, output);
}
Status L2Normalization(int32_t input_zero_point, int64_t rows, int depth, const int8_t* input, int8_t* output) {
  return L2NormQuantized(input_zero_point, rows, depth, input, output);
}

Result<RsqrtParams> PrepareRsqrt(QType type, QuantParams input, QuantParams output) {
  ETPU_RETURN_IF_ERROR(CheckScale("RSQRT", "input", input, type));
  ETPU_RETURN_IF_ERROR(CheckScale("RSQRT", "output", output, type));
  RsqrtParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  const float denominator = std::sqrt(input.scale) * output.scale;  // float, as TFLite
  const QuantizedMultiplier q = QuantizeMultiplier(1.0 / static_cast<double>(denominator));
  p.multiplier = q.multiplier;
  p.shift = q.shift;
  return p;
}

Status Rsqrt(const RsqrtParams& p, int64_t n, const uint8_t* input, uint8_t* output) {
  return RsqrtQuantized(p, n, input, output);
}
Status Rsqrt(const RsqrtParams& p, int64_t n, const int8_t* input, int8_t* output) {
  return RsqrtQuantized(p, n, input, output);
}

}  // namespace etpu::kernels
