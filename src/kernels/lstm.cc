#include "kernels/lstm.h"

#include "kernels/fixed_point16.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace etpu::kernels {
namespace {

constexpr int32_t kI16Min = std::numeric_limits<int16_t>::min();
constexpr int32_t kI16Max = std::numeric_limits<int16_t>::max();

// ---------------------------------------------------------------------------------------------
// gemmlowp's fixed-point arithmetic on int16 raw values (FixedPoint<int16_t, I>): products are
// 16-bit SaturatingRoundingDoublingHighMul, sums wrap, constants are the int32 ones rounded
// down by 16 bits, and exp's final sum saturates.

using fixed16::Wrap;
int16_t Wrap16(int32_t v) { return Wrap(v); }
int16_t Mul16(int16_t a, int16_t b) { return fixed16::SaturatingRoundingDoublingHighMul(a, b); }
int16_t RoundingDivideByPOT16(int16_t x, int e) { return fixed16::RoundingDivideByPOT(x, e); }

// x * 2^e: saturating left shift (e > 0) or rounding right shift (e < 0).
int16_t MulPOT16(int16_t x, int e) {
  if (e == 0) return x;
  if (e < 0) return RoundingDivideByPOT16(x, -e);
  const int32_t threshold = (1 << (15 - e)) - 1;
  if (x > threshold) return static_cast<int16_t>(kI16Max);
  if (x < -threshold) return static_cast<int16_t>(kI16Min);
  return Wrap16(static_cast<int32_t>(static_cast<uint32_t>(static_cast<int32_t>(x)) << e));
}

int16_t Const16(int32_t q31) { return static_cast<int16_t>(RoundingDivideByPOT(q31, 16)); }

int16_t SaturatingAdd16(int16_t a, int16_t b) {
  return static_cast<int16_t>(std::clamp(int32_t{a} + int32_t{b}, kI16Min, kI16Max));
}

int16_t RoundingHalfSum16(int16_t a, int16_t b) {
  const int32_t sum = int32_t{a} + int32_t{b};
  const int32_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int16_t>((sum + sign) / 2);
}

// exp(a) for a in [-1/4, 0), Q0.15.
int16_t ExpOnIntervalNegQuarterTo0(int16_t a) {
  const int16_t constant_term = Const16(1895147668);
  const int16_t constant_1_over_3 = Const16(715827883);
  const int16_t x = Wrap16(a + (1 << 12));
  const int16_t x2 = Mul16(x, x);
  const int16_t x3 = Mul16(x2, x);
  const int16_t x4 = Mul16(x2, x2);
  const int16_t x4_over_4 = MulPOT16(x4, -2);
  const int16_t poly =
      MulPOT16(Wrap16(Mul16(Wrap16(x4_over_4 + x3), constant_1_over_3) + x2), -1);
  return SaturatingAdd16(constant_term, Mul16(constant_term, Wrap16(x + poly)));
}

// exp(a) for a <= 0 held with `ib` integer bits; result Q0.15.
int16_t ExpOnNegativeValues16(int16_t a, int ib) {
  const int frac = 15 - ib;
  const int16_t one_quarter = static_cast<int16_t>(1 << (frac - 2));
  const int16_t mask = static_cast<int16_t>(one_quarter - 1);
  const int16_t a_mod_quarter_minus_one_quarter = Wrap16((a & mask) - one_quarter);
  int16_t result = ExpOnIntervalNegQuarterTo0(MulPOT16(a_mod_quarter_minus_one_quarter, ib));
  const int16_t remainder = Wrap16(a_mod_quarter_minus_one_quarter - a);
  static constexpr int32_t kMultipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                              39332535,   720401,     242};
  for (int k = 0; k < 7; ++k) {
    const int exponent = k - 2;
    if (ib > exponent) {
      const int shift = frac + exponent;
      if (remainder & (1 << shift)) result = Mul16(result, Const16(kMultipliers[k]));
    }
  }
  if (ib > 5) {
    const int16_t clamp = Const16(-(int32_t{1} << (36 - ib)));
    if (a < clamp) result = 0;
  }
  if (a == 0) result = static_cast<int16_t>(kI16Max);
  return result;
}

