#include "params/param_layout.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#include "ir/op_table.h"

namespace etpu::params {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;

std::string OpLabel(const ir::Model& model, int op_index) {
  return fmt::format("operator #{} ({}) of '{}'", op_index,
                     ir::BuiltinName(model.ops[static_cast<size_t>(op_index)].code), model.path);
}

Status CheckOpIndex(const ir::Model& model, int op_index) {
  if (op_index < 0 || op_index >= static_cast<int>(model.ops.size())) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of '{}': operator #{} does not exist "
                                            "(model has {} operators)", model.path, op_index, model.ops.size()));
  }
  return OkStatus();
}

// Input tensor in `slot`, or nullptr when the slot is absent or optional (-1).
const ir::Tensor* InputTensor(const ir::Model& model, const ir::Operator& op, size_t slot) {
  if (slot >= op.inputs.size() || op.inputs[slot] < 0 || op.inputs[slot] >= static_cast<int>(model.tensors.size())) {
    return nullptr;
  }
  return &model.tensors[static_cast<size_t>(op.inputs[slot])];
}

// The operator table's parameter-record column (ir/op_table.h).
ir::ParamRecord RecordOf(BuiltinOperator c) { return ir::OpInfoOf(c).record; }
bool IsConvLike(BuiltinOperator c) { return RecordOf(c) == ir::ParamRecord::kWeights; }

// Constant inputs of an operator (slot, tensor), skipping slot 0 for LSTMs (the activation).
std::vector<std::pair<int, const ir::Tensor*>> ConstInputs(const ir::Model& model, const ir::Operator& op) {
  std::vector<std::pair<int, const ir::Tensor*>> out;
  for (size_t s = 0; s < op.inputs.size(); ++s) {
    const ir::Tensor* t = InputTensor(model, op, s);
    if (t != nullptr && t->is_constant()) out.emplace_back(static_cast<int>(s), t);
  }
  return out;
}

int64_t ConstRecordsBytes(const ir::Model& model, const ir::Operator& op) {
  int64_t n = 0;
  for (const auto& [slot, t] : ConstInputs(model, op)) n += ConstRecordBytes(static_cast<int64_t>(t->data.size()));
  return n;
}

