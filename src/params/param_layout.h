// Per-layer Edge TPU parameter records of a model's operators (package-format.md §3).
//
// For every operator of an Edge TPU region, in execution order, EncodeRegionParams produces the
// bytes that the real compiler places in the parameter stream for it:
//   CONV_2D / FULLY_CONNECTED / TRANSPOSE_CONV  -> conv layout (params/conv_layout.h)
//   DEPTHWISE_CONV_2D                           -> depthwise layout (over one input channel
//                                                  with a multiplier: the conv layout)
//   SOFTMAX (2021-07 compiler only)             -> the softmax table (params/table_layout.h),
//                                                  only when its output is a model result
//   element-wise op with a constant operand     -> constant record, always in the STREAMED blob
//   UNIDIRECTIONAL_SEQUENCE_LSTM                -> Google's LSTM record (params/lstm_layout.h) for
//                                                  GoogleLstmGeometryOf's LSTMs (two pieces: the
//                                                  weights, then an always-streamed sequence
//                                                  buffer), else constant records of the cell (ours)
//   SPLIT / CONCATENATION                       -> 64-byte bookkeeping record (ours), none when
//                                                  every piece has a multiple of 4 channels
//   RESHAPE of a computed spatial map into channels, CONCATENATION of vectors
//                                               -> channel-gather record (table_layout.h)
//   everything else                             -> no record
// Record kinds are the package format's (package::LayerKind, the one layer-kind enum):
// bookkeeping and channel-gather records are its kOther.
// Concatenating the records (cached ones in the PARAMETER_CACHING blob, streamed ones in the
// EXECUTION_ONLY blob, each in ParameterOrder) gives the real compiler's blobs byte for byte
// for the conv, depthwise (per-tensor and per-channel) and softmax records (tested against the
// shared compiled files).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"
#include "package/program.h"
#include "params/conv_layout.h"
#include "params/lstm_layout.h"
#include "params/table_layout.h"

namespace etpu::params {

using package::LayerKind;

/// Which compiler's layout to reproduce: "2020-11" wrote no softmax table, "2021-07" did.
enum class CompilerGeneration { k2020_11, k2021_07 };
inline constexpr CompilerGeneration kDefaultGeneration = CompilerGeneration::k2021_07;

/// A part of a record that Google's compiler places on its own (cached or streamed).
struct RecordPiece {
  int64_t bytes = 0;
  bool always_streamed = false;  ///< As LayerParams::always_streamed, for this piece.
};

/// One operator's parameter record.
struct LayerParams {
  int op_index = -1;
  /// The record's kind; empty when the operator has no record (no parameter bytes).
  std::optional<LayerKind> kind;
  /// The real compiler puts these bytes in the streamed (EXECUTION_ONLY) blob even when the
  /// model is compiled alone (element-wise constants); the cache planner must not cache them.
  bool always_streamed = false;
  std::vector<uint8_t> bytes;
  /// Empty: the record is placed whole. Else the consecutive pieces it is placed in, summing to
  /// `bytes.size()`: a compiler-16 softmax table and its unit row (SoftmaxTablePieces), Google's
  /// LSTM record and its always-streamed sequence buffer (lstm_layout.h).
  std::vector<RecordPiece> pieces;
};

/// The pieces `layer` is placed in: its `pieces`, or the whole record as one piece.
std::vector<RecordPiece> PiecesOf(const LayerParams& layer);

/// The record kind an operator gets (empty when it has no parameters); errors for operators with
/// parameters whose types etpu cannot lay out (float or int16 weights, non-constant weights).
Result<std::optional<LayerKind>> LayerKindOf(const ir::Model& model, int op_index);

/// The conv geometry of a conv-like operator (kConv, kDepthwise and the per-channel kinds).
Result<ConvGeometry> ConvGeometryOf(const ir::Model& model, int op_index);

/// The float each output channel's header holds in a per-channel conv-like record: the
/// requantisation multiplier f32(f32(weight_scale[c] * input_scale) * f32(1 / output_scale)),
/// every step in single precision [certain: all 7 171 channels of Google's PoseNet file, bit for
/// bit; the weight scale alone matches 76%]. Errors when the input or output has no single
/// positive scale.
Result<std::vector<float>> RequantMultipliers(const ir::Model& model, int op_index);

/// The geometry of an UNIDIRECTIONAL_SEQUENCE_LSTM whose record has Google's layout
/// (lstm_layout.h): four gates with int8 per-tensor weights [H, I] / [H, H] and int32 biases [H],
/// no peephole, projection or layer norm (decided from types and shapes only). Empty for other
/// operators and other LSTMs, whose record is our constant records.
std::optional<LstmGeometry> GoogleLstmGeometryOf(const ir::Model& model, int op_index);

/// The record of one operator.
Result<LayerParams> EncodeLayerParams(const ir::Model& model, int op_index,
                                      CompilerGeneration gen = kDefaultGeneration);

/// Records of `region_ops`, in the given (execution) order; one entry per operator, those without a record
/// entries included (with no bytes). Operator indices must be valid and distinct.
Result<std::vector<LayerParams>> EncodeRegionParams(const ir::Model& model, const std::vector<int>& region_ops,
                                                    CompilerGeneration gen = kDefaultGeneration);

/// The order of a region's records in its parameter blobs: the operators that the first region
/// output depends on, in execution order, then those of the second output not yet listed, and so
/// on (operators feeding no output last). `region_ops` is in execution order, `region_outputs` in
/// the custom op's output order. A topological order; it equals execution order when every
/// operator feeds the first output (every chain-shaped model). [Strong: reproduces Google's
/// PoseNet blob (heatmap head, short offsets, then the two mid-offset convolutions before their
/// concatenation) and every offset of the shared groundtruth pairs.]
std::vector<int> ParameterOrder(const ir::Model& model, const std::vector<int>& region_ops,
                                const std::vector<int>& region_outputs);

/// Size of EncodeLayerParams's bytes without building them; 0 without a record and for invalid input.
int64_t LayerParamBytes(const ir::Model& model, int op_index, CompilerGeneration gen = kDefaultGeneration);

/// The input slot of a conv-like operator's bias (TRANSPOSE_CONV: 3, else 2).
size_t BiasSlot(const ir::Operator& op);
/// Decodes a conv-like operator's record back to TFLite weights/bias and its header multipliers
/// (runtime side). `bias_words` overrides whether the record has bias words, which the model
/// cannot tell when its bias bytes were emptied (a compiled region keeps zero biases only).
/// With `weights_out` (exactly the weights' size, e.g. the weight tensor's buffer) the weights
/// are written there and DecodedConv::weights stays empty.
Result<DecodedConv> DecodeLayerConv(const ir::Model& model, int op_index, std::span<const uint8_t> bytes,
                                    std::optional<bool> bias_words = std::nullopt,
                                    std::span<uint8_t> weights_out = {});

/// Decodes the record of an operator whose record names input slots (kElementwiseConstant,
/// kLstm) back to the constant inputs it carries, in TFLite's bytes (runtime side): Google's LSTM
/// layout (lstm_layout.h) for the LSTMs it covers, else our constant records (table_layout.h).
Result<std::vector<ConstRecord>> DecodeLayerConstants(const ir::Model& model, int op_index,
                                                     std::span<const uint8_t> bytes, const std::string& what);

}  // namespace etpu::params
