#include "kernels/activations.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "kernels/fixed_point.h"

namespace etpu::kernels {
namespace {

constexpr int kInputIntegerBits = 4;

Result<SigmoidParams> PrepareSigmoid(const char* op, QType type, QuantParams input,
                                     QuantParams output, float out_scale, int32_t out_zp) {
  if (output.scale != out_scale || output.zero_point != out_zp) {
    return InvalidArgumentError(std::string("failed to prepare ") + op + ": output scale " +
                                std::to_string(output.scale) + " zero point " +
                                std::to_string(output.zero_point) + " (expected " +
                                std::to_string(out_scale) + " and " + std::to_string(out_zp) + ")");
  }
  if (!(input.scale > 0) || !std::isfinite(input.scale)) {
    return InvalidArgumentError(std::string("failed to prepare ") + op + ": bad input scale");
  }
  const double real = static_cast<double>(input.scale) *
                      static_cast<double>(1 << (31 - kInputIntegerBits));
  ETPU_ASSIGN_OR_RETURN(QuantizedMultiplier q, QuantizeMultiplierGreaterThanOne(real));
  SigmoidParams p;
  p.input_zero_point = input.zero_point;
  p.input_multiplier = q.multiplier;
  p.input_left_shift = q.shift;
  const double max_input_rescaled = 1.0 * ((1 << kInputIntegerBits) - 1) *
                                    static_cast<double>(int64_t{1} << (31 - kInputIntegerBits)) /
                                    static_cast<double>(int64_t{1} << q.shift);
  p.input_range_radius = static_cast<int32_t>(std::floor(max_input_rescaled));
  return p;
}

template <typename T, bool kTanh>
Status SigmoidQuantized(const SigmoidParams& p, int64_t n, const T* input, T* output) {
  if (n < 0) return InvalidArgumentError("failed to run LOGISTIC/TANH: negative element count");
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  constexpr int32_t kMin = kU8 ? 0 : -128, kMax = kU8 ? 255 : 127;
  // Output zero points: LOGISTIC 0 / -128, TANH 128 / 0.
  constexpr int32_t kZp = kTanh ? (kU8 ? 128 : 0) : (kU8 ? 0 : -128);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t centered = int32_t{input[i]} - p.input_zero_point;
    int32_t v;
    if (centered <= -p.input_range_radius) {
      v = kMin;
    } else if (centered >= p.input_range_radius) {
      v = kMax;
    } else {
      const int32_t rescaled = MultiplyByQuantizedMultiplierGreaterThanOne(
          centered, p.input_multiplier, p.input_left_shift);
      const auto x = fixed::Fixed<kInputIntegerBits>::FromRaw(rescaled);
      if constexpr (kTanh) {
        v = RoundingDivideByPOT(fixed::Tanh(x).raw, 24) + kZp;
      } else {
        v = RoundingDivideByPOT(fixed::Logistic(x).raw, 23) + kZp;
      }
      if constexpr (kU8) {
        if (v == 256) v = 255;
      }
      v = Clamp(v, kMin, kMax);
    }
    output[i] = static_cast<T>(v);
  }
  return OkStatus();
}

template <typename T>
Status ReluQuantized(const ReluParams& p, int64_t n, const T* input, T* output) {
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = p.output_zero_point +
                      MultiplyByQuantizedMultiplier(int32_t{input[i]} - p.input_zero_point,
                                                    p.multiplier, p.shift);
    output[i] = static_cast<T>(Clamp(v, p.act_min, p.act_max));
  }
  return OkStatus();
}

template <typename T>
Status LeakyReluQuantized(const ReluParams& p, int64_t n, const T* input, T* output) {
  constexpr int32_t kMin = std::numeric_limits<T>::min(), kMax = std::numeric_limits<T>::max();
  for (int64_t i = 0; i < n; ++i) {
    const int32_t x = int32_t{input[i]} - p.input_zero_point;
    if (x >= 0) {
      output[i] = input[i];
    } else {
      const int32_t v = p.output_zero_point + MultiplyByQuantizedMultiplierSmallerThanOneExp(
                                                  x * p.alpha_value, p.multiplier, p.shift);
      output[i] = static_cast<T>(Clamp(v, kMin, kMax));
    }
  }
  return OkStatus();
}

// TFLite 2.9's QuantizeLeakyRelu: both branches requantized from the input's scale.
Status LeakyReluRequantized(const ReluParams& p, int64_t n, const int8_t* input, int8_t* output) {
  for (int64_t i = 0; i < n; ++i) {
    const int32_t x = int32_t{input[i]} - p.input_zero_point;
    const int32_t v =
        p.output_zero_point + (x >= 0 ? MultiplyByQuantizedMultiplier(x, p.multiplier, p.shift)
                                      : MultiplyByQuantizedMultiplier(x, p.alpha_multiplier, p.alpha_shift));
    output[i] = static_cast<int8_t>(Clamp(v, int32_t{-128}, int32_t{127}));
  }
  return OkStatus();
}

Status CheckScales(const char* op, QuantParams input, QuantParams output) {
  if (!(input.scale > 0) || !(output.scale > 0) || !std::isfinite(input.scale) ||
      !std::isfinite(output.scale)) {
    return InvalidArgumentError(std::string("failed to prepare ") + op + ": non-positive scale");
  }
  return OkStatus();
}

}  // namespace

Result<SigmoidParams> PrepareLogistic(QType type, QuantParams input, QuantParams output) {
  return PrepareSigmoid("LOGISTIC", type, input, output, 1.0f / 256,
                        type == QType::kUInt8 ? 0 : -128);
}
Result<SigmoidParams> PrepareTanh(QType type, QuantParams input, QuantParams output) {
  return PrepareSigmoid("TANH", type, input, output, 1.0f / 128, type == QType::kUInt8 ? 128 : 0);
}

