// The operator table's rows.
//
// Evidence for the Edge TPU columns: compiler-behaviour.md §5.3 (the runtime column of the
// supported-operator list) and the shared compiled files where named.
//
// `tflite_version` is the newest op version TF 2.5's builtin op resolver registers, the TFLite the
// real compiler embeds [S]: derived from TFLite's op-version -> minimum-runtime table (the largest
// version whose runtime is <= 2.5.0) and checked against the transcripts of compiler-behaviour.md
// §7.1 (CONV_2D v6 (2.9), TRANSPOSE_CONV v4, QUANTIZE v3 (2.7) and EXP v2 are rejected by v16).
// Builtins without a row register version 1 only.
#include "ir/op_table.h"

#include <map>
#include <utility>

namespace etpu::ir {
namespace {

using B = BuiltinOperator;
using C = Certainty;
using P = ParamRecord;
using S = CostShape;

/// Builds one row; the calls read as the row's columns.
class Op {
 public:
  Op(B code, int tflite_version) {
    info_.code = code;
    info_.tflite_version = tflite_version;
  }
  Op& Maps(int min_runtime, C certainty, std::vector<int> param_slots = {}, std::vector<int> state_slots = {}) {
    info_.edgetpu = EdgeTpuMapping{min_runtime, certainty, std::move(param_slots), std::move(state_slots)};
    return *this;
  }
  Op& Record(P record) {
    info_.record = record;
    return *this;
  }
  Op& Cost(S cost) {
    info_.cost = cost;
    return *this;
  }
  Op& RowLocal() {
    info_.row_local = true;
    return *this;
  }
  Op& Kernel() {
    info_.cpu_kernel = true;
    return *this;
  }
  operator OpInfo() const { return info_; }  // NOLINT(google-explicit-constructor): rows read as a list

