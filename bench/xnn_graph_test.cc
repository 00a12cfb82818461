// The XNNPACK baseline computes the network etpu's runtime computes (within XNNPACK's float
// requantisation), and refuses what it does not translate. No timing here (native_bench does it).
#include "xnn_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "etpu/runtime.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::bench {
namespace {

using ir::ActivationFunctionType;
using ir::BuiltinOperator;
using ir::Padding;
using ir::TensorType;
using tflite::ModelBuilder;
using tflite::Quant;

std::vector<uint8_t> RandomBytes(size_t n, std::mt19937& rng) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

int ConstU8(ModelBuilder& b, const std::string& name, std::vector<int32_t> shape, float scale, std::mt19937& rng) {
  size_t n = 1;
  for (int32_t d : shape) n *= static_cast<size_t>(d);
  return b.AddTensor(name, TensorType::UINT8, std::move(shape), Quant(scale, 128), RandomBytes(n, rng));
}

int Bias(ModelBuilder& b, const std::string& name, int n, float scale, std::mt19937& rng) {
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<int32_t>(rng() % 401) - 200;
  return b.AddConstant<int32_t>(name, TensorType::INT32, {n}, v, Quant(scale, 0));
}

/// input 8x8x3 -> CONV 3x3 (SAME) -> DEPTHWISE 3x3 x2 stride 2 (SAME, RELU6) -> AVERAGE_POOL 2x2
/// -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX; outputs: the logits and the softmax.
std::vector<uint8_t> TinyNet() {
  std::mt19937 rng(7);
  ModelBuilder b;
  const int in = b.AddTensor("input", TensorType::UINT8, {1, 8, 8, 3}, Quant(0.02f, 128));
  const int cw = ConstU8(b, "conv_w", {4, 3, 3, 3}, 0.01f, rng);
  const int cb = Bias(b, "conv_b", 4, 0.02f * 0.01f, rng);
  const int c = b.AddTensor("conv", TensorType::UINT8, {1, 8, 8, 4}, Quant(0.1f, 128));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, cw, cb}, {c}, tflite::ConvOptions(1, 1, Padding::SAME));
  const int dw = ConstU8(b, "dw_w", {1, 3, 3, 8}, 0.002f, rng);
  const int db = Bias(b, "dw_b", 8, 0.1f * 0.002f, rng);
  const int d = b.AddTensor("dw", TensorType::UINT8, {1, 4, 4, 8}, Quant(6.0f / 255, 0));
  b.AddOperator(BuiltinOperator::DEPTHWISE_CONV_2D, {c, dw, db}, {d},
                tflite::DepthwiseOptions(2, 2, Padding::SAME, 2, ActivationFunctionType::RELU6));
  const int p = b.AddTensor("pool", TensorType::UINT8, {1, 2, 2, 8}, Quant(6.0f / 255, 0));
  b.AddOperator(BuiltinOperator::AVERAGE_POOL_2D, {d}, {p}, tflite::PoolOptions(2, 2, 2, 2, Padding::VALID));
  const int shape = b.AddConstant<int32_t>("shape", TensorType::INT32, {2}, std::vector<int32_t>{1, 32});
  const int r = b.AddTensor("flat", TensorType::UINT8, {1, 32}, Quant(6.0f / 255, 0));
  b.AddOperator(BuiltinOperator::RESHAPE, {p, shape}, {r}, tflite::ReshapeOpts({1, 32}));
  const int fw = ConstU8(b, "fc_w", {10, 32}, 0.01f, rng);
  const int fb = Bias(b, "fc_b", 10, 6.0f / 255 * 0.01f, rng);
  const int logits = b.AddTensor("logits", TensorType::UINT8, {1, 10}, Quant(0.02f, 128));
  b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {r, fw, fb}, {logits}, tflite::FullyConnectedOpts());
  const int prob = b.AddTensor("prob", TensorType::UINT8, {1, 10}, Quant(1.0f / 256, 0));
  b.AddOperator(BuiltinOperator::SOFTMAX, {logits}, {prob}, tflite::SoftmaxOpts(1.0f));
  b.SetInputs({in});
  b.SetOutputs({logits, prob});
  return b.Serialize();
}