// Newton-Raphson 1/(1+a) (or (1-a)/(1+a)) for a in [0, 1): Q0.15 in, Q0.15 out.
int16_t NewtonReciprocalF2(int16_t a) {
  const int16_t half_denominator = RoundingHalfSum16(a, static_cast<int16_t>(kI16Max));
  const int16_t c48_17 = Const16(1515870810);
  const int16_t cneg32_17 = Const16(-1010580540);
  int16_t x = Wrap16(c48_17 + Mul16(half_denominator, cneg32_17));
  const int16_t one_f2 = 1 << 13;
  for (int i = 0; i < 3; ++i) {
    const int16_t half_denominator_times_x = Mul16(half_denominator, x);
    const int16_t one_minus = Wrap16(one_f2 - half_denominator_times_x);
    x = Wrap16(x + MulPOT16(Mul16(x, one_minus), 2));
  }
  return x;  // Q2.13
}

int16_t OneOverOnePlusX16(int16_t a) { return MulPOT16(NewtonReciprocalF2(a), 1); }
int16_t OneMinusXOverOnePlusX16(int16_t a) {
  return MulPOT16(Wrap16(NewtonReciprocalF2(a) - (1 << 13)), 2);
}

int16_t Logistic16Bits(int16_t a, int ib) {
  if (a == 0) return Const16(1 << 30);
  const bool positive = a > 0;
  const int16_t abs_a = positive ? a : Wrap16(-int32_t{a});
  const int16_t if_positive = OneOverOnePlusX16(ExpOnNegativeValues16(Wrap16(-int32_t{abs_a}), ib));
  return positive ? if_positive : Wrap16(kI16Max - if_positive);
}

// ---------------------------------------------------------------------------------------------
// tensor_utils-style helpers (TFLite's portable integer LSTM building blocks).

// gate[b][r] = sat16(gate[b][r] + MBQM(bias[r] + sum_c x[b][c] w[r][c], m)).
void MatMulAccumulate16(const int8_t* x, const int32_t* bias, const int8_t* w, QuantizedMultiplier m,
                        int n_batch, int n_in, int n_out, int16_t* gate) {
  for (int b = 0; b < n_batch; ++b) {
    for (int r = 0; r < n_out; ++r) {
      // In 64 bits, wrapped to 32 as TFLite's int32 accumulator would: the same value whenever
      // that does not overflow, and no undefined behaviour when a hostile bias makes it.
      int64_t sum = bias[r];
      const int8_t* row = w + static_cast<int64_t>(r) * n_in;
      const int8_t* xb = x + static_cast<int64_t>(b) * n_in;
      for (int c = 0; c < n_in; ++c) sum += int32_t{xb[c]} * int32_t{row[c]};
      int32_t acc = MultiplyByQuantizedMultiplier(WrapTo32(sum), m.multiplier, m.shift);
      acc = WrapAdd(acc, gate[b * n_out + r]);
      gate[b * n_out + r] = static_cast<int16_t>(std::clamp(acc, kI16Min, kI16Max));
    }
  }
}

void LayerNorm(const int16_t* weights, const int32_t* bias, QuantizedMultiplier scale,
               int32_t variance_guard, int n_batch, int n, int16_t* gate) {
  constexpr int64_t kTwoToPower20 = int64_t{1} << 20;
  for (int b = 0; b < n_batch; ++b) {
    int16_t* g = gate + static_cast<int64_t>(b) * n;
    int64_t sum = 0, sum_sq = 0;
    for (int j = 0; j < n; ++j) {
      sum += g[j];
      sum_sq += int32_t{g[j]} * int32_t{g[j]};
    }
    const int32_t mean = static_cast<int32_t>(sum * 1024 / n);
    const int32_t temp = static_cast<int32_t>(kTwoToPower20 / n);
    const int64_t variance = sum_sq * temp - int64_t{mean} * int64_t{mean};
    int32_t variance2 = static_cast<int32_t>(variance / kTwoToPower20);
    if (variance2 < 1) variance2 = variance_guard;
    const QuantizedMultiplier inv = lstm_internal::InvSqrtQuantizedMultiplier(variance2);
    for (int j = 0; j < n; ++j) {
      const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(1024 * int32_t{g[j]}) -
                                                   static_cast<uint32_t>(mean));
      const int32_t rescaled = MultiplyByQuantizedMultiplier(shifted, inv.multiplier, inv.shift);
      // TFLite computes rescaled * weight + bias in int32 before widening.
      const int64_t val3 = static_cast<int32_t>(
          static_cast<uint32_t>(rescaled) * static_cast<uint32_t>(int32_t{weights[j]}) +
          static_cast<uint32_t>(bias[j]));
      const int32_t val4 = static_cast<int32_t>((val3 > 0 ? val3 + 512 : val3 - 512) / 1024);
      const int32_t val5 = MultiplyByQuantizedMultiplier(val4, scale.multiplier, scale.shift + 12);
      g[j] = static_cast<int16_t>(std::clamp(val5, kI16Min, kI16Max));
    }
  }
}

