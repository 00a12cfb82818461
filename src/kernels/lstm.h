// UNIDIRECTIONAL_SEQUENCE_LSTM, full-integer "8x8_16" variant (TFLite 2.9 semantics).
//
// Tensor types: int8 input / output / hidden (output) state, int8 per-tensor weights, int32
// biases, int16 cell state (scale 2^-k, k >= 9), optional int16 peephole and layer-norm weights,
// optional int8 projection with int32 bias. The operator's five `intermediates` carry the
// quantization of the four gate pre-activations (used only with layer norm; Q3.12 otherwise)
// and of the hidden value before projection (index 4).
//
// Numerics, as TFLite's integer LSTM:
//  - Prepare folds `-zero_point * row_sum(W)` into each gate's bias (input and recurrent sides
//    separately); effective scales are
//    float products such as `s_w * s_in / s_gate` given to QuantizeMultiplier.
//  - Each gate: int16 = clamp(MBQM(W_x x + b_x) + 0) then += clamp(MBQM(W_h h + b_h)) (saturated
//    to int16 after each matmul), optional peephole, optional integer layer norm, then gemmlowp
//    16-bit fixed-point sigmoid (Q3.12 -> Q0.15) or tanh (cell gate: Q3.12 -> Q0.15).
//  - Cell: c = RDBPOT(f * c, 15) + RDBPOT(i * g, 30 + log2(s_cell)), saturated, clipped.
//  - Hidden: tanh(c) in Q(15 + log2 s_cell).(..) -> Q0.15, o * tanh(c) requantized by
//    2^-30 / s_hidden, then the hidden zero point is SUBTRACTED (TFLite 2.9's CwiseMul; with
//    zero point -1 every hidden value is 2 above the textbook formula), int8; optional
//    projection (bias folded with +hidden_zp * row_sum, matching that convention).
// The fused activation option is not used by this path (TFLite always uses tanh here).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "etpu/status.h"
#include "kernels/quant_utils.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// Gate indices used in every per-gate array below.
enum LstmGate { kLstmInputGate = 0, kLstmForgetGate = 1, kLstmCellGate = 2, kLstmOutputGate = 3 };

/// A constant tensor's data and per-tensor scale (data == nullptr: the tensor is absent).
template <typename T>
struct LstmTensor {
  const T* data = nullptr;
  float scale = 0.0f;
};

/// Everything Prepare needs: sizes, options, quantization and the constant tensors. Pointers
/// must stay valid for as long as the prepared parameters are used (weights are not copied).
struct IntegerLstmSpec {
  int n_batch = 1, n_time = 1, n_input = 0, n_cell = 0, n_output = 0;
  bool time_major = false;  ///< Input [time, batch, input] when true, else [batch, time, input].
  float cell_clip = 0.0f;   ///< 0 = no clipping.
  float proj_clip = 0.0f;

  QuantParams input;         ///< int8 input.
  QuantParams output_state;  ///< int8 hidden (output) state variable.
  QuantParams output;        ///< int8 operator output (its scale quantizes proj_clip).
  float cell_state_scale = 0.0f;  ///< int16 cell state, must be a power of two <= 2^-9.

  /// Input-to-gate [n_cell, n_input] and recurrent-to-gate [n_cell, n_output] weights; the
  /// input gate's pair is absent for CIFG.
  std::array<LstmTensor<int8_t>, 4> input_weights;
  std::array<LstmTensor<int8_t>, 4> recurrent_weights;
  /// Peephole (cell-to-gate) weights [n_cell]; index kLstmCellGate is unused.
  std::array<LstmTensor<int16_t>, 4> peephole_weights;
  /// Gate biases [n_cell] (input gate absent for CIFG).
  std::array<const int32_t*, 4> biases{};
  /// Layer-norm coefficients [n_cell] (all absent: no layer norm).
  std::array<LstmTensor<int16_t>, 4> layer_norm;
  LstmTensor<int8_t> projection;             ///< [n_output, n_cell], optional.
  const int32_t* projection_bias = nullptr;  ///< [n_output], optional.
  /// The operator's 5 intermediates: gate pre-activations 0..3 (layer norm only), hidden 4.
  std::array<QuantParams, 5> intermediates;
};

/// Prepared integer LSTM (the result of PrepareIntegerLstm).
struct IntegerLstmParams {
  int n_batch = 1, n_time = 1, n_input = 0, n_cell = 0, n_output = 0;
  bool time_major = false;
  bool use_cifg = false, use_peephole = false, use_layer_norm = false, use_projection = false;
  std::array<const int8_t*, 4> input_weights{};
  std::array<const int8_t*, 4> recurrent_weights{};
  std::array<const int16_t*, 4> peephole_weights{};
  std::array<const int16_t*, 4> layer_norm_weights{};
  std::array<const int32_t*, 4> layer_norm_bias{};  ///< The gate biases, used after layer norm.
  const int8_t* projection_weights = nullptr;
  std::array<QuantizedMultiplier, 4> input_scale, recurrent_scale, peephole_scale, layer_norm_scale;
  std::array<int32_t, 4> variance_guard{};
  QuantizedMultiplier hidden_scale, projection_scale;
  int32_t hidden_zp = 0;
  int32_t output_state_zp = 0;
  int cell_scale_log2 = -15;
  int16_t quantized_cell_clip = 0;
  int8_t quantized_proj_clip = 0;
  /// Zero-point-folded biases [n_cell] per gate and side; projection [n_output].
  std::array<std::vector<int32_t>, 4> input_effective_bias, recurrent_effective_bias;
  std::vector<int32_t> projection_effective_bias;
};

/// Checks the spec (sizes, presence rules, scales) and computes the integer parameters.
Result<IntegerLstmParams> PrepareIntegerLstm(const IntegerLstmSpec& spec);

/// Runs the whole sequence. `input` holds n_time*n_batch*n_input values (layout by
/// time_major), `output` n_time*n_batch*n_output. The states (n_batch*n_output int8 and
/// n_batch*n_cell int16) are read as the initial state and hold the final state afterwards;
/// TFLite initialises them to the hidden zero point and 0.
Status IntegerLstm(const IntegerLstmParams& p, const int8_t* input, int8_t* output_state,
                   int16_t* cell_state, int8_t* output);

namespace lstm_internal {
/// gemmlowp 16-bit fixed point: logistic of a Q3.12 raw value, result in Q0.15.
int16_t Logistic16(int16_t q3_12);
/// gemmlowp 16-bit fixed point: tanh of a value with `integer_bits` (0..6), result Q0.15.
int16_t Tanh16(int integer_bits, int16_t x);
/// TFLite's GetInvSqrtQuantizedMultiplierExp (reverse_shift = -1 as the layer norm uses it).
QuantizedMultiplier InvSqrtQuantizedMultiplier(int32_t input);
}  // namespace lstm_internal

}  // namespace etpu::kernels
