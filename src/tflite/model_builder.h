// A small fluent builder of TFLite models, for tests, rule examples and the model zoo.
//
//   ModelBuilder b;
//   int in = b.AddTensor("input", TensorType::UINT8, {1, 8, 8, 4}, Quant(0.5f, 128));
//   ...
//   b.AddOperator(BuiltinOperator::CONV_2D, {in, w, bias}, {out}, ConvOptions(...));
//   b.SetInputs({in}); b.SetOutputs({out});
//   std::vector<uint8_t> bytes = b.Serialize();
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace etpu::tflite_fb {
struct SubGraphT;
}  // namespace etpu::tflite_fb

namespace etpu::tflite {

/// Per-tensor affine quantization.
ir::Quantization Quant(float scale, int64_t zero_point);
/// Per-channel quantization along `dimension` (zero points all 0, as TFLite's int8 weights).
ir::Quantization QuantPerChannel(std::vector<float> scales, int32_t dimension);

class ModelBuilder {
 public:
  ModelBuilder();

  /// Adds a tensor; non-empty `data` makes it constant. Returns its index.
  int AddTensor(const std::string& name, ir::TensorType type, std::vector<int32_t> shape,
                const ir::Quantization& quant = {}, std::vector<uint8_t> data = {}, bool is_variable = false);
  /// Adds a constant tensor from typed values (little-endian, as TFLite stores them).
  template <typename T>
  int AddConstant(const std::string& name, ir::TensorType type, std::vector<int32_t> shape, std::span<const T> values,
                  const ir::Quantization& quant = {}) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return AddTensor(name, type, std::move(shape), quant, std::move(bytes));
  }
  /// Adds an operator (reusing operator codes); returns its index.
  int AddOperator(ir::BuiltinOperator code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                  ir::BuiltinOptions options = {}, int version = 1);
  /// Adds a custom operator with raw (FlexBuffer) options.
  int AddCustomOperator(const std::string& custom_code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                        std::vector<uint8_t> custom_options = {});
  void SetInputs(std::vector<int32_t> inputs);
  void SetOutputs(std::vector<int32_t> outputs);
  void SetDescription(const std::string& description);
  /// Adds a metadata entry holding `bytes` in a new buffer.
  void AddMetadata(const std::string& name, std::vector<uint8_t> bytes);
  /// Adds a signature over the current inputs and outputs with the given key.
  void AddSignature(const std::string& key, const std::vector<std::string>& input_names,
                    const std::vector<std::string>& output_names);

  // Changes to what was added, for tests that need models no well-formed build gives (no checks).
  void SetTensorShape(int tensor, std::vector<int32_t> shape);
  void SetShapeSignature(int tensor, std::vector<int32_t> shape_signature);
  void SetOperatorInputs(int op, std::vector<int32_t> inputs);
  void SetIntermediates(int op, std::vector<int32_t> intermediates);
  /// Sets the builtin_code field of operator `op`'s code entry to any value, even one the schema
  /// does not know (deprecated_builtin_code stays).
  void SetRawBuiltinCode(int op, int32_t code);

  /// The object tree built so far (the builder stays usable), for tflite::BuildModel.
  ir::FlatModel Build() const;
  std::vector<uint8_t> Serialize() const;

 private:
  tflite_fb::SubGraphT& subgraph();
  ir::FlatModel model_;
};

// Option helpers for the common operators.
ir::BuiltinOptions ConvOptions(int stride_h, int stride_w, ir::Padding padding,
                               ir::ActivationFunctionType act = ir::ActivationFunctionType::NONE, int dilation_h = 1,
                               int dilation_w = 1);
ir::BuiltinOptions DepthwiseOptions(int stride_h, int stride_w, ir::Padding padding, int depth_multiplier = 1,
                                    ir::ActivationFunctionType act = ir::ActivationFunctionType::NONE,
                                    int dilation_h = 1, int dilation_w = 1);
ir::BuiltinOptions PoolOptions(int filter_h, int filter_w, int stride_h, int stride_w, ir::Padding padding,
                               ir::ActivationFunctionType act = ir::ActivationFunctionType::NONE);
ir::BuiltinOptions FullyConnectedOpts(ir::ActivationFunctionType act = ir::ActivationFunctionType::NONE);
ir::BuiltinOptions AddOpts(ir::ActivationFunctionType act = ir::ActivationFunctionType::NONE);
ir::BuiltinOptions SoftmaxOpts(float beta = 1.0f);
ir::BuiltinOptions ReshapeOpts(std::vector<int32_t> new_shape);
ir::BuiltinOptions ConcatOpts(int axis);

}  // namespace etpu::tflite
