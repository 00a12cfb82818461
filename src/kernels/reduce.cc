#include "kernels/reduce.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

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

// Calls f(input_index, output_index) for every input element, in input order.
template <typename F>
void ForEachReduced(const ReduceAxes& a, F&& f) {
  const size_t rank = a.dims.size();
  std::vector<int> idx(rank, 0);
  int64_t total = 1;
  for (int d : a.dims) total *= d;
  for (int64_t i = 0; i < total; ++i) {
    int64_t o = 0;
    for (size_t d = 0; d < rank; ++d) {
      if (!a.reduced[d]) o = o * a.dims[d] + idx[d];
    }
    f(i, o);
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < a.dims[d]) break;
      idx[d] = 0;
    }
  }
}

template <typename T>
Status SumQuantized(const SumParams& p, const ReduceAxes& axes, const T* input, T* output) {
  int64_t outputs = 0, count = 0;
  ETPU_RETURN_IF_ERROR(axes.Validate("SUM", &outputs, &count));
  if (count != p.count) {
    return InvalidArgumentError("failed to run SUM: " + std::to_string(count) +
                                " elements per output, prepared for " + std::to_string(p.count));
  }
  if (!p.requantize) {
    std::vector<T> acc(static_cast<size_t>(outputs), T{0});
    ForEachReduced(axes, [&](int64_t i, int64_t o) {
      acc[static_cast<size_t>(o)] = static_cast<T>(acc[static_cast<size_t>(o)] + input[i]);
    });
    std::copy(acc.begin(), acc.end(), output);
    return OkStatus();
  }
  std::vector<int32_t> acc(static_cast<size_t>(outputs), 0);
  ForEachReduced(axes, [&](int64_t i, int64_t o) {
    acc[static_cast<size_t>(o)] = static_cast<int32_t>(static_cast<uint32_t>(acc[static_cast<size_t>(o)]) +
                                                       static_cast<uint32_t>(int32_t{input[i]}));
  });
  for (int64_t o = 0; o < outputs; ++o) {
    const float v = static_cast<float>(acc[static_cast<size_t>(o)]) * p.scale + p.bias;
    const int32_t q = static_cast<int32_t>(std::round(v)) + p.output_zero_point;
    output[o] = static_cast<T>(q);  // TFLite casts without clamping.
  }
  return OkStatus();
}

template <typename T>
Status ReduceMaxMin(const char* op, bool max, const ReduceAxes& axes, const T* input, T* output) {
  int64_t outputs = 0, count = 0;
  ETPU_RETURN_IF_ERROR(axes.Validate(op, &outputs, &count));
  std::vector<bool> seen(static_cast<size_t>(outputs), false);
  ForEachReduced(axes, [&](int64_t i, int64_t o) {
    const T v = input[i];
    if (!seen[static_cast<size_t>(o)] || (max ? v > output[o] : v < output[o])) output[o] = v;
    seen[static_cast<size_t>(o)] = true;
  });
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

Status ReduceAxes::Validate(const char* op, int64_t* outputs, int64_t* count) const {
  if (dims.size() != reduced.size()) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": " + std::to_string(dims.size()) +
                                " dimensions with " + std::to_string(reduced.size()) + " flags");
  }
  int64_t o = 1, c = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] < 1) {
      return InvalidArgumentError(std::string("failed to run ") + op + ": dimension " + std::to_string(d) +
                                  " is " + std::to_string(dims[d]) + " (expected >= 1)");
    }
    (reduced[d] ? c : o) *= dims[d];
    if (o * c > INT32_MAX) return InvalidArgumentError(std::string("failed to run ") + op + ": input too large");
  }
  *outputs = o;
  *count = c;
  return OkStatus();
}

Result<SumParams> PrepareSum(QType type, QuantParams input, QuantParams output, int64_t count) {
  if (!(input.scale > 0) || !(output.scale > 0) || !std::isfinite(input.scale) || !std::isfinite(output.scale) ||
      count < 1 || count > INT32_MAX) {
    return InvalidArgumentError("failed to prepare SUM: bad scale or element count " + std::to_string(count));
  }
  if (input.zero_point < QMin(type) || input.zero_point > QMax(type) || output.zero_point < QMin(type) ||
      output.zero_point > QMax(type)) {
    return InvalidArgumentError("failed to prepare SUM: zero point out of the type's range");
  }
  SumParams p;
  p.count = count;
  p.input_zero_point = input.zero_point;
  p.output_zero_point = output.zero_point;
  p.requantize = !(input.scale == output.scale && input.zero_point == output.zero_point);
  p.scale = input.scale / output.scale;
  // TFLite 2.2 adds 0.5 before rounding half away from zero (later versions dropped it).
  p.bias = static_cast<float>(-input.zero_point) * p.scale * static_cast<float>(count) + 0.5f;
  return p;
}

Status Sum(const SumParams& p, const ReduceAxes& axes, const uint8_t* input, uint8_t* output) {
  return SumQuantized(p, axes, input, output);
}
Status Sum(const SumParams& p, const ReduceAxes& axes, const int8_t* input, int8_t* output) {
  return SumQuantized(p, axes, input, output);
}

#define ETPU_REDUCE_MAX_MIN(T)                                                     \
  Status ReduceMax(const ReduceAxes& axes, const T* input, T* output) {            \
    return ReduceMaxMin("REDUCE_MAX", true, axes, input, output);                  \
  }                                                                                \
  Status ReduceMin(const ReduceAxes& axes, const T* input, T* output) {            \
    return ReduceMaxMin("REDUCE_MIN", false, axes, input, output);                 \
  }
ETPU_REDUCE_MAX_MIN(uint8_t)
ETPU_REDUCE_MAX_MIN(int8_t)
ETPU_REDUCE_MAX_MIN(int32_t)
ETPU_REDUCE_MAX_MIN(float)
#undef ETPU_REDUCE_MAX_MIN

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