struct Scratch {
  std::array<std::vector<int16_t>, 4> gate;
  std::vector<int16_t> tanh_cell;
  std::vector<int8_t> hidden;
};

void CalculateGate(const IntegerLstmParams& p, int g, const int8_t* input, const int8_t* output_state,
                   const int16_t* cell_state, int n_batch, bool sigmoid, int16_t* gate) {
  const int n = n_batch * p.n_cell;
  std::fill_n(gate, n, 0);
  MatMulAccumulate16(input, p.input_effective_bias[g].data(), p.input_weights[g], p.input_scale[g],
                     n_batch, p.n_input, p.n_cell, gate);
  MatMulAccumulate16(output_state, p.recurrent_effective_bias[g].data(), p.recurrent_weights[g],
                     p.recurrent_scale[g], n_batch, p.n_output, p.n_cell, gate);
  if (p.use_peephole && g != kLstmCellGate) {
    const QuantizedMultiplier m = p.peephole_scale[g];
    for (int i = 0; i < n; ++i) {
      int32_t prod = int32_t{p.peephole_weights[g][i % p.n_cell]} * int32_t{cell_state[i]};
      prod = MultiplyByQuantizedMultiplier(prod, m.multiplier, m.shift);
      gate[i] = static_cast<int16_t>(std::clamp(prod + int32_t{gate[i]}, kI16Min, kI16Max));
    }
  }
  if (p.use_layer_norm) {
    LayerNorm(p.layer_norm_weights[g], p.layer_norm_bias[g], p.layer_norm_scale[g], p.variance_guard[g],
              n_batch, p.n_cell, gate);
  }
  for (int i = 0; i < n; ++i) {
    gate[i] = sigmoid ? lstm_internal::Logistic16(gate[i]) : lstm_internal::Tanh16(3, gate[i]);
  }
}

