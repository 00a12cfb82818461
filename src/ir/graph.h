// The graph IR: a verified, index-checked view of one TFLite model's main subgraph.
//
// The IR keeps the flatbuffer object tree (tflite_fb::ModelT) it was built from, so that a writer
// can emit the model again with every field it does not change (CPU operator options, tensor
// names, quantization, metadata, signatures). Everything in Graph is checked once by the reader:
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

#include "tflite/schema/tflite_generated.h"

namespace etpu::ir {

using tflite_fb::BuiltinOperator;
using tflite_fb::TensorType;

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
  const tflite_fb::OperatorT* fb = nullptr;  ///< Options live here (owned by Model::fb).

  /// The name the real compiler's log uses: the builtin enum name, or "CUSTOM".
  std::string name() const { return BuiltinName(code); }
  /// Typed builtin options, or nullptr when absent or of another type.
  /// T is an object-API options type, e.g. tflite_fb::Conv2DOptionsT.
  template <typename T>
  const T* options() const {
    if (fb == nullptr || fb->builtin_options.type != tflite_fb::BuiltinOptionsUnionTraits<T>::enum_value) return nullptr;
    return static_cast<const T*>(fb->builtin_options.value);
  }
};

/// One model: the flatbuffer object tree plus the checked view of subgraph 0.
struct Model {
  std::string path;                       ///< As given (used in messages).
  std::unique_ptr<tflite_fb::ModelT> fb;  ///< Owns every byte the views point into.
  std::vector<Tensor> tensors;
  std::vector<Operator> ops;              ///< Execution order.
  std::vector<int> inputs;
  std::vector<int> outputs;
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