std::vector<uint8_t> EncodeConstRecords(const ir::Model& model, const ir::Operator& op) {
  std::vector<uint8_t> out;
  for (const auto& [slot, t] : ConstInputs(model, op)) {
    ConstRecord rec;
    rec.input_slot = slot;
    rec.int8 = t->type == TensorType::INT8;
    rec.data.assign(t->data.begin(), t->data.end());
    std::vector<uint8_t> b = EncodeConstRecord(rec);
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

// UNIDIRECTIONAL_SEQUENCE_LSTM input slots (TFLite): input-to-gate weights 1..4, recurrent
// weights 5..8, peephole 9..11, gate biases 12..15, projection 16..17, layer norm 20..23.
constexpr size_t kLstmInputWeights = 1, kLstmRecurrentWeights = 5, kLstmBiases = 12;
constexpr size_t kLstmAbsentSlots[] = {9, 10, 11, 16, 17, 20, 21, 22, 23};

// The geometry of an LSTM that Google's layout (lstm_layout.h) covers: all four gates with int8
// per-tensor weights (zero point 0) [H, I] / [H, H] and int32 biases [H], no peephole, projection or layer norm,
// and a rank-3 output sequence of H-vectors ([B, T, H] or time-major [T, B, H]) of at most the
// layout's limit. Decided from types and shapes only (a compiled region's weights are
// zero-filled). Other LSTMs keep our constant records.
std::optional<LstmGeometry> GoogleLstmGeometry(const ir::Model& model, const ir::Operator& op) {
  if (op.code != BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM) return std::nullopt;
  for (size_t s : kLstmAbsentSlots) {
    if (InputTensor(model, op, s) != nullptr) return std::nullopt;
  }
  const ir::Tensor* w0 = InputTensor(model, op, kLstmInputWeights);
  if (w0 == nullptr || w0->shape.size() != 2) return std::nullopt;
  LstmGeometry g{w0->shape[1], w0->shape[0], 0};
  if (op.outputs.empty() || op.outputs[0] < 0 || op.outputs[0] >= static_cast<int>(model.tensors.size())) {
    return std::nullopt;
  }
  const ir::Tensor& out = model.tensors[static_cast<size_t>(op.outputs[0])];
  if (out.shape.size() != 3 || out.shape[2] != g.n_cell) return std::nullopt;
  g.sequence_values = 1;
  for (int32_t d : out.shape) {
    if (d < 1 || g.sequence_values > kMaxLstmSequenceValues) return std::nullopt;  // (no overflow below)
    g.sequence_values *= d;
  }
  if (!ValidateLstmGeometry(g, "").ok()) return std::nullopt;
  auto is = [&](size_t slot, TensorType type, std::vector<int32_t> shape) {
    const ir::Tensor* t = InputTensor(model, op, slot);
    return t != nullptr && t->is_constant() && t->type == type && t->shape == shape &&
           (type != TensorType::INT8 || (t->quant.scale.size() == 1 &&
                                         (t->quant.zero_point.empty() || t->quant.zero_point[0] == 0)));
  };
  for (size_t gate = 0; gate < kLstmGates; ++gate) {
    if (!is(kLstmInputWeights + gate, TensorType::INT8, {g.n_cell, g.n_input}) ||
        !is(kLstmRecurrentWeights + gate, TensorType::INT8, {g.n_cell, g.n_cell}) ||
        !is(kLstmBiases + gate, TensorType::INT32, {g.n_cell})) {
      return std::nullopt;
    }
  }
  return g;
}

Result<std::vector<uint8_t>> EncodeGoogleLstm(const ir::Model& model, const ir::Operator& op, const LstmGeometry& g,
                                              const std::string& what) {
  LstmWeights w;
  for (size_t gate = 0; gate < kLstmGates; ++gate) {
    auto data = [&](size_t slot) { return InputTensor(model, op, slot)->data; };
    w.input[gate].assign(data(kLstmInputWeights + gate).begin(), data(kLstmInputWeights + gate).end());
    w.recurrent[gate].assign(data(kLstmRecurrentWeights + gate).begin(), data(kLstmRecurrentWeights + gate).end());
    const auto b = data(kLstmBiases + gate);
    w.bias[gate].resize(b.size() / 4);
    std::memcpy(w.bias[gate].data(), b.data(), w.bias[gate].size() * 4);
  }
  return EncodeLstm(g, w, what);
}

Result<SoftmaxTableSpec> SoftmaxSpecOf(const ir::Model& model, const ir::Operator& op, int op_index) {
  const ir::Tensor* in = InputTensor(model, op, 0);
  if (in == nullptr || in->shape.empty() || in->quant.scale.empty() || op.outputs.empty()) {
    return InvalidArgumentError(fmt::format("failed to lay out softmax table of {}: input must be a quantized "
                                            "tensor with a shape", OpLabel(model, op_index)));
  }
  SoftmaxTableSpec spec;
  spec.classes = in->shape.back();
  float beta = 1.0f;
  if (const auto* o = op.options<ir::SoftmaxOptions>()) beta = o->beta;
  spec.scale = static_cast<float>(static_cast<double>(beta) * static_cast<double>(in->quant.scale[0]));
  const ir::Tensor& out = model.tensor(op.outputs[0]);
  spec.unit_row = out.type == TensorType::UINT8;
  if (spec.classes < 1) {
    return InvalidArgumentError(fmt::format("failed to lay out softmax table of {}: {} classes", OpLabel(model, op_index),
                                            spec.classes));
  }
  return spec;
}

// A DEPTHWISE_CONV_2D over one input channel with a depth multiplier above 1 is laid out as a
// regular convolution with C = 1 and O = the multiplier [C: gabor_64x64_* (7x7, 1 -> 8):
// Google's 3 200 B = 64 B header + 49 rows of 16 channels x 4 bytes].
bool DepthwiseAsConv(const ir::Model& model, const ir::Operator& op) {
  if (op.code != BuiltinOperator::DEPTHWISE_CONV_2D) return false;
  const ir::Tensor* x = InputTensor(model, op, 0);
  const ir::Tensor* w = InputTensor(model, op, 1);
  return x != nullptr && w != nullptr && !x->shape.empty() && x->shape.back() == 1 && w->shape.size() == 4 &&
         w->shape[3] > 1;
}

// Depthwise weights [1, kh, kw, O] as OHWI [O, kh, kw, 1] (to_ohwi) or back.
std::vector<uint8_t> TransposeDepthwise(std::span<const uint8_t> w, int64_t taps, int64_t o, bool to_ohwi) {
  std::vector<uint8_t> out(w.size());
  for (int64_t t = 0; t < taps; ++t) {
    for (int64_t c = 0; c < o; ++c) {
      const size_t hwo = static_cast<size_t>(t * o + c), ohw = static_cast<size_t>(c * taps + t);
      out[to_ohwi ? ohw : hwo] = w[to_ohwi ? hwo : ohw];
    }
  }
  return out;
}

}  // namespace

Result<ConvGeometry> ConvGeometryOf(const ir::Model& model, int op_index) {
  ETPU_RETURN_IF_ERROR(CheckOpIndex(model, op_index));
  const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
  if (!IsConvLike(op.code)) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: not a conv-like operator",
                                            OpLabel(model, op_index)));
  }
  const ir::Tensor* w = InputTensor(model, op, 1);
  if (w == nullptr || !w->is_constant()) {
    return UnimplementedError(fmt::format("failed to lay out parameters of {}: weights (input 1) are not constant",
                                          OpLabel(model, op_index)));
  }
  if (w->type != TensorType::UINT8 && w->type != TensorType::INT8) {
    return UnimplementedError(fmt::format("failed to lay out parameters of {}: weight tensor '{}' is {} (expected "
                                          "UINT8 or INT8)", OpLabel(model, op_index), w->name,
                                          ir::TensorTypeName(w->type)));
  }
  ConvGeometry g;
  g.int8 = w->type == TensorType::INT8;
  g.per_channel = w->quant.per_channel();
  g.weight_zero_point = w->quant.zero_point.empty() ? 0 : static_cast<int32_t>(w->quant.zero_point[0]);
  const auto& s = w->shape;
  g.depthwise = op.code == BuiltinOperator::DEPTHWISE_CONV_2D && !DepthwiseAsConv(model, op);
  if (op.code == BuiltinOperator::FULLY_CONNECTED) {
    if (s.size() != 2) {
      return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: weights '{}' have rank {} "
                                              "(expected 2)", OpLabel(model, op_index), w->name, s.size()));
    }
    g.out_channels = s[0];
    g.in_channels = s[1];
  } else {
    if (s.size() != 4 || (g.depthwise && s[0] != 1)) {
      return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: weights '{}' have shape rank {} "
                                              "(expected {})", OpLabel(model, op_index), w->name, s.size(),
                                              g.depthwise ? "[1, kh, kw, C]" : "[O, kh, kw, C]"));
    }
    const bool as_conv = op.code == BuiltinOperator::DEPTHWISE_CONV_2D && !g.depthwise;
    g.out_channels = g.depthwise || as_conv ? s[3] : s[0];
    g.kernel_h = s[1];
    g.kernel_w = s[2];
    g.in_channels = as_conv ? 1 : s[3];
    g.four_channel_group = op.code == BuiltinOperator::CONV_2D;
  }
  {
    // No bias words for a layer (per-channel or per-tensor) without a bias or with an all-zero one.
    const ir::Tensor* b = InputTensor(model, op, BiasSlot(op));
    g.has_bias = b != nullptr && std::any_of(b->data.begin(), b->data.end(), [](uint8_t x) { return x != 0; });
  }
  if (g.per_channel) {
    g.multiplier_words = std::any_of(w->quant.scale.begin(), w->quant.scale.end(),
                                     [&](float v) { return v != w->quant.scale[0]; });
    const int32_t want_dim = op.code == BuiltinOperator::DEPTHWISE_CONV_2D ? 3 : 0;
    if (!g.int8 || w->quant.quantized_dimension != want_dim ||
        static_cast<int64_t>(w->quant.scale.size()) != g.out_channels) {
      return UnimplementedError(fmt::format("failed to lay out parameters of {}: per-channel weights '{}' must be "
                                            "INT8 with {} scales along dimension {}", OpLabel(model, op_index),
                                            w->name, g.out_channels, want_dim));
    }
  }
  ETPU_RETURN_IF_ERROR(ValidateGeometry(g, OpLabel(model, op_index)));
  return g;
}