// One time step for n_batch rows.
void Step(const IntegerLstmParams& p, const int8_t* input, int n_batch, int8_t* output_state,
          int16_t* cell_state, int8_t* output, Scratch& s) {
  const int n = n_batch * p.n_cell;
  int16_t* ig = s.gate[kLstmInputGate].data();
  int16_t* fg = s.gate[kLstmForgetGate].data();
  int16_t* cg = s.gate[kLstmCellGate].data();
  int16_t* og = s.gate[kLstmOutputGate].data();
  if (!p.use_cifg) CalculateGate(p, kLstmInputGate, input, output_state, cell_state, n_batch, true, ig);
  CalculateGate(p, kLstmForgetGate, input, output_state, cell_state, n_batch, true, fg);
  CalculateGate(p, kLstmCellGate, input, output_state, cell_state, n_batch, false, cg);

  // Cell update: c = f*c >> 15 (+) (i or 1-f) * g >> (30 + log2 s_cell).
  const int shift2 = 30 + p.cell_scale_log2;
  for (int i = 0; i < n; ++i) {
    const int32_t fc = RoundingDivideByPOT(int32_t{fg[i]} * int32_t{cell_state[i]}, 15);
    const int16_t in_gate = p.use_cifg ? Wrap16(kI16Max - fg[i]) : ig[i];
    const int32_t ic = RoundingDivideByPOT(int32_t{in_gate} * int32_t{cg[i]}, shift2);
    int32_t c = std::clamp(int32_t{static_cast<int16_t>(fc)} + int32_t{static_cast<int16_t>(ic)},
                           kI16Min, kI16Max);
    if (p.quantized_cell_clip > 0) {
      c = std::clamp(c, -int32_t{p.quantized_cell_clip}, int32_t{p.quantized_cell_clip});
    }
    cell_state[i] = static_cast<int16_t>(c);
  }
  CalculateGate(p, kLstmOutputGate, input, output_state, cell_state, n_batch, true, og);

  // Hidden = o * tanh(c), int8 with the hidden intermediate's quantization.
  const int cell_bits = 15 + p.cell_scale_log2;
  for (int i = 0; i < n; ++i) {
    const int16_t t = lstm_internal::Tanh16(cell_bits, cell_state[i]);
    int32_t v = MultiplyByQuantizedMultiplier(int32_t{og[i]} * int32_t{t}, p.hidden_scale.multiplier,
                                              p.hidden_scale.shift);
    // TFLite 2.9 subtracts the hidden zero point here (and the projection folds +zp * sum(W)
    // accordingly); the oracle confirms it on the real model (zero point -1).
    v = std::clamp(v - p.hidden_zp, int32_t{-128}, int32_t{127});
    s.hidden[i] = static_cast<int8_t>(v);
  }
  const int n_out = n_batch * p.n_output;
  if (p.use_projection) {
    for (int b = 0; b < n_batch; ++b) {
      for (int r = 0; r < p.n_output; ++r) {
        int64_t sum = p.projection_effective_bias[r];  // wrapped to 32 bits, as above
        const int8_t* row = p.projection_weights + static_cast<int64_t>(r) * p.n_cell;
        const int8_t* h = s.hidden.data() + static_cast<int64_t>(b) * p.n_cell;
        for (int c = 0; c < p.n_cell; ++c) sum += int32_t{h[c]} * int32_t{row[c]};
        int32_t acc = MultiplyByQuantizedMultiplier(WrapTo32(sum), p.projection_scale.multiplier,
                                                    p.projection_scale.shift);
        acc = std::clamp(WrapAdd(acc, p.output_state_zp), int32_t{-128}, int32_t{127});
        if (p.quantized_proj_clip > 0) {
          acc = std::clamp(acc, -int32_t{p.quantized_proj_clip}, int32_t{p.quantized_proj_clip});
        }
        output_state[b * p.n_output + r] = static_cast<int8_t>(acc);
      }
    }
  } else {
    std::copy_n(s.hidden.data(), n_out, output_state);
  }
  std::copy_n(output_state, n_out, output);
}

// bias[r] (or 0) + zero_point * sum_c w[r][c].
std::vector<int32_t> FoldZeroPoint(const int8_t* w, const int32_t* bias, int32_t zero_point, int rows,
                                   int cols) {
  std::vector<int32_t> out(static_cast<size_t>(rows), 0);
  if (w == nullptr) return out;
  for (int r = 0; r < rows; ++r) {
    // In 64 bits, then wrapped to 32 as TFLite's int32 arithmetic would: the same value whenever
    // that does not overflow, and no undefined behaviour when a hostile model makes it.
    int64_t row_sum = 0;
    for (int c = 0; c < cols; ++c) row_sum += w[static_cast<int64_t>(r) * cols + c];
    out[r] = WrapTo32((bias != nullptr ? int64_t{bias[r]} : 0) + row_sum * zero_point);
  }
  return out;
}

bool CheckedLog2(float x, int* log2_result) {
  const float x_log2 = std::log(x) * (1.0f / std::log(2.0f));
  const float rounded = std::round(x_log2);
  *log2_result = static_cast<int>(rounded);
  return std::abs(x_log2 - rounded) < 1e-3f;
}

}  // namespace

