// The graph IR: a verified, index-checked view of one TFLite model's main subgraph.
//
// The IR owns its types (ir/tflite_enums.h, ir/operator_options.h): modules outside src/tflite
// never see the generated schema. It also keeps the flatbuffer object tree it was built from, as
// an opaque pointer (FlatModel, defined by src/tflite), so that the writer can emit the model
// again with every field it does not change (CPU operator options, tensor names, quantization,
// metadata, signatures). Everything in Graph is checked once by the reader:
// after ReadModel, every tensor/buffer/opcode index is in range, shapes are sane, every
// operator input is produced earlier (or is a graph input, a constant or a variable), and
// constant buffers have exactly the bytes their shape and type need.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/operator_options.h"
#include "ir/tflite_enums.h"

namespace etpu::tflite_fb {
struct ModelT;  // The schema's object tree; complete only inside src/tflite.
}  // namespace etpu::tflite_fb

namespace etpu::ir {

/// Owner of a model's flatbuffer object tree. The tree's type is opaque here: only src/tflite
/// creates, reads or changes one; the deleter it installs is the one place that destroys it.
struct FlatModelDeleter {
  void (*destroy)(tflite_fb::ModelT*) = nullptr;
  void operator()(tflite_fb::ModelT* tree) const {
    if (destroy != nullptr) destroy(tree);
  }
};
using FlatModel = std::unique_ptr<tflite_fb::ModelT, FlatModelDeleter>;

/// Bytes per element of a TFLite tensor type; 0 for types without a fixed size (STRING, ...).
int ElementSize(TensorType type);
/// "UINT8", "INT8", "FLOAT32", ...
const char* TensorTypeName(TensorType type);
/// TFLite's enum name of a builtin operator ("CONV_2D"); "CUSTOM" for custom ops.
std::string BuiltinName(BuiltinOperator op);

/// Affine quantization: real = scale * (q - zero_point), per tensor or per slice.
struct Quantization {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;

  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

struct Tensor {
  int index = -1;
  std::string name;
  TensorType type = TensorType::FLOAT32;
  std::vector<int32_t> shape;
  std::vector<int32_t> shape_signature;  ///< -1 marks a dynamic dimension; empty when absent.
  Quantization quant;
  bool is_variable = false;
  int buffer = 0;                        ///< Index into Model::buffers (0 = none).
  std::span<const uint8_t> data;         ///< Constant bytes (empty when not constant).
  int producer = -1;                     ///< Index of the operator writing it; -1 if none.
  std::vector<int> consumers;            ///< Operators reading it, in execution order.

  bool is_constant() const { return !data.empty(); }
  int64_t num_elements() const;
  int64_t size_bytes() const { return num_elements() * ElementSize(type); }
  bool is_dynamic() const;
};

struct Operator {
  int index = -1;
  BuiltinOperator code = BuiltinOperator::ADD;
  std::string custom_code;               ///< Set for CUSTOM operators.
  int version = 1;
  std::vector<int> inputs;               ///< Tensor indices; -1 = optional input left out.
  std::vector<int> outputs;
  std::vector<int> intermediates;        ///< Tensor indices (e.g. the quantized LSTM's).
  BuiltinOptions builtin_options;        ///< std::monostate when absent or of a kind the IR does not read.
  std::span<const uint8_t> custom_options;  ///< Raw custom options (owned by Model::fb).
  CustomOptionsFormat custom_options_format = CustomOptionsFormat::FLEXBUFFERS;

  /// The name the real compiler's log uses: the builtin enum name, or "CUSTOM".
  std::string name() const { return BuiltinName(code); }
  /// Typed builtin options, or nullptr when absent or of another kind, e.g. options<Conv2DOptions>().
  template <typename T>
  const T* options() const {
    return std::get_if<T>(&builtin_options);
  }
};

/// One entry of the model's operator code table (used or not by an operator).
struct OperatorCode {
  int32_t builtin_code = 0;  ///< The effective code (the larger of the two code fields); may be unknown.
  std::string custom_code;
  int version = 1;
};

/// One SignatureDef of the model: named inputs and outputs of a subgraph (TFLite's
/// get_signature_runner). Tensor indices are checked by the reader.
struct Signature {
  struct Entry {
    std::string name;  ///< The signature's name for the tensor (not necessarily the tensor's name).
    int tensor = -1;   ///< Tensor index in the subgraph.
  };
  std::string key;     ///< e.g. "serving_default".
  int subgraph = 0;
  std::vector<Entry> inputs;
  std::vector<Entry> outputs;
};

/// One model: the flatbuffer object tree plus the checked view of subgraph 0.
struct Model {
  std::string path;                       ///< As given (used in messages).
  FlatModel fb;                           ///< Owns every byte the views point into (opaque outside src/tflite).
  std::string description;
  std::vector<OperatorCode> operator_codes;
  std::vector<Tensor> tensors;
  std::vector<Operator> ops;              ///< Execution order.
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<Signature> signatures;      ///< The model's SignatureDefs, in file order.
  int64_t file_size = 0;

  const Tensor& tensor(int i) const { return tensors.at(static_cast<size_t>(i)); }
  /// The tensor with this name, if any.
  std::optional<int> FindTensor(const std::string& name) const;
  /// True when an operator is the Edge TPU custom op of a compiled model.
  bool HasEdgeTpuCustomOp() const;
};

/// Name of the Edge TPU custom operator in compiled models.
inline constexpr const char* kEdgeTpuCustomOp = "edgetpu-custom-op";

}  // namespace etpu::ir
