// Bit-exact comparison of the integer LSTM with TFLite 2.9 (the oracle, libtflite29.so).
//
// The LSTM operator of the real model keras_lstm_mnist_ptq.tflite is cut out as a one-operator
// model (its weights, quantization and intermediates unchanged), optionally changed (batch,
// time-major layout, CIFG, peephole, projection, layer norm with made-up tensors), run by the
// oracle on random int8 sequences and by IntegerLstm from the same model file; every output
// byte must agree.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "kernels/lstm.h"
#include "kernels/oracle_test_util.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::kernels {
namespace {

QuantParams Q(const ir::Tensor& t) {
  QuantParams q;
  if (!t.quant.empty()) {
    q.scale = t.quant.scale[0];
    q.zero_point = t.quant.zero_point.empty() ? 0 : static_cast<int32_t>(t.quant.zero_point[0]);
  }
  return q;
}

template <typename T>
LstmTensor<T> Tensor(const ir::Model& m, int index) {
  LstmTensor<T> t;
  if (index < 0) return t;
  t.data = reinterpret_cast<const T*>(m.tensor(index).data.data());
  t.scale = Q(m.tensor(index)).scale;
  return t;
}

// The spec of the first UNIDIRECTIONAL_SEQUENCE_LSTM of `m` (test helper, trusts the model).
IntegerLstmSpec SpecFromModel(const ir::Model& m) {
  const ir::Operator* op = nullptr;
  for (const auto& o : m.ops) {
    if (o.code == ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM) op = &o;
  }
  EXPECT_NE(op, nullptr);
  const auto in = [&](int k) { return k < static_cast<int>(op->inputs.size()) ? op->inputs[k] : -1; };
  const auto* opts = op->options<ir::UnidirectionalSequenceLSTMOptions>();
  IntegerLstmSpec s;
  const ir::Tensor& input = m.tensor(in(0));
  s.time_major = opts->time_major;
  s.n_time = s.time_major ? input.shape[0] : input.shape[1];
  s.n_batch = s.time_major ? input.shape[1] : input.shape[0];
  s.n_input = input.shape[2];
  s.n_cell = m.tensor(in(4)).shape[0];
  s.n_output = m.tensor(in(8)).shape[1];
  s.cell_clip = opts->cell_clip;
  s.proj_clip = opts->proj_clip;
  s.input = Q(input);
  s.output_state = Q(m.tensor(in(18)));
  s.cell_state_scale = Q(m.tensor(in(19))).scale;
  s.output = Q(m.tensor(op->outputs[0]));
  for (int g = 0; g < 4; ++g) {
    s.input_weights[g] = Tensor<int8_t>(m, in(1 + g));
    s.recurrent_weights[g] = Tensor<int8_t>(m, in(5 + g));
    s.biases[g] = in(12 + g) < 0 ? nullptr : reinterpret_cast<const int32_t*>(m.tensor(in(12 + g)).data.data());
    s.layer_norm[g] = Tensor<int16_t>(m, in(20 + g));
  }
  s.peephole_weights[kLstmInputGate] = Tensor<int16_t>(m, in(9));
  s.peephole_weights[kLstmForgetGate] = Tensor<int16_t>(m, in(10));
  s.peephole_weights[kLstmOutputGate] = Tensor<int16_t>(m, in(11));
  s.projection = Tensor<int8_t>(m, in(16));
  s.projection_bias = in(17) < 0 ? nullptr : reinterpret_cast<const int32_t*>(m.tensor(in(17)).data.data());
  const auto& inter = op->intermediates;
  EXPECT_EQ(inter.size(), 5u);
  for (size_t k = 0; k < inter.size() && k < 5; ++k) s.intermediates[k] = Q(m.tensor(inter[k]));
  return s;
}

template <typename T>
std::vector<uint8_t> RandomBytes(std::mt19937& rng, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<uint8_t> b(n * sizeof(T));
  for (size_t i = 0; i < n; ++i) {
    const T v = static_cast<T>(d(rng));
    std::memcpy(b.data() + i * sizeof(T), &v, sizeof(T));
  }
  return b;
}

struct Variant {
  std::string name;
  int batch = 1;
  bool time_major = false;
  bool cifg = false, peephole = false, layer_norm = false;
  int projection = 0;  ///< n_output with projection, 0 = none.
};

// The real model's LSTM as a one-operator model (its tensors, weights, quantization and
// intermediates copied), changed as `v` says; the model's bytes.
std::vector<uint8_t> MakeVariant(const ir::Model& real, const Variant& v, std::mt19937& rng) {
  int lstm = -1;
  for (const auto& o : real.ops) {
    if (o.code == ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM) lstm = o.index;
  }
  const ir::Operator& op = real.ops.at(lstm);
  const auto in = [&](int k) { return op.inputs[static_cast<size_t>(k)]; };
  const int n_time = real.tensor(in(0)).shape[1];
  const int n_input = real.tensor(in(0)).shape[2];
  const int n_cell = real.tensor(in(4)).shape[0];
  const int n_out = v.projection > 0 ? v.projection : n_cell;
  ir::UnidirectionalSequenceLSTMOptions opts = *op.options<ir::UnidirectionalSequenceLSTMOptions>();
  opts.time_major = v.time_major;

  // The real tensors as the variant changes them, then copied into the new model once each.
  std::map<int, ir::Tensor> changed;
  const auto change = [&](int t) -> ir::Tensor& { return changed.try_emplace(t, real.tensor(t)).first->second; };
  change(in(0)).shape = v.time_major ? std::vector<int32_t>{n_time, v.batch, n_input}
                                     : std::vector<int32_t>{v.batch, n_time, n_input};
  change(op.outputs[0]).shape = v.time_major ? std::vector<int32_t>{n_time, v.batch, n_out}
                                             : std::vector<int32_t>{v.batch, n_time, n_out};
  change(in(18)).shape = {v.batch, n_out};
  change(in(19)).shape = {v.batch, n_cell};
  if (v.layer_norm) {
    for (int g = 0; g < 4; ++g) {
      if (v.cifg && g == 0) continue;
      ir::Tensor& inter = change(op.intermediates[static_cast<size_t>(g)]);
      inter.type = ir::TensorType::INT16;
      inter.quant = tflite::Quant(0.0007f + 0.0002f * g, 0);
    }
  }
  tflite::ModelBuilder b;
  std::map<int, int> copied;
  const auto copy = [&](int t) -> int32_t {
    if (t < 0) return -1;
    auto [it, fresh] = copied.try_emplace(t, -1);
    if (fresh) {
      const ir::Tensor& x = changed.count(t) ? changed.at(t) : real.tensor(t);
      it->second = b.AddTensor(x.name, x.type, x.shape, x.quant, {x.data.begin(), x.data.end()}, x.is_variable);
    }
    return it->second;
  };
  std::vector<int32_t> inputs, intermediates;
  for (int t : op.inputs) inputs.push_back(copy(t));
  const int32_t output = copy(op.outputs[0]);
  for (int t : op.intermediates) intermediates.push_back(copy(t));
  const auto add = [&](const std::string& name, ir::TensorType type, std::vector<int32_t> shape, float scale,
                       std::vector<uint8_t> data) {
    return b.AddTensor(name, type, std::move(shape), tflite::Quant(scale, 0), std::move(data));
  };

  if (v.cifg) inputs[1] = inputs[5] = inputs[12] = -1;
  if (v.peephole) {
    const float scales[3] = {0.0021f, 0.0013f, 0.0034f};
    for (int k = 0; k < 3; ++k) {
      if (v.cifg && k == 0) continue;
      inputs[9 + k] = add("peephole" + std::to_string(k), ir::TensorType::INT16, {n_cell}, scales[k],
                          RandomBytes<int16_t>(rng, n_cell, -3000, 3000));
    }
  }
  if (v.projection > 0) {
    for (int g = 0; g < 4; ++g) {
      if (v.cifg && g == 0) continue;
      inputs[5 + g] = add("recurrent" + std::to_string(g), ir::TensorType::INT8, {n_cell, n_out}, 0.004f + 0.001f * g,
                          RandomBytes<int8_t>(rng, size_t(n_cell) * n_out, -127, 127));
    }
    inputs[16] = add("projection", ir::TensorType::INT8, {n_out, n_cell}, 0.0061f,
                     RandomBytes<int8_t>(rng, size_t(n_cell) * n_out, -127, 127));
    inputs[17] = add("projection_bias", ir::TensorType::INT32, {n_out}, 0.0061f * 0.0078f,
                     RandomBytes<int32_t>(rng, n_out, -3000, 3000));
    opts.proj_clip = 0.5f;
  }
  if (v.layer_norm) {
    for (int g = 0; g < 4; ++g) {
      if (v.cifg && g == 0) continue;
      inputs[20 + g] = add("layer_norm" + std::to_string(g), ir::TensorType::INT16, {n_cell}, 0.00005f * (g + 1),
                           RandomBytes<int16_t>(rng, n_cell, 8000, 30000));
      // The bias is added after normalisation; keep it in a plausible range.
      inputs[12 + g] = add("ln_bias" + std::to_string(g), ir::TensorType::INT32, {n_cell}, 0.00005f * (g + 1) / 1024,
                           RandomBytes<int32_t>(rng, n_cell, -40000, 40000));
    }
  }
  const int lstm_op = b.AddOperator(ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, {output}, opts, op.version);
  b.SetIntermediates(lstm_op, intermediates);
  b.SetInputs({inputs[0]});
  b.SetOutputs({output});
  return b.Serialize();
}

void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

class LstmOracle : public ::testing::TestWithParam<Variant> {};

TEST_P(LstmOracle, BitExactWithTflite29) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/keras_lstm_mnist_ptq.tflite");
  ETPU_ORACLE_OR_SKIP(oracle);
  auto real = tflite::ReadModel(path);
  ASSERT_TRUE(real.ok()) << real.status().message();
  const Variant& v = GetParam();
  std::mt19937 rng(1234 + v.batch * 7 + v.projection);
  const std::vector<uint8_t> bytes = MakeVariant(real.value(), v, rng);
  auto model = tflite::ReadModelFromBuffer(bytes, v.name);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const IntegerLstmSpec spec = SpecFromModel(model.value());
  auto params = PrepareIntegerLstm(spec);
  ASSERT_TRUE(params.ok()) << params.status().message();