namespace lstm_internal {

int16_t Logistic16(int16_t q3_12) { return Logistic16Bits(q3_12, 3); }

int16_t Tanh16(int integer_bits, int16_t a) {
  if (a == 0) return 0;
  const bool negative = a < 0;
  const int16_t n = negative ? a : Wrap16(-int32_t{a});
  // exp(2n): the same raw value read with one more integer bit.
  const int16_t t = OneMinusXOverOnePlusX16(ExpOnNegativeValues16(n, integer_bits + 1));
  return negative ? Wrap16(-int32_t{t}) : t;
}

QuantizedMultiplier InvSqrtQuantizedMultiplier(int32_t input) {
  if (input <= 1) return {std::numeric_limits<int32_t>::max(), 0};
  int shift = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    ++shift;
  }
  int leading_zeros = 0;
  for (uint32_t u = static_cast<uint32_t>(input); !(u & 0x80000000u); u <<= 1) ++leading_zeros;
  const int left_shift_bit_pairs = (leading_zeros - 1) / 2 - 1;
  shift -= left_shift_bit_pairs;
  input <<= 2 * left_shift_bit_pairs;
  // Newton-Raphson on Q3.28 values: x <- 1.5 x - (input/2) x^3, five times from x = 1.
  auto rescale3 = [](int32_t raw_f_bits, int from_bits) {  // Q(from).(31-from) -> Q3
    return from_bits == 3 ? raw_f_bits : (from_bits > 3 ? [&] {
      const int e = from_bits - 3;
      const int32_t threshold = (int32_t{1} << (31 - e)) - 1;
      if (raw_f_bits > threshold) return std::numeric_limits<int32_t>::max();
      if (raw_f_bits < -threshold) return std::numeric_limits<int32_t>::min();
      return static_cast<int32_t>(static_cast<uint32_t>(raw_f_bits) << e);
    }() : RoundingDivideByPOT(raw_f_bits, 3 - from_bits));
  };
  const int32_t fixed_input = input >> 1;
  const int32_t half_input = RoundingDivideByPOT(fixed_input, 1);
  const int32_t half_three = (1 << 28) + (1 << 27);
  int32_t x = 1 << 28;  // 1.0 in Q3.28
  for (int i = 0; i < 5; ++i) {
    const int32_t x2 = SaturatingRoundingDoublingHighMul(x, x);    // Q6
    const int32_t x3q9 = SaturatingRoundingDoublingHighMul(x2, x);  // Q9
    const int32_t x3 = rescale3(x3q9, 9);
    const int32_t a = SaturatingRoundingDoublingHighMul(half_three, x);  // Q6
    const int32_t b = SaturatingRoundingDoublingHighMul(half_input, x3);  // Q6
    x = rescale3(static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b)), 6);
  }
  x = SaturatingRoundingDoublingHighMul(x, 1518500250);  // * sqrt(2)/2, still Q3
  if (shift < 0) {
    x = static_cast<int32_t>(static_cast<uint32_t>(x) << -shift);
    shift = 0;
  }
  return {x, -shift};
}

}  // namespace lstm_internal

