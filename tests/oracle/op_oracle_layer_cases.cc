// One-operator oracle cases first checked by the retired src/kernels/tools/oracle_layer_check.cc
// (an unbuilt tool): CONV_2D uint8 (SAME / VALID, stride 1 / 2, RELU6 / none), FULLY_CONNECTED
// uint8, ADD uint8 / int8 with broadcast, SOFTMAX uint8 / int8 (1001 classes, three scales),
// MEAN int8, QUANTIZE uint8 -> int8 and RELU6 uint8 with rescaling (every input value),
// RESIZE_BILINEAR uint8 / int8 in its three modes (libtflite29: the current formula).
#include "oracle/op_oracle_cases.h"

namespace etpu::oracle_test {

using ir::BuiltinOperator;
using ir::TensorType;
using tflite::ModelBuilder;
using tflite::Quant;

namespace {
// first, first + step, ... (n values): biases of both signs.
std::vector<int32_t> Ramp(int n, int32_t first, int32_t step) {
  std::vector<int32_t> v;
  for (int i = 0; i < n; ++i) v.push_back(first + i * step);
  return v;
}
}  // namespace

void AddLayerCheckCases(std::vector<OpCase>& c) {
  const auto u8 = TensorType::UINT8, i8 = TensorType::INT8, i32 = TensorType::INT32;
  for (int variant = 0; variant < 3; ++variant) {
    c.push_back({"conv_u8_" + std::to_string(variant), [=](ModelBuilder& b) {
                   const int stride = variant == 1 ? 1 : 2;
                   const ir::Padding pad = variant == 1 ? ir::Padding::VALID : ir::Padding::SAME;
                   const int oh = variant == 1 ? 15 : 9, ow = variant == 1 ? 13 : 8;
                   int x = b.AddTensor("x", u8, {1, 17, 15, 8}, Quant(0.0235f, 117));
                   int w = RandomConst(b, "w", u8, {16, 3, 3, 8}, Quant(0.0071f, 131), 31);
                   int bias = Const<int32_t>(b, "b", i32, {16}, Ramp(16, -3000, 397), Quant(0.0235f * 0.0071f, 0));
                   int o = b.AddTensor("o", u8, {1, oh, ow, 16}, Quant(variant == 2 ? 0.011f : 0.0471f, variant == 2 ? 128 : 0));
                   b.AddOperator(BuiltinOperator::CONV_2D, {x, w, bias}, {o},
                                 tflite::ConvOptions(stride, stride, pad,
                                                     variant == 2 ? ir::ActivationFunctionType::NONE
                                                                  : ir::ActivationFunctionType::RELU6));
                   b.SetInputs({x});
                   b.SetOutputs({o});
                 }});
  }
  c.push_back({"fully_connected_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {2, 64}, Quant(0.02f, 128));
                 int w = RandomConst(b, "w", u8, {20, 64}, Quant(0.005f, 125), 33);
                 int bias = Const<int32_t>(b, "b", i32, {20}, Ramp(20, -2900, 301), Quant(0.02f * 0.005f, 0));
                 int o = b.AddTensor("o", u8, {2, 20}, Quant(0.1f, 120));
                 b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {x, w, bias}, {o}, tflite::FullyConnectedOpts());
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  for (const TensorType t : {u8, i8}) {
    const bool is_u8 = t == u8;
    c.push_back({is_u8 ? "add_u8_broadcast" : "add_i8_broadcast", [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", t, {1, 6, 7, 9}, Quant(0.037f, is_u8 ? 120 : -8));
                   int y = b.AddTensor("y", t, {1, 1, 7, 9}, Quant(0.081f, is_u8 ? 140 : 12));
                   int o = b.AddTensor("o", t, {1, 6, 7, 9}, Quant(0.09f, is_u8 ? 128 : 0));
                   b.AddOperator(BuiltinOperator::ADD, {x, y}, {o}, tflite::AddOpts(), is_u8 ? 1 : 2);
                   b.SetInputs({x, y});
                   b.SetOutputs({o});
                 }});
    for (const float scale : {0.05f, 0.2f, 0.0123f}) {
      c.push_back({std::string("softmax_") + (is_u8 ? "u8_" : "i8_") + std::to_string(static_cast<int>(scale * 10000)),
                   [=](ModelBuilder& b) {
                     int x = b.AddTensor("x", t, {3, 1001}, Quant(scale, is_u8 ? 100 : -20));
                     int o = b.AddTensor("o", t, {3, 1001}, Quant(1.0f / 256, is_u8 ? 0 : -128));
                     b.AddOperator(BuiltinOperator::SOFTMAX, {x}, {o}, tflite::SoftmaxOpts(1.0f), is_u8 ? 1 : 2);
                     b.SetInputs({x});
                     b.SetOutputs({o});
                   }});
    }
    for (int mode = 0; mode < 3; ++mode) {
      c.push_back({std::string("resize_bilinear_") + (is_u8 ? "u8_" : "i8_") + std::to_string(mode),
                   [=](ModelBuilder& b) {
                     const int oh = mode == 0 && is_u8 ? 18 : 33, ow = mode == 0 && is_u8 ? 14 : 20;
                     int x = b.AddTensor("x", t, {1, 9, 7, 3}, Quant(0.1f, 0));
                     int size = Const<int32_t>(b, "size", i32, {2}, {oh, ow});
                     int o = b.AddTensor("o", t, {1, oh, ow, 3}, Quant(0.1f, 0));
                     ir::ResizeBilinearOptions opt;
                     opt.align_corners = mode == 1;
                     opt.half_pixel_centers = mode == 2;
                     b.AddOperator(BuiltinOperator::RESIZE_BILINEAR, {x, size}, {o}, Options(opt), 3);
                     b.SetInputs({x});
                     b.SetOutputs({o});
                   },
                   /*lib29=*/true});
    }
  }
  c.push_back({"mean_i8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", i8, {1, 7, 7, 12}, Quant(0.05f, -3));
                 int axes = Const<int32_t>(b, "axes", i32, {2}, {1, 2});
                 int o = b.AddTensor("o", i8, {1, 1, 1, 12}, Quant(0.04f, 7));
                 ir::ReducerOptions opt;
                 opt.keep_dims = true;
                 b.AddOperator(BuiltinOperator::MEAN, {x, axes}, {o}, Options(opt), 2);
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"requantize_u8_i8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 256}, Quant(0.07f, 131));
                 int o = b.AddTensor("o", i8, {1, 256}, Quant(0.05f, -10));
                 b.AddOperator(BuiltinOperator::QUANTIZE, {x}, {o}, {}, 2);
                 b.SetInputs({x});
                 b.SetOutputs({o});
               },
               /*lib29=*/false, /*ramp=*/true});
  c.push_back({"relu6_u8_rescale", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 256}, Quant(0.07f, 131));
                 int o = b.AddTensor("o", u8, {1, 256}, Quant(0.05f, 20));
                 b.AddOperator(BuiltinOperator::RELU6, {x}, {o});
                 b.SetInputs({x});
                 b.SetOutputs({o});
               },
               /*lib29=*/false, /*ramp=*/true});
}

}  // namespace etpu::oracle_test
