// Where nothing maps to the Edge TPU, the compiled file must compute exactly what the input model
// computes: both run in the official TFLite reference library (../shared/oracle) on the same
// inputs and must give byte-identical outputs. The console must say so the real compiler's way.
#include <gtest/gtest.h>

#include <filesystem>

#include "etpu/compiler.h"
#include "oracle/oracle_util.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"

namespace etpu {
namespace {

namespace fs = std::filesystem;
using ir::BuiltinOperator;
using ir::TensorType;

// uint8 input -> LEAKY_RELU (not an Edge TPU operator) -> out; ARG_MAX over channels -> idx.
std::vector<uint8_t> NothingMapsModel() {
  tflite::ModelBuilder b;
  int in = b.AddTensor("input", TensorType::UINT8, {1, 8, 8, 4}, tflite::Quant(0.05f, 128));
  int lr = b.AddTensor("leaky", TensorType::UINT8, {1, 8, 8, 4}, tflite::Quant(0.04f, 100));
  ir::LeakyReluOptions lo;
  lo.alpha = 0.2f;
  ir::BuiltinOptions u = std::move(lo);
  b.AddOperator(BuiltinOperator::LEAKY_RELU, {in}, {lr}, std::move(u));
  std::vector<int32_t> axis = {3};
  int ax = b.AddConstant<int32_t>("axis", TensorType::INT32, {1}, axis);
  int idx = b.AddTensor("argmax", TensorType::INT32, {1, 8, 8});
  ir::ArgMaxOptions ao;
  ao.output_type = TensorType::INT32;
  ir::BuiltinOptions ua = std::move(ao);
  b.AddOperator(BuiltinOperator::ARG_MAX, {lr, ax}, {idx}, std::move(ua));
  b.SetInputs({in});
  b.SetOutputs({lr, idx});
  return b.Serialize();
}

TEST(CompilerPassthroughTest, NothingMappedRunsLikeTheInputInTheOracle) {
  std::string why;
  auto oracle = oracle_test::GetOracle(&why);
  if (!oracle) {
    if (testutil::SharedRequired()) FAIL() << "oracle unavailable: " << why;
    GTEST_SKIP() << "oracle unavailable: " << why;
  }
  std::string dir = testutil::MakeTempDir("passthrough");
  std::string model = dir + "/nothing.tflite";
  oracle_test::WriteBytes(model, NothingMapsModel());
  CompileOptions options;
  options.out_dir = dir;
  CompileTranscript t = CompileModels({model}, options);
  ASSERT_TRUE(t.succeeded) << t.console;
  EXPECT_NE(t.console.find("On-chip memory used for caching model parameters: 0.00B\n"
                           "On-chip memory remaining for caching model parameters: 0.00B\n"
                           "Off-chip memory used for streaming uncached model parameters: 0.00B\n"
                           "Number of Edge TPU subgraphs: 0\n"),
            std::string::npos)
      << t.console;
  EXPECT_NE(t.console.find("Number of operations that will run on Edge TPU: 0\n"), std::string::npos) << t.console;
  std::string compiled;
  for (const auto& f : t.files) {
    if (f.path.size() > 7 && f.path.substr(f.path.size() - 7) == ".tflite") {
      compiled = f.path;
      oracle_test::WriteBytes(f.path, f.bytes);
    }
  }
  ASSERT_FALSE(compiled.empty());
  std::vector<uint8_t> random(8 * 8 * 4);
  uint32_t seed = 12345;
  for (auto& v : random) {
    seed = seed * 1664525u + 1013904223u;
    v = static_cast<uint8_t>(seed >> 24);
  }
  std::string random_path = dir + "/random.raw";
  oracle_test::WriteBytes(random_path, random);
  for (const std::string& input : {std::string("fill:0"), std::string("fill:128"), std::string("fill:255"), random_path}) {
    SCOPED_TRACE(input);
    std::string log;
    std::string a = dir + "/a", b = dir + "/b";
    fs::create_directories(a);
    fs::create_directories(b);
    ASSERT_TRUE(oracle_test::RunOracle(*oracle, oracle->lib22, model, {input}, a, &log)) << log;
    ASSERT_TRUE(oracle_test::RunOracle(*oracle, oracle->lib22, compiled, {input}, b, &log)) << log;
    for (const char* out : {"out0.bin", "out1.bin"}) {
      auto x = oracle_test::ReadBytes(a + "/" + out);
      EXPECT_FALSE(x.empty()) << out;
      EXPECT_EQ(x, oracle_test::ReadBytes(b + "/" + out)) << out;
    }
  }
}

}  // namespace
}  // namespace etpu
