// One-operator oracle cases for the mappable operators the other case files did not reach (found
// by OpOracleCoverage.EveryMappableOperatorHasAnOracleCase): MAXIMUM / MINIMUM with broadcast,
// RELU / RELU_N1_TO_1 with rescaling, RESHAPE -> SQUEEZE -> EXPAND_DIMS, SPLIT along channels; in
// uint8 and, where the Edge TPU maps it too, int8. UNIDIRECTIONAL_SEQUENCE_LSTM is covered by the
// shared keras_lstm_mnist_ptq model (oracle_test.cc).
#include "oracle/op_oracle_cases.h"

namespace etpu::oracle_test {

using ir::BuiltinOperator;
using ir::TensorType;
using tflite::ModelBuilder;
using tflite::Quant;

void AddTableCoverageCases(std::vector<OpCase>& c) {
  const auto i32 = TensorType::INT32;
  for (TensorType type : {TensorType::UINT8, TensorType::INT8}) {
    const bool u8 = type == TensorType::UINT8;
    const std::string suffix = u8 ? "_u8" : "_i8";
    const int zp = u8 ? 128 : 0;
    c.push_back({"maximum_minimum_broadcast" + suffix, [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", type, {1, 5, 6, 8}, Quant(0.05f, zp - 11));
                   int y = b.AddTensor("y", type, {1, 1, 6, 8}, Quant(0.07f, zp + 9));
                   int mx = b.AddTensor("max", type, {1, 5, 6, 8}, Quant(0.05f, zp - 11));
                   b.AddOperator(BuiltinOperator::MAXIMUM, {x, y}, {mx});
                   int k = RandomConst(b, "k", type, {8}, Quant(0.05f, zp - 11), 41);
                   int mn = b.AddTensor("min", type, {1, 5, 6, 8}, Quant(0.05f, zp - 11));
                   b.AddOperator(BuiltinOperator::MINIMUM, {mx, k}, {mn});
                   b.SetInputs({x, y});
                   b.SetOutputs({mx, mn});
                 },
                 /*lib29=*/true});
    c.push_back({"relu_relu_n1_to_1_rescale" + suffix, [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", type, {1, 4, 4, 16}, Quant(0.02f, zp + 7));
                   int r = b.AddTensor("relu", type, {1, 4, 4, 16}, Quant(0.013f, u8 ? 3 : -120));
                   b.AddOperator(BuiltinOperator::RELU, {x}, {r});
                   int n = b.AddTensor("n1", type, {1, 4, 4, 16}, Quant(1.0f / 128, zp));
                   b.AddOperator(BuiltinOperator::RELU_N1_TO_1, {x}, {n});
                   b.SetInputs({x});
                   b.SetOutputs({r, n});
                 },
                 /*lib29=*/true, /*ramp=*/true});
    c.push_back({"reshape_squeeze_expand_dims" + suffix, [=](ModelBuilder& b) {
                   int x = b.AddTensor("x", type, {1, 4, 6, 2}, Quant(0.1f, zp));
                   int shape = Const<int32_t>(b, "shape", i32, {3}, {1, 48, 1});
                   int r = b.AddTensor("r", type, {1, 48, 1}, Quant(0.1f, zp));
                   ir::ReshapeOptions ro;
                   ro.new_shape = {1, 48, 1};
                   b.AddOperator(BuiltinOperator::RESHAPE, {x, shape}, {r}, Options(ro));
                   int s = b.AddTensor("s", type, {48}, Quant(0.1f, zp));
                   ir::SqueezeOptions so;
                   so.squeeze_dims = {0, 2};
                   b.AddOperator(BuiltinOperator::SQUEEZE, {r}, {s}, Options(so));
                   int axis = Const<int32_t>(b, "axis", i32, {1}, {0});
                   int e = b.AddTensor("e", type, {1, 48}, Quant(0.1f, zp));
                   b.AddOperator(BuiltinOperator::EXPAND_DIMS, {s, axis}, {e});
                   b.SetInputs({x});
                   b.SetOutputs({e});
                 },
                 /*lib29=*/true});
    c.push_back({"split_channels" + suffix, [=](ModelBuilder& b) {
                   int axis = Const<int32_t>(b, "axis", i32, {}, {3});
                   int x = b.AddTensor("x", type, {1, 3, 5, 12}, Quant(0.1f, zp));
                   std::vector<int> outs;
                   for (int k = 0; k < 3; ++k) {
                     outs.push_back(b.AddTensor("o" + std::to_string(k), type, {1, 3, 5, 4}, Quant(0.1f, zp)));
                   }
                   ir::SplitOptions so;
                   so.num_splits = 3;
                   b.AddOperator(BuiltinOperator::SPLIT, {axis, x}, outs, Options(so));
                   b.SetInputs({x});
                   b.SetOutputs(outs);
                 },
                 /*lib29=*/true});
  }
}

}  // namespace etpu::oracle_test
