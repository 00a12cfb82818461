#include "kernels/elementwise.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/dispatch.h"
#include "kernels/fast_kernels.h"

namespace etpu::kernels {
namespace {

Status CheckQuant(const char* op, const char* what, QuantParams q, QType type) {
  if (!(q.scale > 0.0f) || !std::isfinite(q.scale) || q.zero_point < QMin(type) ||
      q.zero_point > QMax(type)) {
    return InvalidArgumentError(std::string("failed to prepare ") + op + ": " + what + " scale " +
                                std::to_string(q.scale) + " zero point " +
                                std::to_string(q.zero_point) + " out of range");
  }
  return OkStatus();
}

// Calls f(out_index, index1, index2) over the broadcast output.
template <typename F>
Status ForEachBroadcast(const char* op, Shape4 s1, Shape4 s2, Shape4 out, F&& f) {
  ETPU_ASSIGN_OR_RETURN(Shape4 expected, BroadcastShape(s1, s2));
  if (!(expected == out)) {
    return InvalidArgumentError(std::string("failed to run ") + op + ": output " + out.ToString() +
                                " (expected " + expected.ToString() + ")");
  }
  if (s1 == s2) {
    const int64_t n = out.FlatSize();
    for (int64_t i = 0; i < n; ++i) f(i, i, i);
    return OkStatus();
  }
  int64_t i = 0;
  for (int b = 0; b < out.n; ++b) {
    const int b1 = s1.n == 1 ? 0 : b, b2 = s2.n == 1 ? 0 : b;
    for (int y = 0; y < out.h; ++y) {
      const int y1 = s1.h == 1 ? 0 : y, y2 = s2.h == 1 ? 0 : y;
      for (int x = 0; x < out.w; ++x) {
        const int x1 = s1.w == 1 ? 0 : x, x2 = s2.w == 1 ? 0 : x;
        const int64_t base1 = Offset(s1, b1, y1, x1, 0), base2 = Offset(s2, b2, y2, x2, 0);
        const bool c1 = s1.c == 1, c2 = s2.c == 1;
        for (int c = 0; c < out.c; ++c, ++i) f(i, base1 + (c1 ? 0 : c), base2 + (c2 ? 0 : c));
      }
    }
  }
  return OkStatus();
}

template <typename T>
Status AddSubQuantized(const char* op, bool subtract, const ArithmeticParams& p, Shape4 s1,
                       const T* in1, Shape4 s2, const T* in2, Shape4 out, T* output) {
  return ForEachBroadcast(op, s1, s2, out, [&](int64_t o, int64_t a, int64_t b) {
    output[o] = AddSubElement<T>(p, subtract, in1[a], in2[b]);
  });
}

template <typename T>
Status MulQuantized(const ArithmeticParams& p, Shape4 s1, const T* in1, Shape4 s2, const T* in2,
                    Shape4 out, T* output) {
  return ForEachBroadcast("MUL", s1, s2, out, [&](int64_t o, int64_t a, int64_t b) {
    const int32_t x1 = p.input1_offset + in1[a];
    const int32_t x2 = p.input2_offset + in2[b];
    const int32_t v =
        MultiplyByQuantizedMultiplier(x1 * x2, p.output_multiplier, p.output_shift) +
        p.output_offset;
    output[o] = static_cast<T>(Clamp(v, p.act_min, p.act_max));
  });
}

template <typename T>
Status SquaredDifferenceQuantized(const ArithmeticParams& p, Shape4 s1, const T* in1, Shape4 s2, const T* in2,
                                  Shape4 out, T* output) {
  return ForEachBroadcast("SQUARED_DIFFERENCE", s1, s2, out, [&](int64_t o, int64_t a, int64_t b) {
    const int32_t x1 = (p.input1_offset + in1[a]) * (1 << p.left_shift);
    const int32_t x2 = (p.input2_offset + in2[b]) * (1 << p.left_shift);
    const int32_t d = MultiplyByQuantizedMultiplierSmallerThanOneExp(x1, p.input1_multiplier, p.input1_shift) -
                      MultiplyByQuantizedMultiplierSmallerThanOneExp(x2, p.input2_multiplier, p.input2_shift);
    // |x'| <= 255 * 2^7 / 2 (multipliers <= 1/2), so |d| <= 32640 and d * d fits in int32.
    const int32_t v = MultiplyByQuantizedMultiplier(d * d, p.output_multiplier, p.output_shift) + p.output_offset;
    output[o] = static_cast<T>(Clamp(v, p.act_min, p.act_max));
  });
}

template <typename T>
Status PreluQuantized(const PreluParams& p, Shape4 s_in, const T* input, Shape4 s_alpha, const T* alpha,
                      Shape4 out, T* output) {
  return ForEachBroadcast("PRELU", s_in, s_alpha, out, [&](int64_t o, int64_t a, int64_t b) {
    const int32_t x = p.input_offset + input[a];
    if (x >= 0 && p.raw_positive) {
      output[o] = input[a];
      return;
    }
    const int32_t v = x >= 0 ? MultiplyByQuantizedMultiplier(x, p.positive_multiplier, p.positive_shift)
                             : MultiplyByQuantizedMultiplier(x * (p.alpha_offset + alpha[b]), p.negative_multiplier,
                                                             p.negative_shift);
    output[o] = static_cast<T>(Clamp(v + p.output_offset, p.act_min, p.act_max));
  });
}

template <typename T, typename F>
Status FloatOrRaw(const char* op, Shape4 s1, const T* in1, Shape4 s2, const T* in2, Shape4 out,
                  T* output, F&& f) {
  return ForEachBroadcast(op, s1, s2, out,
                          [&](int64_t o, int64_t a, int64_t b) { output[o] = f(in1[a], in2[b]); });
}

}  // namespace

Result<Shape4> BroadcastShape(Shape4 a, Shape4 b) {
  if (!a.Valid() || !b.Valid()) {
    return InvalidArgumentError("failed to broadcast " + a.ToString() + " with " + b.ToString() +
                                ": bad shape");
  }
  auto dim = [](int x, int y, bool* ok) {
    if (x == y || y == 1) return x;
    if (x == 1) return y;
    *ok = false;
    return 0;
  };
  bool ok = true;
  Shape4 r{dim(a.n, b.n, &ok), dim(a.h, b.h, &ok), dim(a.w, b.w, &ok), dim(a.c, b.c, &ok)};
  if (!ok) {
    return InvalidArgumentError("failed to broadcast " + a.ToString() + " with " + b.ToString() +
                                ": dimensions differ and neither is 1");
  }
  return r;
}

Result<ArithmeticParams> PrepareAdd(QType type, QuantParams in1, QuantParams in2, QuantParams out,
                                    Activation activation) {
  ETPU_RETURN_IF_ERROR(CheckQuant("ADD", "input1", in1, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("ADD", "input2", in2, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("ADD", "output", out, type));
  ArithmeticParams p;
  p.input1_offset = -in1.zero_point;
  p.input2_offset = -in2.zero_point;
  p.output_offset = out.zero_point;
  p.left_shift = 20;
  const double twice_max_input_scale = 2 * std::max(in1.scale, in2.scale);
  const double real1 = in1.scale / twice_max_input_scale;
  const double real2 = in2.scale / twice_max_input_scale;
  const double real_out = twice_max_input_scale / ((1 << p.left_shift) * out.scale);
  ETPU_ASSIGN_OR_RETURN(QuantizedMultiplier q1, QuantizeMultiplierSmallerThanOneExp(real1));
  ETPU_ASSIGN_OR_RETURN(QuantizedMultiplier q2, QuantizeMultiplierSmallerThanOneExp(real2));
  ETPU_ASSIGN_OR_RETURN(QuantizedMultiplier qo, QuantizeMultiplierSmallerThanOneExp(real_out));
  p.input1_multiplier = q1.multiplier;
  p.input1_shift = q1.shift;
  p.input2_multiplier = q2.multiplier;
  p.input2_shift = q2.shift;
  p.output_multiplier = qo.multiplier;
  p.output_shift = qo.shift;
  ETPU_ASSIGN_OR_RETURN(ActivationRange r, CalculateActivationRangeQuantized(activation, type, out));
  p.act_min = r.min;
  p.act_max = r.max;
  return p;
}

Result<ArithmeticParams> PrepareMul(QType type, QuantParams in1, QuantParams in2, QuantParams out,
                                    Activation activation) {
  ETPU_RETURN_IF_ERROR(CheckQuant("MUL", "input1", in1, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("MUL", "input2", in2, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("MUL", "output", out, type));
  ArithmeticParams p;
  p.input1_offset = -in1.zero_point;
  p.input2_offset = -in2.zero_point;
  p.output_offset = out.zero_point;
  const float real_f = in1.scale * in2.scale / out.scale;  // float, as TFLite's Prepare
  const QuantizedMultiplier q = QuantizeMultiplier(static_cast<double>(real_f));
  p.output_multiplier = q.multiplier;
  p.output_shift = q.shift;
  ETPU_ASSIGN_OR_RETURN(ActivationRange r, CalculateActivationRangeQuantized(activation, type, out));
  p.act_min = r.min;
  p.act_max = r.max;
  return p;
}

Result<ArithmeticParams> PrepareArithmeticFloat(Activation activation) {
  ETPU_ASSIGN_OR_RETURN(FloatRange r, CalculateActivationRangeFloat(activation));
  ArithmeticParams p;
  p.float_min = r.min;
  p.float_max = r.max;
  return p;
}

Result<ArithmeticParams> PrepareSquaredDifference(QType type, QuantParams in1, QuantParams in2, QuantParams out) {
  ETPU_RETURN_IF_ERROR(CheckQuant("SQUARED_DIFFERENCE", "input1", in1, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("SQUARED_DIFFERENCE", "input2", in2, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("SQUARED_DIFFERENCE", "output", out, type));
  ArithmeticParams p;
  p.input1_offset = -in1.zero_point;
  p.input2_offset = -in2.zero_point;
  p.output_offset = out.zero_point;
  p.left_shift = 7;
  const double twice_max_input_scale = 2.0 * std::max(in1.scale, in2.scale);
  const double real1 = in1.scale / twice_max_input_scale;
  const double real2 = in2.scale / twice_max_input_scale;
  // 2^14 * s_out is formed in float (exact: a power of two).
  const float scaled_out = static_cast<float>(1 << (2 * p.left_shift)) * out.scale;
  const double real_out = twice_max_input_scale * twice_max_input_scale / scaled_out;
  ETPU_ASSIGN_OR_RETURN(QuantizedMultiplier q1, QuantizeMultiplierSmallerThanOneExp(real1));
  ETPU_ASSIGN_OR_RETURN(QuantizedMultiplier q2, QuantizeMultiplierSmallerThanOneExp(real2));
  const QuantizedMultiplier qo = QuantizeMultiplier(real_out);
  p.input1_multiplier = q1.multiplier;
  p.input1_shift = q1.shift;
  p.input2_multiplier = q2.multiplier;
  p.input2_shift = q2.shift;
  p.output_multiplier = qo.multiplier;
  p.output_shift = qo.shift;
  p.act_min = QMin(type);
  p.act_max = QMax(type);
  return p;
}

Status SquaredDifference(const ArithmeticParams& p, Shape4 s1, const uint8_t* in1, Shape4 s2, const uint8_t* in2,
                         Shape4 out, uint8_t* output) {
  return SquaredDifferenceQuantized(p, s1, in1, s2, in2, out, output);
}
Status SquaredDifference(const ArithmeticParams& p, Shape4 s1, const int8_t* in1, Shape4 s2, const int8_t* in2,
                         Shape4 out, int8_t* output) {
  return SquaredDifferenceQuantized(p, s1, in1, s2, in2, out, output);
}

Result<PreluParams> PreparePrelu(QType type, QuantParams input, QuantParams alpha, QuantParams output) {
  ETPU_RETURN_IF_ERROR(CheckQuant("PRELU", "input", input, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("PRELU", "alpha", alpha, type));
  ETPU_RETURN_IF_ERROR(CheckQuant("PRELU", "output", output, type));
  PreluParams p;
  p.input_offset = -input.zero_point;
  p.alpha_offset = -alpha.zero_point;
  p.output_offset = output.zero_point;
  p.raw_positive = type == QType::kUInt8;
  const QuantizedMultiplier pos =
      QuantizeMultiplier(static_cast<double>(input.scale) / static_cast<double>(output.scale));
  const float neg_f = input.scale * alpha.scale / output.scale;  // uint8: float, as TFLite 2.2
  const QuantizedMultiplier neg =
      type == QType::kUInt8 ? QuantizeMultiplier(static_cast<double>(neg_f))
                            : QuantizeMultiplier(static_cast<double>(input.scale) * static_cast<double>(alpha.scale) /
                                                 static_cast<double>(output.scale));
  p.positive_multiplier = pos.multiplier;
  p.positive_shift = pos.shift;
  p.negative_multiplier = neg.multiplier;
  p.negative_shift = neg.shift;
  p.act_min = QMin(type);
  p.act_max = QMax(type);
  return p;
}

Status Prelu(const PreluParams& p, Shape4 s_in, const uint8_t* input, Shape4 s_alpha, const uint8_t* alpha,
             Shape4 out, uint8_t* output) {
  return PreluQuantized(p, s_in, input, s_alpha, alpha, out, output);
}
Status Prelu(const PreluParams& p, Shape4 s_in, const int8_t* input, Shape4 s_alpha, const int8_t* alpha,
             Shape4 out, int8_t* output) {
  return PreluQuantized(p, s_in, input, s_alpha, alpha, out, output);
}
Status Prelu(Shape4 s_in, const float* input, Shape4 s_alpha, const float* alpha, Shape4 out, float* output) {
  return FloatOrRaw("PRELU", s_in, input, s_alpha, alpha, out, output,
                    [](float x, float a) { return x >= 0.0f ? x : x * a; });
}

Status Div(float lo, float hi, Shape4 s1, const float* in1, Shape4 s2, const float* in2, Shape4 out, float* output) {
  return FloatOrRaw("DIV", s1, in1, s2, in2, out, output,
                    [&](float a, float b) { return std::min(std::max(a / b, lo), hi); });
}

Status FloorDiv(float lo, float hi, Shape4 s1, const float* in1, Shape4 s2, const float* in2, Shape4 out,
                float* output) {
  if (!s2.Valid()) return InvalidArgumentError("failed to run FLOOR_DIV: bad divisor shape " + s2.ToString());
  const int64_t n2 = s2.FlatSize();
  for (int64_t i = 0; i < n2; ++i) {
    if (in2[i] == 0.0f) return InvalidArgumentError("failed to run FLOOR_DIV: division by 0");
  }
  return FloatOrRaw("FLOOR_DIV", s1, in1, s2, in2, out, output,
                    [&](float a, float b) { return std::min(std::max(std::floor(a / b), lo), hi); });
}

namespace {
Status IntDiv(bool floor, Shape4 s1, const int32_t* in1, Shape4 s2, const int32_t* in2, Shape4 out,
              int32_t* output) {
  bool div_by_zero = false;
  ETPU_RETURN_IF_ERROR(FloatOrRaw(floor ? "FLOOR_DIV" : "DIV", s1, in1, s2, in2, out, output,
                                  [&](int32_t a, int32_t b) -> int32_t {
                                    if (b == 0) {
                                      div_by_zero = true;
                                      return 0;
                                    }
                                    if (!floor) return (a == INT32_MIN && b == -1) ? a : a / b;  // no overflow trap
                                    return static_cast<int32_t>(
                                        std::floor(static_cast<double>(a) / static_cast<double>(b)));
                                  }));
  if (div_by_zero) {
    return InvalidArgumentError(std::string("failed to run ") + (floor ? "FLOOR_DIV" : "DIV") +
                                ": integer division by zero");
  }
  return OkStatus();
}
}  // namespace

Status Div(Shape4 s1, const int32_t* in1, Shape4 s2, const int32_t* in2, Shape4 out, int32_t* output) {
  return IntDiv(false, s1, in1, s2, in2, out, output);
}
Status FloorDiv(Shape4 s1, const int32_t* in1, Shape4 s2, const int32_t* in2, Shape4 out, int32_t* output) {
  return IntDiv(true, s1, in1, s2, in2, out, output);
}

// Same-shape inputs take the bit-exact SIMD path when one applies (fast_elementwise.cc).
#define ETPU_ADD_SUB(Name, op, sub, T)                                                       \
  Status Name(const ArithmeticParams& p, Shape4 s1, const T* in1, Shape4 s2, const T* in2, \
              Shape4 out, T* output) {                                                     \
    if (FastKernelsActive() && s1 == s2 && s1 == out && out.Valid() &&                     \
        fast::AddSub(p, sub, out.FlatSize(), in1, in2, output)) {                          \
      return OkStatus();                                                                   \
    }                                                                                      \
    return AddSubQuantized(op, sub, p, s1, in1, s2, in2, out, output);                     \
  }
ETPU_ADD_SUB(Add, "ADD", false, uint8_t)
ETPU_ADD_SUB(Add, "ADD", false, int8_t)
ETPU_ADD_SUB(Sub, "SUB", true, uint8_t)
ETPU_ADD_SUB(Sub, "SUB", true, int8_t)
#undef ETPU_ADD_SUB

Status Mul(const ArithmeticParams& p, Shape4 s1, const uint8_t* in1, Shape4 s2, const uint8_t* in2,
           Shape4 out, uint8_t* output) {
  return MulQuantized(p, s1, in1, s2, in2, out, output);
}
Status Mul(const ArithmeticParams& p, Shape4 s1, const int8_t* in1, Shape4 s2, const int8_t* in2,
           Shape4 out, int8_t* output) {
  return MulQuantized(p, s1, in1, s2, in2, out, output);
}

Status Add(const ArithmeticParams& p, Shape4 s1, const float* in1, Shape4 s2, const float* in2,
           Shape4 out, float* output) {
  return FloatOrRaw("ADD", s1, in1, s2, in2, out, output, [&](float a, float b) {
    return std::min(std::max(a + b, p.float_min), p.float_max);
  });
}
Status Sub(const ArithmeticParams& p, Shape4 s1, const float* in1, Shape4 s2, const float* in2,
           Shape4 out, float* output) {
  return FloatOrRaw("SUB", s1, in1, s2, in2, out, output, [&](float a, float b) {
    return std::min(std::max(a - b, p.float_min), p.float_max);
  });
}
Status Mul(const ArithmeticParams& p, Shape4 s1, const float* in1, Shape4 s2, const float* in2,
           Shape4 out, float* output) {
  return FloatOrRaw("MUL", s1, in1, s2, in2, out, output, [&](float a, float b) {
    return std::min(std::max(a * b, p.float_min), p.float_max);
  });
}

#define ETPU_MINMAX(Name, op, T, expr)                                                           \
  Status Name(Shape4 s1, const T* in1, Shape4 s2, const T* in2, Shape4 out, T* output) {         \
    return FloatOrRaw(op, s1, in1, s2, in2, out, output, [](T a, T b) { return expr; });         \
  }
ETPU_MINMAX(Maximum, "MAXIMUM", uint8_t, a > b ? a : b)
ETPU_MINMAX(Maximum, "MAXIMUM", int8_t, a > b ? a : b)
ETPU_MINMAX(Maximum, "MAXIMUM", float, a > b ? a : b)
ETPU_MINMAX(Minimum, "MINIMUM", uint8_t, a < b ? a : b)
ETPU_MINMAX(Minimum, "MINIMUM", int8_t, a < b ? a : b)
ETPU_MINMAX(Minimum, "MINIMUM", float, a < b ? a : b)
#undef ETPU_MINMAX

}  // namespace etpu::kernels
