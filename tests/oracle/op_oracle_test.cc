// One-operator models (built with tflite::ModelBuilder) for the operator families the shared
// models do not exercise, run on etpu's interpreter and on the TFLite reference (libtflite22,
// libtflite29 for ops 2.2 lacks); outputs must be byte-identical for fill 0 / 128 / 255 and
// three seeded random inputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <random>
#include <set>

#include "ir/op_table.h"
#include "oracle/op_oracle_cases.h"
#include "oracle/oracle_util.h"
#include "runtime/interpreter.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::oracle_test {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;
using tflite::ModelBuilder;
using tflite::Quant;

// The operators the compiler maps from runtime 13/14 on (PRELU, L2_NORMALIZATION,
// SQUARED_DIFFERENCE, SUM, RSQRT): several shapes and quantizations, uint8 and int8, every input
// value for the element-wise ones (ramp variant). libtflite22 where it has the operator and type,
// libtflite29 otherwise (int8 PRELU, SQUARED_DIFFERENCE and RSQRT). uint8 SQUARED_DIFFERENCE and RSQRT
// have no TFLite kernel: src/kernels/coverage_ops_test.cc pins them to the int8 paths.
void AddRuntimeCoverageCases(std::vector<OpCase>& c) {
  const auto u8 = TensorType::UINT8, i8 = TensorType::INT8, i32 = TensorType::INT32;
  struct PreluCase {
    const char* name;
    TensorType type;
    std::vector<int32_t> shape, alpha_shape;
    float in_scale, alpha_scale, out_scale;
    int in_zp, alpha_zp, out_zp;
  };
  for (const PreluCase& q :
       {PreluCase{"prelu_u8_channel_alpha", u8, {1, 4, 4, 64}, {1, 1, 64}, 0.05f, 0.01f, 0.04f, 128, 100, 120},
        PreluCase{"prelu_u8_scalar_alpha_upscale", u8, {1, 256}, {1}, 0.03f, 0.004f, 0.012f, 70, 0, 30},
        PreluCase{"prelu_i8_channel_alpha", i8, {2, 8, 32}, {32}, 0.04f, 0.02f, 0.05f, -3, -5, 10},
        PreluCase{"prelu_i8_negative_alpha", i8, {1, 2, 2, 128}, {1, 1, 1, 128}, 0.02f, 0.015f, 0.02f, 0, 60, -128}}) {
    c.push_back({q.name,
                 [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", q.type, q.shape, Quant(q.in_scale, q.in_zp));
                   int a = RandomConst(b, "alpha", q.type, q.alpha_shape, Quant(q.alpha_scale, q.alpha_zp), 21);
                   int o = b.AddTensor("o", q.type, q.shape, Quant(q.out_scale, q.out_zp));
                   b.AddOperator(BuiltinOperator::PRELU, {x, a}, {o});
                   b.SetInputs({x});
                   b.SetOutputs({o});
                 },
                 /*lib29=*/q.type == i8, /*ramp=*/true});
  }
  struct L2Case {
    const char* name;
    TensorType type;
    std::vector<int32_t> shape;
    float scale;
    int zp;
  };
  for (const L2Case& q : {L2Case{"l2_norm_u8", u8, {1, 4, 4, 16}, 0.1f, 120},
                          L2Case{"l2_norm_u8_deep", u8, {2, 1000}, 0.02f, 3},
                          L2Case{"l2_norm_u8_short_rows", u8, {64, 2}, 0.5f, 128},
                          L2Case{"l2_norm_i8", i8, {2, 3, 32}, 0.05f, -3},
                          L2Case{"l2_norm_i8_short_rows", i8, {128, 2}, 0.3f, 0}}) {
    c.push_back({q.name,
                 [=](ModelBuilder& b) {
                   const int zp = q.type == u8 ? 128 : 0;
                   int x = b.AddTensor("x", q.type, q.shape, Quant(q.scale, q.zp));
                   int o = b.AddTensor("o", q.type, q.shape, Quant(1.0f / 128, zp));
                   b.AddOperator(BuiltinOperator::L2_NORMALIZATION, {x}, {o}, Options(ir::L2NormOptions{}),
                                 q.type == i8 ? 2 : 1);
                   b.SetInputs({x});
                   b.SetOutputs({o});
                 },
                 /*lib29=*/false, /*ramp=*/true});
  }
  struct SqDiffCase {
    const char* name;
    std::vector<int32_t> s1, s2, out;
    float scale1, scale2, out_scale;
    int zp1, zp2, out_zp;
  };
  for (const SqDiffCase& q :
       {SqDiffCase{"squared_difference_i8", {1, 16, 16}, {1, 16, 16}, {1, 16, 16}, 0.05f, 0.05f, 0.1f, 0, 0, -128},
        SqDiffCase{"squared_difference_i8_broadcast", {2, 4, 4, 8}, {1, 1, 1, 8}, {2, 4, 4, 8}, 0.03f, 0.08f, 0.5f,
                   -10, 7, -100},
        SqDiffCase{"squared_difference_i8_small_out", {1, 256}, {1, 256}, {1, 256}, 0.01f, 0.02f, 0.0005f, 5, -5,
                   -128}}) {
    c.push_back({q.name,
                 [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", i8, q.s1, Quant(q.scale1, q.zp1));
                   int y = b.AddTensor("y", i8, q.s2, Quant(q.scale2, q.zp2));
                   int o = b.AddTensor("o", i8, q.out, Quant(q.out_scale, q.out_zp));
                   b.AddOperator(BuiltinOperator::SQUARED_DIFFERENCE, {x, y}, {o}, {}, 2);
                   b.SetInputs({x, y});
                   b.SetOutputs({o});
                 },
                 /*lib29=*/true, /*ramp=*/true});
  }
  struct SumCase {
    const char* name;
    TensorType type;
    std::vector<int32_t> shape, axes, out;
    bool keep;
    float in_scale, out_scale;
    int in_zp, out_zp;
  };
  for (const SumCase& q :
       {SumCase{"sum_u8_hw_keep", u8, {1, 5, 7, 6}, {1, 2}, {1, 1, 1, 6}, true, 0.02f, 0.5f, 100, 20},
        SumCase{"sum_u8_channels", u8, {1, 4, 4, 8}, {3}, {1, 4, 4}, false, 0.01f, 0.06f, 128, 0},
        SumCase{"sum_u8_same_quant_wraps", u8, {1, 3, 4, 5}, {-1}, {1, 3, 4}, false, 0.1f, 0.1f, 10, 10},
        SumCase{"sum_u8_two_axes", u8, {1, 6, 3, 4}, {3, 1}, {1, 3}, false, 0.05f, 0.3f, 0, 128},
        SumCase{"sum_i8_width", i8, {2, 3, 9, 4}, {2}, {2, 3, 1, 4}, true, 0.04f, 0.15f, -7, 3},
        SumCase{"sum_i8_all_but_batch", i8, {1, 4, 5, 6}, {1, 2, 3}, {1}, false, 0.01f, 1.0f, 0, -100}}) {
    c.push_back({q.name, [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", q.type, q.shape, Quant(q.in_scale, q.in_zp));
                   int axes = Const<int32_t>(b, "axes", i32, {static_cast<int32_t>(q.axes.size())}, q.axes);
                   int o = b.AddTensor("o", q.type, q.out, Quant(q.out_scale, q.out_zp));
                   ir::ReducerOptions opt;
                   opt.keep_dims = q.keep;
                   b.AddOperator(BuiltinOperator::SUM, {x, axes}, {o}, Options(opt), q.type == i8 ? 2 : 1);
                   b.SetInputs({x});
                   b.SetOutputs({o});
                 }});
  }
  struct RsqrtCase {
    const char* name;
    float in_scale, out_scale;
    int in_zp, out_zp;
  };
  for (const RsqrtCase& q : {RsqrtCase{"rsqrt_i8", 0.05f, 0.0177f, -128, -128},
                             RsqrtCase{"rsqrt_i8_offset_zero_point", 0.002f, 0.09f, -20, -60},
                             RsqrtCase{"rsqrt_i8_saturating", 0.25f, 0.001f, 0, 0}}) {
    c.push_back({q.name,
                 [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", i8, {1, 512}, Quant(q.in_scale, q.in_zp));
                   int o = b.AddTensor("o", i8, {1, 512}, Quant(q.out_scale, q.out_zp));
                   b.AddOperator(BuiltinOperator::RSQRT, {x}, {o}, {}, 2);
                   b.SetInputs({x});
                   b.SetOutputs({o});
                 },
                 /*lib29=*/true, /*ramp=*/true,
                 // TFLite refuses values below the zero point: fold bytes into [zp, 127].
                 [zp = q.in_zp](uint8_t byte) {
                   return static_cast<uint8_t>(static_cast<int8_t>(zp + byte % (128 - zp)));
                 }});
  }
}

