// HARD_SWISH: closeness to the real function (every input value, several quantizations) and
// bit-exactness with the TFLite oracle (libtflite22 and libtflite29) on every input value.
#include "kernels/hard_swish.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/oracle_test_util.h"
#include "tflite/model_builder.h"

namespace etpu::kernels {
namespace {

struct Case {
  QType type;
  QuantParams in, out;
};

// Input ranges from about [-4, 4] to [-40, 60]; outputs from [-0.4, 4] to [-1, 60].
const Case kCases[] = {
    {QType::kUInt8, {8.0f / 255, 128}, {4.4f / 255, 23}},
    {QType::kUInt8, {100.0f / 255, 102}, {61.0f / 255, 4}},
    {QType::kUInt8, {0.05f, 200}, {0.02f, 30}},
    {QType::kInt8, {8.0f / 255, 0}, {4.4f / 255, -105}},
    {QType::kInt8, {0.3f, -20}, {0.25f, -126}},
    {QType::kInt8, {0.01f, 5}, {0.004f, -100}},  // small range: mostly the quadratic part
};

std::vector<uint8_t> RunMine(const Case& c, const std::vector<uint8_t>& in) {
  auto p = PrepareHardSwish(c.type, c.in, c.out);
  EXPECT_TRUE(p.ok()) << p.status().message();
  std::vector<uint8_t> out(in.size());
  if (c.type == QType::kUInt8) {
    EXPECT_TRUE(HardSwish(p.value(), static_cast<int64_t>(in.size()), in.data(), out.data()).ok());
  } else {
    EXPECT_TRUE(HardSwish(p.value(), static_cast<int64_t>(in.size()), reinterpret_cast<const int8_t*>(in.data()),
                          reinterpret_cast<int8_t*>(out.data()))
                    .ok());
  }
  return out;
}

std::vector<uint8_t> EveryValue() {
  std::vector<uint8_t> v(256);
  for (int i = 0; i < 256; ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

int32_t Value(QType t, uint8_t b) { return t == QType::kUInt8 ? b : static_cast<int8_t>(b); }

TEST(HardSwish, CloseToTheRealFunction) {
  for (const Case& c : kCases) {
    const auto in = EveryValue();
    const auto out = RunMine(c, in);
    for (int i = 0; i < 256; ++i) {
      const double x = c.in.scale * (Value(c.type, in[i]) - c.in.zero_point);
      const double want = x * std::clamp(x + 3, 0.0, 6.0) / 6;
      const double q = std::clamp<double>(std::round(want / c.out.scale) + c.out.zero_point, QMin(c.type),
                                          QMax(c.type));
      EXPECT_LE(std::abs(Value(c.type, out[i]) - q), 2) << "scale " << c.in.scale << " x " << x;
    }
  }
}

TEST(HardSwish, RejectsBadQuantizationAndTypes) {
  EXPECT_FALSE(PrepareHardSwish(QType::kUInt8, {0.0f, 0}, {0.1f, 0}).ok());
  EXPECT_FALSE(PrepareHardSwish(QType::kUInt8, {0.1f, 0}, {-1.0f, 0}).ok());
  // s_in / 128 / s_out >= 1.
  EXPECT_FALSE(PrepareHardSwish(QType::kInt8, {1.0f, 0}, {0.001f, 0}).ok());
  auto p = PrepareHardSwish(QType::kUInt8, {0.1f, 0}, {0.1f, 0});
  ASSERT_TRUE(p.ok());
  int8_t x = 0, y = 0;
  EXPECT_FALSE(HardSwish(p.value(), 1, &x, &y).ok());  // prepared for uint8
}

TEST(HardSwishOracle, BitExactOnEveryInputValue) {
  ETPU_ORACLE_OR_SKIP(oracle);
  int case_index = 0;
  for (const Case& c : kCases) {
    tflite::ModelBuilder b;
    const auto tt = c.type == QType::kUInt8 ? ir::TensorType::UINT8 : ir::TensorType::INT8;
    const int in = b.AddTensor("in", tt, {1, 4, 8, 8}, tflite::Quant(c.in.scale, c.in.zero_point));
    const int out = b.AddTensor("out", tt, {1, 4, 8, 8}, tflite::Quant(c.out.scale, c.out.zero_point));
    b.AddOperator(ir::BuiltinOperator::HARD_SWISH, {in}, {out});
    b.SetInputs({in});
    b.SetOutputs({out});
    const auto input = EveryValue();
    const auto mine = RunMine(c, input);
    for (const char* lib : {"libtflite22.so", "libtflite29.so"}) {
      std::string log;
      const auto outs = testing::RunOracle(oracle, lib, b.Serialize(), {input}, 1, &log);
      ASSERT_EQ(outs.size(), 1u) << lib << ": " << log;
      ASSERT_EQ(outs[0].size(), mine.size());
      int mismatches = 0;
      for (size_t i = 0; i < mine.size(); ++i) mismatches += outs[0][i] != mine[i];
      EXPECT_EQ(mismatches, 0) << lib << " case " << case_index;
    }
    ++case_index;
  }
}

}  // namespace
}  // namespace etpu::kernels
