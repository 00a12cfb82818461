// Google's parameter record of an integer UNIDIRECTIONAL_SEQUENCE_LSTM (compiler 16), both ways.
//
// Read from the one compiled LSTM in shared/testdata (keras_lstm_mnist_ptq: n_input = 28,
// n_cell = n_output = 20, 28 time steps, batch 1, no peephole / projection / layer norm, int8
// per-tensor weights): its 34,368 cached bytes before the FULLY_CONNECTED are reproduced byte for
// byte. The record is a sequence of conv-layout FC records (conv_layout.h, 1x1 kernels), with
// n = n_input (I) or n_cell (H) and "spread form" = one value per 4 lanes:
//
//   1. spread(I):   per group g of 16 values, a 64-lane FC with a (zero) bias, K = I:
//                   weight(lane 4j, k = 16g + j) = 1            [ceil(I/16) x (256 + 64*ceil4(I))]
//   2. a 64-byte word row [int32 1, 15 x 0]                                 [unexplained, 64 B]
//   3. compact(I):  an FC with O = I, no bias, K = 4I: weight(m, k = 4m) = 1  [O_pad(I) * 4I]
//   4. the gates:   per gate (input, forget, cell, output) an int8 FC with O = H, the gate's bias,
//                   K = ceil4(I) + H: the input weights [H, I] in k < I, the recurrent weights
//                   [H, H] from k = ceil4(I)                                [ConvParamBytes]
//   5. spread(H):   as 1 with n = H
//   6. regroup(I):  per group g of 16 values, a 64-lane FC, no bias, K = 4I:
//                   weight(lane 4j, k = 4(16g + j)) = 1              [ceil(I/16) x 64 * 4I]
//   7. compact(H):  as 3 with n = H
//
// Certainty (docs/COMPILER.md "LSTM"): 4 is certain (every weight and bias byte matches); the
// 0/1 records are certain for this file; which size each uses is not: I = 28 is also the number
// of time steps, and H = n_cell = n_output. Offsets where I is not a multiple of 4 (the gap
// between input and recurrent weights) follow the FC padding rule (0x80) by assumption.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu::params {

/// The sizes the LSTM record depends on.
struct LstmGeometry {
  int n_input = 0;  ///< I: input features per time step.
  int n_cell = 0;   ///< H: cell units (= output units; projection is not in this layout).
};

/// Gate order of the record (TFLite's input slots 1..4 / 5..8 / 12..15 are in this order).
inline constexpr int kLstmGates = 4;

/// The weights the record carries, in TFLite's bytes: per gate the int8 input weights [H, I] and
/// recurrent weights [H, H] (two's complement bytes) and the int32 bias [H].
struct LstmWeights {
  std::vector<uint8_t> input[kLstmGates];
  std::vector<uint8_t> recurrent[kLstmGates];
  std::vector<int32_t> bias[kLstmGates];
};

/// Checks the sizes; `what` names the layer in the message.
Status ValidateLstmGeometry(const LstmGeometry& g, const std::string& what);
/// Exact size of the record (0 for an invalid geometry).
int64_t LstmParamBytes(const LstmGeometry& g);
/// Byte offset and size of gate `gate`'s FC record inside the record (for tests and tools).
struct LstmPiece {
  int64_t offset = 0;
  int64_t size = 0;
};
LstmPiece LstmGatePiece(const LstmGeometry& g, int gate);

Result<std::vector<uint8_t>> EncodeLstm(const LstmGeometry& g, const LstmWeights& w, const std::string& what = "LSTM");
/// Inverse of EncodeLstm: checks the size and every byte of the 0/1 records and padding.
Result<LstmWeights> DecodeLstm(std::span<const uint8_t> bytes, const LstmGeometry& g,
                               const std::string& what = "LSTM");

}  // namespace etpu::params
