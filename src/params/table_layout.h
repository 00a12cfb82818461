// Byte layouts of the parameter records that are not convolutions: the softmax table, constant
// operands of element-wise ops and of LSTMs outside Google's layout (lstm_layout.h), and
// SPLIT/CONCATENATION bookkeeping.
// What is decoded from the real compiler and what is ours is listed in src/params/README.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu::params {

/// Bytes of one softmax-table row; only its first 16 bytes (4 words) carry data.
inline constexpr int64_t kSoftmaxRowBytes = 64;

/// What the 2021 compiler's softmax table is made of (package-format.md §3.1).
struct SoftmaxTableSpec {
  int classes = 0;            ///< Length of the softmax axis (N).
  float scale = 0.0f;         ///< beta * input scale (the real tables hold the input scale; beta = 1 there).
  bool unit_row = true;       ///< Append the [1.0f, 0, 0, 0] row (seen with uint8 output, absent with int8).
};

/// Size of the table: (3 * ceil(N/4) + unit_row) * 64.
int64_t SoftmaxTableBytes(const SoftmaxTableSpec& spec);
/// The table: three sections of ceil(N/4) rows, 4 classes per row, (class i -> word i%4 of row i/4):
///   A, B: 0 for a real class, 0x80000000 for a padding lane;
///   C:    bits(scale) for a real class, bits(scale) + 0x3fffffff for a padding lane;
/// then (unit_row) one row [1.0f, 0, 0, 0]. Bytes 16..63 of every row are 0.
Result<std::vector<uint8_t>> EncodeSoftmaxTable(const SoftmaxTableSpec& spec);
/// Inverse: recovers scale and unit_row from a table for `classes` classes (checks every byte).
Result<SoftmaxTableSpec> DecodeSoftmaxTable(std::span<const uint8_t> bytes, int classes);
/// The pieces of a softmax table that Google's compiler 16 places each on its own (cached or
/// streamed; docs/COMPILER.md "Co-compilation by generation"): the three sections, then the unit
/// row when the table ends with one. Byte counts in record order, summing to `table.size()`; a
/// single piece when there is no unit row.
std::vector<int64_t> SoftmaxTablePieces(std::span<const uint8_t> table);

/// One constant tensor inside a parameter record, in TFLite's own bytes.
struct ConstRecord {
  int32_t input_slot = 0;          ///< Operator input slot the tensor feeds.
  bool int8 = false;               ///< Stored XOR 0x80 (as the Edge TPU stores int8 bytes).
  std::vector<uint8_t> data;       ///< TFLite bytes (little-endian elements).
};

/// Element-wise constant operand (ours, sized to the real 64 + ceil64(bytes)): a 64-byte header
/// [u32 'ECST', i32 input slot, u32 byte count, u32 int8 flag, 48 zero bytes] then the data
/// (int8 XOR 0x80) zero-padded to a multiple of 64.
std::vector<uint8_t> EncodeConstRecord(const ConstRecord& rec);
int64_t ConstRecordBytes(int64_t data_bytes);
/// Decodes a sequence of const records filling `bytes` exactly.
Result<std::vector<ConstRecord>> DecodeConstRecords(std::span<const uint8_t> bytes, const std::string& what);

/// SPLIT / CONCATENATION bookkeeping record (ours; the real one is 64 B per op, content unknown):
/// [i32 builtin code, i32 inputs, i32 outputs, 52 zero bytes].
inline constexpr int64_t kBookkeepingBytes = 64;
std::vector<uint8_t> EncodeBookkeeping(int32_t builtin_code, int32_t num_inputs, int32_t num_outputs);

/// Channel-gather record of an operator that moves values into the channel dimension of a
/// vector (Google's compiler 16: a RESHAPE flattening a computed spatial map, a CONCATENATION
/// of vectors with pieces that are not whole groups of 4): 64 zero bytes, then min(N, 16) rows
/// of 16 words with the int32 1 of row r in word r (N = output channels). [W: read from
/// looming_64x64 (N = 9), color_red_64x64 (N = 4096: 16 rows), bright_16x16 (N = 2).]
int64_t GatherRecordBytes(int64_t channels);
std::vector<uint8_t> EncodeGatherRecord(int64_t channels);

}  // namespace etpu::params
