#include "kernels/hard_swish.h"

#include <algorithm>
#include <limits>
#include <string>

#include "kernels/fixed_point16.h"
#include "kernels/quant_utils.h"

namespace etpu::kernels {
namespace {

// TFLite's DownScaleInt32ToInt16Multiplier.
int16_t DownScaleToInt16(int32_t m) {
  constexpr int32_t kRoundingOffset = 1 << 15;
  if (m >= std::numeric_limits<int32_t>::max() - kRoundingOffset) return std::numeric_limits<int16_t>::max();
  return static_cast<int16_t>((m + kRoundingOffset) >> 16);
}

template <typename T>
Status Eval(const HardSwishParams& p, int64_t n, const T* input, T* output) {
  constexpr QType kType = std::is_same_v<T, uint8_t> ? QType::kUInt8 : QType::kInt8;
  if (p.type != kType) return InvalidArgumentError("HARD_SWISH: tensor type differs from the prepared one");
  if (n < 0) return InvalidArgumentError("HARD_SWISH: negative element count");
  if (n > 0 && (input == nullptr || output == nullptr)) return InvalidArgumentError("HARD_SWISH: null data");
  using namespace fixed16;
  for (int64_t i = 0; i < n; ++i) {
    const int16_t x = static_cast<int16_t>(int32_t{input[i]} - p.input_zero_point);
    const int16_t x_hires = Wrap(int32_t{x} * (1 << 7));
    const int16_t pre = SaturatingRoundingDoublingHighMul(x_hires, p.output_multiplier);
    int16_t reluish = x_hires;
    if (p.reluish_exponent > 0) reluish = SaturatingLeftShift(reluish, p.reluish_exponent - 1);
    reluish = SaturatingRoundingDoublingHighMul(reluish, p.reluish_multiplier);
    if (p.reluish_exponent > 0) reluish = SaturatingLeftShift(reluish, 1);
    if (p.reluish_exponent < 0) reluish = RoundingDivideByPOT(reluish, -p.reluish_exponent);
    reluish = static_cast<int16_t>((int32_t{reluish} + (1 << 15)) >> 1);
    const int16_t pre_out = SaturatingDoublingHighMul(reluish, pre);
    int32_t out = RoundingDivideByPOT(pre_out, -p.output_exponent);
    out = Wrap(out + p.output_zero_point);  // TFLite adds in int16
    out = std::clamp(out, QMin(kType), QMax(kType));
    output[i] = static_cast<T>(out);
  }
  return OkStatus();
}

}  // namespace

Result<HardSwishParams> PrepareHardSwish(QType type, QuantParams input, QuantParams output) {
  if (!(input.scale > 0) || !(output.scale > 0)) {
    return InvalidArgumentError("HARD_SWISH: scales must be positive (input " + std::to_string(input.scale) +
                                ", output " + std::to_string(output.scale) + ")");
  }
  HardSwishParams p;
  p.type = type;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  const float hires_input_scale = (1.0f / 128.0f) * input.scale;
  const float reluish_scale = 3.0f / 32768.0f;
  const float output_multiplier = hires_input_scale / output.scale;
  const QuantizedMultiplier om = QuantizeMultiplier(output_multiplier);
  if (om.shift > 0) {
    return InvalidArgumentError("HARD_SWISH: input scale / 128 / output scale = " +
                                std::to_string(output_multiplier) + " must be below 1");
  }
  p.output_multiplier = DownScaleToInt16(om.multiplier);
  p.output_exponent = om.shift;
  const QuantizedMultiplier rm = QuantizeMultiplier(hires_input_scale / reluish_scale);
  p.reluish_multiplier = DownScaleToInt16(rm.multiplier);
  p.reluish_exponent = rm.shift;
  return p;
}

Status HardSwish(const HardSwishParams& p, int64_t n, const uint8_t* input, uint8_t* output) {
  return Eval(p, n, input, output);
}
Status HardSwish(const HardSwishParams& p, int64_t n, const int8_t* input, int8_t* output) {
  return Eval(p, n, input, output);
}

}  // namespace etpu::kernels