std::vector<OpCase> Cases() {
  std::vector<OpCase> c;
  const auto u8 = TensorType::UINT8, i8 = TensorType::INT8, f32 = TensorType::FLOAT32, i32 = TensorType::INT32;
  c.push_back({"mul_u8_broadcast", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 4, 4, 8}, Quant(0.05f, 120));
                 int y = b.AddTensor("y", u8, {1, 1, 1, 8}, Quant(0.03f, 10));
                 int o = b.AddTensor("o", u8, {1, 4, 4, 8}, Quant(0.1f, 128));
                 ir::MulOptions opt;
                 opt.fused_activation_function = ir::ActivationFunctionType::RELU;
                 b.AddOperator(BuiltinOperator::MUL, {x, y}, {o}, Options(opt));
                 b.SetInputs({x, y});
                 b.SetOutputs({o});
               }});
  c.push_back({"sub_i8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", i8, {1, 3, 5, 4}, Quant(0.07f, -3));
                 int y = b.AddTensor("y", i8, {1, 3, 5, 4}, Quant(0.02f, 5));
                 int o = b.AddTensor("o", i8, {1, 3, 5, 4}, Quant(0.09f, 1));
                 b.AddOperator(BuiltinOperator::SUB, {x, y}, {o}, Options(ir::SubOptions{}), 2);
                 b.SetInputs({x, y});
                 b.SetOutputs({o});
               }});
  c.push_back({"max_pool_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 9, 9, 3}, Quant(0.1f, 3));
                 int o = b.AddTensor("o", u8, {1, 5, 5, 3}, Quant(0.1f, 3));
                 b.AddOperator(BuiltinOperator::MAX_POOL_2D, {x}, {o},
                               tflite::PoolOptions(3, 3, 2, 2, ir::Padding::SAME, ir::ActivationFunctionType::RELU6));
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"avg_pool_i8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", i8, {1, 7, 6, 5}, Quant(0.1f, -2));
                 int o = b.AddTensor("o", i8, {1, 3, 3, 5}, Quant(0.1f, -2));
                 b.AddOperator(BuiltinOperator::AVERAGE_POOL_2D, {x}, {o}, tflite::PoolOptions(3, 2, 2, 2, ir::Padding::VALID), 2);
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"mean_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 5, 7, 6}, Quant(0.04f, 100));
                 int axes = Const<int32_t>(b, "axes", i32, {2}, {1, 2});
                 int o = b.AddTensor("o", u8, {1, 1, 1, 6}, Quant(0.03f, 90));
                 ir::ReducerOptions opt;
                 opt.keep_dims = true;
                 b.AddOperator(BuiltinOperator::MEAN, {x, axes}, {o}, Options(opt));
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"logistic_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 64}, Quant(0.08f, 128));
                 int o = b.AddTensor("o", u8, {1, 64}, Quant(1.0f / 256, 0));
                 b.AddOperator(BuiltinOperator::LOGISTIC, {x}, {o});
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"tanh_i8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", i8, {1, 64}, Quant(0.05f, 3));
                 int o = b.AddTensor("o", i8, {1, 64}, Quant(1.0f / 128, 0));
                 b.AddOperator(BuiltinOperator::TANH, {x}, {o}, {}, 2);
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"transpose_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 3, 4, 5}, Quant(0.1f, 0));
                 int p = Const<int32_t>(b, "perm", i32, {4}, {0, 2, 3, 1});
                 int o = b.AddTensor("o", u8, {1, 4, 5, 3}, Quant(0.1f, 0));
                 b.AddOperator(BuiltinOperator::TRANSPOSE, {x, p}, {o});
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  // TILE (issue 12): uint8 / int8 / int32 / float32, a 1x1 pooled feature tiled to H x W, and
  // every axis repeated at once up to rank 5. int8 from libtflite29.
  struct TileCase {
    const char* name;
    TensorType type;
    std::vector<int32_t> shape, multiples;
  };
  for (const TileCase& t : {TileCase{"tile_u8_pooled_to_hw", u8, {1, 1, 1, 16}, {1, 9, 7, 1}},
                            TileCase{"tile_i8_pooled_to_hw", i8, {1, 1, 1, 16}, {1, 9, 7, 1}},
                            TileCase{"tile_u8_every_axis", u8, {2, 3, 1, 5}, {2, 1, 3, 2}},
                            TileCase{"tile_i32_rank2", i32, {3, 5}, {2, 3}},
                            TileCase{"tile_f32_rank5", f32, {2, 1, 3, 2, 2}, {1, 2, 2, 3, 1}}}) {
    c.push_back({t.name,
                 [=](ModelBuilder& b) {
                   std::vector<int32_t> out_shape = t.shape;
                   for (size_t d = 0; d < out_shape.size(); ++d) out_shape[d] *= t.multiples[d];
                   const bool q = t.type == u8 || t.type == i8;
                   const ir::Quantization qp = q ? Quant(0.1f, t.type == u8 ? 128 : 0) : ir::Quantization{};
                   int x = b.AddTensor("x", t.type, t.shape, qp);
                   int m = Const<int32_t>(b, "multiples", i32, {static_cast<int32_t>(t.multiples.size())}, t.multiples);
                   int o = b.AddTensor("o", t.type, out_shape, qp);
                   b.AddOperator(BuiltinOperator::TILE, {x, m}, {o});
                   b.SetInputs({x});
                   b.SetOutputs({o});
                 },
                 /*lib29=*/t.type == i8});
  }
  c.push_back({"strided_slice_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 8, 6, 4}, Quant(0.1f, 0));
                 int be = Const<int32_t>(b, "begin", i32, {4}, {0, 1, 0, 1});
                 int en = Const<int32_t>(b, "end", i32, {4}, {1, 7, 6, 4});
                 int st = Const<int32_t>(b, "strides", i32, {4}, {1, 2, 3, 2});
                 int o = b.AddTensor("o", u8, {1, 3, 2, 2}, Quant(0.1f, 0));
                 ir::StridedSliceOptions opt;
                 opt.end_mask = 4;
                 b.AddOperator(BuiltinOperator::STRIDED_SLICE, {x, be, en, st}, {o}, Options(opt));
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"pack_unpack_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {3, 4, 5}, Quant(0.1f, 0));
                 int a = b.AddTensor("a", u8, {3, 5}, Quant(0.1f, 0));
                 int a2 = b.AddTensor("a2", u8, {3, 5}, Quant(0.1f, 0));
                 int a3 = b.AddTensor("a3", u8, {3, 5}, Quant(0.1f, 0));
                 int a4 = b.AddTensor("a4", u8, {3, 5}, Quant(0.1f, 0));
                 ir::UnpackOptions uo;
                 uo.num = 4;
                 uo.axis = 1;
                 b.AddOperator(BuiltinOperator::UNPACK, {x}, {a, a2, a3, a4}, Options(uo));
                 int o = b.AddTensor("o", u8, {3, 5, 4}, Quant(0.1f, 0));
                 ir::PackOptions po;
                 po.values_count = 4;
                 po.axis = 2;
                 b.AddOperator(BuiltinOperator::PACK, {a4, a2, a3, a}, {o}, Options(po));
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"gather_nd_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {4, 3, 5}, Quant(0.1f, 0));
                 int idx = Const<int32_t>(b, "idx", i32, {3, 2}, {3, 1, 0, 2, 2, 0});
                 int o = b.AddTensor("o", u8, {3, 5}, Quant(0.1f, 0));
                 b.AddOperator(BuiltinOperator::GATHER_ND, {x, idx}, {o});
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"dequantize_float_ops", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 2, 3, 8}, Quant(0.1f, 0));
                 int y = b.AddTensor("y", u8, {1, 2, 3, 8}, Quant(0.05f, 0));
                 int fx = b.AddTensor("fx", f32, {1, 2, 3, 8});
                 int fy = b.AddTensor("fy", f32, {1, 2, 3, 8});
                 b.AddOperator(BuiltinOperator::DEQUANTIZE, {x}, {fx});
                 b.AddOperator(BuiltinOperator::DEQUANTIZE, {y}, {fy});
                 int s = b.AddTensor("sqrt", f32, {1, 2, 3, 8});
                 b.AddOperator(BuiltinOperator::SQRT, {fx}, {s});
                 // Divisors fy + 1 (TFLite refuses a zero FLOOR_DIV divisor; no NaN for DIV).
                 std::vector<float> one = {1.0f};
                 int c1 = b.AddConstant<float>("one", f32, {1}, std::span<const float>(one));
                 int fy1 = b.AddTensor("fy1", f32, {1, 2, 3, 8});
                 b.AddOperator(BuiltinOperator::ADD, {fy, c1}, {fy1}, tflite::AddOpts());
                 int d = b.AddTensor("div", f32, {1, 2, 3, 8});
                 b.AddOperator(BuiltinOperator::DIV, {s, fy1}, {d}, Options(ir::DivOptions{}));
                 int fd = b.AddTensor("floordiv", f32, {1, 2, 3, 8});
                 b.AddOperator(BuiltinOperator::FLOOR_DIV, {fx, fy1}, {fd});
                 // HARD_SWISH (float) is left out: libtflite22's float path multiplies by 1/6
                 // where the reference divides by 6 (last-bit differences, not a reference).
                 int ci = b.AddTensor("cast", i32, {1, 2, 3, 8});
                 b.AddOperator(BuiltinOperator::CAST, {d}, {ci});
                 int q = b.AddTensor("q", i8, {1, 2, 3, 8}, Quant(0.2f, -5));
                 b.AddOperator(BuiltinOperator::QUANTIZE, {d}, {q}, {}, 2);
                 b.SetInputs({x, y});
                 b.SetOutputs({d, fd, ci, q});
               }});
  // uint8 LEAKY_RELU at operator version 1, the only one libtflite22 registers: 2.2 runs it and
  // is the reference (a version-2 operator fell back to 2.9, whose newer formula requantizes
  // both branches and differs). libtflite22 has no int8 LEAKY_RELU (cases below). 256 elements
  // and the ramp variant: every byte value.
  c.push_back({"leaky_relu_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 256}, Quant(0.05f, 128));
                 int o = b.AddTensor("o", u8, {1, 256}, Quant(0.04f, 100));
                 ir::LeakyReluOptions opt;
                 opt.alpha = 0.2f;
                 b.AddOperator(BuiltinOperator::LEAKY_RELU, {x}, {o}, Options(opt));
                 b.SetInputs({x});
                 b.SetOutputs({o});
               },
               /*lib29=*/false, /*ramp=*/true});
  // int8 LEAKY_RELU (operator version 2): libtflite22 refuses it, so libtflite29 is the reference
  // (both branches requantized). The ramp variant feeds every int8 value; the quantizations cover
  // an identity ratio, a down- and an up-scaling ratio, alphas below and above 1, and a zero alpha.
  struct LeakyI8 {
    const char* name;
    float in_scale;
    int in_zp;
    float out_scale;
    int out_zp;
    float alpha;
  };
  for (const LeakyI8& q : {LeakyI8{"leaky_relu_i8", 0.05f, -3, 0.05f, -3, 0.2f},
                           LeakyI8{"leaky_relu_i8_rescale", 0.07f, 10, 0.03f, -20, 0.1f},
                           LeakyI8{"leaky_relu_i8_big_alpha", 0.02f, -128, 0.09f, 50, 1.7f},
                           LeakyI8{"leaky_relu_i8_zero_alpha", 0.04f, 127, 0.04f, 0, 0.0f}}) {
    c.push_back({q.name,
                 [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", i8, {1, 256}, Quant(q.in_scale, q.in_zp));
                   int o = b.AddTensor("o", i8, {1, 256}, Quant(q.out_scale, q.out_zp));
                   ir::LeakyReluOptions opt;
                   opt.alpha = q.alpha;
                   b.AddOperator(BuiltinOperator::LEAKY_RELU, {x}, {o}, Options(opt), 2);
                   b.SetInputs({x});
                   b.SetOutputs({o});
                 },
                 /*lib29=*/true, /*ramp=*/true});
  }
  c.push_back({"transpose_conv_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 4, 4, 3}, Quant(0.05f, 120));
                 int shape = Const<int32_t>(b, "shape", i32, {4}, {1, 8, 8, 5});
                 int w = RandomConst(b, "w", u8, {5, 3, 3, 3}, Quant(0.01f, 130), 11);
                 int o = b.AddTensor("o", u8, {1, 8, 8, 5}, Quant(0.08f, 125));
                 ir::TransposeConvOptions opt;
                 opt.padding = ir::Padding::SAME;
                 opt.stride_h = opt.stride_w = 2;
                 b.AddOperator(BuiltinOperator::TRANSPOSE_CONV, {shape, w, x}, {o}, Options(opt));
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  // int8 per-channel TRANSPOSE_CONV: without bias on libtflite22 (version 2), with a bias
  // (version 3, which 2.2 lacks) on libtflite29.
  for (const bool with_bias : {false, true}) {
    c.push_back({with_bias ? "transpose_conv_i8_per_channel_bias" : "transpose_conv_i8_per_channel",
                 [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", i8, {1, 5, 3, 4}, Quant(0.05f, -7));
                   int shape = Const<int32_t>(b, "shape", i32, {4}, {1, 11, 7, 3});
                   int w = RandomConst(b, "w", i8, {3, 3, 3, 4}, tflite::QuantPerChannel({0.01f, 0.03f, 0.007f}, 0), 14);
                   std::vector<int32_t> inputs = {shape, w, x};
                   if (with_bias) {
                     std::vector<int32_t> bias = {250, -1000, 77};
                     inputs.push_back(b.AddConstant<int32_t>("b", i32, {3}, std::span<const int32_t>(bias)));
                   }
                   int o = b.AddTensor("o", i8, {1, 11, 7, 3}, Quant(0.06f, 4));
                   ir::TransposeConvOptions opt;
                   opt.padding = ir::Padding::VALID;
                   opt.stride_h = 2;
                   opt.stride_w = 2;
                   b.AddOperator(BuiltinOperator::TRANSPOSE_CONV, inputs, {o}, Options(opt), with_bias ? 3 : 2);
                   b.SetInputs({x});
                   b.SetOutputs({o});
                 },
                 with_bias});
  }
  // Quantized HARD_SWISH (kernels/hard_swish.h); 256 elements so the random inputs cover most
  // byte values.
  c.push_back({"hard_swish_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 256}, Quant(0.05f, 140));
                 int o = b.AddTensor("o", u8, {1, 256}, Quant(0.03f, 20));
                 b.AddOperator(BuiltinOperator::HARD_SWISH, {x}, {o});
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"hard_swish_i8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", i8, {2, 128}, Quant(0.04f, -9));
                 int o = b.AddTensor("o", i8, {2, 128}, Quant(0.025f, -110));
                 b.AddOperator(BuiltinOperator::HARD_SWISH, {x}, {o});
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"conv_i8_per_channel_dilated", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", i8, {1, 9, 9, 4}, Quant(0.04f, -10));
                 int w = RandomConst(b, "w", i8, {6, 3, 3, 4}, tflite::QuantPerChannel({0.01f, 0.02f, 0.015f, 0.03f, 0.005f, 0.012f}, 0), 12);
                 std::vector<int32_t> bias = {100, -200, 300, -50, 7, 0};
                 int bi = b.AddConstant<int32_t>("b", i32, {6}, std::span<const int32_t>(bias));
                 int o = b.AddTensor("o", i8, {1, 5, 5, 6}, Quant(0.05f, 3));
                 b.AddOperator(BuiltinOperator::CONV_2D, {x, w, bi}, {o},
                               tflite::ConvOptions(2, 2, ir::Padding::SAME, ir::ActivationFunctionType::NONE, 2, 2), 3);
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"depthwise_u8_multiplier2", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 6, 6, 3}, Quant(0.04f, 128));
                 int w = RandomConst(b, "w", u8, {1, 3, 3, 6}, Quant(0.02f, 127), 13);
                 std::vector<int32_t> bias = {10, -20, 30, 0, 5, -7};
                 int bi = b.AddConstant<int32_t>("b", i32, {6}, std::span<const int32_t>(bias), Quant(0.0008f, 0));
                 int o = b.AddTensor("o", u8, {1, 6, 6, 6}, Quant(0.1f, 120));
                 b.AddOperator(BuiltinOperator::DEPTHWISE_CONV_2D, {x, w, bi}, {o},
                               tflite::DepthwiseOptions(1, 1, ir::Padding::SAME, 2, ir::ActivationFunctionType::RELU));
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"pad_concat_requant_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 3, 3, 2}, Quant(0.1f, 10));
                 int p = Const<int32_t>(b, "pads", i32, {4, 2}, {0, 0, 1, 2, 0, 1, 0, 0});
                 int px = b.AddTensor("px", u8, {1, 6, 4, 2}, Quant(0.1f, 10));
                 b.AddOperator(BuiltinOperator::PAD, {x, p}, {px});
                 int y = b.AddTensor("y", u8, {1, 6, 4, 3}, Quant(0.3f, 100));
                 int o = b.AddTensor("o", u8, {1, 6, 4, 5}, Quant(0.2f, 50));
                 b.AddOperator(BuiltinOperator::CONCATENATION, {px, y}, {o}, tflite::ConcatOpts(3));
                 b.SetInputs({x, y});
                 b.SetOutputs({o});
               }});
  c.push_back({"resize_nearest_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 5, 3, 2}, Quant(0.1f, 0));
                 int s = Const<int32_t>(b, "size", i32, {2}, {8, 7});
                 int o = b.AddTensor("o", u8, {1, 8, 7, 2}, Quant(0.1f, 0));
                 b.AddOperator(BuiltinOperator::RESIZE_NEAREST_NEIGHBOR, {x, s}, {o}, Options(ir::ResizeNearestNeighborOptions{}));
                 b.SetInputs({x});
                 b.SetOutputs({o});
               }});
  c.push_back({"slice_space_to_depth_reduce_u8", [=](ModelBuilder& b) {
                 int x = b.AddTensor("x", u8, {1, 6, 8, 3}, Quant(0.1f, 0));
                 int be = Const<int32_t>(b, "begin", i32, {4}, {0, 1, 2, 0});
                 int sz = Const<int32_t>(b, "size", i32, {4}, {1, 4, -1, 3});
                 int sl = b.AddTensor("sl", u8, {1, 4, 6, 3}, Quant(0.1f, 0));
                 b.AddOperator(BuiltinOperator::SLICE, {x, be, sz}, {sl});
                 int sd = b.AddTensor("sd", u8, {1, 2, 3, 12}, Quant(0.1f, 0));
                 ir::SpaceToDepthOptions so;
                 so.block_size = 2;
                 b.AddOperator(BuiltinOperator::SPACE_TO_DEPTH, {sl}, {sd}, Options(so));
                 int axes = Const<int32_t>(b, "axes", i32, {2}, {1, 3});
                 int rmax = b.AddTensor("rmax", u8, {1, 3}, Quant(0.1f, 0));
                 b.AddOperator(BuiltinOperator::REDUCE_MAX, {sd, axes}, {rmax}, Options(ir::ReducerOptions{}));
                 int rmin = b.AddTensor("rmin", u8, {1, 2, 3, 1}, Quant(0.1f, 0));
                 ir::ReducerOptions keep;
                 keep.keep_dims = true;
                 int ax3 = Const<int32_t>(b, "ax3", i32, {1}, {-1});
                 b.AddOperator(BuiltinOperator::REDUCE_MIN, {sd, ax3}, {rmin}, Options(keep));
                 b.SetInputs({x});
                 b.SetOutputs({sd, rmax, rmin});
               }});
  AddRuntimeCoverageCases(c);
  AddLayerCheckCases(c);
  AddTableCoverageCases(c);
  return c;
}

