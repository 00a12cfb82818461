// A region that caches nothing is one STAND_ALONE executable (docs/COMPILER.md "A package that
// caches nothing"). Evidence: Google's compiler 16 wrote a single STAND_ALONE executable for
// Dense 4096x4096 and 8192x8192 models (every parameter streamed) and PARAMETER_CACHING +
// EXECUTION_ONLY for Dense 256x256 (LibrEdgeTPU, docs/HARDWARE_ANALYSIS.md). The built model: one
// int8 FULLY_CONNECTED N x N without bias, N = 2944 (8.3 MiB of weights, more than the parameter
// capacity, so the layer streams whole) against N = 256 (cached).
#include <gtest/gtest.h>

#include <vector>

#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "package/package_reader.h"
#include "run_once.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;
using package::ExecutableType;
using testing::RunOnce;

std::vector<uint8_t> Dense(int n) {
  tflite::ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::INT8, {1, n}, tflite::Quant(0.02f, 0));
  std::vector<uint8_t> w(static_cast<size_t>(n) * static_cast<size_t>(n));
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>((i * 53 + i / 7 + 11) % 251);
  const int wt = b.AddTensor("w", TensorType::INT8, {n, n}, tflite::Quant(0.002f, 0), w);
  const int out = b.AddTensor("out", TensorType::INT8, {1, n}, tflite::Quant(0.5f, 3));
  b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {in, wt, -1}, {out}, tflite::FullyConnectedOpts());
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Serialize();
}

struct Built {
  ModelResult result;
  std::vector<ExecutableType> types;
  std::vector<size_t> parameter_bytes;
};

Built CompileDense(const std::vector<uint8_t>& source) {
  Built out;
  const ModelInput in = ModelInput::FromBytes(source, "dense.tflite");
  auto r = Compile(std::span<const ModelInput>(&in, 1), CompileOptions{});
  EXPECT_TRUE(r.ok() && r->ok);
  if (!r.ok() || !r->ok) return out;
  out.result = r->models.at(0);
  auto model = tflite::ReadModelFromBuffer(out.result.model, "dense_edgetpu.tflite");
  EXPECT_TRUE(model.ok());
  if (!model.ok()) return out;
  auto info = package::ReadCompiledModel(*model);
  EXPECT_TRUE(info.ok() && info->edgetpu_ops.size() == 1);
  if (!info.ok() || info->edgetpu_ops.size() != 1) return out;
  for (const auto& e : info->edgetpu_ops[0].package.executables) {
    out.types.push_back(e.type);
    out.parameter_bytes.push_back(e.parameters.size());
  }
  return out;
}

TEST(CompileStandAloneTest, ARegionThatCachesNothingIsOneStandAloneExecutable) {
  constexpr int kBig = 2944;
  const std::vector<uint8_t> big_source = Dense(kBig);
  const Built big = CompileDense(big_source);
  ASSERT_EQ(big.types.size(), 1u);
  EXPECT_EQ(big.types[0], ExecutableType::kStandAlone);
  EXPECT_EQ(big.result.onchip_bytes, 0);
  EXPECT_GE(big.result.offchip_bytes, int64_t{kBig} * kBig);
  EXPECT_EQ(static_cast<int64_t>(big.parameter_bytes[0]), big.result.offchip_bytes);

  // Cached: the usual pair.
  const Built small = CompileDense(Dense(256));
  ASSERT_EQ(small.types.size(), 2u);
  EXPECT_EQ(small.types[0], ExecutableType::kParameterCaching);
  EXPECT_EQ(small.types[1], ExecutableType::kExecutionOnly);
  EXPECT_GT(small.result.onchip_bytes, 0);

  // The stand-alone package computes what the source computes.
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  std::vector<uint8_t> input(kBig);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>((i * 37 + 5) % 256);
  const std::vector<uint8_t> want = RunOnce(**rt, big_source, input);
  ASSERT_EQ(want.size(), static_cast<size_t>(kBig));
  EXPECT_EQ(RunOnce(**rt, big.result.model, input), want);
}

}  // namespace
}  // namespace etpu
