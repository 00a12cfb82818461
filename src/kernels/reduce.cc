#include "kernels/reduce.h"

#include <cmath>
#include <string>

namespace etpu::kernels {
namespace {

template <typename T>
Status MeanQuantized(const MeanParams& p, Shape4 in, const T* input, T* output) {
  if (!in.Valid() || in.h * in.w != p.spatial) {
    return InvalidArgumentError("failed to run MEAN: input " + in.ToString() +
                                " does not match the prepared spatial size " + std::to_string(p.spatial));
  }
  constexpr bool kU8 = std::is_same_v<T, uint8_t>;
  constexpr int32_t kMin = kU8 ? 0 : -128, kMax = kU8 ? 255 : 127;
  const int32_t count = in.h * in.w;
  for (int b = 0; b < in.n; ++b)
    for (int c = 0; c < in.c; ++c) {
      int32_t acc = 0;
      for (int y = 0; y < in.h; ++y)
        for (int x = 0; x < in.w; ++x) {
          acc += int32_t{input[Offset(in, b, y, x, c)]} - (kU8 ? 0 : p.input_zero_point);
        }
      acc = MultiplyByQuantizedMultiplier(acc, p.multiplier, p.shift);
      if constexpr (kU8) {
        acc += p.bias;
      } else {
        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        acc += p.output_zero_point;
      }
      output[int64_t{b} * in.c + c] = static_cast<T>(Clamp(acc, kMin, kMax));
    }
  return OkStatus();
}

template <typename T, typename I>
Status ArgMaxImpl(int64_t outer, int axis_size, int64_t inner, const T* input, I* output) {
  if (outer < 0 || inner < 0 || axis_size <= 0) {
    return InvalidArgumentError("failed to run ARG_MAX: axis size " + std::to_string(axis_size) +
                                " (expected > 0)");
  }
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const T* base = input + o * axis_size * inner + i;
      T best = base[0];
      I best_index = 0;
      for (int a = 1; a < axis_size; ++a) {
        if (base[a * inner] > best) {
          best = base[a * inner];
          best_index = static_cast<I>(a);
        }
      }
      output[o * inner + i] = best_index;
    }
  return OkStatus();
}

}  // namespace

Result<MeanParams> PrepareMeanHW(QType type, int h, int w, QuantParams input, QuantParams output) {
  if (h <= 0 || w <= 0 || !(input.scale > 0) || !(output.scale > 0)) {
    return InvalidArgumentError("failed to prepare MEAN: bad spatial size or scale");
  }
  MeanParams p;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  p.spatial = h * w;
  QuantizedMultiplier q;
  if (type == QType::kUInt8) {
    const float num_elements = static_cast<float>(h * w);
    p.bias = output.zero_point -
             static_cast<int32_t>(input.zero_point * input.scale / output.scale);
    const double real = static_cast<double>(input.scale / (num_elements * output.scale));
    q = QuantizeMultiplier(real);
  } else {
    q = QuantizeMultiplier(static_cast<double>(input.scale) / static_cast<double>(output.scale));
  }
  p.multiplier = q.multiplier;
  p.shift = q.shift;
  return p;
}

Status MeanHW(const MeanParams& p, Shape4 in, const uint8_t* input, uint8_t* output) {
  return MeanQuantized(p, in, input, output);
}
Status MeanHW(const MeanParams& p, Shape4 in, const int8_t* input, int8_t* output) {
  return MeanQuantized(p, in, input, output);
}
Status MeanHW(Shape4 in, const float* input, float* output) {
  if (!in.Valid()) return InvalidArgumentError("failed to run MEAN: bad shape");
  for (int b = 0; b < in.n; ++b)
    for (int c = 0; c < in.c; ++c) {
      float total = 0;
      for (int y = 0; y < in.h; ++y)
        for (int x = 0; x < in.w; ++x) total += input[Offset(in, b, y, x, c)];
      output[int64_t{b} * in.c + c] = total / static_cast<float>(in.h * in.w);
    }
  return OkStatus();
}

Status ArgMax(int64_t outer, int axis_size, int64_t inner, const uint8_t* input, int32_t* output) {
  return ArgMaxImpl(outer, axis_size, inner, input, output);
}
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const int8_t* input, int32_t* output) {
  return ArgMaxImpl(outer, axis_size, inner, input, output);
}
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const float* input, int32_t* output) {
  return ArgMaxImpl(outer, axis_size, inner, input, output);
}
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const uint8_t* input, int64_t* output) {
  return ArgMaxImpl(outer, axis_size, inner, input, output);
}
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const int8_t* input, int64_t* output) {
  return ArgMaxImpl(outer, axis_size, inner, input, output);
}
Status ArgMax(int64_t outer, int axis_size, int64_t inner, const float* input, int64_t* output) {
  return ArgMaxImpl(outer, axis_size, inner, input, output);
}

}  // namespace etpu::kernels
