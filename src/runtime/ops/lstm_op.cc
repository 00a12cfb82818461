// UNIDIRECTIONAL_SEQUENCE_LSTM, integer 8x8_16 path (int8 input / weights / output state, int16
// cell state), as TFLite's reference integer LSTM (stop-gap kernel: src/kernels has no LSTM yet).
// Supported: no CIFG, no peephole, no projection, no layer normalisation (the gate intermediates
// are then Q3.12); batch-major or time-major. Per step and gate g:
//   gate_g = clamp16(MBQM(x·W_g + bias_g - zp_x·ΣW_g, s_xg) + MBQM(h·R_g - zp_h·ΣR_g, s_hg))
//   with s_xg = w_scale * x_scale / 2^-12, s_hg = r_scale * h_scale / 2^-12 (float), then
//   sigmoid (F3 -> F0, int16 gemmlowp) for input/forget/output, tanh for the cell gate;
//   c = RDBP(f*c, 15) + RDBP(i*g, 30 + log2(c_scale)), saturated, clipped to cell_clip;
//   h = clamp8(MBQM(o * tanh_{15+log2(c_scale)}(c), 2^-30 / hidden_scale) - hidden_zp)
//   (the zero point is subtracted, as TFLite 2.9 does; checked bit for bit against libtflite29).
// The int8 output state starts at its zero point (TFLite's variable reset), see interpreter.cc.
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "kernels/quant_utils.h"
#include "runtime/ops/fixed_point16.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

constexpr int kInput = 0;
constexpr int kInputToGate[4] = {1, 2, 3, 4};      // input, forget, cell, output
constexpr int kRecurrentToGate[4] = {5, 6, 7, 8};
constexpr int kGateBias[4] = {12, 13, 14, 15};
constexpr int kOutputState = 18;
constexpr int kCellState = 19;

struct GateParams {
  const int8_t* w = nullptr;   // [n_cell, n_input]
  const int8_t* r = nullptr;   // [n_cell, n_output]
  const int32_t* bias = nullptr;
  std::vector<int32_t> x_bias;  // bias - zp_x * row sums of w (recomputed per invocation: the
                                // weights may be refilled, e.g. from a virtual Edge TPU's SRAM)
  std::vector<int32_t> h_bias;  // -zp_h * row sums of r
  kernels::QuantizedMultiplier x_scale, h_scale;
};

struct LstmState {
  int n_batch = 1, max_time = 1, n_input = 1, n_cell = 1, n_output = 1;
  bool time_major = false;
  GateParams gates[4];
  int cell_scale_log2 = 0;
  int16_t cell_clip = 0;
  kernels::QuantizedMultiplier hidden_scale;
  int32_t hidden_zp = 0;
  int32_t input_zp = 0, state_zp = 0;
  const int8_t* input = nullptr;
  int8_t* output = nullptr;
  int8_t* output_state = nullptr;
  int16_t* cell_state = nullptr;
  std::vector<int16_t> g[4];
  std::vector<int16_t> tanh_c;
};

// acc = bias + x·W, then requantize and accumulate into out (saturating to int16).
void GateMatMul(const int8_t* x, const int32_t* bias, const int8_t* w, kernels::QuantizedMultiplier m, int n_in,
                int n_out, int16_t* out) {
  for (int row = 0; row < n_out; ++row) {
    int32_t acc = bias[row];
    const int8_t* wr = w + static_cast<size_t>(row) * n_in;
    for (int col = 0; col < n_in; ++col) acc += int32_t{x[col]} * int32_t{wr[col]};
    acc = kernels::MultiplyByQuantizedMultiplier(acc, m.multiplier, m.shift);
    acc += out[row];
    out[row] = static_cast<int16_t>(std::min(32767, std::max(-32768, acc)));
  }
}

template <int I>
void ApplyTanh(const int16_t* in, int n, int16_t* out) {
  for (int i = 0; i < n; ++i) out[i] = fp16::Tanh(fp16::F<I>{in[i]}).raw;
}

bool ApplyTanhBits(int bits, const int16_t* in, int n, int16_t* out) {
  switch (bits) {
    case 0: ApplyTanh<0>(in, n, out); return true;
    case 1: ApplyTanh<1>(in, n, out); return true;
    case 2: ApplyTanh<2>(in, n, out); return true;
    case 3: ApplyTanh<3>(in, n, out); return true;
    case 4: ApplyTanh<4>(in, n, out); return true;
    case 5: ApplyTanh<5>(in, n, out); return true;
    case 6: ApplyTanh<6>(in, n, out); return true;
    default: return false;
  }
}

