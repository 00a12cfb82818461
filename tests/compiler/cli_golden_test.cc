// Golden tests of the compiler's console and .log. The goldens (tests/golden) were written by hand
// from the real compiler's grammar (compiler-behaviour.md §3.2, §4) and the real compiled files'
// facts (groundtruth.json: on-chip/off-chip bytes, operator counts); only values that are ours by
// design (output size, the remaining capacity, the time) are placeholders.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "compiler/run_cli.h"
#include "testutil/shared.h"

namespace etpu::testing {
namespace {

namespace fs = std::filesystem;

// Formats a size as the real compiler does, independently of the code under test.
std::string Size(uintmax_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 3) {
    v /= 1024.0;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f%s", v, units[u]);
  return buf;
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CompilerGoldenTest, FullyMappedModel) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  std::string dir = testutil::MakeTempDir("golden_full");
  CliRun run = RunCompiler({model}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  fs::path out = fs::path(dir) / "mobilenet_v1_0.25_128_quant_edgetpu.tflite";
  ASSERT_TRUE(fs::exists(out));
  std::string diff = MatchGolden(ReadGolden("fully_mapped.txt"), run.out,
                                 {{"MODEL", model}, {"INPUT_SIZE", Size(fs::file_size(model))},
                                  {"OUTPUT_SIZE", Size(fs::file_size(out))}});
  EXPECT_EQ(diff, "") << run.out;
  std::string log = ReadText(fs::path(dir) / "mobilenet_v1_0.25_128_quant_edgetpu.log");
  EXPECT_EQ(MatchGolden(ReadGolden("fully_mapped.log"), log, {{"MODEL", model}}), "") << log;
}

TEST(CompilerGoldenTest, ShowOperationsAndOutDir) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  std::string dir = testutil::MakeTempDir("golden_s_o");
  fs::create_directory(fs::path(dir) / "out");
  CliRun run = RunCompiler({"-s", model, "-o", "out/"}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  fs::path out = fs::path(dir) / "out" / "mobilenet_v1_0.25_128_quant_edgetpu.tflite";
  ASSERT_TRUE(fs::exists(out));
  EXPECT_TRUE(fs::exists(fs::path(dir) / "out" / "mobilenet_v1_0.25_128_quant_edgetpu.log"));
  std::string diff = MatchGolden(ReadGolden("show_operations_out_dir.txt"), run.out,
                                 {{"MODEL", model}, {"INPUT_SIZE", Size(fs::file_size(model))},
                                  {"OUTPUT_SIZE", Size(fs::file_size(out))}});
  EXPECT_EQ(diff, "") << run.out;
}

TEST(CompilerGoldenTest, PartlyMappedModelWithShowOperations) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/models/deeplabv3_mnv2_dm05_pascal_quant.tflite");
  std::string dir = testutil::MakeTempDir("golden_partial");
  CliRun run = RunCompiler({"-m", "12", "-s", model}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  fs::path out = fs::path(dir) / "deeplabv3_mnv2_dm05_pascal_quant_edgetpu.tflite";
  ASSERT_TRUE(fs::exists(out));
  std::string diff = MatchGolden(ReadGolden("partly_mapped_deeplab.txt"), run.out,
                                 {{"MODEL", model}, {"OUTPUT_SIZE", Size(fs::file_size(out))}});
  EXPECT_EQ(diff, "") << run.out;
}

TEST(CompilerGoldenTest, CoCompilation) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  std::string dir = testutil::MakeTempDir("golden_co");
  CliRun run = RunCompiler({a, b}, dir);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  fs::path out_a = fs::path(dir) / "mobilenet_v1_0.25_128_quant_edgetpu.tflite";
  fs::path out_b = fs::path(dir) / "mobilenet_v1_0.5_160_quant_edgetpu.tflite";
  ASSERT_TRUE(fs::exists(out_a) && fs::exists(out_b));
  // The remaining capacity is shared: the same value in both blocks.
  std::smatch m;
  std::regex re("On-chip memory remaining for caching model parameters: (\\S+)");
  ASSERT_TRUE(std::regex_search(run.out, m, re));
  std::string remaining = m[1];
  std::string diff = MatchGolden(ReadGolden("cocompile.txt"), run.out,
                                 {{"MODEL_A", a}, {"MODEL_B", b}, {"INPUT_SIZE_A", Size(fs::file_size(a))},
                                  {"INPUT_SIZE_B", Size(fs::file_size(b))}, {"OUTPUT_SIZE_A", Size(fs::file_size(out_a))},
                                  {"OUTPUT_SIZE_B", Size(fs::file_size(out_b))}, {"REMAINING", remaining}});
  EXPECT_EQ(diff, "") << run.out;
}

TEST(CompilerGoldenTest, SameInputsGiveSameBytes) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  std::string d1 = testutil::MakeTempDir("det1");
  std::string d2 = testutil::MakeTempDir("det2");
  ASSERT_EQ(RunCompiler({model}, d1).exit_code, 0);
  ASSERT_EQ(RunCompiler({model}, d2).exit_code, 0);
  std::string name = "mobilenet_v1_0.25_128_quant_edgetpu.tflite";
  EXPECT_EQ(ReadText(fs::path(d1) / name), ReadText(fs::path(d2) / name));
}

TEST(CompilerGoldenTest, HelpAndVersion) {
  std::string dir = testutil::MakeTempDir("help");
  CliRun v = RunCompiler({"--version"}, dir);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("Edge TPU Compiler version 16.0.0-etpu.", 0), 0u) << v.out;
  CliRun h = RunCompiler({"-h"}, dir);
  EXPECT_EQ(h.exit_code, 0);
  for (const char* flag : {"-a, --enable_multiple_subgraphs", "-d, --search_delegate", "-i, --intermediate_tensors",
                           "-k, --delegate_search_step", "-m, --min_runtime_version", "-n, --num_segments",
                           "-o, --out_dir", "-s, --show_operations", "-t, --timeout_sec", "-v, --version"}) {
    EXPECT_NE(h.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace etpu::testing
