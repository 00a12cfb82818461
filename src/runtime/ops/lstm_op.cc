// UNIDIRECTIONAL_SEQUENCE_LSTM adapter: the integer (int8 x int8 -> int16 cell) LSTM of
// src/kernels/lstm.h, TFLite 2.9 semantics, with CIFG, peephole, projection and layer norm.
//
// This file only checks the operator's tensors (types, shapes, presence) and fills the kernel's
// IntegerLstmSpec. The kernel folds zero-point row sums of the weights into the biases at
// Prepare time; the weights may be refilled before each invocation (the virtual Edge TPU writes
// a region's LSTM weights from its SRAM or streamed blob), so Prepare runs again per invocation.
// The int8 output state starts at its zero point (TFLite's variable reset), see interpreter.cc.
#include <fmt/format.h>

#include "kernels/lstm.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

using kernels::LstmTensor;

// TFLite's input slots of UNIDIRECTIONAL_SEQUENCE_LSTM.
constexpr int kInput = 0;
constexpr int kInputWeights = 1;      // 1..4: input, forget, cell, output gate.
constexpr int kRecurrentWeights = 5;  // 5..8.
constexpr int kPeephole[4] = {9, 10, -1, 11};  // Cell-to-input / forget / output.
constexpr int kBias = 12;             // 12..15.
constexpr int kProjection = 16;
constexpr int kProjectionBias = 17;
constexpr int kOutputState = 18;
constexpr int kCellState = 19;
constexpr int kLayerNorm = 20;        // 20..23.

// Checks optional input `slot` (absent: returns nullptr data) has `type` and `elements`
// elements, and returns its data and per-tensor scale.
template <typename T>
Result<LstmTensor<T>> Optional(const OpBuildContext& c, int slot, TensorType type, int64_t elements,
                               bool needs_scale) {
  LstmTensor<T> t;
  if (slot < 0 || !c.has_input(slot)) return t;
  const ir::Tensor& tensor = c.in(slot);
  if (tensor.type != type || tensor.num_elements() != elements) {
    return c.Error(fmt::format("input {} '{}' is {} with {} elements (expected {} with {})", slot, tensor.name,
                               ir::TensorTypeName(tensor.type), tensor.num_elements(), ir::TensorTypeName(type),
                               elements));
  }
  if (needs_scale && tensor.quant.scale.empty()) {
    return c.Error(fmt::format("input {} '{}' is not quantized", slot, tensor.name));
  }
  t.data = As<T>(c.in_data(slot));
  if (t.data == nullptr) return c.Error(fmt::format("input {} '{}' has no data", slot, tensor.name));
  t.scale = Quant(tensor).scale;
  return t;
}