void Step(LstmState& s, const int8_t* x, int8_t* h, int16_t* c, int8_t* out) {
  const int n = s.n_cell;
  for (int k = 0; k < 4; ++k) {
    std::fill(s.g[k].begin(), s.g[k].end(), int16_t{0});
    GateMatMul(x, s.gates[k].x_bias.data(), s.gates[k].w, s.gates[k].x_scale, s.n_input, n, s.g[k].data());
    GateMatMul(h, s.gates[k].h_bias.data(), s.gates[k].r, s.gates[k].h_scale, s.n_output, n, s.g[k].data());
    if (k == 2) {
      ApplyTanh<3>(s.g[k].data(), n, s.g[k].data());
    } else {
      for (int i = 0; i < n; ++i) s.g[k][i] = fp16::Logistic(fp16::F<3>{s.g[k][i]}).raw;
    }
  }
  const int ig_shift = 30 + s.cell_scale_log2;
  for (int i = 0; i < n; ++i) {
    const int32_t fc = fp16::RoundingDivideByPOT32(int32_t{s.g[1][i]} * c[i], 15);
    const int32_t ig = fp16::RoundingDivideByPOT32(int32_t{s.g[0][i]} * s.g[2][i], ig_shift);
    int32_t v = std::min(32767, std::max(-32768, static_cast<int32_t>(static_cast<int16_t>(fc)) + static_cast<int16_t>(ig)));
    if (s.cell_clip > 0) v = std::min<int32_t>(s.cell_clip, std::max<int32_t>(-s.cell_clip, v));
    c[i] = static_cast<int16_t>(v);
  }
  ApplyTanhBits(15 + s.cell_scale_log2, c, n, s.tanh_c.data());
  for (int i = 0; i < n; ++i) {
    int32_t v = int32_t{s.g[3][i]} * s.tanh_c[i];
    v = kernels::MultiplyByQuantizedMultiplier(v, s.hidden_scale.multiplier, s.hidden_scale.shift) - s.hidden_zp;
    h[i] = static_cast<int8_t>(std::min(127, std::max(-128, v)));
  }
  std::memcpy(out, h, static_cast<size_t>(s.n_output));
}

