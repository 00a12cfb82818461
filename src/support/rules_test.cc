// Every rule: one synthetic model that fires it and one that does not (table-driven), and a check
// that the table covers every registered rule.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "ir/op_table.h"
#include "support/op_support.h"
#include "support/rules.h"
#include "support/support_test_util.h"

namespace etpu::support {
namespace {

using namespace testing;  // NOLINT
using tflite::ConvOptions;
using tflite::DepthwiseOptions;
using tflite::PoolOptions;
using AF = ir::ActivationFunctionType;

struct Built {
  ir::Model model;
  int op = 0;
  SupportOptions options;
};
using Maker = std::function<Built(bool fire)>;

struct RuleCase {
  const char* rule_id;
  OpStatus status;
  Maker make;
};

Built One(const ModelBuilder& b, int op = 0, int min_runtime = 14) {
  Built out{Load(b), op, {}};
  out.options.min_runtime_version = min_runtime;
  return out;
}

// Unary u8 op helper: in -> op -> out.
Built Unary(B code, std::vector<int32_t> in_shape, std::vector<int32_t> out_shape, ir::BuiltinOptions o = {},
            int version = 1, TT type = TT::UINT8, int min_runtime = 14) {
  ModelBuilder b;
  int in = Act(b, "in", std::move(in_shape), type);
  int out = Act(b, "out", std::move(out_shape), type);
  b.AddOperator(code, {in}, {out}, std::move(o), version);
  Finish(b, {in}, {out});
  return One(b, 0, min_runtime);
}

Built Conv(int dh, int dw, int version = 1) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 8, 8, 4});
  int w = ConstQ(b, "w", {8, 3, 3, 4});
  int bias = ConstI32(b, "bias", {8}, std::vector<int32_t>(8, 0));
  int out = Act(b, "out", {1, 8, 8, 8});
  b.AddOperator(B::CONV_2D, {in, w, bias}, {out}, ConvOptions(1, 1, ir::Padding::SAME, AF::NONE, dh, dw), version);
  Finish(b, {in}, {out});
  return One(b);
}

Built Depthwise(int dh, int dw, int min_runtime) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 8, 8, 4});
  int w = ConstQ(b, "w", {1, 3, 3, 4});
  int bias = ConstI32(b, "bias", {4}, std::vector<int32_t>(4, 0));
  int out = Act(b, "out", {1, 8, 8, 4});
  b.AddOperator(B::DEPTHWISE_CONV_2D, {in, w, bias}, {out},
                DepthwiseOptions(1, 1, ir::Padding::SAME, 1, AF::NONE, dh, dw), 2);
  Finish(b, {in}, {out});
  return One(b, 0, min_runtime);
}

Built FullyConnected(bool weights_const, ir::FullyConnectedOptionsWeightsFormat format, int batch) {
  ModelBuilder b;
  int in = Act(b, "in", {batch, 8});
  int w = weights_const ? ConstQ(b, "w", {10, 8}) : Act(b, "w", {10, 8});
  int bias = ConstI32(b, "bias", {10}, std::vector<int32_t>(10, 0));
  int out = Act(b, "out", {batch, 10});
  ir::FullyConnectedOptions o;
  o.weights_format = format;
  o.keep_num_dims = batch > 1;
  b.AddOperator(B::FULLY_CONNECTED, {in, w, bias}, {out}, Opts(o));
  std::vector<int32_t> inputs{in};
  if (!weights_const) inputs.push_back(w);
  Finish(b, inputs, {out});
  return One(b);
}

Built Binary(B code, std::vector<int32_t> shape, TT type = TT::UINT8, int min_runtime = 14) {
  ModelBuilder b;
  int x = Act(b, "x", shape, type);
  int y = Act(b, "y", shape, type);
  int out = Act(b, "out", shape, type);
  b.AddOperator(code, {x, y}, {out});
  Finish(b, {x, y}, {out});
  return One(b, 0, min_runtime);
}

Built Reduce(B code, std::vector<int32_t> in_shape, std::vector<int32_t> axes, std::vector<int32_t> out_shape) {
  ModelBuilder b;
  int in = Act(b, "in", std::move(in_shape));
  int ax = ConstI32(b, "axes", {static_cast<int32_t>(axes.size())}, axes);
  int out = Act(b, "out", std::move(out_shape));
  ir::ReducerOptions o;
  o.keep_dims = true;
  b.AddOperator(code, {in, ax}, {out}, Opts(o));
  Finish(b, {in}, {out});
  return One(b);
}

