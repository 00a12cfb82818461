#include "kernels/quantize.h"

#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

namespace etpu::kernels {
namespace {

template <typename T>
void QuantizeImpl(QuantParams q, int64_t n, const float* input, T* output) {
  constexpr int32_t kMin = std::numeric_limits<T>::min(), kMax = std::numeric_limits<T>::max();
  for (int64_t i = 0; i < n; ++i) {
    const float r = std::round(input[i] / q.scale);
    // Out-of-range floats saturate instead of invoking undefined conversion.
    int32_t v;
    if (!(r > -2147483520.0f)) {
      v = std::isnan(r) ? q.zero_point : kMin;
    } else if (r > 2147483520.0f) {
      v = kMax;
    } else {
      v = static_cast<int32_t>(r);
      const int64_t s = int64_t{v} + q.zero_point;
      v = static_cast<int32_t>(s < kMin ? kMin : (s > kMax ? kMax : s));
    }
    output[i] = static_cast<T>(Clamp(v, kMin, kMax));
  }
}

template <typename In, typename Out>
void RequantizeImpl(const RequantizeParams& p, int64_t n, const In* input, Out* output) {
  constexpr int32_t kMin = std::numeric_limits<Out>::min(), kMax = std::numeric_limits<Out>::max();
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = MultiplyByQuantizedMultiplier(int32_t{input[i]} - p.input_zero_point,
                                                    p.multiplier, p.shift) +
                      p.output_zero_point;
    output[i] = static_cast<Out>(Clamp(v, kMin, kMax));
  }
}

template <typename T>
void DequantizeImpl(QuantParams q, int64_t n, const T* input, float* output) {
  const double scale = q.scale;
  for (int64_t i = 0; i < n; ++i) {
    output[i] = static_cast<float>(scale * (int32_t{input[i]} - q.zero_point));
  }
}

}  // namespace

void Quantize(QuantParams q, int64_t n, const float* input, uint8_t* output) {
  QuantizeImpl(q, n, input, output);
}
void Quantize(QuantParams q, int64_t n, const float* input, int8_t* output) {
  QuantizeImpl(q, n, input, output);
}

Result<RequantizeParams> PrepareRequantize(QuantParams input, QuantParams output) {
  if (!(input.scale > 0) || !(output.scale > 0) || !std::isfinite(input.scale) ||
      !std::isfinite(output.scale)) {
    return InvalidArgumentError("failed to prepare QUANTIZE: non-positive scale");
  }
  const QuantizedMultiplier q =
      QuantizeMultiplier(static_cast<double>(input.scale) / static_cast<double>(output.scale));
  RequantizeParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  p.multiplier = q.multiplier;
  p.shift = q.shift;
  return p;
}

void Requantize(const RequantizeParams& p, int64_t n, const uint8_t* in, uint8_t* out) { RequantizeImpl(p, n, in, out); }
void Requantize(const RequantizeParams& p, int64_t n, const uint8_t* in, int8_t* out) { RequantizeImpl(p, n, in, out); }
void Requantize(const RequantizeParams& p, int64_t n, const int8_t* in, uint8_t* out) { RequantizeImpl(p, n, in, out); }
void Requantize(const RequantizeParams& p, int64_t n, const int8_t* in, int8_t* out) { RequantizeImpl(p, n, in, out); }

void Dequantize(QuantParams q, int64_t n, const uint8_t* input, float* output) {
  DequantizeImpl(q, n, input, output);
}
void Dequantize(QuantParams q, int64_t n, const int8_t* input, float* output) {
  DequantizeImpl(q, n, input, output);
}

namespace {

template <typename To, typename From>
void CastFrom(int64_t n, const From* in, void* output) {
  if constexpr (std::is_same_v<To, bool>) {
    auto* out = static_cast<uint8_t*>(output);
    for (int64_t i = 0; i < n; ++i) out[i] = in[i] != From{0} ? 1 : 0;
  } else {
    auto* out = static_cast<To*>(output);
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<To>(in[i]);
  }
}

template <typename To>
void CastTo(CastType from, int64_t n, const void* input, void* output) {
  switch (from) {
    case CastType::kFloat32: return CastFrom<To>(n, static_cast<const float*>(input), output);
    case CastType::kInt32: return CastFrom<To>(n, static_cast<const int32_t*>(input), output);
    case CastType::kInt64: return CastFrom<To>(n, static_cast<const int64_t*>(input), output);
    case CastType::kInt16: return CastFrom<To>(n, static_cast<const int16_t*>(input), output);
    case CastType::kUInt8: return CastFrom<To>(n, static_cast<const uint8_t*>(input), output);
    case CastType::kInt8: return CastFrom<To>(n, static_cast<const int8_t*>(input), output);
    case CastType::kBool: {
      // A bool byte reads as 0 or 1.
      const auto* in = static_cast<const uint8_t*>(input);
      std::vector<uint8_t> bits(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) bits[static_cast<size_t>(i)] = in[i] != 0 ? 1 : 0;
      return CastFrom<To>(n, bits.data(), output);
    }
  }
}

}  // namespace

void Cast(CastType from, CastType to, int64_t n, const void* input, void* output) {
  switch (to) {
    case CastType::kFloat32: return CastTo<float>(from, n, input, output);
    case CastType::kInt32: return CastTo<int32_t>(from, n, input, output);
    case CastType::kInt64: return CastTo<int64_t>(from, n, input, output);
    case CastType::kInt16: return CastTo<int16_t>(from, n, input, output);
    case CastType::kUInt8: return CastTo<uint8_t>(from, n, input, output);
    case CastType::kInt8: return CastTo<int8_t>(from, n, input, output);
    case CastType::kBool: return CastTo<bool>(from, n, input, output);
  }
}

}  // namespace etpu::kernels