Result<std::vector<float>> RequantMultipliers(const ir::Model& model, int op_index) {
  ETPU_ASSIGN_OR_RETURN(ConvGeometry g, ConvGeometryOf(model, op_index));
  const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
  const ir::Tensor& w = *InputTensor(model, op, 1);
  // TRANSPOSE_CONV reads its activation from input 2 (input 0 is the output shape).
  const ir::Tensor* x = InputTensor(model, op, op.code == BuiltinOperator::TRANSPOSE_CONV ? 2 : 0);
  const ir::Tensor* y = op.outputs.empty() || op.outputs[0] < 0 ||
                                op.outputs[0] >= static_cast<int>(model.tensors.size())
                            ? nullptr
                            : &model.tensors[static_cast<size_t>(op.outputs[0])];
  auto scale_of = [](const ir::Tensor* t) {
    return t == nullptr || t->quant.scale.size() != 1 ? 0.0f : t->quant.scale[0];
  };
  const float in_scale = scale_of(x);
  const float out_scale = scale_of(y);
  if (!(in_scale > 0.0f) || !(out_scale > 0.0f) || !std::isfinite(in_scale) || !std::isfinite(out_scale)) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: input and output must each have "
                                            "one positive finite scale (got {} and {})", OpLabel(model, op_index),
                                            in_scale, out_scale));
  }
  const size_t n = static_cast<size_t>(g.out_channels);
  if (w.quant.scale.size() != n && w.quant.scale.size() != 1) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: weights '{}' have {} scales "
                                            "(expected 1 or {})", OpLabel(model, op_index), w.name,
                                            w.quant.scale.size(), n));
  }
  // Single-precision steps, as Google's files hold them bit for bit (src/params/README.md).
  const float inv_out = 1.0f / out_scale;
  std::vector<float> m(n);
  for (size_t c = 0; c < n; ++c) {
    const float effective_weight_scale = w.quant.scale[w.quant.scale.size() == 1 ? 0 : c] * in_scale;
    m[c] = effective_weight_scale * inv_out;
  }
  return m;
}