Built Concat(AF act, bool with_const, uint8_t const_value, int inputs) {
  ModelBuilder b;
  std::vector<int32_t> ins, graph_ins;
  for (int i = 0; i < inputs; ++i) {
    const bool constant = with_const && i == inputs - 1;
    int t = constant ? ConstQ(b, "pad", {1, 4, 4, 2}, const_value) : Act(b, "in" + std::to_string(i), {1, 4, 4, 2});
    ins.push_back(t);
    if (!constant) graph_ins.push_back(t);
  }
  int out = Act(b, "out", {1, 4, 4, 2 * inputs});
  ir::ConcatenationOptions o;
  o.axis = 3;
  o.fused_activation_function = act;
  b.AddOperator(B::CONCATENATION, ins, {out}, Opts(o));
  Finish(b, graph_ins, {out});
  return One(b);
}

Built Pack(int axis, std::vector<int32_t> out_shape) {
  ModelBuilder b;
  int x = Act(b, "x", {1, 4, 8});
  int y = Act(b, "y", {1, 4, 8});
  int out = Act(b, "out", std::move(out_shape));
  ir::PackOptions o;
  o.values_count = 2;
  o.axis = axis;
  b.AddOperator(B::PACK, {x, y}, {out}, Opts(o));
  Finish(b, {x, y}, {out});
  return One(b);
}

Built Pad(std::vector<int32_t> pads, std::vector<int32_t> out_shape) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 1, 4, 8});
  int p = ConstI32(b, "paddings", {4, 2}, std::move(pads));
  int out = Act(b, "out", std::move(out_shape));
  b.AddOperator(B::PAD, {in, p}, {out});
  Finish(b, {in}, {out});
  return One(b);
}

Built Split(int axis) {
  ModelBuilder b;
  int ax = ConstI32(b, "axis", {}, {axis});
  int in = Act(b, "in", {2, 1, 4, 8});
  std::vector<int32_t> out_shape = {2, 1, 4, 8};
  out_shape[static_cast<size_t>(axis)] /= 2;
  int o1 = Act(b, "o1", out_shape);
  int o2 = Act(b, "o2", out_shape);
  ir::SplitOptions o;
  o.num_splits = 2;
  b.AddOperator(B::SPLIT, {ax, in}, {o1, o2}, Opts(o));
  Finish(b, {in}, {o1, o2});
  return One(b);
}

Built Squeeze(std::vector<int32_t> in_shape, std::vector<int32_t> dims, std::vector<int32_t> out_shape) {
  ir::SqueezeOptions o;
  o.squeeze_dims = std::move(dims);
  return Unary(B::SQUEEZE, std::move(in_shape), std::move(out_shape), Opts(o));
}

Built StridedSlice(std::vector<int32_t> strides, int ellipsis_mask) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 8, 8, 4});
  int begin = ConstI32(b, "begin", {4}, {0, 0, 0, 0});
  int end = ConstI32(b, "end", {4}, {1, 8, 8, 4});
  int st = ConstI32(b, "strides", {4}, std::move(strides));
  int out = Act(b, "out", {1, 4, 8, 4});
  ir::StridedSliceOptions o;
  o.ellipsis_mask = ellipsis_mask;
  b.AddOperator(B::STRIDED_SLICE, {in, begin, end, st}, {out}, Opts(o));
  Finish(b, {in}, {out});
  return One(b);
}

Built Transpose(std::vector<int32_t> perm, std::vector<int32_t> out_shape, int min_runtime = 14) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 4, 4, 8});
  int p = ConstI32(b, "perm", {4}, std::move(perm));
  int out = Act(b, "out", std::move(out_shape));
  b.AddOperator(B::TRANSPOSE, {in, p}, {out});
  Finish(b, {in}, {out});
  return One(b, 0, min_runtime);
}

// TILE of a pooled feature: in -> TILE(multiples) -> out, the multiples constant or a graph input.
Built Tile(std::vector<int32_t> in_shape, std::vector<int32_t> multiples, int min_runtime = 14,
           bool const_multiples = true, TT type = TT::UINT8) {
  ModelBuilder b;
  std::vector<int32_t> out_shape = in_shape;
  for (size_t d = 0; d < out_shape.size(); ++d) out_shape[d] *= multiples[d];
  int in = type == TT::FLOAT32 ? b.AddTensor("in", type, in_shape) : Act(b, "in", in_shape, type);
  const int32_t rank = static_cast<int32_t>(multiples.size());
  int m = const_multiples ? ConstI32(b, "multiples", {rank}, std::move(multiples))
                          : b.AddTensor("multiples", TT::INT32, {rank});
  int out = type == TT::FLOAT32 ? b.AddTensor("out", type, out_shape) : Act(b, "out", out_shape, type);
  b.AddOperator(B::TILE, {in, m}, {out});
  Finish(b, const_multiples ? std::vector<int32_t>{in} : std::vector<int32_t>{in, m}, {out});
  return One(b, 0, min_runtime);
}