  const size_t n_in = size_t(spec.n_batch) * spec.n_time * spec.n_input;
  const size_t n_out = size_t(spec.n_batch) * spec.n_time * spec.n_output;
  size_t compared = 0;
  for (int run = 0; run < 4; ++run) {
    // Run 0: MNIST-like sparse rows (mostly -128, the zero point); others uniform.
    std::vector<uint8_t> in = RandomBytes<int8_t>(rng, n_in, -128, 127);
    if (run == 0) {
      for (auto& b : in) b = (rng() % 4 == 0) ? b : static_cast<uint8_t>(int8_t{-128});
    }
    std::string log;
    const auto outs = testing::RunOracle(oracle, "libtflite29.so", bytes, {in}, 1, &log);
    ASSERT_EQ(outs.size(), 1u) << log;
    ASSERT_EQ(outs[0].size(), n_out) << log;

    std::vector<int8_t> output_state(size_t(spec.n_batch) * spec.n_output,
                                     static_cast<int8_t>(spec.output_state.zero_point));
    std::vector<int16_t> cell_state(size_t(spec.n_batch) * spec.n_cell, 0);
    std::vector<int8_t> mine(n_out);
    ASSERT_TRUE(IntegerLstm(params.value(), reinterpret_cast<const int8_t*>(in.data()), output_state.data(),
                            cell_state.data(), mine.data())
                    .ok());
    // Guard against a trivial agreement (saturated or constant outputs).
    const std::set<uint8_t> distinct(outs[0].begin(), outs[0].end());
    EXPECT_GE(distinct.size(), 16u) << v.name << ": oracle output nearly constant";
    size_t mismatches = 0;
    for (size_t i = 0; i < n_out; ++i) mismatches += static_cast<uint8_t>(mine[i]) != outs[0][i];
    EXPECT_EQ(mismatches, 0u) << v.name << " run " << run << ": " << mismatches << " of " << n_out;
    compared += n_out;
  }
  RecordProperty("compared_bytes", static_cast<int>(compared));
}

INSTANTIATE_TEST_SUITE_P(
    Variants, LstmOracle,
    ::testing::Values(Variant{"real_model_lstm"}, Variant{"batch3", 3},
                      Variant{"time_major_batch2", 2, true}, Variant{"cifg", 1, false, true},
                      Variant{"peephole", 2, false, false, true},
                      Variant{"cifg_peephole", 1, false, true, true},
                      Variant{"projection12", 2, false, false, false, false, 12},
                      Variant{"layer_norm", 2, false, false, false, true},
                      Variant{"everything", 2, true, false, false, true, 16}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace etpu::kernels