Status Logistic(const SigmoidParams& p, int64_t n, const uint8_t* input, uint8_t* output) {
  return SigmoidQuantized<uint8_t, false>(p, n, input, output);
}
Status Logistic(const SigmoidParams& p, int64_t n, const int8_t* input, int8_t* output) {
  return SigmoidQuantized<int8_t, false>(p, n, input, output);
}
Status Tanh(const SigmoidParams& p, int64_t n, const uint8_t* input, uint8_t* output) {
  return SigmoidQuantized<uint8_t, true>(p, n, input, output);
}
Status Tanh(const SigmoidParams& p, int64_t n, const int8_t* input, int8_t* output) {
  return SigmoidQuantized<int8_t, true>(p, n, input, output);
}
void Logistic(int64_t n, const float* input, float* output) {
  for (int64_t i = 0; i < n; ++i) output[i] = 1.0f / (1.0f + std::exp(-input[i]));
}
void Tanh(int64_t n, const float* input, float* output) {
  for (int64_t i = 0; i < n; ++i) output[i] = std::tanh(input[i]);
}

Result<ReluParams> PrepareRelu(Activation act, QType type, QuantParams input, QuantParams output) {
  ETPU_RETURN_IF_ERROR(CheckScales("RELU", input, output));
  float lo = 0.0f, hi = std::numeric_limits<float>::infinity();
  if (act == Activation::kRelu6) {
    hi = 6.0f;
  } else if (act == Activation::kReluN1To1) {
    lo = -1.0f;
    hi = 1.0f;
  } else if (act != Activation::kRelu) {
    return InvalidArgumentError("failed to prepare RELU: activation " +
                                std::to_string(static_cast<int>(act)) + " is not a RELU");
  }
  ReluParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  const QuantizedMultiplier q =
      QuantizeMultiplier(static_cast<double>(input.scale) / static_cast<double>(output.scale));
  p.multiplier = q.multiplier;
  p.shift = q.shift;
  p.act_min = std::max(QMin(type), output.zero_point + static_cast<int32_t>(std::round(lo / output.scale)));
  p.act_max = std::isinf(hi) ? QMax(type)
                             : std::min(QMax(type), output.zero_point +
                                                        static_cast<int32_t>(std::round(hi / output.scale)));
  return p;
}

Result<ReluParams> PrepareLeakyRelu(float alpha, QType type, QuantParams input, QuantParams output) {
  ETPU_RETURN_IF_ERROR(CheckScales("LEAKY_RELU", input, output));
  ReluParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  p.act_min = QMin(type);
  p.act_max = QMax(type);
  if (type == QType::kInt8) {
    // TFLite 2.9's Prepare: both ratios computed in float, then quantized as doubles.
    if (!std::isfinite(alpha)) return InvalidArgumentError("failed to prepare LEAKY_RELU: alpha is not finite");
    const QuantizedMultiplier id = QuantizeMultiplier(static_cast<double>(input.scale / output.scale));
    const QuantizedMultiplier al = QuantizeMultiplier(static_cast<double>(input.scale * alpha / output.scale));
    if (!std::isfinite(input.scale / output.scale) || !std::isfinite(input.scale * alpha / output.scale) ||
        id.shift > 31 || al.shift > 31) {
      return InvalidArgumentError("failed to prepare LEAKY_RELU: scale ratio too large (input scale " +
                                  std::to_string(input.scale) + ", alpha " + std::to_string(alpha) +
                                  ", output scale " + std::to_string(output.scale) + ")");
    }
    p.multiplier = id.multiplier;
    p.shift = id.shift;
    p.alpha_multiplier = al.multiplier;
    p.alpha_shift = al.shift;
    return p;
  }
  // Float arithmetic as TFLite 2.2's Prepare.
  const float q_alpha = std::max<float>(
      static_cast<float>(QMin(type)),
      std::min<float>(static_cast<float>(QMax(type)),
                      std::round(static_cast<float>(input.zero_point) + alpha / input.scale)));
  p.alpha_value = static_cast<int32_t>(q_alpha) - input.zero_point;
  const float real = input.scale * input.scale / output.scale;
  ETPU_ASSIGN_OR_RETURN(QuantizedMultiplier q,
                        QuantizeMultiplierSmallerThanOneExp(static_cast<double>(real)));
  p.multiplier = q.multiplier;
  p.shift = q.shift;
  return p;
}

Status Relu(const ReluParams& p, int64_t n, const uint8_t* input, uint8_t* output) {
  return ReluQuantized(p, n, input, output);
}
Status Relu(const ReluParams& p, int64_t n, const int8_t* input, int8_t* output) {
  return ReluQuantized(p, n, input, output);
}
Status LeakyRelu(const ReluParams& p, int64_t n, const uint8_t* input, uint8_t* output) {
  return LeakyReluQuantized(p, n, input, output);
}
Status LeakyRelu(const ReluParams& p, int64_t n, const int8_t* input, int8_t* output) {
  return LeakyReluRequantized(p, n, input, output);
}

void ReluFloat(float lo, float hi, int64_t n, const float* input, float* output) {
  for (int64_t i = 0; i < n; ++i) output[i] = std::min(std::max(input[i], lo), hi);
}
void LeakyReluFloat(float alpha, int64_t n, const float* input, float* output) {
  for (int64_t i = 0; i < n; ++i) output[i] = input[i] > 0 ? input[i] : input[i] * alpha;
}
void HardSwishFloat(int64_t n, const float* input, float* output) {
  for (int64_t i = 0; i < n; ++i) {
    const float x = input[i];
    output[i] = x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f;
  }
}

}  // namespace etpu::kernels