Built Lstm(bool states_variable, bool peephole) {
  ModelBuilder b;
  const int n_in = 8, n_cell = 6, steps = 4;
  auto q8 = tflite::Quant(0.01f, 0);
  int in = b.AddTensor("in", TT::INT8, {1, steps, n_in}, q8);
  std::vector<int32_t> inputs(24, -1);
  inputs[0] = in;
  for (int s = 1; s <= 4; ++s) inputs[s] = ConstQ(b, "wi" + std::to_string(s), {n_cell, n_in}, 1, TT::INT8, 0);
  for (int s = 5; s <= 8; ++s) inputs[s] = ConstQ(b, "wr" + std::to_string(s), {n_cell, n_cell}, 1, TT::INT8, 0);
  if (peephole) inputs[10] = ConstQ(b, "peephole", {n_cell}, 1, TT::INT8, 0);
  for (int s = 12; s <= 15; ++s) inputs[s] = ConstI32(b, "bias" + std::to_string(s), {n_cell}, std::vector<int32_t>(6, 0));
  inputs[18] = b.AddTensor("out_state", TT::INT8, {1, n_cell}, q8, {}, states_variable);
  inputs[19] = b.AddTensor("cell_state", TT::INT16, {1, n_cell}, tflite::Quant(1.0f / 4096, 0), {}, states_variable);
  int out = b.AddTensor("out", TT::INT8, {1, steps, n_cell}, q8);
  ir::UnidirectionalSequenceLSTMOptions o;
  o.fused_activation_function = AF::TANH;
  b.AddOperator(B::UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, {out}, Opts(o));
  std::vector<int32_t> graph_inputs{in};
  if (!states_variable) graph_inputs.insert(graph_inputs.end(), {inputs[18], inputs[19]});
  Finish(b, graph_inputs, {out});
  return One(b);
}

Built Resize(std::vector<int32_t> in_hw, std::vector<int32_t> out_hw, bool align_corners) {
  ModelBuilder b;
  int in = Act(b, "in", {1, in_hw[0], in_hw[1], 8});
  int size = ConstI32(b, "size", {2}, out_hw);
  int out = Act(b, "out", {1, out_hw[0], out_hw[1], 8});
  ir::ResizeBilinearOptions o;
  o.align_corners = align_corners;
  b.AddOperator(B::RESIZE_BILINEAR, {in, size}, {out}, Opts(o));
  Finish(b, {in}, {out});
  return One(b);
}