Result<EvalFn> MakeLstm(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 1, 1));
  if (c.num_inputs() < 20) return c.Error(fmt::format("has {} inputs (expected at least 20)", c.num_inputs()));
  const ir::Tensor& in = c.in(kInput);
  if (in.type != TensorType::INT8) {
    return UnimplementedError(c.label() + ": only the integer (int8 x int8 -> int16 cell) LSTM is supported, input is " +
                              ir::TensorTypeName(in.type));
  }
  if (in.shape.size() != 3) return c.Error("input must be 3-D");
  const auto* opt = c.op().options<ir::UnidirectionalSequenceLSTMOptions>();
  if (opt == nullptr) return c.Error("missing UnidirectionalSequenceLSTMOptions");
  for (int slot : {kInputWeights + 1, kRecurrentWeights + 1, kOutputState, kCellState}) {
    if (!c.has_input(slot)) return c.Error(fmt::format("input {} is missing", slot));
  }
  const ir::Tensor& w_forget = c.in(kInputWeights + 1);
  const ir::Tensor& r_forget = c.in(kRecurrentWeights + 1);
  if (w_forget.shape.size() != 2 || r_forget.shape.size() != 2) return c.Error("gate weights must be 2-D");

  kernels::IntegerLstmSpec s;
  s.time_major = opt->time_major;
  s.n_time = s.time_major ? in.shape[0] : in.shape[1];
  s.n_batch = s.time_major ? in.shape[1] : in.shape[0];
  s.n_input = in.shape[2];
  s.n_cell = w_forget.shape[0];
  s.n_output = r_forget.shape[1];
  s.cell_clip = opt->cell_clip;
  s.proj_clip = opt->proj_clip;
  if (s.n_batch <= 0 || s.n_time <= 0 || s.n_input <= 0 || s.n_cell <= 0 || s.n_output <= 0) {
    return c.Error("sizes must be positive");
  }
  const int64_t n_cell = s.n_cell, n_input = s.n_input, n_output = s.n_output;

  const ir::Tensor& h_t = c.in(kOutputState);
  const ir::Tensor& c_t = c.in(kCellState);
  if (h_t.type != TensorType::INT8 || c_t.type != TensorType::INT16 || !h_t.is_variable || !c_t.is_variable) {
    return c.Error("output state must be an INT8 variable and cell state an INT16 variable");
  }
  if (h_t.num_elements() != s.n_batch * n_output || c_t.num_elements() != s.n_batch * n_cell) {
    return c.Error("state sizes do not match the batch and cell sizes");
  }
  const ir::Tensor& out = c.out(0);
  if (out.type != TensorType::INT8 || out.num_elements() != int64_t{s.n_batch} * s.n_time * n_output) {
    return c.Error("output must be INT8 with batch * time * n_output elements");
  }
  if (c_t.quant.scale.empty()) return c.Error("cell state is not quantized");
  s.input = Quant(in);
  s.output_state = Quant(h_t);
  s.output = Quant(out);
  s.cell_state_scale = Quant(c_t).scale;

  for (int g = 0; g < 4; ++g) {
    ETPU_ASSIGN_OR_RETURN(s.input_weights[g],
                          Optional<int8_t>(c, kInputWeights + g, TensorType::INT8, n_cell * n_input, true));
    ETPU_ASSIGN_OR_RETURN(s.recurrent_weights[g],
                          Optional<int8_t>(c, kRecurrentWeights + g, TensorType::INT8, n_cell * n_output, true));
    ETPU_ASSIGN_OR_RETURN(s.peephole_weights[g], Optional<int16_t>(c, kPeephole[g], TensorType::INT16, n_cell, true));
    ETPU_ASSIGN_OR_RETURN(auto bias, Optional<int32_t>(c, kBias + g, TensorType::INT32, n_cell, false));
    s.biases[g] = bias.data;
    if (c.num_inputs() > kLayerNorm + g) {
      ETPU_ASSIGN_OR_RETURN(s.layer_norm[g], Optional<int16_t>(c, kLayerNorm + g, TensorType::INT16, n_cell, true));
    }
  }
  ETPU_ASSIGN_OR_RETURN(s.projection, Optional<int8_t>(c, kProjection, TensorType::INT8, n_output * n_cell, true));
  ETPU_ASSIGN_OR_RETURN(auto proj_bias, Optional<int32_t>(c, kProjectionBias, TensorType::INT32, n_output, false));
  s.projection_bias = proj_bias.data;

  // The five intermediates carry the gate (layer norm) and hidden quantization.
  const ir::Model& m = c.model();
  if (c.op().intermediates.size() != 5) {
    return c.Error("the integer LSTM needs 5 intermediate tensors (gate and hidden-state quantization)");
  }
  for (size_t k = 0; k < 5; ++k) {
    const int t = c.op().intermediates[k];
    if (t < 0 || static_cast<size_t>(t) >= m.tensors.size()) {
      return c.Error(fmt::format("intermediate {} names tensor {} (model has {})", k, t, m.tensors.size()));
    }
    s.intermediates[k] = Quant(m.tensor(t));
  }
  if (m.tensor(c.op().intermediates[4]).quant.empty()) return c.Error("the hidden-state intermediate has no quantization");

  // Prepare now to refuse a bad operator at load time; again per invocation for refilled weights.
  auto prepared = kernels::PrepareIntegerLstm(s);
  if (!prepared.ok()) return prepared.status().WithContext(c.label());
  const int8_t* input = As<int8_t>(c.in_data(kInput));
  int8_t* output = AsMut<int8_t>(c.out_data(0));
  int8_t* output_state = AsMut<int8_t>(c.var_data(kOutputState));
  int16_t* cell_state = AsMut<int16_t>(c.var_data(kCellState));
  if (input == nullptr || output == nullptr || output_state == nullptr || cell_state == nullptr) {
    return c.Error("input, output or state tensors have no storage");
  }
  const std::string label = c.label();
  return EvalFn([s, label, input, output, output_state, cell_state]() -> Status {
    auto p = kernels::PrepareIntegerLstm(s);
    if (!p.ok()) return p.status().WithContext(label);
    Status st = kernels::IntegerLstm(*p, input, output_state, cell_state, output);
    return st.ok() ? st : st.WithContext(label);
  });
}

}  // namespace

void RegisterLstmOps(std::vector<Registration>& r) {
  r.push_back({ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM, MakeLstm});
}

}  // namespace etpu::runtime::ops