TEST(XnnGraph, TinyNetMatchesEtpuRuntimeWithinTwoSteps) {
  const std::vector<uint8_t> bytes = TinyNet();
  auto model = tflite::ReadModelFromBuffer(bytes, "tiny.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto xnn = XnnGraph::Build(*model);
  ASSERT_TRUE(xnn.ok()) << xnn.status().ToString();
  ASSERT_EQ((*xnn)->num_inputs(), 1);
  ASSERT_EQ((*xnn)->num_outputs(), 2);
  auto rt = Runtime::Create();
  ASSERT_TRUE(rt.ok());
  auto m = (*rt)->LoadModelFromBuffer(bytes, "tiny.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();

  std::mt19937 rng(99);
  int max_diff = 0, differing = 0, logits_spread = 0;
  for (int trial = 0; trial < 8; ++trial) {
    const std::vector<uint8_t> x = RandomBytes(8 * 8 * 3, rng);
    ASSERT_TRUE(m->SetInput(0, x).ok());
    ASSERT_TRUE(m->Invoke().ok());
    ASSERT_TRUE((*xnn)->SetInput(0, x).ok());
    ASSERT_TRUE((*xnn)->Run().ok());
    for (int o = 0; o < 2; ++o) {
      const auto a = m->GetOutput(o);
      const auto b = (*xnn)->Output(o);
      ASSERT_EQ(a.size(), b.size());
      for (size_t k = 0; k < a.size(); ++k) {
        const int diff = std::abs(int{a[k]} - int{b[k]});
        max_diff = std::max(max_diff, diff);
        differing += diff != 0 ? 1 : 0;
      }
    }
    const auto logits = m->GetOutput(0);
    logits_spread = std::max(logits_spread, *std::max_element(logits.begin(), logits.end()) -
                                                *std::min_element(logits.begin(), logits.end()));
  }
  // The network is not degenerate (logits vary), and both sides agree within two steps.
  EXPECT_GT(logits_spread, 10);
  EXPECT_LE(max_diff, 2) << differing << " bytes differ";
}

TEST(XnnGraph, WrongInputSizeIsRefused) {
  const std::vector<uint8_t> bytes = TinyNet();
  auto model = tflite::ReadModelFromBuffer(bytes, "tiny.tflite");
  ASSERT_TRUE(model.ok());
  auto xnn = XnnGraph::Build(*model);
  ASSERT_TRUE(xnn.ok());
  EXPECT_FALSE((*xnn)->SetInput(0, std::vector<uint8_t>(5)).ok());
  EXPECT_FALSE((*xnn)->SetInput(1, std::vector<uint8_t>(8 * 8 * 3)).ok());
  EXPECT_TRUE((*xnn)->Output(2).empty());
}

TEST(XnnGraph, RefusesAnOperatorItDoesNotTranslate) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::UINT8, {1, 2, 2, 3}, Quant(0.1f, 128));
  const int c = b.AddTensor("b", TensorType::UINT8, {1, 2, 2, 3}, Quant(0.1f, 128));
  const int out = b.AddTensor("out", TensorType::UINT8, {1, 2, 2, 6}, Quant(0.1f, 128));
  b.AddOperator(BuiltinOperator::CONCATENATION, {a, c}, {out}, tflite::ConcatOpts(3));
  b.SetInputs({a, c});
  b.SetOutputs({out});
  auto model = tflite::ReadModelFromBuffer(b.Serialize(), "concat.tflite");
  ASSERT_TRUE(model.ok());
  auto xnn = XnnGraph::Build(*model);
  ASSERT_FALSE(xnn.ok());
  EXPECT_EQ(xnn.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(xnn.status().ToString().find("CONCATENATION"), std::string::npos) << xnn.status().ToString();
}

TEST(XnnGraph, RefusesPerChannelWeights) {
  ModelBuilder b;
  const int in = b.AddTensor("input", TensorType::UINT8, {1, 4, 4, 2}, Quant(0.02f, 128));
  const int w = b.AddTensor("w", TensorType::UINT8, {2, 1, 1, 2}, tflite::QuantPerChannel({0.01f, 0.02f}, 0),
                            std::vector<uint8_t>{1, 2, 3, 4});
  const int out = b.AddTensor("out", TensorType::UINT8, {1, 4, 4, 2}, Quant(0.1f, 128));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, w, -1}, {out}, tflite::ConvOptions(1, 1, Padding::SAME));
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = tflite::ReadModelFromBuffer(b.Serialize(), "perchannel.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto xnn = XnnGraph::Build(*model);
  ASSERT_FALSE(xnn.ok());
  EXPECT_EQ(xnn.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(xnn.status().ToString().find("per-tensor"), std::string::npos) << xnn.status().ToString();
}

}  // namespace
}  // namespace etpu::bench
