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
//
// The record has a second part, which Google's compiler streams (EXECUTION_ONLY blob) even when
// the SRAM has room, as it streams element-wise constants:
//
//   8. the sequence buffer: one int8 zero per value of the LSTM's output sequence (batch x time
//      steps x H), stored 0x80, then 0x00 up to a multiple of 64      [ceil64(B*T*H), streamed]
//
// keras_lstm streams exactly this: 560 x 0x80 + 16 x 0x00 (B*T*H = 1*28*20), loaded by one
// PARAMETER DMA before the input and state DMAs. The bytes are certain for that file; that the
// size is the output sequence's (T*H) and not the gates' input weights' (I*H, also 560 there) is
// an inference from how the bytes are used (streamed every inference like an activation, loaded
// before the LSTM's first step), not observed: docs/COMPILER.md "The LSTM record".
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
  /// Values of the LSTM's output sequence, batch x time steps x H: the streamed part's size.
  int64_t sequence_values = 0;
};

/// Largest output sequence (batch x steps x H values) laid out this way: a 4 MiB streamed part.
inline constexpr int64_t kMaxLstmSequenceValues = int64_t{1} << 22;

/// Gate order of the record (TFLite's input slots 1..4 / 5..8 / 12..15 are in this order).
inline constexpr int kLstmGates = 4;

/// The weights the record carries, in TFLite's bytes: per gate the int8 input weights [H, I] and
/// recurrent weights [H, H] (two's complement bytes) and the int32 bias [H].
struct LstmWeights {
  std::vector<uint8_t> input[kLstmGates];
  std::vector<uint8_t> recurrent[kLstmGates];
  std::vector<int32_t> bias[kLstmGates];
};

/// Checks the sizes (I and H in 1..2048; the sequence a whole number of H-vectors, at most
/// kMaxLstmSequenceValues); `what` names the layer in the message.
Status ValidateLstmGeometry(const LstmGeometry& g, const std::string& what);
/// Exact size of the whole record, both parts (0 for an invalid geometry).
int64_t LstmParamBytes(const LstmGeometry& g);
/// Size of the first part (pieces 1-7, placed by the cache planner like any record).
int64_t LstmCachedPartBytes(const LstmGeometry& g);
/// Size of the second part (piece 8, always streamed): ceil64(sequence_values).
int64_t LstmStreamedPartBytes(const LstmGeometry& g);
/// Byte offset and size of gate `gate`'s FC record inside the record (for tests and tools).
struct LstmPiece {
  int64_t offset = 0;
  int64_t size = 0;
};
LstmPiece LstmGatePiece(const LstmGeometry& g, int gate);

/// The whole record: the cached part, then the streamed part (LstmCachedPartBytes splits them).
Result<std::vector<uint8_t>> EncodeLstm(const LstmGeometry& g, const LstmWeights& w, const std::string& what = "LSTM");
/// Inverse of EncodeLstm: checks the size and every byte of the 0/1 records, the padding and the
/// streamed part.
Result<LstmWeights> DecodeLstm(std::span<const uint8_t> bytes, const LstmGeometry& g,
                               const std::string& what = "LSTM");

}  // namespace etpu::params