const std::vector<RuleCase>& Cases() {
  static const std::vector<RuleCase> cases = {
      // ---- generic ----
      {"generic.bad_index", OpStatus::kNotSupported,
       [](bool fire) {
         Built b = Unary(B::RELU, {1, 4}, {1, 4});
         b.op = fire ? 7 : 0;
         return b;
       }},
      {"generic.custom_op", OpStatus::kUnsupportedDataType,
       [](bool fire) {
         if (!fire) return Unary(B::RELU, {1, 4}, {1, 4});
         ModelBuilder b;
         int in = Act(b, "in", {1, 4});
         int out = Act(b, "out", {1, 4});
         b.AddCustomOperator("MyOp", {in}, {out});
         Finish(b, {in}, {out});
         return One(b);
       }},
      {"generic.data_type", OpStatus::kUnsupportedDataType,
       [](bool fire) { return Binary(B::ADD, {1, 4, 4, 8}, fire ? TT::INT16 : TT::UINT8); }},
      {"generic.not_supported", OpStatus::kNotSupported,
       [](bool fire) { return Unary(fire ? B::LEAKY_RELU : B::RELU, {1, 4}, {1, 4}); }},
      {"generic.min_runtime", OpStatus::kNotSupported,
       [](bool fire) { return Transpose({0, 2, 1, 3}, {1, 4, 4, 8}, fire ? 13 : 14); }},
      {"generic.int8_host_runtime", OpStatus::kUnsupportedDataType,
       [](bool fire) { return Binary(B::ADD, {1, 4, 4, 8}, TT::INT8, fire ? 11 : 12); }},
      {"generic.op_version", OpStatus::kVersionNotSupported, [](bool fire) { return Conv(1, 1, fire ? 6 : 5); }},
      {"generic.rank", OpStatus::kUnsupportedRank,
       [](bool fire) { return Binary(B::ADD, {fire ? 2 : 1, 3, 4, 5}); }},
      {"generic.param_not_constant", OpStatus::kParamNotConstant,
       [](bool fire) { return FullyConnected(!fire, ir::FullyConnectedOptionsWeightsFormat::DEFAULT, 1); }},
      // ---- conv ----
      {"conv2d.dilation_xy", OpStatus::kUnspecifiedLimitation, [](bool fire) { return Conv(2, fire ? 1 : 2); }},
      {"depthwise_conv2d.dilation_xy", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return Depthwise(2, fire ? 1 : 2, 14); }},
      {"depthwise_conv2d.dilation_runtime", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return Depthwise(2, 2, fire ? 11 : 12); }},
      {"fully_connected.weights_format", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         return FullyConnected(true, fire ? ir::FullyConnectedOptionsWeightsFormat::SHUFFLED4x16INT8
                                          : ir::FullyConnectedOptionsWeightsFormat::DEFAULT,
                               1);
       }},
      {"fully_connected.output_1d", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return FullyConnected(true, ir::FullyConnectedOptionsWeightsFormat::DEFAULT, fire ? 2 : 1); }},
      // ---- pool ----
      {"average_pool2d.fused_activation", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         return Unary(B::AVERAGE_POOL_2D, {1, 8, 8, 4}, {1, 4, 4, 4},
                      PoolOptions(2, 2, 2, 2, ir::Padding::VALID, fire ? AF::RELU : AF::NONE));
       }},
      {"max_pool2d.fused_activation", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         return Unary(B::MAX_POOL_2D, {1, 8, 8, 4}, {1, 4, 4, 4},
                      PoolOptions(2, 2, 2, 2, ir::Padding::VALID, fire ? AF::RELU6 : AF::NONE));
       }},
      // ---- activation ----
      {"softmax.input_1d", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         std::vector<int32_t> s = fire ? std::vector<int32_t>{1, 4, 10} : std::vector<int32_t>{1, 10};
         return Unary(B::SOFTMAX, s, s, tflite::SoftmaxOpts());
       }},
      {"softmax.max_elements", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         std::vector<int32_t> s{1, fire ? 16001 : 16000};
         return Unary(B::SOFTMAX, s, s, tflite::SoftmaxOpts());
       }},
      {"prelu.alpha_1d", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         ModelBuilder b;
         int in = Act(b, "in", {1, 2, 2, 8});
         int alpha = ConstQ(b, "alpha", fire ? std::vector<int32_t>{2, 2, 8} : std::vector<int32_t>{1, 1, 8});
         int out = Act(b, "out", {1, 2, 2, 8});
         b.AddOperator(B::PRELU, {in, alpha}, {out});
         Finish(b, {in}, {out});
         return One(b);
       }},
      {"quantize.float_input", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         ModelBuilder b;
         int in = fire ? b.AddTensor("in", TT::FLOAT32, {1, 8}) : Act(b, "in", {1, 8});
         int out = Act(b, "out", {1, 8}, TT::INT8);
         b.AddOperator(B::QUANTIZE, {in}, {out});
         Finish(b, {in}, {out});
         return One(b);
       }},
      // ---- reduce ----
      {"mean.batch_axis", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         return fire ? Reduce(B::MEAN, {2, 1, 4, 8}, {0}, {1, 1, 4, 8}) : Reduce(B::MEAN, {2, 1, 4, 8}, {2}, {2, 1, 1, 8});
       }},
      {"mean.z_multiple_of_4", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return Reduce(B::MEAN, {1, 4, 4, fire ? 6 : 8}, {3}, {1, 4, 4, 1}); }},
      {"sum.batch_axis", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return Reduce(B::SUM, {2, 1, 4, 8}, {fire ? 0 : 2}, {fire ? 1 : 2, 1, fire ? 4 : 1, 8}); }},
      {"reduce_max.batch_axis", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return Reduce(B::REDUCE_MAX, {2, 1, 4, 8}, {fire ? -4 : -1}, {fire ? 1 : 2, 1, 4, fire ? 8 : 1}); }},
      {"reduce_min.batch_axis", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return Reduce(B::REDUCE_MIN, {2, 1, 4, 8}, {fire ? 0 : 3}, {fire ? 1 : 2, 1, 4, fire ? 8 : 1}); }},
      // ---- shape ----
      {"concatenation.fused_activation", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return Concat(fire ? AF::RELU : AF::NONE, false, 0, 2); }},
      {"concatenation.constant_input", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return Concat(AF::NONE, true, fire ? 7 : 128, 2); }},
      {"pack.batch_axis", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return fire ? Pack(0, {2, 1, 4, 8}) : Pack(1, {1, 2, 4, 8}); }},
      {"pad.batch_axis", OpStatus::kUnspecifiedLimitation,
       [](bool fire) {
         return fire ? Pad({0, 1, 0, 0, 0, 0, 0, 0}, {2, 1, 4, 8}) : Pad({0, 0, 1, 1, 0, 0, 0, 0}, {1, 3, 4, 8});
       }},
      {"split.batch_axis", OpStatus::kUnspecifiedLimitation, [](bool fire) { return Split(fire ? 0 : 3); }},
      {"squeeze.relayout", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return fire ? Squeeze({5, 1, 10}, {1}, {5, 10}) : Squeeze({1, 5, 10}, {0}, {5, 10}); }},
      {"strided_slice.strides", OpStatus::kStridedSliceStrides,
       [](bool fire) { return StridedSlice({1, fire ? 2 : 1, 1, 1}, 0); }},
      {"strided_slice.masks", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return StridedSlice({1, 1, 1, 1}, fire ? 1 : 0); }},
      {"tile.batch_multiple", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return fire ? Tile({1, 1, 1, 8}, {2, 1, 1, 1}) : Tile({1, 1, 1, 8}, {1, 4, 4, 1}); }},
      {"transpose.batch_axis", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return fire ? Transpose({3, 1, 2, 0}, {8, 4, 4, 1}) : Transpose({0, 2, 1, 3}, {1, 4, 4, 8}); }},
      // ---- resize ----
      {"resize.scale_factor", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return fire ? Resize({1, 1}, {33, 33}, true) : Resize({33, 33}, {513, 513}, true); }},
      // edgetpu#597's x2 upsample to 1024x1024 (8 channels here: 2 MiB + 8 MiB) against 128 -> 256.
      {"resize.activation_size", OpStatus::kUnspecifiedLimitation,
       [](bool fire) { return fire ? Resize({512, 512}, {1024, 1024}, false) : Resize({128, 128}, {256, 256}, false); }},
      // ---- lstm ----
      {"lstm.state_variable", OpStatus::kUnspecifiedLimitation, [](bool fire) { return Lstm(!fire, false); }},
      {"lstm.optional_inputs", OpStatus::kUnspecifiedLimitation, [](bool fire) { return Lstm(true, fire); }},
  };
  return cases;
}