Result<EvalFn> MakeLstm(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  if (c.num_inputs() < 20) return c.Error(fmt::format("has {} inputs (expected at least 20)", c.num_inputs()));
  const ir::Tensor& in = c.in(kInput);
  if (in.type != TensorType::INT8) {
    return UnimplementedError(c.label() + ": only the integer (int8 x int8 -> int16 cell) LSTM is supported, input is " +
                              ir::TensorTypeName(in.type));
  }
  for (int i : {9, 10, 11, 16, 17, 20, 21, 22, 23}) {
    if (c.has_input(i)) {
      return UnimplementedError(c.label() + fmt::format(": input {} (peephole, projection or layer norm) is not supported", i));
    }
  }
  for (int i : {1, 5, 12}) {
    if (!c.has_input(i)) return UnimplementedError(c.label() + ": CIFG LSTMs are not supported");
  }
  const auto* opt = c.op().options<tflite_fb::UnidirectionalSequenceLSTMOptionsT>();
  if (opt == nullptr) return c.Error("missing UnidirectionalSequenceLSTMOptions");
  if (opt->fused_activation_function != tflite_fb::ActivationFunctionType::TANH) {
    return UnimplementedError(c.label() + ": only the TANH cell activation is supported");
  }
  if (c.op().fb == nullptr || c.op().fb->intermediates.size() < 5) {
    return c.Error("the integer LSTM needs 5 intermediate tensors (hidden-state quantization)");
  }
  const ir::Model& m = c.model();
  const int hidden_t = c.op().fb->intermediates[4];
  if (hidden_t < 0 || static_cast<size_t>(hidden_t) >= m.tensors.size() || m.tensor(hidden_t).quant.empty()) {
    return c.Error("the hidden-state intermediate has no quantization");
  }
  const ir::Tensor& hidden = m.tensor(hidden_t);
  if (in.shape.size() != 3) return c.Error("input must be 3-D");

  auto s = std::make_shared<LstmState>();
  s->time_major = opt->time_major;
  s->max_time = s->time_major ? in.shape[0] : in.shape[1];
  s->n_batch = s->time_major ? in.shape[1] : in.shape[0];
  s->n_input = in.shape[2];
  const ir::Tensor& w_f = c.in(2);
  const ir::Tensor& r_f = c.in(6);
  if (w_f.shape.size() != 2 || r_f.shape.size() != 2) return c.Error("weights must be 2-D");
  s->n_cell = w_f.shape[0];
  s->n_output = r_f.shape[1];
  const ir::Tensor& h_t = c.in(kOutputState);
  const ir::Tensor& c_t = c.in(kCellState);
  if (h_t.type != TensorType::INT8 || c_t.type != TensorType::INT16 || !h_t.is_variable || !c_t.is_variable) {
    return c.Error("output state must be an INT8 variable and cell state an INT16 variable");
  }
  if (h_t.num_elements() != int64_t{s->n_batch} * s->n_output || c_t.num_elements() != int64_t{s->n_batch} * s->n_cell) {
    return c.Error("state sizes do not match the batch and cell sizes");
  }
  if (c.out(0).num_elements() != int64_t{s->n_batch} * s->max_time * s->n_output || c.out(0).type != TensorType::INT8) {
    return c.Error("output must be INT8 with batch * time * n_output elements");
  }
  const float in_scale = Quant(in).scale;
  const int32_t in_zp = Quant(in).zero_point;
  const float h_scale = Quant(h_t).scale;
  const int32_t h_zp = Quant(h_t).zero_point;
  const float inter_scale = std::ldexp(1.0f, -12);  // No layer norm: Q3.12 gate intermediates.
  for (int k = 0; k < 4; ++k) {
    const ir::Tensor& w = c.in(kInputToGate[k]);
    const ir::Tensor& r = c.in(kRecurrentToGate[k]);
    const ir::Tensor& b = c.in(kGateBias[k]);
    if (w.type != TensorType::INT8 || r.type != TensorType::INT8 || b.type != TensorType::INT32 ||
        w.num_elements() != int64_t{s->n_cell} * s->n_input || r.num_elements() != int64_t{s->n_cell} * s->n_output ||
        b.num_elements() != s->n_cell || w.quant.empty() || r.quant.empty()) {
      return c.Error(fmt::format("gate {} weights / bias have unexpected types or shapes", k));
    }
    GateParams& g = s->gates[k];
    g.w = As<int8_t>(c.in_data(kInputToGate[k]));
    g.r = As<int8_t>(c.in_data(kRecurrentToGate[k]));
    g.bias = As<int32_t>(c.in_data(kGateBias[k]));
    g.x_bias.resize(static_cast<size_t>(s->n_cell));
    g.h_bias.resize(static_cast<size_t>(s->n_cell));
    const float ex = w.quant.scale[0] * in_scale / inter_scale;
    const float eh = r.quant.scale[0] * h_scale / inter_scale;
    g.x_scale = kernels::QuantizeMultiplier(static_cast<double>(ex));
    g.h_scale = kernels::QuantizeMultiplier(static_cast<double>(eh));
    s->g[k].resize(static_cast<size_t>(s->n_cell));
  }
  s->tanh_c.resize(static_cast<size_t>(s->n_cell));
  const float cs = Quant(c_t).scale;
  int log2_cs = 0;
  const float frac = std::frexp(cs, &log2_cs);
  if (frac != 0.5f) return c.Error(fmt::format("cell state scale {} is not a power of two", cs));
  s->cell_scale_log2 = log2_cs - 1;
  if (15 + s->cell_scale_log2 < 0 || 15 + s->cell_scale_log2 > 6) return c.Error("cell state scale out of range");
  s->cell_clip = opt->cell_clip > 0
                     ? static_cast<int16_t>(std::min(std::max(opt->cell_clip / cs, -32768.0f), 32767.0f))
                     : int16_t{0};
  const float eh = static_cast<float>(std::pow(2.0, -15) / static_cast<double>(hidden.quant.scale[0]) * std::pow(2.0, -15));
  s->hidden_scale = kernels::QuantizeMultiplier(static_cast<double>(eh));
  s->hidden_zp = static_cast<int32_t>(hidden.quant.zero_point.empty() ? 0 : hidden.quant.zero_point[0]);
  s->input_zp = in_zp;
  s->state_zp = h_zp;
  s->input = As<int8_t>(c.in_data(kInput));
  s->output = AsMut<int8_t>(c.out_data(0));
  s->output_state = AsMut<int8_t>(c.var_data(kOutputState));
  s->cell_state = AsMut<int16_t>(c.var_data(kCellState));
  if (s->output_state == nullptr || s->cell_state == nullptr) return c.Error("state tensors have no storage");
  return EvalFn([s]() {
    LstmState& st = *s;
    for (GateParams& g : st.gates) {
      for (int row = 0; row < st.n_cell; ++row) {
        int32_t sw = 0, sr = 0;
        for (int col = 0; col < st.n_input; ++col) sw += g.w[static_cast<size_t>(row) * st.n_input + col];
        for (int col = 0; col < st.n_output; ++col) sr += g.r[static_cast<size_t>(row) * st.n_output + col];
        g.x_bias[static_cast<size_t>(row)] = g.bias[row] + sw * -st.input_zp;
        g.h_bias[static_cast<size_t>(row)] = sr * -st.state_zp;
      }
    }
    for (int b = 0; b < st.n_batch; ++b) {
      for (int t = 0; t < st.max_time; ++t) {
        const int64_t idx = st.time_major ? int64_t{t} * st.n_batch + b : int64_t{b} * st.max_time + t;
        Step(st, st.input + idx * st.n_input, st.output_state + int64_t{b} * st.n_output,
             st.cell_state + int64_t{b} * st.n_cell, st.output + idx * st.n_output);
      }
    }
    return OkStatus();
  });
}

}  // namespace

void RegisterLstmOps(std::vector<Registration>& r) {
  r.push_back({ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM, MakeLstm});
}

}  // namespace etpu::runtime::ops