namespace {
Result<std::optional<LayerKind>> Kind(LayerKind k) { return std::optional<LayerKind>(k); }
Result<std::optional<LayerKind>> NoRecord() { return std::optional<LayerKind>(); }

// True when every activation piece a SPLIT / CONCATENATION joins or cuts (its non-constant
// inputs and its outputs) has a multiple of 4 channels (last dimension): such an operator gets
// no bookkeeping record [fits both shared files: PoseNet's 32 + 32 concatenation has none,
// split_concat's pieces of 3, 1, 2 and 1 channels have one 64-byte record per operator].
bool PiecesAreWholeChannelGroups(const ir::Model& model, const ir::Operator& op) {
  auto whole = [&](int t) {
    if (t < 0 || t >= static_cast<int>(model.tensors.size())) return false;
    const ir::Tensor& x = model.tensors[static_cast<size_t>(t)];
    return x.is_constant() || (!x.shape.empty() && x.shape.back() > 0 && x.shape.back() % 4 == 0);
  };
  return !op.outputs.empty() && std::all_of(op.inputs.begin(), op.inputs.end(), whole) &&
         std::all_of(op.outputs.begin(), op.outputs.end(), whole);
}

// Whether tensor t is a model input, possibly after QUANTIZE / DEQUANTIZE conversions only.
bool IsConvertedModelInput(const ir::Model& model, int t) {
  for (size_t steps = 0; t >= 0 && t < static_cast<int>(model.tensors.size()) && steps <= model.ops.size(); ++steps) {
    if (std::find(model.inputs.begin(), model.inputs.end(), t) != model.inputs.end()) return true;
    const int p = model.tensors[static_cast<size_t>(t)].producer;
    if (p < 0 || p >= static_cast<int>(model.ops.size())) return false;
    const ir::Operator& op = model.ops[static_cast<size_t>(p)];
    if ((op.code != BuiltinOperator::QUANTIZE && op.code != BuiltinOperator::DEQUANTIZE) || op.inputs.empty()) {
      return false;
    }
    t = op.inputs[0];
  }
  return false;
}

// Output channels of the channel-gather record (table_layout.h EncodeGatherRecord) the operator
// needs, or 0 for none: a RESHAPE that moves a spatial map [1, H, W, C] (H*W > 1) computed on the
// chip into channels (a reshape of the converted model input is free: looming_64x64 and
// color_red_64x64 have the record, bright_16x16's flatten of its input has none, nor has
// keras_lstm's flatten of the rank-3 LSTM sequence), or a CONCATENATION whose output is a vector
// ([1, ..., 1, N]) and whose pieces are not whole channel groups [weak, see README.md].
int64_t GatherChannels(const ir::Model& model, const ir::Operator& op) {
  if (op.inputs.empty() || op.outputs.size() != 1) return 0;
  auto tensor = [&](int t) -> const ir::Tensor* {
    return t >= 0 && t < static_cast<int>(model.tensors.size()) ? &model.tensors[static_cast<size_t>(t)] : nullptr;
  };
  const ir::Tensor* in = tensor(op.inputs[0]);
  const ir::Tensor* out = tensor(op.outputs[0]);
  if (in == nullptr || out == nullptr || in->shape.empty() || out->shape.empty()) return 0;
  const int64_t n = out->shape.back();
  if (op.code == BuiltinOperator::RESHAPE) {
    const bool spatial_map = in->shape.size() == 4 && int64_t{in->shape[1]} * in->shape[2] > 1;
    return spatial_map && in->shape.back() != n && !IsConvertedModelInput(model, op.inputs[0]) ? n : 0;
  }
  if (op.code == BuiltinOperator::CONCATENATION) {
    const bool vector = out->num_elements() == n;
    return vector && !PiecesAreWholeChannelGroups(model, op) ? n : 0;
  }
  return 0;
}

// Whether a SOFTMAX's probabilities are a result of the model: its output, passed on only
// through QUANTIZE / DEQUANTIZE operators (or none), is a model output and feeds no other
// operator. Google's compiler 16 writes the softmax table only then [weak, four data points:
// the 1001-class MobileNets and keras_lstm (output, table) against bright_16x16 and
// color_red_64x64 (output feeding two FULLY_CONNECTED, no table); "input scale below ~0.5" fits
// the same four files, see src/params/README.md].
bool SoftmaxIsModelResult(const ir::Model& model, const ir::Operator& op) {
  std::vector<int> pending(op.outputs.begin(), op.outputs.end());
  bool reaches_output = false;
  for (size_t steps = 0; !pending.empty(); ++steps) {
    const int t = pending.back();
    pending.pop_back();
    if (t < 0 || t >= static_cast<int>(model.tensors.size()) || steps > model.ops.size()) return false;
    if (std::find(model.outputs.begin(), model.outputs.end(), t) != model.outputs.end()) reaches_output = true;
    for (int c : model.tensors[static_cast<size_t>(t)].consumers) {
      if (c < 0 || c >= static_cast<int>(model.ops.size())) return false;
      const ir::Operator& next = model.ops[static_cast<size_t>(c)];
      if (next.code != BuiltinOperator::QUANTIZE && next.code != BuiltinOperator::DEQUANTIZE) return false;
      pending.insert(pending.end(), next.outputs.begin(), next.outputs.end());
    }
  }
  return reaches_output;
}

}  // namespace

