#include "tflite/ir_options.h"

#include <type_traits>

namespace etpu::tflite {
namespace {

// The fields of each options kind, in the schema's order (the same names on both sides).
#define ETPU_FIELDS_Conv2D(F) F(padding) F(stride_w) F(stride_h) F(fused_activation_function) F(dilation_w_factor) F(dilation_h_factor) F(quantized_bias_type)
#define ETPU_FIELDS_DepthwiseConv2D(F) F(padding) F(stride_w) F(stride_h) F(depth_multiplier) F(fused_activation_function) F(dilation_w_factor) F(dilation_h_factor)
#define ETPU_FIELDS_Pool2D(F) F(padding) F(stride_w) F(stride_h) F(filter_width) F(filter_height) F(fused_activation_function)
#define ETPU_FIELDS_FullyConnected(F) F(fused_activation_function) F(weights_format) F(keep_num_dims) F(asymmetric_quantize_inputs) F(quantized_bias_type)
#define ETPU_FIELDS_Softmax(F) F(beta)
#define ETPU_FIELDS_Concatenation(F) F(axis) F(fused_activation_function)
#define ETPU_FIELDS_Add(F) F(fused_activation_function) F(pot_scale_int16)
#define ETPU_FIELDS_Sub(F) F(fused_activation_function) F(pot_scale_int16)
#define ETPU_FIELDS_Mul(F) F(fused_activation_function)
#define ETPU_FIELDS_Div(F) F(fused_activation_function)
#define ETPU_FIELDS_L2Norm(F) F(fused_activation_function)
#define ETPU_FIELDS_Reshape(F) F(new_shape)
#define ETPU_FIELDS_Squeeze(F) F(squeeze_dims)
#define ETPU_FIELDS_StridedSlice(F) F(begin_mask) F(end_mask) F(ellipsis_mask) F(new_axis_mask) F(shrink_axis_mask) F(offset)
#define ETPU_FIELDS_ResizeBilinear(F) F(align_corners) F(half_pixel_centers)
#define ETPU_FIELDS_ResizeNearestNeighbor(F) F(align_corners) F(half_pixel_centers)
#define ETPU_FIELDS_Pack(F) F(values_count) F(axis)
#define ETPU_FIELDS_Unpack(F) F(num) F(axis)
#define ETPU_FIELDS_LeakyRelu(F) F(alpha)
#define ETPU_FIELDS_UnidirectionalSequenceLSTM(F) F(fused_activation_function) F(cell_clip) F(proj_clip) F(time_major) F(asymmetric_quantize_inputs) F(diagonal_recurrent_tensors)
#define ETPU_FIELDS_Split(F) F(num_splits)
#define ETPU_FIELDS_SpaceToDepth(F) F(block_size)
#define ETPU_FIELDS_Reducer(F) F(keep_dims)
#define ETPU_FIELDS_ArgMax(F) F(output_type)
#define ETPU_FIELDS_TransposeConv(F) F(padding) F(stride_w) F(stride_h) F(fused_activation_function) F(quantized_bias_type)

template <typename To, typename From>
void Assign(To& to, const From& from) {
  if constexpr (std::is_enum_v<To>) {
    to = static_cast<To>(from);
  } else {
    to = from;
  }
}

}  // namespace

ir::BuiltinOptions ToIrOptions(const tflite_fb::BuiltinOptionsUnion& options) {
  if (options.value == nullptr) return std::monostate{};
#define ETPU_FIELD(f) Assign(out.f, in.f);
#define ETPU_KIND(K)                                                      \
  case tflite_fb::BuiltinOptions::K##Options: {                           \
    const auto& in = *static_cast<const tflite_fb::K##OptionsT*>(options.value); \
    ir::K##Options out;                                                   \
    ETPU_FIELDS_##K(ETPU_FIELD) return out;                               \
  }
  switch (options.type) {
    ETPU_IR_OPTION_KINDS(ETPU_KIND)
    default: return std::monostate{};
  }
#undef ETPU_KIND
#undef ETPU_FIELD
}

tflite_fb::BuiltinOptionsUnion ToSchemaOptions(const ir::BuiltinOptions& options) {
  tflite_fb::BuiltinOptionsUnion u;
#define ETPU_FIELD(f) Assign(out.f, in.f);
#define ETPU_KIND(K)                                    \
  if (const auto* p = std::get_if<ir::K##Options>(&options)) { \
    const auto& in = *p;                                \
    tflite_fb::K##OptionsT out;                         \
    ETPU_FIELDS_##K(ETPU_FIELD) u.Set(std::move(out));  \
    return u;                                           \
  }
  ETPU_IR_OPTION_KINDS(ETPU_KIND)
#undef ETPU_KIND
#undef ETPU_FIELD
  return u;
}

}  // namespace etpu::tflite