class RuleTest : public ::testing::TestWithParam<size_t> {};

TEST_P(RuleTest, FiresAndDoesNotFire) {
  const RuleCase& c = Cases()[GetParam()];
  SCOPED_TRACE(c.rule_id);
  Built fired = c.make(true);
  SupportDecision d = DecideOp(fired.model, fired.op, fired.options);
  EXPECT_FALSE(d.supported);
  EXPECT_EQ(d.rule_id, c.rule_id) << d.reason;
  EXPECT_EQ(d.status, c.status);
  EXPECT_FALSE(d.reason.empty());
  Built passed = c.make(false);
  SupportDecision p = DecideOp(passed.model, passed.op, passed.options);
  EXPECT_TRUE(p.supported) << p.rule_id << ": " << p.reason;
  EXPECT_EQ(p.status, OpStatus::kMapped);
  EXPECT_TRUE(p.rule_id.empty());
}

INSTANTIATE_TEST_SUITE_P(AllRules, RuleTest, ::testing::Range<size_t>(0, Cases().size()),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           std::string name = Cases()[info.param].rule_id;
                           for (char& ch : name) {
                             if (ch == '.') ch = '_';
                           }
                           return name;
                         });

// TILE (issue 12): a 1x1 pooled feature tiled to the spatial size maps from runtime 12, 8-bit, with
// constant multiples; each other case is refused by the rule that names its reason.
TEST(TileRule, MapsFromRuntime12WhenQuantizedWithConstantMultiples) {
  for (TT type : {TT::UINT8, TT::INT8}) {
    Built ok = Tile({1, 1, 1, 16}, {1, 33, 33, 1}, 12, true, type);
    SupportDecision d = DecideOp(ok.model, ok.op, ok.options);
    EXPECT_TRUE(d.supported) << d.rule_id << ": " << d.reason;
    EXPECT_EQ(StatusText(d.status), std::string("Mapped to Edge TPU"));
  }
  Built rank3 = Tile({1, 4, 8}, {3, 1, 2}, 12);  // no batch axis below 4-D
  EXPECT_TRUE(DecideOp(rank3.model, rank3.op, rank3.options).supported);

  Built old = Tile({1, 1, 1, 16}, {1, 33, 33, 1}, 11);
  SupportDecision r = DecideOp(old.model, old.op, old.options);
  EXPECT_EQ(r.rule_id, "generic.min_runtime");
  EXPECT_EQ(StatusText(r.status), std::string("Operation not supported"));
  EXPECT_NE(r.reason.find("runtime version 12"), std::string::npos) << r.reason;

  Built computed = Tile({1, 1, 1, 16}, {1, 33, 33, 1}, 14, false);
  r = DecideOp(computed.model, computed.op, computed.options);
  EXPECT_EQ(r.rule_id, "generic.param_not_constant");
  EXPECT_EQ(StatusText(r.status), std::string("Filter, bias, or other param is not constant at compile-time"));

  Built flt = Tile({1, 1, 1, 16}, {1, 33, 33, 1}, 14, true, TT::FLOAT32);
  r = DecideOp(flt.model, flt.op, flt.options);
  EXPECT_EQ(r.rule_id, "generic.data_type");
  EXPECT_EQ(StatusText(r.status), std::string("Operation is working on an unsupported data type"));

  Built batch = Tile({1, 1, 1, 16}, {4, 1, 1, 1}, 14);
  r = DecideOp(batch.model, batch.op, batch.options);
  EXPECT_EQ(r.rule_id, "tile.batch_multiple");
  EXPECT_NE(r.reason.find("multiple 4 on dimension 0"), std::string::npos) << r.reason;
}