Result<IntegerLstmParams> PrepareIntegerLstm(const IntegerLstmSpec& s) {
  auto err = [](const std::string& m) { return InvalidArgumentError("UNIDIRECTIONAL_SEQUENCE_LSTM: " + m); };
  if (s.n_batch <= 0 || s.n_time <= 0 || s.n_input <= 0 || s.n_cell <= 0 || s.n_output <= 0) {
    return err("sizes must be positive (batch " + std::to_string(s.n_batch) + ", time " +
               std::to_string(s.n_time) + ", input " + std::to_string(s.n_input) + ", cell " +
               std::to_string(s.n_cell) + ", output " + std::to_string(s.n_output) + ")");
  }
  if (int64_t{s.n_batch} * s.n_time * std::max({s.n_input, s.n_cell, s.n_output}) > INT32_MAX) {
    return err("tensor sizes overflow int32");
  }
  // int8 tensors: a zero point outside [-128, 127] is not a quantization of int8 values.
  for (const auto& [name, zp] : {std::pair<const char*, int32_t>{"input", s.input.zero_point},
                                 {"output state", s.output_state.zero_point},
                                 {"output", s.output.zero_point},
                                 {"hidden intermediate", s.intermediates[4].zero_point}}) {
    if (zp < -128 || zp > 127) {
      return err(std::string("the ") + name + " zero point " + std::to_string(zp) + " is outside the int8 range");
    }
  }
  IntegerLstmParams p;
  p.n_batch = s.n_batch;
  p.n_time = s.n_time;
  p.n_input = s.n_input;
  p.n_cell = s.n_cell;
  p.n_output = s.n_output;
  p.time_major = s.time_major;
  p.use_cifg = s.input_weights[kLstmInputGate].data == nullptr;
  if (p.use_cifg != (s.recurrent_weights[kLstmInputGate].data == nullptr)) {
    return err("input-to-input and recurrent-to-input weights must be both present or both absent");
  }
  if (p.use_cifg != (s.biases[kLstmInputGate] == nullptr)) {
    return err("the input gate bias must be present exactly when the input gate weights are");
  }
  for (int g = kLstmForgetGate; g <= kLstmOutputGate; ++g) {
    if (s.input_weights[g].data == nullptr || s.recurrent_weights[g].data == nullptr || s.biases[g] == nullptr) {
      return err("gate " + std::to_string(g) + " needs input and recurrent weights and a bias");
    }
  }
  p.use_peephole = s.peephole_weights[kLstmOutputGate].data != nullptr;
  if (p.use_peephole != (s.peephole_weights[kLstmForgetGate].data != nullptr) ||
      (!p.use_cifg && p.use_peephole != (s.peephole_weights[kLstmInputGate].data != nullptr))) {
    return err("peephole weights must be all present or all absent");
  }
  if (p.use_peephole && s.n_output != s.n_cell) {
    return UnimplementedError("UNIDIRECTIONAL_SEQUENCE_LSTM: peephole with projection (n_output " +
                              std::to_string(s.n_output) + " != n_cell " + std::to_string(s.n_cell) + ")");
  }
  p.use_layer_norm = s.layer_norm[kLstmForgetGate].data != nullptr;
  for (int g = 0; g < 4; ++g) {
    const bool want = p.use_layer_norm && !(g == kLstmInputGate && p.use_cifg);
    if ((s.layer_norm[g].data != nullptr) != want) {
      return err("layer-norm coefficients must be present for every used gate or for none");
    }
  }
  p.use_projection = s.projection.data != nullptr;
  if (!p.use_projection && s.projection_bias != nullptr) return err("projection bias without projection weights");
  if (!p.use_projection && s.n_output != s.n_cell) {
    return err("without projection the output size (" + std::to_string(s.n_output) +
               ") must equal the cell count (" + std::to_string(s.n_cell) + ")");
  }
  if (!(s.cell_state_scale > 0) || !CheckedLog2(s.cell_state_scale, &p.cell_scale_log2) ||
      p.cell_scale_log2 > -9 || p.cell_scale_log2 < -21) {
    return err("cell state scale must be a power of two in [2^-21, 2^-9], got " +
               std::to_string(s.cell_state_scale));
  }
  if (!(s.input.scale > 0) || !(s.output_state.scale > 0) || !(s.intermediates[4].scale > 0)) {
    return err("input, output state and hidden intermediate scales must be positive");
  }

  // Clips (float, truncated as TFLite casts).
  p.quantized_cell_clip = s.cell_clip > 0
      ? static_cast<int16_t>(std::min(std::max(s.cell_clip / s.cell_state_scale, -32768.0f), 32767.0f)) : 0;
  p.quantized_proj_clip = s.proj_clip > 0 && s.output.scale > 0
      ? static_cast<int8_t>(std::min(std::max(s.proj_clip / s.output.scale, -128.0f), 127.0f)) : 0;

  std::array<float, 5> inter_scale{};
  for (int g = 0; g < 4; ++g) {
    inter_scale[g] = p.use_layer_norm ? s.intermediates[g].scale : static_cast<float>(std::pow(2, -12));
    if (!(inter_scale[g] > 0)) return err("intermediate " + std::to_string(g) + " needs a positive scale");
  }
  inter_scale[4] = s.intermediates[4].scale;
  const float cell_pot = static_cast<float>(std::pow(2, p.cell_scale_log2));
  for (int g = 0; g < 4; ++g) {
    if (g == kLstmInputGate && p.use_cifg) continue;
    const float e_in = s.input_weights[g].scale * s.input.scale / inter_scale[g];
    const float e_rec = s.recurrent_weights[g].scale * s.output_state.scale / inter_scale[g];
    p.input_scale[g] = QuantizeMultiplier(e_in);
    p.recurrent_scale[g] = QuantizeMultiplier(e_rec);
    if (p.use_peephole && g != kLstmCellGate) {
      p.peephole_scale[g] = QuantizeMultiplier(cell_pot * s.peephole_weights[g].scale / inter_scale[g]);
    }
    const float ln_scale = p.use_layer_norm ? s.layer_norm[g].scale : 1.0f;
    p.layer_norm_scale[g] = QuantizeMultiplier(ln_scale);
    p.variance_guard[g] = std::max(1, static_cast<int32_t>(10000 * ln_scale));
    p.input_weights[g] = s.input_weights[g].data;
    p.recurrent_weights[g] = s.recurrent_weights[g].data;
    p.peephole_weights[g] = s.peephole_weights[g].data;
    p.layer_norm_weights[g] = s.layer_norm[g].data;
    p.layer_norm_bias[g] = s.biases[g];
    // With layer norm the bias is added after normalisation, not folded into the matmul.
    p.input_effective_bias[g] = FoldZeroPoint(s.input_weights[g].data, p.use_layer_norm ? nullptr : s.biases[g],
                                              -s.input.zero_point, s.n_cell, s.n_input);
    p.recurrent_effective_bias[g] = FoldZeroPoint(s.recurrent_weights[g].data, nullptr,
                                                  -s.output_state.zero_point, s.n_cell, s.n_output);
  }
  const float effective_hidden = static_cast<float>(std::pow(2, -15) / inter_scale[4] * std::pow(2, -15));
  p.hidden_scale = QuantizeMultiplier(effective_hidden);
  p.hidden_zp = s.intermediates[4].zero_point;
  p.output_state_zp = s.output_state.zero_point;
  if (p.use_projection) {
    p.projection_weights = s.projection.data;
    p.projection_scale = QuantizeMultiplier(s.projection.scale * inter_scale[4] / s.output_state.scale);
    p.projection_effective_bias =
        FoldZeroPoint(s.projection.data, s.projection_bias, p.hidden_zp, s.n_output, s.n_cell);
  }
  // A requantisation shifts left by at most 31 bits: an effective scale of 2^31 or more (only a
  // hostile model has one; a campaign's mutation gave a shift of 88) is refused here.
  std::vector<std::pair<std::string, QuantizedMultiplier>> scales = {{"hidden", p.hidden_scale},
                                                                     {"projection", p.projection_scale}};
  for (int g = 0; g < 4; ++g) {
    const std::string gate = "gate " + std::to_string(g) + " ";
    scales.insert(scales.end(), {{gate + "input", p.input_scale[g]}, {gate + "recurrent", p.recurrent_scale[g]},
                                 {gate + "peephole", p.peephole_scale[g]}, {gate + "layer norm", p.layer_norm_scale[g]}});
  }
  for (const auto& [name, m] : scales) {
    if (m.shift > 31) {
      return err("the " + name + " effective scale needs a left shift of " + std::to_string(m.shift) +
                 " bits (at most 31)");
    }
  }
  return p;
}

