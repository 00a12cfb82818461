// Runs the convolution layers of generated models with the reference kernels on a random
// input and checks that the chosen quantization keeps activations in range: few values pinned
// at the ends of the uint8 range, and no layer collapsed to a constant.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "tflite/model_reader.h"
#include "zoo/net_builder.h"
#include "zoo/zoo.h"

namespace etpu::zoo {
namespace {

kernels::Shape4 ToShape4(const std::vector<int32_t>& s) { return {s[0], s[1], s[2], s[3]}; }
kernels::QuantParams Q(const ir::Tensor& t) {
  return {t.quant.scale[0], static_cast<int32_t>(t.quant.zero_point[0])};
}

struct LayerStats {
  std::string name;
  double low = 0, high = 0, stddev = 0;
  bool relu = false;
};

/// Executes CONV_2D, DEPTHWISE_CONV_2D and ADD in order until the first other operator.
std::vector<LayerStats> RunConvLayers(const std::string& model_name) {
  std::vector<LayerStats> stats;
  auto bytes = GenerateZooModel(model_name);
  EXPECT_TRUE(bytes.ok());
  auto m = tflite::ReadModelFromBuffer(*bytes, model_name);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return stats;
  std::map<int, std::vector<uint8_t>> values;
  const ir::Tensor& in = m->tensor(m->inputs[0]);
  Rng rng(7);
  std::vector<uint8_t>& input = values[in.index];
  input.resize(static_cast<size_t>(in.num_elements()));
  for (auto& v : input) v = static_cast<uint8_t>(rng.Uniform(0, 255));

  for (const auto& op : m->ops) {
    const ir::Tensor& out = m->tensor(op.outputs[0]);
    std::vector<uint8_t> result(static_cast<size_t>(out.num_elements()));
    bool relu = false;
    if (op.code == ir::BuiltinOperator::CONV_2D || op.code == ir::BuiltinOperator::DEPTHWISE_CONV_2D) {
      const ir::Tensor& x = m->tensor(op.inputs[0]);
      const ir::Tensor& w = m->tensor(op.inputs[1]);
      const ir::Tensor& b = m->tensor(op.inputs[2]);
      kernels::ConvOptions o;
      const bool dw = op.code == ir::BuiltinOperator::DEPTHWISE_CONV_2D;
      if (dw) {
        const auto* f = op.options<ir::DepthwiseConv2DOptions>();
        o = {static_cast<kernels::Padding>(f->padding), f->stride_h, f->stride_w, 1, 1, 1,
             static_cast<kernels::Activation>(f->fused_activation_function)};
      } else {
        const auto* f = op.options<ir::Conv2DOptions>();
        o = {static_cast<kernels::Padding>(f->padding), f->stride_h, f->stride_w, 1, 1, 1,
             static_cast<kernels::Activation>(f->fused_activation_function)};
      }
      relu = o.activation != kernels::Activation::kNone;
      const auto prepared =
          dw ? kernels::PrepareDepthwiseConv(o, ToShape4(x.shape), ToShape4(w.shape), kernels::QType::kUInt8, Q(x),
                                             w.quant.scale, static_cast<int32_t>(w.quant.zero_point[0]), Q(out))
             : kernels::PrepareConv(o, ToShape4(x.shape), ToShape4(w.shape), kernels::QType::kUInt8, Q(x),
                                    w.quant.scale, static_cast<int32_t>(w.quant.zero_point[0]), Q(out));
      EXPECT_TRUE(prepared.ok()) << out.name << ": " << prepared.status().ToString();
      if (!prepared.ok()) return stats;
      const auto* bias = reinterpret_cast<const int32_t*>(b.data.data());
      const Status s =
          dw ? kernels::DepthwiseConv2D(*prepared, ToShape4(x.shape), values[x.index].data(), ToShape4(w.shape),
                                        w.data.data(), bias, ToShape4(out.shape), result.data())
             : kernels::Conv2D(*prepared, ToShape4(x.shape), values[x.index].data(), ToShape4(w.shape), w.data.data(),
                               bias, ToShape4(out.shape), result.data());
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else if (op.code == ir::BuiltinOperator::ADD) {
      const ir::Tensor& a = m->tensor(op.inputs[0]);
      const ir::Tensor& c = m->tensor(op.inputs[1]);
      auto p = kernels::PrepareAdd(kernels::QType::kUInt8, Q(a), Q(c), Q(out), kernels::Activation::kNone);
      EXPECT_TRUE(p.ok());
      if (!p.ok()) return stats;
      const Status s = kernels::Add(*p, ToShape4(a.shape), values[a.index].data(), ToShape4(c.shape),
                                    values[c.index].data(), ToShape4(out.shape), result.data());
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      break;
    }
    LayerStats st{out.name, 0, 0, 0, relu};
    double sum = 0, sum2 = 0;
    for (uint8_t v : result) {
      st.low += v == 0;
      st.high += v == 255;
      sum += v;
      sum2 += static_cast<double>(v) * v;
    }
    const double n = static_cast<double>(result.size());
    st.low /= n;
    st.high /= n;
    st.stddev = std::sqrt(std::max(0.0, sum2 / n - (sum / n) * (sum / n)));
    stats.push_back(st);
    values[out.index] = std::move(result);
  }
  return stats;
}

void ExpectInRange(const std::string& model_name, size_t min_layers) {
  const auto stats = RunConvLayers(model_name);
  EXPECT_GE(stats.size(), min_layers);
  for (const auto& s : stats) {
    EXPECT_LT(s.high, 0.02) << model_name << " " << s.name << ": share of outputs saturated at 255";
    if (s.relu) {
      EXPECT_LT(s.low, 0.9) << model_name << " " << s.name << ": share of outputs at 0 (dead ReLU layer)";
    } else {
      EXPECT_LT(s.low, 0.02) << model_name << " " << s.name << ": share of outputs saturated at 0";
    }
    EXPECT_GT(s.stddev, 2.0) << model_name << " " << s.name << ": outputs collapsed to a constant";
  }
}

TEST(ZooActivationRangeTest, MobileNetV1) { ExpectInRange("mobilenet_v1_0.25_128", 27); }
TEST(ZooActivationRangeTest, MobileNetV2) { ExpectInRange("mobilenet_v2_1.0_224", 60); }
TEST(ZooActivationRangeTest, PoseNetSmall) { ExpectInRange("posenet_mobilenet_v1_075_353_481", 27); }

}  // namespace
}  // namespace etpu::zoo
