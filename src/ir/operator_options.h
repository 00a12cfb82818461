// Builtin operator options as the IR owns them: one struct per options table the code reads or
// builds, with the schema's field names, types and defaults (so a model built from them is the
// model the schema's object API would build). src/tflite converts them both ways
// (tflite/ir_options.h); an operator whose options are of a kind not listed here holds
// std::monostate in the IR, and its options survive in the model's flatbuffer tree unchanged.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "ir/tflite_enums.h"

namespace etpu::ir {

struct Conv2DOptions {
  Padding padding = Padding::SAME;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
  int32_t dilation_w_factor = 1;
  int32_t dilation_h_factor = 1;
  TensorType quantized_bias_type = TensorType::FLOAT32;
};
struct DepthwiseConv2DOptions {
  Padding padding = Padding::SAME;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  int32_t depth_multiplier = 0;
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
  int32_t dilation_w_factor = 1;
  int32_t dilation_h_factor = 1;
};
struct Pool2DOptions {
  Padding padding = Padding::SAME;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  int32_t filter_width = 0;
  int32_t filter_height = 0;
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
};
struct FullyConnectedOptions {
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
  FullyConnectedOptionsWeightsFormat weights_format = FullyConnectedOptionsWeightsFormat::DEFAULT;
  bool keep_num_dims = false;
  bool asymmetric_quantize_inputs = false;
  TensorType quantized_bias_type = TensorType::FLOAT32;
};
struct SoftmaxOptions {
  float beta = 0.0f;
};
struct ConcatenationOptions {
  int32_t axis = 0;
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
};
struct AddOptions {
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
  bool pot_scale_int16 = true;
};
struct SubOptions {
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
  bool pot_scale_int16 = true;
};
struct MulOptions {
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
};
struct DivOptions {
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
};
struct L2NormOptions {
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
};
struct ReshapeOptions {
  std::vector<int32_t> new_shape{};
};
struct SqueezeOptions {
  std::vector<int32_t> squeeze_dims{};
};
struct StridedSliceOptions {
  int32_t begin_mask = 0;
  int32_t end_mask = 0;
  int32_t ellipsis_mask = 0;
  int32_t new_axis_mask = 0;
  int32_t shrink_axis_mask = 0;
  bool offset = false;
};
struct ResizeBilinearOptions {
  bool align_corners = false;
  bool half_pixel_centers = false;
};
struct ResizeNearestNeighborOptions {
  bool align_corners = false;
  bool half_pixel_centers = false;
};
struct PackOptions {
  int32_t values_count = 0;
  int32_t axis = 0;
};
struct UnpackOptions {
  int32_t num = 0;
  int32_t axis = 0;
};
struct LeakyReluOptions {
  float alpha = 0.0f;
};
struct UnidirectionalSequenceLSTMOptions {
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
  float cell_clip = 0.0f;
  float proj_clip = 0.0f;
  bool time_major = false;
  bool asymmetric_quantize_inputs = false;
  bool diagonal_recurrent_tensors = false;
};
struct SplitOptions {
  int32_t num_splits = 0;
};
struct SpaceToDepthOptions {
  int32_t block_size = 0;
};
struct ReducerOptions {
  bool keep_dims = false;
};
struct ArgMaxOptions {
  TensorType output_type = TensorType::FLOAT32;
};
struct TransposeConvOptions {
  Padding padding = Padding::SAME;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  ActivationFunctionType fused_activation_function = ActivationFunctionType::NONE;
  TensorType quantized_bias_type = TensorType::FLOAT32;
};

/// Every options kind above: X(Kind) for the struct KindOptions, in one list.
#define ETPU_IR_OPTION_KINDS(X) X(Conv2D) X(DepthwiseConv2D) X(Pool2D) X(FullyConnected) X(Softmax) X(Concatenation) \
  X(Add) X(Sub) X(Mul) X(Div) X(L2Norm) X(Reshape) X(Squeeze) X(StridedSlice) X(ResizeBilinear) \
  X(ResizeNearestNeighbor) X(Pack) X(Unpack) X(LeakyRelu) X(UnidirectionalSequenceLSTM) X(Split) X(SpaceToDepth) \
  X(Reducer) X(ArgMax) X(TransposeConv)

/// The builtin options of one operator: none (std::monostate) or one of the kinds above.
using BuiltinOptions = std::variant<std::monostate
#define ETPU_X(K) , K##Options
                                    ETPU_IR_OPTION_KINDS(ETPU_X)
#undef ETPU_X
                                    >;

}  // namespace etpu::ir