class OpOracleTest : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpOracleTest, MatchesTfliteReference) {
  std::string why;
  auto oracle = GetOracle(&why);
  if (!oracle) {
    if (testutil::SharedRequired()) FAIL() << why;
    GTEST_SKIP() << why;
  }
  ModelBuilder b;
  GetParam().build(b);
  const std::vector<uint8_t> bytes = b.Serialize();
  const std::string dir = testutil::MakeTempDir("opcase");
  const std::string path = dir + "/" + GetParam().name + ".tflite";
  WriteBytes(path, bytes);
  auto model = tflite::ReadModel(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto interp = runtime::Interpreter::Create(std::make_shared<ir::Model>(std::move(model).value()));
  ASSERT_TRUE(interp.ok()) << interp.status().ToString();
  runtime::Interpreter& it = **interp;
  const int variants = GetParam().ramp ? 7 : 6;
  for (int variant = 0; variant < variants; ++variant) {
    std::vector<std::string> specs;
    for (int i = 0; i < it.num_inputs(); ++i) {
      const size_t n = static_cast<size_t>(it.input_tensor(i).size_bytes());
      std::vector<uint8_t> in = variant < 3 ? std::vector<uint8_t>(n, static_cast<uint8_t>(variant * 127 + variant / 2))
                                            : RandomBytes(n, static_cast<uint32_t>(variant * 31 + i));
      if (variant == 6) {
        for (size_t j = 0; j < n; ++j) in[j] = static_cast<uint8_t>(j);
      }
      if (GetParam().domain) {
        for (auto& byte : in) byte = GetParam().domain(byte);
      }
      ASSERT_TRUE(it.SetInput(i, in).ok());
      specs.push_back(dir + "/in" + std::to_string(i) + ".raw");
      WriteBytes(specs.back(), in);
    }
    ASSERT_TRUE(it.Invoke().ok());
    const std::string dump = dir + "/dump" + std::to_string(variant);
    std::string log;
    ASSERT_TRUE(RunOracle(*oracle, GetParam().lib29 ? oracle->lib29 : oracle->lib22, path, specs, dump, &log)) << log;
    for (int k = 0; k < it.num_outputs(); ++k) {
      auto out = it.output(k);
      EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), ReadBytes(dump + "/out" + std::to_string(k) + ".bin"))
          << GetParam().name << " output " << k << " input variant " << variant;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, OpOracleTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

// Every operator the compiler can map at some --min_runtime_version (the operator table's mappable
// rows) has its runtime kernel compared with the official kernels in an 8-bit type, by a case
// above or by a shared CPU model that OracleModelTest runs whole (the LSTM).
TEST(OpOracleCoverage, EveryMappableOperatorHasAnOracleCase) {
  ETPU_SHARED_FILE_OR_SKIP(models, "testdata/models");
  std::set<BuiltinOperator> covered;
  auto cover = [&](const ir::Model& model) {
    for (const ir::Operator& op : model.ops) {
      bool eight_bit = false;
      for (int t : op.outputs) {
        const TensorType type = model.tensors.at(static_cast<size_t>(t)).type;
        eight_bit = eight_bit || type == TensorType::UINT8 || type == TensorType::INT8;
      }
      if (eight_bit) covered.insert(op.code);
    }
  };
  for (const OpCase& c : Cases()) {
    ModelBuilder b;
    c.build(b);
    const std::vector<uint8_t> bytes = b.Serialize();
    auto model = tflite::ReadModelFromBuffer(bytes, c.name);
    ASSERT_TRUE(model.ok()) << c.name << ": " << model.status().ToString();
    cover(*model);
  }
  for (const auto& e : std::filesystem::directory_iterator(models)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".tflite" || name.find("_edgetpu") != std::string::npos) continue;
    auto model = tflite::ReadModel(e.path().string());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    cover(*model);
  }
  for (const ir::OpInfo* row : ir::MappableOps()) {
    EXPECT_TRUE(covered.count(row->code)) << ir::BuiltinName(row->code)
                                          << " maps to the Edge TPU but no oracle case runs its 8-bit kernel";
  }
}

}  // namespace
}  // namespace etpu::oracle_test