Result<std::optional<LayerKind>> LayerKindOf(const ir::Model& model, int op_index) {
  ETPU_RETURN_IF_ERROR(CheckOpIndex(model, op_index));
  const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
  if (GatherChannels(model, op) > 0) return Kind(LayerKind::kOther);
  switch (RecordOf(op.code)) {
    case ir::ParamRecord::kWeights: {
      ETPU_ASSIGN_OR_RETURN(ConvGeometry g, ConvGeometryOf(model, op_index));
      if (g.depthwise) return Kind(g.per_channel ? LayerKind::kDepthwisePerChannel : LayerKind::kDepthwise);
      return Kind(g.per_channel ? LayerKind::kConvPerChannel : LayerKind::kConv);
    }
    case ir::ParamRecord::kSoftmaxTable:
      if (!SoftmaxIsModelResult(model, op)) return NoRecord();
      return Kind(LayerKind::kSoftmaxTable);
    case ir::ParamRecord::kElementwiseConstant:
      if (ConstInputs(model, op).empty()) return NoRecord();
      return Kind(LayerKind::kElementwiseConstant);
    case ir::ParamRecord::kLstm:
      return Kind(LayerKind::kLstm);
    case ir::ParamRecord::kChannelBookkeeping:
      if (PiecesAreWholeChannelGroups(model, op)) return NoRecord();
      return Kind(LayerKind::kOther);  // the bookkeeping record
    case ir::ParamRecord::kNone:
      break;
  }
  return NoRecord();
}