 private:
  OpInfo info_;
};

std::vector<OpInfo> BuildTable() {
  return {
      // Convolutions and fully connected.
      Op(B::CONV_2D, 5).Maps(10, C::kSupported, {1, 2}).Record(P::kWeights).Cost(S::kConv).RowLocal().Kernel(),
      Op(B::DEPTHWISE_CONV_2D, 6).Maps(10, C::kSupported, {1, 2}).Record(P::kWeights).Cost(S::kDepthwise)
          .RowLocal().Kernel(),
      Op(B::FULLY_CONNECTED, 9).Maps(10, C::kSupported, {1, 2}).Record(P::kWeights).Cost(S::kFullyConnected)
          .Kernel(),
      // Inputs: 0 output_shape, 1 weights, 2 data, 3 bias (optional).
      Op(B::TRANSPOSE_CONV, 3).Maps(13, C::kConfirmed, {0, 1, 3}).Record(P::kWeights).Cost(S::kConv).RowLocal()
          .Kernel(),
      // Pooling.
      Op(B::AVERAGE_POOL_2D, 3).Maps(10, C::kSupported).Cost(S::kPool).RowLocal().Kernel(),
      Op(B::MAX_POOL_2D, 3).Maps(10, C::kSupported).Cost(S::kPool).RowLocal().Kernel(),
      Op(B::L2_POOL_2D, 1).Cost(S::kPool).RowLocal(),
      // Element-wise arithmetic.
      Op(B::ADD, 3).Maps(10, C::kSupported).Record(P::kElementwiseConstant).RowLocal().Kernel(),
      Op(B::SUB, 5).Maps(10, C::kSupported).Record(P::kElementwiseConstant).RowLocal().Kernel(),
      Op(B::MUL, 4).Maps(10, C::kSupported).Record(P::kElementwiseConstant).RowLocal().Kernel(),
      Op(B::MAXIMUM, 4).Maps(10, C::kSupported).Record(P::kElementwiseConstant).RowLocal().Kernel(),
      Op(B::MINIMUM, 4).Maps(10, C::kSupported).Record(P::kElementwiseConstant).RowLocal().Kernel(),
      Op(B::SQUARED_DIFFERENCE, 2).Maps(14, C::kUnconfirmed).Record(P::kElementwiseConstant).RowLocal().Kernel(),
      Op(B::DIV, 2).Kernel(),
      Op(B::FLOOR_DIV, 2).Kernel(),
      Op(B::SQRT, 1).Kernel(),
      Op(B::RSQRT, 2).Maps(14, C::kUnconfirmed).RowLocal().Kernel(),
      // Activations.
      Op(B::RELU, 3).Maps(10, C::kSupported).RowLocal().Kernel(),
      Op(B::RELU6, 3).Maps(10, C::kSupported).RowLocal().Kernel(),
      Op(B::RELU_N1_TO_1, 1).Maps(10, C::kSupported).RowLocal().Kernel(),
      Op(B::LOGISTIC, 3).Maps(10, C::kSupported).RowLocal().Kernel(),
      Op(B::TANH, 3).Maps(10, C::kSupported).RowLocal().Kernel(),
      Op(B::PRELU, 1).Maps(13, C::kUnconfirmed, {1}).RowLocal().Kernel(),
      Op(B::LEAKY_RELU, 2).RowLocal().Kernel(),
      Op(B::HARD_SWISH, 1).RowLocal().Kernel(),
      Op(B::SOFTMAX, 3).Maps(10, C::kSupported).Record(P::kSoftmaxTable).Kernel(),
      Op(B::L2_NORMALIZATION, 2).Maps(10, C::kSupported).Kernel(),
      // Quantization. QUANTIZE needs runtime 12, not the 13 of the compiler release that added it
      // (§1.1): the real 2021-07 compiler mapped both QUANTIZE ops of keras_lstm_mnist_ptq into a
      // package that says runtime 12 (../shared/testdata, groundtruth.json). A compiler feature is
      // not a runtime feature.
      Op(B::QUANTIZE, 2).Maps(12, C::kSupported).RowLocal().Kernel(),
      Op(B::DEQUANTIZE, 4).RowLocal().Kernel(),
      Op(B::CAST, 1).Kernel(),
      Op(B::ARG_MAX, 2).Kernel(),
      // Reductions.
      Op(B::MEAN, 3).Maps(10, C::kSupported, {1}).Cost(S::kReduce).Kernel(),
      Op(B::SUM, 2).Maps(13, C::kConfirmed, {1}).Cost(S::kReduce).Kernel(),
      Op(B::REDUCE_MAX, 3).Maps(14, C::kUnconfirmed, {1}).Cost(S::kReduce).Kernel(),
      Op(B::REDUCE_MIN, 3).Maps(14, C::kUnconfirmed, {1}).Cost(S::kReduce).Kernel(),
      // Resizing.
      Op(B::RESIZE_BILINEAR, 4).Maps(10, C::kSupported, {1}).RowLocal().Kernel(),
      Op(B::RESIZE_NEAREST_NEIGHBOR, 1).Maps(10, C::kSupported, {1}).RowLocal().Kernel(),
      // Shapes and data movement.
      Op(B::CONCATENATION, 3).Maps(10, C::kSupported).Record(P::kChannelBookkeeping).RowLocal().Kernel(),
      Op(B::RESHAPE, 1).Maps(10, C::kSupported, {1}).Cost(S::kShapeOnly).Kernel(),
      Op(B::SQUEEZE, 2).Maps(10, C::kSupported).Cost(S::kShapeOnly).Kernel(),
      Op(B::EXPAND_DIMS, 1).Maps(13, C::kConfirmed, {1}).Cost(S::kShapeOnly).Kernel(),
      Op(B::PACK, 3).Maps(13, C::kConfirmed).Kernel(),
      Op(B::UNPACK, 4).Kernel(),
      Op(B::PAD, 3).Maps(10, C::kSupported, {1}).RowLocal().Kernel(),
      Op(B::PADV2, 3).RowLocal().Kernel(),
      Op(B::SLICE, 5).Maps(10, C::kSupported, {1, 2}).Kernel(),
      Op(B::STRIDED_SLICE, 5).Maps(10, C::kSupported, {1, 2, 3}).Kernel(),
      Op(B::SPLIT, 4).Maps(10, C::kSupported, {0}).Record(P::kChannelBookkeeping).Kernel(),
      Op(B::SPLIT_V, 2).Record(P::kChannelBookkeeping).Kernel(),
      Op(B::SPACE_TO_DEPTH, 2).Maps(10, C::kSupported).Kernel(),
      Op(B::TILE, 2).Maps(12, C::kSupported, {1}).Kernel(),
      Op(B::TRANSPOSE, 5).Maps(14, C::kSupported, {1}).Kernel(),
      Op(B::GATHER_ND, 3).Kernel(),
      // Recurrent. Weights and biases are parameters; 18/19 are state. Runtime 12 [S]: Google's
      // fully delegated keras_lstm_mnist_ptq_edgetpu.tflite (2021-07 compiler) says
      // min_runtime_version 12, so the variable-tensor support of runtime 14 is not what this
      // operator needs.
      Op(B::UNIDIRECTIONAL_SEQUENCE_LSTM, 3)
          .Maps(12, C::kSupported, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23},
                {18, 19})
          .Record(P::kLstm)
          .Kernel(),
      Op(B::LSTM, 4).Record(P::kLstm),
      // Known to TF 2.5's registry at a version above 1; nothing else known here.
      Op(B::DEPTH_TO_SPACE, 2),
      Op(B::EMBEDDING_LOOKUP, 3),
      Op(B::RNN, 3),
      Op(B::SVDF, 4),
      Op(B::UNIDIRECTIONAL_SEQUENCE_RNN, 3),
      Op(B::GATHER, 5),
      Op(B::BATCH_TO_SPACE_ND, 3),
      Op(B::SPACE_TO_BATCH_ND, 3),
      Op(B::BIDIRECTIONAL_SEQUENCE_RNN, 3),
      Op(B::TOPK_V2, 2),
      Op(B::LOG_SOFTMAX, 2),
      Op(B::BIDIRECTIONAL_SEQUENCE_LSTM, 3),
      Op(B::LESS, 2),
      Op(B::GREATER, 2),
      Op(B::GREATER_EQUAL, 2),
      Op(B::LESS_EQUAL, 2),
      Op(B::SELECT, 2),
      Op(B::SPARSE_TO_DENSE, 3),
      Op(B::EQUAL, 3),
      Op(B::NOT_EQUAL, 3),
      Op(B::ARG_MIN, 2),
      Op(B::FAKE_QUANT, 2),
      Op(B::FILL, 3),
      Op(B::MIRROR_PAD, 2),
      Op(B::ABS, 3),
      Op(B::REVERSE_V2, 3),
      Op(B::BATCH_MATMUL, 4),
      Op(B::BROADCAST_TO, 3),
  };
}

const std::vector<OpInfo>& Table() {
  static const std::vector<OpInfo> table = BuildTable();
  return table;
}

const std::map<B, const OpInfo*>& Index() {
  static const std::map<B, const OpInfo*> index = [] {
    std::map<B, const OpInfo*> m;
    for (const OpInfo& row : Table()) m.emplace(row.code, &row);
    return m;
  }();
  return index;
}

}  // namespace

std::span<const OpInfo> OpTable() { return Table(); }

const OpInfo& OpInfoOf(BuiltinOperator code) {
  if (auto it = Index().find(code); it != Index().end()) return *it->second;
  // Rows for codes the table does not list, made once per code.
  static const std::map<B, OpInfo> defaults = [] {
    std::map<B, OpInfo> m;
    for (B c : AllBuiltinOperators()) {
      OpInfo row;
      row.code = c;
      m.emplace(c, row);
    }
    return m;
  }();
  if (auto it = defaults.find(code); it != defaults.end()) return it->second;
  static const OpInfo unknown{};  // a code outside the schema's enum (callers check the range)
  return unknown;
}

std::vector<const OpInfo*> MappableOps() {
  std::vector<const OpInfo*> out;
  for (const OpInfo& row : Table()) {
    if (row.edgetpu) out.push_back(&row);
  }
  return out;
}

}  // namespace etpu::ir
