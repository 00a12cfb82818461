// The compiler's partitioning options end to end: -n (segments), -a (several subgraphs),
// -i (intermediate tensors) and -d/-k (delegate search), through the real command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compiler/run_cli.h"
#include "package/package_reader.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::testing {
namespace {

namespace fs = std::filesystem;
using ir::BuiltinOperator;
using ir::TensorType;
using tflite::ModelBuilder;
using tflite::Quant;

void WriteBytes(const fs::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A 1x1 convolution from `in` (channels cin) to a new tensor with `cout` channels.
int Conv1x1(ModelBuilder& b, int in, int h, int w, int cin, int cout, const std::string& name) {
  std::vector<uint8_t> weights(static_cast<size_t>(cout * cin), 131);
  int wt = b.AddTensor(name + "/w", TensorType::UINT8, {cout, 1, 1, cin}, Quant(0.02f, 128), weights);
  std::vector<int32_t> bias(static_cast<size_t>(cout), 3);
  int bt = b.AddConstant<int32_t>(name + "/b", TensorType::INT32, {cout}, bias, Quant(0.01f, 0));
  int out = b.AddTensor(name, TensorType::UINT8, {1, h, w, cout}, Quant(0.5f, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, wt, bt}, {out}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
  return out;
}

struct Written {
  ir::Model model;
  package::CompiledModelInfo info;
};

Written ReadCompiled(const fs::path& p) {
  auto m = tflite::ReadModel(p.string());
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  auto info = package::ReadCompiledModel(*m);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return {std::move(m).value(), std::move(info).value()};
}

TEST(CompilerOptionsTest, EmulateSelectsTheGenerationOrIsAUsageError) {
  const std::string dir = testutil::MakeTempDir("emulate");
  CliRun v15 = RunCompiler({"--emulate", "15", "--version"}, dir);
  EXPECT_EQ(v15.exit_code, 0);
  EXPECT_EQ(v15.out.rfind("Edge TPU Compiler version 15.0.0-etpu.", 0), 0u) << v15.out;
  CliRun v16 = RunCompiler({"--version"}, dir);
  EXPECT_EQ(v16.out.rfind("Edge TPU Compiler version 16.0.0-etpu.", 0), 0u) << v16.out;
  CliRun bad = RunCompiler({"--emulate", "14", "model.tflite"}, dir);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.out.find("--emulate must be 15 or 16"), std::string::npos) << bad.out;
}

TEST(CompilerOptionsTest, TwoSegmentsShareOneTokenAndSplitTheParameters) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  std::string dir = testutil::MakeTempDir("seg");
  fs::copy_file(model, fs::path(dir) / "mobilenet_v1_0.25_128_quant.tflite");
  CliRun run = RunCompiler({"-n", "2", "mobilenet_v1_0.25_128_quant.tflite"}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(MatchGolden(ReadGolden("segments_2.txt"), run.out, {}), "") << run.out;
  Written s0 = ReadCompiled(fs::path(dir) / "mobilenet_v1_0.25_128_quant_segment_0_of_2_edgetpu.tflite");
  Written s1 = ReadCompiled(fs::path(dir) / "mobilenet_v1_0.25_128_quant_segment_1_of_2_edgetpu.tflite");
  ASSERT_EQ(s0.info.edgetpu_ops.size(), 1u);
  ASSERT_EQ(s1.info.edgetpu_ops.size(), 1u);
  const auto& p0 = s0.info.edgetpu_ops[0].package;
  const auto& p1 = s1.info.edgetpu_ops[0].package;
  EXPECT_EQ(p0.token(), p1.token());
  // All parameters are kept (566912 B for this model, groundtruth.json) and split between the two.
  EXPECT_EQ(p0.on_chip_bytes() + p1.on_chip_bytes(), 566912);
  EXPECT_GT(p0.on_chip_bytes(), 0);
  EXPECT_GT(p1.on_chip_bytes(), 0);
  // Segment 1 reads what segment 0 writes, by name.
  EXPECT_EQ(s1.model.tensor(s1.model.inputs[0]).name, s0.model.tensor(s0.model.outputs[0]).name);
  EXPECT_TRUE(fs::exists(fs::path(dir) / "mobilenet_v1_0.25_128_quant_segment_1_of_2_edgetpu.log"));
}

// in -> CONV -> a -> LEAKY_RELU (not supported) -> b -> CONV -> out
void WriteSplitModel(const fs::path& p) {
  ModelBuilder b;
  int in = b.AddTensor("in", TensorType::UINT8, {1, 8, 8, 4}, Quant(0.5f, 0));
  int a = Conv1x1(b, in, 8, 8, 4, 8, "a");
  int lr = b.AddTensor("b", TensorType::UINT8, {1, 8, 8, 8}, Quant(0.5f, 0));
  ir::LeakyReluOptions lo;
  lo.alpha = 0.1f;
  ir::BuiltinOptions u = std::move(lo);
  b.AddOperator(BuiltinOperator::LEAKY_RELU, {a}, {lr}, std::move(u));
  int out = Conv1x1(b, lr, 8, 8, 8, 8, "out");
  b.SetInputs({in});
  b.SetOutputs({out});
  WriteBytes(p, b.Serialize());
}

TEST(CompilerOptionsTest, MultipleSubgraphsMapEveryRun) {
  std::string dir = testutil::MakeTempDir("multi");
  WriteSplitModel(fs::path(dir) / "split.tflite");
  CliRun one = RunCompiler({"-s", "split.tflite"}, dir);
  ASSERT_EQ(one.exit_code, 0) << one.out;
  EXPECT_NE(one.out.find("Number of Edge TPU subgraphs: 1\n"), std::string::npos);
  EXPECT_NE(one.out.find("LEAKY_RELU                     1          Operation not supported\n"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("CONV_2D                        1          More than one subgraph is not supported\n"),
            std::string::npos) << one.out;
  CliRun all = RunCompiler({"-sa", "split.tflite"}, dir);
  ASSERT_EQ(all.exit_code, 0) << all.out;
  EXPECT_NE(all.out.find("Number of Edge TPU subgraphs: 2\n"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("CONV_2D                        2          Mapped to Edge TPU\n"), std::string::npos) << all.out;
  Written w = ReadCompiled(fs::path(dir) / "split_edgetpu.tflite");
  ASSERT_EQ(w.info.edgetpu_ops.size(), 2u);
  EXPECT_EQ(w.info.edgetpu_ops[0].package.token(), w.info.edgetpu_ops[1].package.token());
  ASSERT_EQ(w.model.ops.size(), 3u);
  EXPECT_EQ(w.model.ops[1].name(), "LEAKY_RELU");
}

TEST(CompilerOptionsTest, IntermediateTensorsBecomeOutputsAndCutTheRegion) {
  std::string dir = testutil::MakeTempDir("inter");
  ModelBuilder b;
  int in = b.AddTensor("in", TensorType::UINT8, {1, 8, 8, 4}, Quant(0.5f, 0));
  int a = Conv1x1(b, in, 8, 8, 4, 8, "a");
  int c = Conv1x1(b, a, 8, 8, 8, 8, "c");
  int out = Conv1x1(b, c, 8, 8, 8, 8, "out");
  b.SetInputs({in});
  b.SetOutputs({out});
  WriteBytes(fs::path(dir) / "chain.tflite", b.Serialize());
  CliRun run = RunCompiler({"-i", "a", "chain.tflite"}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("Number of operations that will run on Edge TPU: 1\n"), std::string::npos) << run.out;
  Written w = ReadCompiled(fs::path(dir) / "chain_edgetpu.tflite");
  ASSERT_EQ(w.info.edgetpu_ops.size(), 1u);
  const auto& op = w.model.ops[static_cast<size_t>(w.info.edgetpu_ops[0].op_index)];
  ASSERT_EQ(op.outputs.size(), 1u);
  EXPECT_EQ(w.model.tensor(op.outputs[0]).name, "a");
  ASSERT_EQ(w.model.ops.size(), 3u);
  EXPECT_EQ(w.model.ops[1].name(), "CONV_2D");
  CliRun bad = RunCompiler({"-i", "no_such_tensor", "chain.tflite"}, dir);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.out.find("no_such_tensor"), std::string::npos) << bad.out;
}

// in (1x512x512x4) -> CONV -> mid -> CONV -> wide (16 MiB) -> RESHAPE -> out: the reshape needs its
// whole input and output on chip, which cannot fit ("large activation tensors").
void WriteBigActivationModel(const fs::path& p) {
  ModelBuilder b;
  int in = b.AddTensor("in", TensorType::UINT8, {1, 512, 512, 4}, Quant(0.5f, 0));
  int mid = Conv1x1(b, in, 512, 512, 4, 8, "mid");
  int wide = Conv1x1(b, mid, 512, 512, 8, 64, "wide");
  std::vector<int32_t> shape = {1, 512 * 512, 64};
  int shape_t = b.AddConstant<int32_t>("shape", TensorType::INT32, {3}, shape);
  int out = b.AddTensor("out", TensorType::UINT8, {1, 512 * 512, 64}, Quant(0.5f, 0));
  b.AddOperator(BuiltinOperator::RESHAPE, {wide, shape_t}, {out}, tflite::ReshapeOpts(shape));
  b.SetInputs({in});
  b.SetOutputs({out});
  WriteBytes(p, b.Serialize());
}

TEST(CompilerOptionsTest, LargeActivationsFailWithoutSearchDelegate) {
  std::string dir = testutil::MakeTempDir("bigact");
  WriteBigActivationModel(fs::path(dir) / "big_activation.tflite");
  CliRun run = RunCompiler({"big_activation.tflite"}, dir);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.out.find("ERROR: Restored original execution plan after delegate application failure.\n"
                         "Compilation failed: Compilation failed due to large activation tensors in model.\n"
                         "Compilation child process completed within timeout period.\n"
                         "Compilation failed! \n"),
            std::string::npos)
      << run.out;
  EXPECT_FALSE(fs::exists(fs::path(dir) / "big_activation_edgetpu.tflite"));
}

TEST(CompilerOptionsTest, SearchDelegateCutsBackUntilItCompiles) {
  std::string dir = testutil::MakeTempDir("search");
  WriteBigActivationModel(fs::path(dir) / "big_activation.tflite");
  CliRun run = RunCompiler({"-sd", "big_activation.tflite"}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(MatchGolden(ReadGolden("search_delegate.txt"), run.out, {}), "") << run.out;
  EXPECT_TRUE(fs::exists(fs::path(dir) / "big_activation_edgetpu.tflite"));
}

}  // namespace
}  // namespace etpu::testing