Result<LayerParams> EncodeLayerParams(const ir::Model& model, int op_index, CompilerGeneration gen) {
  ETPU_ASSIGN_OR_RETURN(std::optional<LayerKind> kind, LayerKindOf(model, op_index));
  const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
  LayerParams layer;
  layer.op_index = op_index;
  layer.kind = kind;
  if (!kind) return layer;
  switch (*kind) {
    case LayerKind::kConv:
    case LayerKind::kDepthwise:
    case LayerKind::kConvPerChannel:
    case LayerKind::kDepthwisePerChannel: {
      ETPU_ASSIGN_OR_RETURN(ConvGeometry g, ConvGeometryOf(model, op_index));
      const ir::Tensor& w = *InputTensor(model, op, 1);
      const ir::Tensor* b = InputTensor(model, op, BiasSlot(op));
      std::vector<int32_t> bias;
      if (b != nullptr) {
        if (!b->is_constant() || b->type != TensorType::INT32 || b->num_elements() != g.out_channels) {
          return UnimplementedError(fmt::format("failed to lay out parameters of {}: bias '{}' must be a constant "
                                                "INT32 tensor of {} values", OpLabel(model, op_index), b->name,
                                                g.out_channels));
        }
        bias.resize(static_cast<size_t>(g.out_channels));
        std::memcpy(bias.data(), b->data.data(), bias.size() * 4);
      }
      std::vector<float> multipliers;
      if (g.per_channel) {
        ETPU_ASSIGN_OR_RETURN(multipliers, RequantMultipliers(model, op_index));
      }
      std::vector<uint8_t> ohwi;
      if (DepthwiseAsConv(model, op)) {
        ohwi = TransposeDepthwise(w.data, int64_t{g.kernel_h} * g.kernel_w, g.out_channels, true);
      }
      ETPU_ASSIGN_OR_RETURN(layer.bytes, EncodeConv(g, ohwi.empty() ? w.data : std::span<const uint8_t>(ohwi), bias,
                                                    multipliers, OpLabel(model, op_index)));
      break;
    }
    case LayerKind::kSoftmaxTable: {
      if (gen == CompilerGeneration::k2020_11) break;
      ETPU_ASSIGN_OR_RETURN(SoftmaxTableSpec spec, SoftmaxSpecOf(model, op, op_index));
      ETPU_ASSIGN_OR_RETURN(layer.bytes, EncodeSoftmaxTable(spec));
      if (const std::vector<int64_t> pieces = SoftmaxTablePieces(layer.bytes); pieces.size() > 1) {
        for (int64_t n : pieces) layer.pieces.push_back({n, false});
      }
      break;
    }
    case LayerKind::kElementwiseConstant:
      layer.always_streamed = true;
      layer.bytes = EncodeConstRecords(model, op);
      break;
    case LayerKind::kLstm:
      if (const std::optional<LstmGeometry> g = GoogleLstmGeometry(model, op)) {
        ETPU_ASSIGN_OR_RETURN(layer.bytes, EncodeGoogleLstm(model, op, *g, OpLabel(model, op_index)));
        layer.pieces = {{LstmCachedPartBytes(*g), false}, {LstmStreamedPartBytes(*g), true}};
        break;
      }
      layer.bytes = EncodeConstRecords(model, op);
      break;
    case LayerKind::kOther:
      if (const int64_t n = GatherChannels(model, op); n > 0) {
        layer.bytes = EncodeGatherRecord(n);
        break;
      }
      layer.bytes = EncodeBookkeeping(static_cast<int32_t>(op.code), static_cast<int32_t>(op.inputs.size()),
                                      static_cast<int32_t>(op.outputs.size()));
      break;
  }
  return layer;
}

