#include "kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "kernels/fixed_point.h"
#include "kernels/quant_utils.h"

namespace etpu::kernels {
namespace {

constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

Status CheckDims(int rows, int depth) {
  if (rows <= 0 || depth <= 0) {
    return InvalidArgumentError("failed to run SOFTMAX: " + std::to_string(rows) + " rows of " +
                                std::to_string(depth) + " (expected both > 0)");
  }
  return OkStatus();
}

/// exp() of a difference to the row maximum (>= diff_min), as the reference computes it.
fixed::Fixed<0> ExpOfDiff(const SoftmaxParams& p, int32_t diff) {
  const int32_t rescaled =
      MultiplyByQuantizedMultiplierGreaterThanOne(diff, p.input_multiplier, p.input_left_shift);
  return fixed::ExpOnNegativeValues(fixed::Fixed<kScaledDiffIntegerBits>::FromRaw(rescaled));
}

template <typename T>
Status SoftmaxQuantized(const SoftmaxParams& p, int rows, int depth, const T* input, T* output) {
  ETPU_RETURN_IF_ERROR(CheckDims(rows, depth));
  using namespace fixed;  // NOLINT
  constexpr int32_t kOutMin = std::is_same_v<T, uint8_t> ? 0 : -128;
  constexpr int32_t kOutMax = std::is_same_v<T, uint8_t> ? 255 : 127;
  // diff in [-255, 0] (8-bit values minus their row's maximum): the prepared table if any.
  const bool table = p.exp_of_diff.size() == 256;
  const auto exp_of = [&](int32_t diff) {
    return table ? Fixed<0>::FromRaw(p.exp_of_diff[static_cast<size_t>(-diff)]) : ExpOfDiff(p, diff);
  };
  for (int r = 0; r < rows; ++r) {
    const T* in = input + int64_t{r} * depth;
    T* out = output + int64_t{r} * depth;
    int32_t max_in_row = in[0];
    for (int c = 1; c < depth; ++c) max_in_row = std::max<int32_t>(max_in_row, in[c]);
    Fixed<kAccumulationIntegerBits> sum_of_exps = Fixed<kAccumulationIntegerBits>::Zero();
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = int32_t{in[c]} - max_in_row;
      if (diff >= p.diff_min) {
        const Fixed<0> e = exp_of(diff);
        sum_of_exps = sum_of_exps + Rescale<kAccumulationIntegerBits>(e);
      }
    }
    int num_bits_over_unit = 0;
    const Fixed<0> shifted_scale = Fixed<0>::FromRaw(
        GetReciprocal(sum_of_exps.raw, kAccumulationIntegerBits, &num_bits_over_unit));
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = int32_t{in[c]} - max_in_row;
      if (diff >= p.diff_min) {
        const Fixed<0> e = exp_of(diff);
        // A sum of exps >= 512 gives an exponent >= 32, where TFLite's int32 shift is undefined
        // behaviour; every such output is below half an LSB, so it is 0 here.
        const int exponent = num_bits_over_unit + 31 - 8;
        const int32_t unsat =
            exponent > 31 ? 0 : RoundingDivideByPOT((shifted_scale * e).raw, exponent);
        out[c] = static_cast<T>(Clamp(unsat + kOutMin, kOutMin, kOutMax));
      } else {
        out[c] = static_cast<T>(kOutMin);
      }
    }
  }
  return OkStatus();
}

}  // namespace

Result<SoftmaxParams> PrepareSoftmax(float beta, QType type, QuantParams input, QuantParams output) {
  const int32_t expected_zp = type == QType::kUInt8 ? 0 : -128;
  if (output.zero_point != expected_zp || output.scale != 1.0f / 256) {
    return InvalidArgumentError("failed to prepare SOFTMAX: output scale " +
                                std::to_string(output.scale) + " zero point " +
                                std::to_string(output.zero_point) + " (expected 1/256 and " +
                                std::to_string(expected_zp) + ")");
  }
  if (!(input.scale > 0) || !std::isfinite(input.scale) || !(beta > 0) || !std::isfinite(beta)) {
    return InvalidArgumentError("failed to prepare SOFTMAX: input scale " +
                                std::to_string(input.scale) + " or beta " + std::to_string(beta) +
                                " not positive");
  }
  // PreprocessSoftmaxScaling.
  const double max_real_multiplier = static_cast<double>((int64_t{1} << 31) - 1);
  const double real = std::min<double>(static_cast<double>(beta) * static_cast<double>(input.scale) *
                                           static_cast<double>(1 << (31 - kScaledDiffIntegerBits)),
                                       max_real_multiplier);
  ETPU_ASSIGN_OR_RETURN(QuantizedMultiplier q, QuantizeMultiplierGreaterThanOne(real));
  SoftmaxParams p;
  p.input_multiplier = q.multiplier;
  p.input_left_shift = q.shift;
  // CalculateInputRadius(5, left_shift, 31).
  const double max_input_rescaled = 1.0 * ((1 << kScaledDiffIntegerBits) - 1) *
                                    static_cast<double>(int64_t{1} << (31 - kScaledDiffIntegerBits)) /
                                    static_cast<double>(int64_t{1} << q.shift);
  p.diff_min = -static_cast<int32_t>(std::floor(max_input_rescaled));
  p.beta = beta;
  p.exp_of_diff.assign(256, 0);  // Differences below diff_min are never looked up.
  for (int32_t d = 0; d < 256 && -d >= p.diff_min; ++d) {
    p.exp_of_diff[static_cast<size_t>(d)] = ExpOfDiff(p, -d).raw;
  }
  return p;
}

Status Softmax(const SoftmaxParams& p, int rows, int depth, const uint8_t* input, uint8_t* output) {
  return SoftmaxQuantized(p, rows, depth, input, output);
}
Status Softmax(const SoftmaxParams& p, int rows, int depth, const int8_t* input, int8_t* output) {
  return SoftmaxQuantized(p, rows, depth, input, output);
}

Status Softmax(const SoftmaxParams& p, int rows, int depth, const float* input, float* output) {
  ETPU_RETURN_IF_ERROR(CheckDims(rows, depth));
  for (int r = 0; r < rows; ++r) {
    const float* in = input + int64_t{r} * depth;
    float* out = output + int64_t{r} * depth;
    float max = in[0];
    for (int c = 1; c < depth; ++c) max = std::max(max, in[c]);
    float sum = 0.0f;
    for (int c = 0; c < depth; ++c) sum += std::exp((in[c] - max) * p.beta);
    for (int c = 0; c < depth; ++c) out[c] = std::exp((in[c] - max) * p.beta) / sum;
  }
  return OkStatus();
}

}  // namespace etpu::kernels
