// etpu's virtual-chip program: what an etpu package carries in place of Edge TPU instructions.
//
// An etpu Executable (chip kVirtualChipName) holds, in instruction_bitstreams[0].bitstream, a
// program_fb.Program flatbuffer (file identifier "EVP1"; schema program.fbs):
//   * region_model: a TFLite flatbuffer of the Edge TPU region (its operators, tensors with
//     shapes, quantization and names; inputs/outputs = the custom op's boundary tensors), with the
//     weight/bias buffers of parameterised layers emptied: weights are stored once, in the
//     parameter blobs, in the real layout;
//   * layers: for each parameterised layer, its operator index in region_model, its layout kind,
//     and where its bytes are (cached = PARAMETER_CACHING blob, streamed = EXECUTION_ONLY blob).
// See src/package/README.md for the full contract.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "etpu/status.h"

namespace etpu::package {

/// The Program format version this code writes and reads.
inline constexpr uint32_t kProgramFormatVersion = 1;

/// How a layer's parameter bytes are laid out (package-format.md §3.1).
enum class LayerKind : uint8_t {
  kConv = 0,                  ///< CONV_2D / FULLY_CONNECTED, per-tensor uint8 (64-channel groups).
  kDepthwise = 1,             ///< DEPTHWISE_CONV_2D, per-tensor (4-channel diagonal blocks).
  kConvPerChannel = 2,        ///< CONV_2D / FULLY_CONNECTED, int8 per-channel (scale, bias, 0x80 header).
  kDepthwisePerChannel = 3,   ///< DEPTHWISE_CONV_2D, int8 per-channel.
  kElementwiseConstant = 4,   ///< Constant operand of an element-wise op (ADD, MUL, ...).
  kSoftmaxTable = 5,          ///< Softmax lookup table.
  kLstm = 6,                  ///< LSTM weights and state parameters.
  kOther = 7,                 ///< Any other layout (documented by the writer of the layer).
};
inline constexpr int kNumLayerKinds = 8;
/// "conv", "depthwise", "conv_per_channel", ...; "unknown" for values out of range.
std::string_view LayerKindName(LayerKind kind);

/// Which parameter blob holds a layer.
enum class Placement : uint8_t {
  kCached = 0,    ///< PARAMETER_CACHING executable's parameters (on-chip SRAM).
  kStreamed = 1,  ///< EXECUTION_ONLY executable's parameters (streamed per inference).
};
/// "cached" / "streamed".
std::string_view PlacementName(Placement placement);

/// One parameterised layer of the region.
struct LayerParams {
  int32_t op_index = 0;                    ///< Operator index in the region model's subgraph 0.
  LayerKind kind = LayerKind::kOther;
  Placement placement = Placement::kCached;
  uint64_t offset = 0;                     ///< Byte offset inside the blob named by `placement`.
  uint64_t size = 0;                       ///< Byte count.

  bool operator==(const LayerParams&) const = default;
};

/// A Program as written or decoded. `region_model` is a copy of the TFLite bytes.
struct Program {
  uint32_t format_version = kProgramFormatVersion;
  std::vector<uint8_t> region_model;
  std::vector<LayerParams> layers;
  /// Filled by DecodeProgram: number of operators in region_model's subgraph 0.
  int32_t region_op_count = 0;
};

/// Serialises a program (deterministic; region_op_count is ignored).
std::vector<uint8_t> EncodeProgram(const Program& program);

/// Blob sizes a decoded program's layers must fit in; negative = do not check that blob.
struct BlobSizes {
  int64_t cached = -1;
  int64_t streamed = -1;
};

/// Verifies and decodes a Program: the flatbuffer, the format version, region_model (a verified
/// TFL3 flatbuffer with exactly one subgraph), each layer's op_index (inside the region), kind,
/// placement and offset+size (inside the blob it names, when that size is given). `what` names the
/// executable in messages.
Result<Program> DecodeProgram(std::span<const uint8_t> bytes, const BlobSizes& blobs, std::string_view what);

/// True when `bytes` start like a Program (file identifier "EVP1").
bool LooksLikeProgram(std::span<const uint8_t> bytes);

}  // namespace etpu::package