Result<std::vector<LayerParams>> EncodeRegionParams(const ir::Model& model, const std::vector<int>& region_ops,
                                                    CompilerGeneration gen) {
  std::set<int> seen;
  std::vector<LayerParams> out;
  out.reserve(region_ops.size());
  for (int op_index : region_ops) {
    ETPU_RETURN_IF_ERROR(CheckOpIndex(model, op_index));
    if (!seen.insert(op_index).second) {
      return InvalidArgumentError(fmt::format("failed to lay out parameters of '{}': operator #{} listed twice in "
                                              "the region", model.path, op_index));
    }
    ETPU_ASSIGN_OR_RETURN(LayerParams layer, EncodeLayerParams(model, op_index, gen));
    out.push_back(std::move(layer));
  }
  return out;
}

std::vector<int> ParameterOrder(const ir::Model& model, const std::vector<int>& region_ops,
                                const std::vector<int>& region_outputs) {
  const std::set<int> in_region(region_ops.begin(), region_ops.end());
  std::map<int, size_t> first_output;  // op -> position of the first region output it feeds
  for (size_t pos = 0; pos < region_outputs.size(); ++pos) {
    const int t = region_outputs[pos];
    if (t < 0 || t >= static_cast<int>(model.tensors.size())) continue;
    std::vector<int> stack = {model.tensors[static_cast<size_t>(t)].producer};
    while (!stack.empty()) {
      const int op = stack.back();
      stack.pop_back();
      if (op < 0 || op >= static_cast<int>(model.ops.size()) || !in_region.count(op) ||
          !first_output.emplace(op, pos).second) {
        continue;
      }
      for (int in : model.ops[static_cast<size_t>(op)].inputs) {
        if (in >= 0 && in < static_cast<int>(model.tensors.size())) {
          stack.push_back(model.tensors[static_cast<size_t>(in)].producer);
        }
      }
    }
  }
  std::vector<int> order = region_ops;
  auto key = [&](int op) {
    auto it = first_output.find(op);
    return it == first_output.end() ? region_outputs.size() : it->second;
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key(a) < key(b); });
  return order;
}