TEST(RuleCoverage, EveryRegisteredRuleHasACase) {
  std::set<std::string> cased;
  for (const RuleCase& c : Cases()) EXPECT_TRUE(cased.insert(c.rule_id).second) << "duplicate case " << c.rule_id;
  std::set<std::string> registered;
  for (const RuleInfo& r : AllRules()) {
    EXPECT_TRUE(registered.insert(r.id).second) << "duplicate rule id " << r.id;
    EXPECT_TRUE(cased.count(r.id)) << "rule without a fire/pass test: " << r.id;
  }
  for (const std::string& id : cased) EXPECT_TRUE(registered.count(id)) << "case for an unregistered rule: " << id;
}

TEST(RuleCoverage, StatusAndCertaintyMatchTheRegistry) {
  for (const RuleCase& c : Cases()) {
    for (const RuleInfo& r : AllRules()) {
      if (r.id == c.rule_id) {
        EXPECT_EQ(r.status, c.status) << r.id;
      }
    }
  }
}

// The operators' own check functions hang on mappable rows of the operator table: a check for an
// operator the table says never maps would never run.
TEST(OperatorTable, EveryCheckFunctionBelongsToAMappableRow) {
  ASSERT_FALSE(internal::Checks().empty());
  for (const auto& [code, check] : internal::Checks()) {
    EXPECT_NE(check, nullptr) << ir::BuiltinName(code);
    EXPECT_TRUE(ir::OpInfoOf(code).edgetpu.has_value()) << ir::BuiltinName(code) << " has a check but never maps";
    const internal::OpSpec* spec = internal::FindOpSpec(code);
    ASSERT_NE(spec, nullptr) << ir::BuiltinName(code);
    EXPECT_EQ(spec->check, check) << ir::BuiltinName(code);
  }
}

// Support registers exactly the table's mappable rows: none of the others.
TEST(OperatorTable, OnlyMappableRowsHaveASpec) {
  int mappable = 0, never = 0;
  for (const ir::OpInfo& row : ir::OpTable()) {
    (row.edgetpu ? mappable : never) += 1;
    EXPECT_EQ(internal::FindOpSpec(row.code) != nullptr, row.edgetpu.has_value()) << ir::BuiltinName(row.code);
  }
  EXPECT_GT(mappable, 0);
  EXPECT_GT(never, 0);
}

}  // namespace
}  // namespace etpu::support