Status IntegerLstm(const IntegerLstmParams& p, const int8_t* input, int8_t* output_state, int16_t* cell_state,
                   int8_t* output) {
  if (input == nullptr || output_state == nullptr || cell_state == nullptr || output == nullptr) {
    return InvalidArgumentError("UNIDIRECTIONAL_SEQUENCE_LSTM: null tensor data");
  }
  const int step_batch = p.time_major ? p.n_batch : 1;
  Scratch s;
  for (auto& g : s.gate) g.assign(static_cast<size_t>(step_batch) * p.n_cell, 0);
  s.hidden.assign(static_cast<size_t>(step_batch) * p.n_cell, 0);
  if (p.time_major) {
    for (int t = 0; t < p.n_time; ++t) {
      Step(p, input + int64_t{t} * p.n_batch * p.n_input, p.n_batch, output_state, cell_state,
           output + int64_t{t} * p.n_batch * p.n_output, s);
    }
  } else {
    for (int b = 0; b < p.n_batch; ++b) {
      for (int t = 0; t < p.n_time; ++t) {
        const int64_t row = int64_t{b} * p.n_time + t;
        Step(p, input + row * p.n_input, 1, output_state + int64_t{b} * p.n_output,
             cell_state + int64_t{b} * p.n_cell, output + row * p.n_output, s);
      }
    }
  }
  return OkStatus();
}

}  // namespace etpu::kernels
