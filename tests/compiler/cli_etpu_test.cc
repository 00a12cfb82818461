// The etpu multi-tool as a user meets it: exit codes (0 / 1 / 2, as edgetpu_compiler), --version
// everywhere, option names and their errors, inspect, run, zoo and demo. Runs the built binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/cli_tool.h"
#include "testutil/shared.h"

namespace etpu::testing {
namespace {

namespace fs = std::filesystem;

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::vector<std::string> kCommands = {"demo", "zoo", "inspect", "run", "bench"};

// Compiles a shared source model with etpu's compiler into `dir`; returns the compiled path.
std::string CompileShared(const std::string& source, const std::string& dir) {
  ToolRun c = RunTool(ETPU_COMPILER_BIN, {"-o", dir, source});
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  std::string stem = fs::path(source).stem().string();
  return dir + "/" + stem + "_edgetpu.tflite";
}

TEST(EtpuExitCodes, UnknownOptionIsAUsageErrorInEveryCommand) {
  for (const auto& cmd : kCommands) {
    ToolRun r = RunEtpu({cmd, "x", "--no_such_option"});
    EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.err;
    EXPECT_TRUE(Has(r.err, "--no_such_option")) << cmd << ": " << r.err;
    EXPECT_TRUE(Has(r.err, "etpu " + cmd + ": ")) << r.err;  // Says which command complains.
    EXPECT_TRUE(Has(r.err, "etpu " + cmd + " --help")) << r.err;
  }
}

TEST(EtpuExitCodes, BadOptionValuesAreUsageErrors) {
  EXPECT_EQ(RunEtpu({"run", "model.tflite", "--top_k", "0"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"run", "model.tflite", "--runtime_version", "-5"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"run", "model.tflite", "--runtime_version", "15"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"run", "model.tflite", "--clock", "fast"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"inspect", "model.tflite", "--runtime_version", "0"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"bench", "x", "--clock", "fast"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"run"}).exit_code, 2);      // MODEL missing.
  EXPECT_EQ(RunEtpu({"inspect"}).exit_code, 2);  // FILE missing.
  EXPECT_EQ(RunEtpu({"bench"}).exit_code, 2);    // MODEL missing.
  EXPECT_EQ(RunEtpu({"zoo"}).exit_code, 2);      // NAME missing.
}

TEST(EtpuExitCodes, TopLevel) {
  EXPECT_EQ(RunEtpu({}).exit_code, 2);
  ToolRun unknown = RunEtpu({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(Has(unknown.err, "unknown command 'frobnicate'"));
  EXPECT_EQ(RunEtpu({"--help"}).exit_code, 0);
  for (const auto& cmd : kCommands) EXPECT_EQ(RunEtpu({cmd, "--help"}).exit_code, 0) << cmd;
}

TEST(EtpuExitCodes, FailuresExitOne) {
  const std::string dir = testutil::MakeTempDir("etpu-fail");
  EXPECT_EQ(RunEtpu({"inspect", dir + "/missing.tflite"}).exit_code, 1);
  EXPECT_EQ(RunEtpu({"run", dir + "/missing.tflite"}).exit_code, 1);
  EXPECT_EQ(RunEtpu({"bench", dir + "/missing.tflite"}).exit_code, 1);
  EXPECT_EQ(RunEtpu({"zoo", "no_such_model", "-o", dir}).exit_code, 1);
}

TEST(EtpuVersion, EveryCommandAndTheToolPrintTheSameVersion) {
  ToolRun top = RunEtpu({"--version"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  EXPECT_TRUE(Has(top.out, "etpu ")) << top.out;
  EXPECT_TRUE(Has(top.out, "etpu-virtual")) << top.out;
  for (const auto& cmd : kCommands) {
    ToolRun r = RunEtpu({cmd, "--version"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_EQ(r.out, top.out) << cmd;
  }
  ToolRun compiler = RunTool(ETPU_COMPILER_BIN, {"--version"});
  EXPECT_EQ(compiler.exit_code, 0);
}

TEST(EtpuOptions, ZooNamesErrorListsTheModelsNotACppName) {
  const std::string dir = testutil::MakeTempDir("etpu-zoo");
  ToolRun list = RunEtpu({"zoo", "--list"});
  ASSERT_EQ(list.exit_code, 0);
  for (const auto& args : std::vector<std::vector<std::string>>{{"zoo", "no_such_model", "-o", dir},
                                                                {"demo", "no_such_model"}}) {
    ToolRun r = RunEtpu(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_FALSE(Has(r.err, "ZooNames")) << r.err;
    EXPECT_TRUE(Has(r.err, "'no_such_model'")) << r.err;
    EXPECT_TRUE(Has(r.err, "etpu zoo --list")) << r.err;
    // Every name `zoo --list` shows is named in the error.
    std::istringstream lines(list.out);
    std::string line;
    std::getline(lines, line);  // Header.
    while (std::getline(lines, line)) {
      const std::string name = line.substr(0, line.find(' '));
      EXPECT_TRUE(Has(r.err, name)) << name;
    }
  }
}

TEST(EtpuOptions, BenchRoundsNeedSwitch) {
  ToolRun r = RunEtpu({"bench", "mobilenet_v1_0.25_128", "--rounds", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.err, "--rounds needs --switch")) << r.err;
  ToolRun seed = RunEtpu({"bench", "--seed", "--host", "usb2"});
  EXPECT_EQ(seed.exit_code, 2) << seed.err;
}

// A figure that leaves out work it cannot estimate says so in the headline (">=" and what is
// left out); a figure that leaves nothing out does not. The CPU part is measured and timed
// (PoseNet's decoder), unless --cpu_repeats 0 leaves it out.
TEST(EtpuBench, LowerBoundsSayWhatTheyLeaveOut) {
  ETPU_SHARED_FILE_OR_SKIP(google, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder_edgetpu.tflite");
  ToolRun partial = RunEtpu({"bench", google});
  ASSERT_EQ(partial.exit_code, 0) << partial.err;
  EXPECT_TRUE(Has(partial.out, "later inferences             >=")) << partial.out;
  EXPECT_TRUE(Has(partial.out, "leaves out Edge TPU compute of edgetpu-custom-op #0")) << partial.out;
  EXPECT_FALSE(Has(partial.out, "on the host CPU")) << partial.out;
  EXPECT_TRUE(Has(partial.out, "CPU part: 1 operator(s)")) << partial.out;
  EXPECT_TRUE(Has(partial.out, "measured on this machine")) << partial.out;
  ToolRun unmeasured = RunEtpu({"bench", google, "--cpu_repeats", "0"});
  ASSERT_EQ(unmeasured.exit_code, 0) << unmeasured.err;
  EXPECT_TRUE(Has(unmeasured.out, "leaves out 1 operator(s) on the host CPU")) << unmeasured.out;
  ToolRun complete = RunEtpu({"bench", "mobilenet_v1_0.25_128"});
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_TRUE(Has(complete.out, "later inferences")) << complete.out;
  EXPECT_FALSE(Has(complete.out, ">=")) << complete.out;
  EXPECT_FALSE(Has(complete.out, "leaves out")) << complete.out;
}

TEST(EtpuBench, WorkDirKeepsTheGeneratedAndTheCompiledModels) {
  const std::string dir = testutil::MakeTempDir("etpu-bench-work") + "/kept";
  ToolRun r = RunEtpu({"bench", "mobilenet_v1_0.25_128", "--work_dir", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"mobilenet_v1_0.25_128.tflite", "mobilenet_v1_0.25_128_edgetpu.tflite",
                        "mobilenet_v1_0.25_128_edgetpu.log"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + f)) << f << " missing; stderr: " << r.err;
  }
}

TEST(EtpuOptions, DevicesIsNowTwoUnambiguousNames) {
  const std::string dir = testutil::MakeTempDir("etpu-devices");
  const std::string catalog = dir + "/missing_catalog.json";
  ToolRun old_bench = RunEtpu({"bench", "--seed", "--devices", catalog});
  EXPECT_EQ(old_bench.exit_code, 1);
  EXPECT_TRUE(Has(old_bench.err, "--devices is deprecated")) << old_bench.err;
  EXPECT_TRUE(Has(old_bench.err, "--device_catalog")) << old_bench.err;
  EXPECT_TRUE(Has(old_bench.err, "missing_catalog.json")) << old_bench.err;
  ToolRun new_bench = RunEtpu({"bench", "--seed", "--device_catalog", catalog});
  EXPECT_EQ(new_bench.exit_code, 1);
  EXPECT_FALSE(Has(new_bench.err, "deprecated")) << new_bench.err;
  EXPECT_TRUE(Has(new_bench.err, "missing_catalog.json")) << new_bench.err;

  ToolRun old_run = RunEtpu({"run", dir + "/missing.tflite", "--devices", "2"});
  EXPECT_TRUE(Has(old_run.err, "--devices is deprecated; use --num_devices 2")) << old_run.err;
  EXPECT_EQ(RunEtpu({"run", dir + "/missing.tflite", "--num_devices", "0"}).exit_code, 2);
}

TEST(EtpuInspect, MissingFileIsOnlyTheError) {
  const std::string dir = testutil::MakeTempDir("etpu-inspect");
  ToolRun r = RunEtpu({"inspect", dir + "/missing.tflite"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(Has(r.err, "missing.tflite")) << r.err;
}

TEST(EtpuInspect, FailedRuntimeCheckExitsOne) {
  ETPU_SHARED_FILE_OR_SKIP(compiled, "testdata/small/color_red_64x64_edgetpu.tflite");
  ToolRun ok = RunEtpu({"inspect", compiled});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  ASSERT_TRUE(Has(ok.out, "Min runtime version: 14")) << ok.out;
  ToolRun old = RunEtpu({"inspect", compiled, "--runtime_version", "12"});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_TRUE(Has(old.out, "Runtime check:")) << old.out;  // The report is still shown.
  EXPECT_TRUE(Has(old.err, "runtime 12")) << old.err;
}

TEST(EtpuRun, NoInputSaysTheZeroPointIsUsed) {
  ETPU_SHARED_FILE_OR_SKIP(source, "testdata/small/color_red_64x64.tflite");
  ToolRun r = RunEtpu({"run", source});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "no --image or --input for input 0")) << r.err;
  EXPECT_TRUE(Has(r.err, "zero point")) << r.err;
  EXPECT_TRUE(Has(r.out, "No edgetpu-custom-op: the whole model runs on the CPU")) << r.out;
}

TEST(EtpuRun, RepeatPrintsMinMedianMax) {
  ETPU_SHARED_FILE_OR_SKIP(source, "testdata/small/color_red_64x64.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-repeat");
  const std::string compiled = CompileShared(source, dir);
  ToolRun r = RunEtpu({"run", compiled, "--repeat", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "Invocation 3:")) << r.out;
  EXPECT_TRUE(Has(r.out, "over 3 invocations: min ")) << r.out;
  EXPECT_TRUE(Has(r.out, "median ")) << r.out;
  ToolRun once = RunEtpu({"run", compiled});
  EXPECT_FALSE(Has(once.out, "median")) << once.out;
}

TEST(EtpuRun, CoralLabelFilesGiveTheirLabels) {
  ETPU_SHARED_FILE_OR_SKIP(source, "testdata/small/color_red_64x64.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-labels");
  // The model has two classes. Coral's form ("ID  LABEL") with the ids swapped against the line
  // order, and the plain form (one label per line).
  {
    std::string coral = "1  not red\n0  red thing\n";
    WriteBytes(dir + "/coral.txt", std::vector<unsigned char>(coral.begin(), coral.end()));
    std::string plain = "red thing\nnot red\n";
    WriteBytes(dir + "/plain.txt", std::vector<unsigned char>(plain.begin(), plain.end()));
  }
  ToolRun coral = RunEtpu({"run", source, "--labels", dir + "/coral.txt"});
  ToolRun plain = RunEtpu({"run", source, "--labels", dir + "/plain.txt"});
  ASSERT_EQ(coral.exit_code, 0) << coral.err;
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(coral.out.substr(coral.out.find("Output 0")), plain.out.substr(plain.out.find("Output 0")));
  EXPECT_TRUE(Has(coral.out, "  red thing\n")) << coral.out;
  EXPECT_TRUE(Has(coral.out, "  not red\n")) << coral.out;
  EXPECT_FALSE(Has(coral.out, "1  not red")) << coral.out;
}

TEST(EtpuRun, ThreadsGiveTheSameOutputBytes) {
  ETPU_SHARED_FILE_OR_SKIP(model, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(image, "testdata/images/cat.bmp");
  const std::string dir = testutil::MakeTempDir("etpu-threads");
  std::vector<std::string> outputs;
  for (const char* threads : {"1", "2", "3"}) {
    const std::string out = dir + "/t" + threads;
    ToolRun r = RunEtpu({"run", model, "--image", image, "--threads", threads, "--dump", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    outputs.push_back(ReadText(out + "/out0.bin"));
    ASSERT_EQ(outputs.back().size(), 1001u);
  }
  EXPECT_EQ(outputs[1], outputs[0]);
  EXPECT_EQ(outputs[2], outputs[0]);
  EXPECT_EQ(RunEtpu({"run", model, "--threads", "0"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"run", model, "--threads", "257"}).exit_code, 2);
}

TEST(EtpuDemo, LeavesNothingBehindAndKeepsFilesOnlyWhenAsked) {
  const std::string tmp = testutil::MakeTempDir("etpu-demo-tmp");
  ToolRun r = RunEtpu({"demo"}, ".", {"TMPDIR=" + tmp});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_empty(tmp)) << fs::directory_iterator(tmp)->path();
  // The main job ends with the plan for the seed's scenario on one and on two Edge TPUs.
  EXPECT_TRUE(Has(r.out, "etpu plan: 4 model(s) on 1 Edge TPU(s)")) << r.out;
  EXPECT_TRUE(Has(r.out, "etpu plan: 4 model(s) on 2 Edge TPU(s)")) << r.out;
  EXPECT_TRUE(Has(r.out, "one-per-tpu")) << r.out;
  const std::string keep = testutil::MakeTempDir("etpu-demo-keep") + "/kept";
  ToolRun k = RunEtpu({"demo", "--keep_dir", keep}, ".", {"TMPDIR=" + tmp});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_TRUE(fs::exists(keep + "/mobilenet_v1_0.25_128.tflite"));
  EXPECT_TRUE(fs::exists(keep + "/mobilenet_v1_0.25_128_edgetpu.tflite"));
  EXPECT_TRUE(Has(k.out, "kept in " + keep)) << k.out;
  EXPECT_TRUE(fs::is_empty(tmp));
}

}  // namespace
}  // namespace etpu::testing
