#include "kernels/quantize.h"

#include <cmath>
#include <limits>

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

}  // namespace etpu::kernels
