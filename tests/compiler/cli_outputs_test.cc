// Issue 13 through the real command line: -m is honoured by the written package, outputs are
// all-or-nothing (nothing new on disk and no "Compilation succeeded!" when one cannot be written).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/run_cli.h"
#include "package/package_reader.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CompilerOutputsTest, MinRuntimeVersionBoundsTheWrittenPackage) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/small/gabor_64x64_p4.tflite");
  std::string dir = testutil::MakeTempDir("cli_m10");
  CliRun run = RunCompiler({"-m", "10", model}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto m = tflite::ReadModel((fs::path(dir) / "gabor_64x64_p4_edgetpu.tflite").string());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto info = package::ReadCompiledModel(*m);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  for (const auto& op : info->edgetpu_ops) EXPECT_LE(op.package.min_runtime_version, 10);
  // The operators kept on the CPU because of -m say why in the log.
  std::string log = ReadText(fs::path(dir) / "gabor_64x64_p4_edgetpu.log");
  EXPECT_NE(log.find("DEPTHWISE_CONV_2D              1          Operation is working on an unsupported data type"),
            std::string::npos)
      << log;
}

TEST(CompilerOutputsTest, ADirectoryWhereTheLogGoesLeavesNothingNew) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  std::string dir = testutil::MakeTempDir("cli_dirlog");
  fs::create_directory(fs::path(dir) / "mobilenet_v1_0.25_128_quant_edgetpu.log");
  CliRun run = RunCompiler({a, b}, dir);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_EQ(run.out.find("Compilation succeeded!"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("mobilenet_v1_0.25_128_quant_edgetpu.log"), std::string::npos) << run.out;
  EXPECT_TRUE(run.out.ends_with("Compilation failed! \n")) << run.out;
  // Nothing of the co-compiled set was written, and no temporary is left.
  EXPECT_EQ(Entries(dir), std::vector<std::string>{"mobilenet_v1_0.25_128_quant_edgetpu.log"});
}

TEST(CompilerOutputsTest, AnUnwritableOutputFolderLeavesNothing) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/small/gabor_64x64_p4.tflite");
  std::string dir = testutil::MakeTempDir("cli_ro");
  // /proc takes no new files, even for root.
  CliRun run = RunCompiler({"-o", "/proc", model}, dir);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_EQ(run.out.find("Compilation succeeded!"), std::string::npos) << run.out;
  EXPECT_TRUE(run.out.ends_with("Compilation failed! \n")) << run.out;
  EXPECT_FALSE(fs::exists("/proc/gabor_64x64_p4_edgetpu.tflite"));
  EXPECT_TRUE(Entries(dir).empty());
}

TEST(CompilerOutputsTest, DynamicBatchIsCompiledAsBatchOne) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/small/dense_256.tflite");
  std::string dir = testutil::MakeTempDir("cli_dynbatch");
  CliRun run = RunCompiler({model}, dir);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.find("Model not quantized"), std::string::npos) << run.out;
  EXPECT_TRUE(fs::exists(fs::path(dir) / "dense_256_edgetpu.tflite"));
}

TEST(CompilerOutputsTest, ADynamicInnerDimensionIsRefusedForWhatItIs) {
  tflite::ModelBuilder b;
  int in = b.AddTensor("in", ir::TensorType::UINT8, {1, 8}, tflite::Quant(0.5f, 0));
  int out = b.AddTensor("out", ir::TensorType::UINT8, {1, 8}, tflite::Quant(0.5f, 0));
  b.AddOperator(ir::BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  b.SetShapeSignature(in, {1, -1});
  std::vector<uint8_t> bytes = b.Serialize();
  std::string dir = testutil::MakeTempDir("cli_dyninner");
  {
    std::ofstream f(fs::path(dir) / "dyn.tflite", std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  CliRun run = RunCompiler({"dyn.tflite"}, dir);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_EQ(run.out.find("Model not quantized"), std::string::npos) << run.out;
  // The real compiler's words for dynamic sizes (compiler-behaviour.md §7.1).
  EXPECT_NE(run.out.find("ERROR: Attempting to use a delegate that only supports static-sized tensors with a graph "
                         "that has dynamic-sized tensors.\nCompilation failed: Model failed in Tflite interpreter."),
            std::string::npos)
      << run.out;
  EXPECT_TRUE(run.out.ends_with("Compilation child process completed within timeout period.\nCompilation failed! \n"))
      << run.out;
  EXPECT_EQ(Entries(dir), std::vector<std::string>{"dyn.tflite"});
}

}  // namespace
}  // namespace etpu::testing
