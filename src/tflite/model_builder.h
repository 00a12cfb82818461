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
#include "tflite/schema/tflite_generated.h"

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
                  tflite_fb::BuiltinOptionsUnion options = {}, int version = 1);
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

  /// The object tree built so far (the builder stays usable).
  std::unique_ptr<tflite_fb::ModelT> Build() const;
  std::vector<uint8_t> Serialize() const;

 private:
  tflite_fb::SubGraphT& subgraph() { return *model_->subgraphs[0]; }
  std::unique_ptr<tflite_fb::ModelT> model_;
};

// Option helpers for the common operators.
tflite_fb::BuiltinOptionsUnion ConvOptions(int stride_h, int stride_w, tflite_fb::Padding padding,
                                           tflite_fb::ActivationFunctionType act = tflite_fb::ActivationFunctionType::NONE,
                                           int dilation_h = 1, int dilation_w = 1);
tflite_fb::BuiltinOptionsUnion DepthwiseOptions(int stride_h, int stride_w, tflite_fb::Padding padding,
                                                int depth_multiplier = 1,
                                                tflite_fb::ActivationFunctionType act = tflite_fb::ActivationFunctionType::NONE,
                                                int dilation_h = 1, int dilation_w = 1);
tflite_fb::BuiltinOptionsUnion PoolOptions(int filter_h, int filter_w, int stride_h, int stride_w,
                                           tflite_fb::Padding padding,
                                           tflite_fb::ActivationFunctionType act = tflite_fb::ActivationFunctionType::NONE);
tflite_fb::BuiltinOptionsUnion FullyConnectedOpts(tflite_fb::ActivationFunctionType act = tflite_fb::ActivationFunctionType::NONE);
tflite_fb::BuiltinOptionsUnion AddOpts(tflite_fb::ActivationFunctionType act = tflite_fb::ActivationFunctionType::NONE);
tflite_fb::BuiltinOptionsUnion SoftmaxOpts(float beta = 1.0f);
tflite_fb::BuiltinOptionsUnion ReshapeOpts(std::vector<int32_t> new_shape);
tflite_fb::BuiltinOptionsUnion ConcatOpts(int axis);

}  // namespace etpu::tflite