int64_t LayerParamBytes(const ir::Model& model, int op_index, CompilerGeneration gen) {
  Result<std::optional<LayerKind>> kind = LayerKindOf(model, op_index);
  if (!kind.ok() || !kind->has_value()) return 0;
  const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
  switch (**kind) {
    case LayerKind::kConv:
    case LayerKind::kDepthwise:
    case LayerKind::kConvPerChannel:
    case LayerKind::kDepthwisePerChannel: {
      Result<ConvGeometry> g = ConvGeometryOf(model, op_index);
      return g.ok() ? ConvParamBytes(*g) : 0;
    }
    case LayerKind::kSoftmaxTable: {
      if (gen == CompilerGeneration::k2020_11) return 0;
      Result<SoftmaxTableSpec> spec = SoftmaxSpecOf(model, op, op_index);
      return spec.ok() ? SoftmaxTableBytes(*spec) : 0;
    }
    case LayerKind::kLstm:
      if (const std::optional<LstmGeometry> g = GoogleLstmGeometry(model, op)) return LstmParamBytes(*g);
      return ConstRecordsBytes(model, op);
    case LayerKind::kElementwiseConstant:
      return ConstRecordsBytes(model, op);
    case LayerKind::kOther: {
      const int64_t n = GatherChannels(model, op);
      return n > 0 ? GatherRecordBytes(n) : kBookkeepingBytes;
    }
  }
  return 0;
}

std::vector<RecordPiece> PiecesOf(const LayerParams& layer) {
  if (!layer.pieces.empty()) return layer.pieces;
  return {{static_cast<int64_t>(layer.bytes.size()), layer.always_streamed}};
}

size_t BiasSlot(const ir::Operator& op) { return op.code == BuiltinOperator::TRANSPOSE_CONV ? 3 : 2; }

Result<DecodedConv> DecodeLayerConv(const ir::Model& model, int op_index, std::span<const uint8_t> bytes,
                                    std::optional<bool> bias_words, std::span<uint8_t> weights_out) {
  ETPU_ASSIGN_OR_RETURN(ConvGeometry g, ConvGeometryOf(model, op_index));
  if (bias_words) g.has_bias = *bias_words;
  if (DepthwiseAsConv(model, model.ops[static_cast<size_t>(op_index)])) {  // decoded, then transposed
    ETPU_ASSIGN_OR_RETURN(DecodedConv d, DecodeConv(bytes, g, OpLabel(model, op_index)));
    d.weights = TransposeDepthwise(d.weights, int64_t{g.kernel_h} * g.kernel_w, g.out_channels, false);
    if (!weights_out.empty()) {
      if (weights_out.size() != d.weights.size()) {
        return DataLossError(fmt::format("failed to decode parameters of {}: its weights are {} bytes, their tensor "
                                         "holds {}", OpLabel(model, op_index), d.weights.size(), weights_out.size()));
      }
      std::copy(d.weights.begin(), d.weights.end(), weights_out.begin());
      d.weights.clear();
    }
    return d;
  }
  return DecodeConv(bytes, g, OpLabel(model, op_index), weights_out);
}

std::optional<LstmGeometry> GoogleLstmGeometryOf(const ir::Model& model, int op_index) {
  if (!CheckOpIndex(model, op_index).ok()) return std::nullopt;
  return GoogleLstmGeometry(model, model.ops[static_cast<size_t>(op_index)]);
}

Result<std::vector<ConstRecord>> DecodeLayerConstants(const ir::Model& model, int op_index,
                                                     std::span<const uint8_t> bytes, const std::string& what) {
  ETPU_RETURN_IF_ERROR(CheckOpIndex(model, op_index));
  const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
  const std::optional<LstmGeometry> g = GoogleLstmGeometry(model, op);
  if (!g) return DecodeConstRecords(bytes, what);
  ETPU_ASSIGN_OR_RETURN(LstmWeights w, DecodeLstm(bytes, *g, fmt::format("{} ({})", what, OpLabel(model, op_index))));
  std::vector<ConstRecord> out;
  for (size_t gate = 0; gate < kLstmGates; ++gate) {
    out.push_back({static_cast<int32_t>(kLstmInputWeights + gate), true, std::move(w.input[gate])});
    out.push_back({static_cast<int32_t>(kLstmRecurrentWeights + gate), true, std::move(w.recurrent[gate])});
    ConstRecord bias{static_cast<int32_t>(kLstmBiases + gate), false, std::vector<uint8_t>(w.bias[gate].size() * 4)};
    std::memcpy(bias.data.data(), w.bias[gate].data(), bias.data.size());
    out.push_back(std::move(bias));
  }
  return out;
}

}  // namespace etpu::params
