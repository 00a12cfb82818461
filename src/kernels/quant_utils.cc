#include "kernels/quant_utils.h"

#include <cmath>
#include <limits>
#include <string>

namespace etpu::kernels {

QuantizedMultiplier QuantizeMultiplier(double real_multiplier) {
  QuantizedMultiplier r;
  if (real_multiplier == 0.0 || !std::isfinite(real_multiplier)) return r;
  int shift = 0;
  const double q = std::frexp(real_multiplier, &shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  r.multiplier = static_cast<int32_t>(q_fixed);
  r.shift = shift;
  return r;
}

Result<QuantizedMultiplier> QuantizeMultiplierSmallerThanOneExp(double real_multiplier) {
  if (!(real_multiplier > 0.0 && real_multiplier < 1.0)) {
    return InvalidArgumentError("failed to quantize multiplier: " + std::to_string(real_multiplier) +
                                " (expected a value in (0, 1))");
  }
  QuantizedMultiplier q = QuantizeMultiplier(real_multiplier);
  if (q.shift > 0) return InvalidArgumentError("failed to quantize multiplier: positive shift");
  return q;
}

Result<QuantizedMultiplier> QuantizeMultiplierGreaterThanOne(double real_multiplier) {
  if (!(real_multiplier > 1.0) || !std::isfinite(real_multiplier)) {
    return InvalidArgumentError("failed to quantize multiplier: " + std::to_string(real_multiplier) +
                                " (expected a finite value > 1)");
  }
  QuantizedMultiplier q = QuantizeMultiplier(real_multiplier);
  if (q.shift < 0) return InvalidArgumentError("failed to quantize multiplier: negative shift");
  return q;
}

Result<ActivationRange> CalculateActivationRangeQuantized(Activation act, QType type,
                                                          QuantParams output) {
  if (!(output.scale > 0.0f) || !std::isfinite(output.scale)) {
    return InvalidArgumentError("failed to compute activation range: output scale " +
                                std::to_string(output.scale) + " (expected a finite value > 0)");
  }
  const int32_t qmin = QMin(type);
  const int32_t qmax = QMax(type);
  auto quantize = [&](float f) {
    return output.zero_point + static_cast<int32_t>(std::round(f / output.scale));
  };
  ActivationRange r{qmin, qmax};
  switch (act) {
    case Activation::kNone:
      break;
    case Activation::kRelu:
      r.min = std::max(qmin, quantize(0.0f));
      break;
    case Activation::kRelu6:
      r.min = std::max(qmin, quantize(0.0f));
      r.max = std::min(qmax, quantize(6.0f));
      break;
    case Activation::kReluN1To1:
      r.min = std::max(qmin, quantize(-1.0f));
      r.max = std::min(qmax, quantize(1.0f));
      break;
    default:
      return UnimplementedError("failed to compute activation range: fused activation " +
                                std::to_string(static_cast<int>(act)) +
                                " is not supported on quantized kernels");
  }
  return r;
}

Result<FloatRange> CalculateActivationRangeFloat(Activation act) {
  const float inf = std::numeric_limits<float>::max();
  switch (act) {
    case Activation::kNone: return FloatRange{-inf, inf};
    case Activation::kRelu: return FloatRange{0.0f, inf};
    case Activation::kRelu6: return FloatRange{0.0f, 6.0f};
    case Activation::kReluN1To1: return FloatRange{-1.0f, 1.0f};
    default:
      return UnimplementedError("failed to compute activation range: fused activation " +
                                std::to_string(static_cast<int>(act)) + " is not supported");
  }
}

Result<PaddedDim> ComputePaddedDim(Padding padding, int in_size, int filter_size, int stride,
                                   int dilation) {
  if (in_size <= 0 || filter_size <= 0 || stride <= 0 || dilation <= 0) {
    return InvalidArgumentError("failed to compute padding: input " + std::to_string(in_size) +
                                ", filter " + std::to_string(filter_size) + ", stride " +
                                std::to_string(stride) + ", dilation " + std::to_string(dilation) +
                                " (expected all > 0)");
  }
  const int64_t effective_filter = int64_t{filter_size - 1} * dilation + 1;
  int64_t out = 0;
  if (padding == Padding::kSame) {
    out = (int64_t{in_size} + stride - 1) / stride;
  } else {
    out = (int64_t{in_size} + stride - effective_filter) / stride;
  }
  if (out <= 0) {
    return InvalidArgumentError("failed to compute padding: filter extent " +
                                std::to_string(effective_filter) + " larger than input " +
                                std::to_string(in_size) + " with VALID padding");
  }
  int64_t total = (out - 1) * stride + effective_filter - in_size;
  if (total < 0) total = 0;
  PaddedDim d;
  d.out = static_cast<int>(out);
  d.pad = static_cast<int>(total / 2);
  d.offset = static_cast<int>(total % 2);
  return d;
}

}  // namespace etpu::kernels
