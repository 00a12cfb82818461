// Bad input gets a clear error, a non-zero exit code and no output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "compiler/run_cli.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"

namespace etpu::testing {
namespace {

namespace fs = std::filesystem;
using ir::BuiltinOperator;
using ir::TensorType;

void WriteBytes(const fs::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A small fully-quantized model: in -> CONV 3x3 -> RELU -> out.
tflite::ModelBuilder SmallConv(int conv_version = 1) {
  tflite::ModelBuilder b;
  int in = b.AddTensor("input", TensorType::UINT8, {1, 8, 8, 4}, tflite::Quant(0.5f, 128));
  std::vector<uint8_t> w(8 * 3 * 3 * 4, 130);
  int wt = b.AddTensor("weights", TensorType::UINT8, {8, 3, 3, 4}, tflite::Quant(0.01f, 128), w);
  std::vector<int32_t> bias(8, 10);
  int bt = b.AddConstant<int32_t>("bias", TensorType::INT32, {8}, bias, tflite::Quant(0.005f, 0));
  int mid = b.AddTensor("conv", TensorType::UINT8, {1, 8, 8, 8}, tflite::Quant(0.25f, 0));
  int out = b.AddTensor("output", TensorType::UINT8, {1, 8, 8, 8}, tflite::Quant(0.25f, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, wt, bt}, {mid}, tflite::ConvOptions(1, 1, ir::Padding::SAME),
                conv_version);
  b.AddOperator(BuiltinOperator::RELU, {mid}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b;
}

struct ErrorCase {
  std::string name;
  std::vector<uint8_t> bytes;
  std::vector<std::string> expected_lines;
};

void ExpectFailure(const std::string& dir, const std::string& file, const std::vector<std::string>& expected) {
  std::set<std::string> before = testutil::ListFileNames(dir);
  CliRun run = RunCompiler({file}, dir);
  EXPECT_NE(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.rfind("Edge TPU Compiler version 16.0.0-etpu.", 0), 0u) << run.out;
  for (const auto& line : expected) EXPECT_NE(run.out.find(line), std::string::npos) << "missing '" << line << "' in:\n" << run.out;
  EXPECT_EQ(testutil::ListFileNames(dir), before) << "a file was written despite the error";
}

TEST(CompilerErrorsTest, BadFilesGiveClearErrorsAndNoOutput) {
  std::string dir = testutil::MakeTempDir("errors");
  auto good = SmallConv().Serialize();
  std::vector<ErrorCase> cases;
  cases.push_back({"empty.tflite", {}, {"the file is empty", "Invalid model: empty.tflite", "Model could not be parsed"}});
  cases.push_back({"truncated.tflite", std::vector<uint8_t>(good.begin(), good.begin() + 40),
                   {"corrupt or truncated", "Invalid model: truncated.tflite"}});
  std::vector<uint8_t> noise(4096);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<uint8_t>((i * 7919 + 13) % 251);
  cases.push_back({"noise.tflite", noise, {"not a TFLite model", "Invalid model: noise.tflite"}});
  auto wrong_id = good;
  wrong_id[4] = 'Q';
  cases.push_back({"wrong_id.tflite", wrong_id, {"file identifier 'QFL3', expected 'TFL3'"}});
  auto bad_offset = good;
  bad_offset[0] = 0xf0;
  bad_offset[1] = 0xff;
  bad_offset[2] = 0xff;
  bad_offset[3] = 0x0f;
  cases.push_back({"bad_offset.tflite", bad_offset, {"corrupt or truncated", "Invalid model: bad_offset.tflite"}});
  {
    auto b = SmallConv();
    b.SetTensorShape(0, {1, 65536, 65536, 64});
    cases.push_back({"huge.tflite", b.Serialize(), {"elements", "Invalid model: huge.tflite"}});
  }
  {
    auto b = SmallConv();
    b.SetOperatorInputs(1, {4});  // RELU reads its own output
    cases.push_back({"cyclic.tflite", b.Serialize(), {"cyclic", "Invalid model: cyclic.tflite"}});
  }
  {
    auto b = SmallConv();
    b.SetInputs({});
    cases.push_back({"dangling.tflite", b.Serialize(), {"dangling", "Invalid model: dangling.tflite"}});
  }
  {
    auto b = SmallConv();
    b.SetRawBuiltinCode(0, 300);
    cases.push_back({"unknown_op.tflite", b.Serialize(), {"300", "Invalid model: unknown_op.tflite"}});
  }
  cases.push_back({"conv_v6.tflite", SmallConv(6).Serialize(),
                   {"ERROR: Didn't find op for builtin opcode 'CONV_2D' version '6'", "Invalid model: conv_v6.tflite",
                    "Model could not be parsed"}});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    WriteBytes(fs::path(dir) / c.name, c.bytes);
    ExpectFailure(dir, c.name, c.expected_lines);
  }
}

TEST(CompilerErrorsTest, MissingFileAndDirectory) {
  std::string dir = testutil::MakeTempDir("missing");
  ExpectFailure(dir, "nope.tflite", {"nope.tflite", "Invalid model: nope.tflite"});
  fs::create_directory(fs::path(dir) / "adir.tflite");
  ExpectFailure(dir, "adir.tflite", {"is a directory"});
}

TEST(CompilerErrorsTest, FloatModelIsNotQuantized) {
  std::string dir = testutil::MakeTempDir("float");
  tflite::ModelBuilder b;
  int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
  int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  int z = b.AddTensor("z", TensorType::FLOAT32, {1, 4});
  b.AddOperator(BuiltinOperator::ADD, {x, y}, {z}, tflite::AddOpts());
  b.SetInputs({x, y});
  b.SetOutputs({z});
  WriteBytes(fs::path(dir) / "float.tflite", b.Serialize());
  ExpectFailure(dir, "float.tflite", {"Invalid model: float.tflite\nModel not quantized\n"});
}

TEST(CompilerErrorsTest, AlreadyCompiledModel) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  std::string dir = testutil::MakeTempDir("compiled");
  fs::copy_file(model, fs::path(dir) / "m_edgetpu.tflite");
  ExpectFailure(dir, "m_edgetpu.tflite", {"Invalid model: m_edgetpu.tflite\nModel already compiled for Edge TPU\n"});
}

TEST(CompilerErrorsTest, UnwritableOutputDirectory) {
  std::string dir = testutil::MakeTempDir("outdir");
  WriteBytes(fs::path(dir) / "small.tflite", SmallConv().Serialize());
  CliRun run = RunCompiler({"small.tflite", "-o", "no/such/dir"}, dir);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.out.find("Error opening file for writing: no/such/dir/small_edgetpu.tflite"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Compilation failed! "), std::string::npos);
}

TEST(CompilerErrorsTest, BadFlags) {
  std::string dir = testutil::MakeTempDir("flags");
  EXPECT_NE(RunCompiler({}, dir).exit_code, 0);
  EXPECT_NE(RunCompiler({"-m", "abc", "x.tflite"}, dir).exit_code, 0);
  EXPECT_NE(RunCompiler({"--no_such_flag", "x.tflite"}, dir).exit_code, 0);
  CliRun k = RunCompiler({"-k", "0", "x.tflite"}, dir);
  EXPECT_NE(k.exit_code, 0);
  EXPECT_NE(k.out.find("--delegate_search_step"), std::string::npos) << k.out;
}

}  // namespace
}  // namespace etpu::testing
