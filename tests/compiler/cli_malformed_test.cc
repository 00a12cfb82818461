// The malformed-model corpus (malformed_models.h) through every tool that reads a model:
// edgetpu_compiler, etpu inspect, etpu run and etpu report. For every case and tool: the exit code
// is 0, 1 or 2 (never a crash), a refusal says why on stderr (or the compiler's stdout) and names
// the file, and a refusal writes no file. Cases built to be invalid must be refused by the tools
// that read what was broken; blind byte mutations may leave a valid file and only have to be
// survived. Each test prints how many cases each tool refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "compiler/cli_tool.h"
#include "compiler/malformed_models.h"
#include "testutil/shared.h"

namespace etpu::testing {
namespace {

namespace fs = std::filesystem;

enum class Tool { kCompiler, kInspect, kRun, kReport };
constexpr Tool kTools[] = {Tool::kCompiler, Tool::kInspect, Tool::kRun, Tool::kReport};

const char* ToolName(Tool t) {
  switch (t) {
    case Tool::kCompiler: return "edgetpu_compiler";
    case Tool::kInspect: return "etpu inspect";
    case Tool::kRun: return "etpu run";
    case Tool::kReport: return "etpu report";
  }
  return "?";
}

ToolRun Run(Tool t, const std::string& file, const std::string& dir) {
  switch (t) {
    case Tool::kCompiler: return RunTool(ETPU_COMPILER_BIN, {file}, dir);
    case Tool::kInspect: return RunEtpu({"inspect", file}, dir);
    case Tool::kRun: return RunEtpu({"run", file}, dir);
    case Tool::kReport: return RunEtpu({"report", file, "-o", "report.html"}, dir);
  }
  return {};
}

// The tools that read what a case broke, and so must refuse it.
std::set<Tool> MustRefuse(const MalformedCase& c) {
  switch (c.breaks) {
    case Breaks::kUnknown:
      return {};
    case Breaks::kStructure:
      return {kTools, kTools + 4};
    case Breaks::kOperator:  // inspect lists operators without checking what they compute on
      return {Tool::kCompiler, Tool::kRun, Tool::kReport};
    case Breaks::kEdgeTpuCustomOptions:  // the compiler never maps a custom operator
      return {Tool::kInspect, Tool::kRun, Tool::kReport};
    case Breaks::kCpuCustomOptions:  // only the runtime reads a CPU custom operator's options
      return {Tool::kRun};
  }
  return {};
}

// Runs every tool on every case; returns the number of refusals per tool.
std::map<Tool, int> Check(const std::vector<MalformedCase>& cases) {
  std::map<Tool, int> refused;
  const std::string root = testutil::MakeTempDir("malformed");
  for (const MalformedCase& c : cases) {
    const std::string dir = root + "/" + c.name;
    fs::create_directories(dir);
    const std::string file = c.name + ".tflite";
    WriteBytes(dir + "/" + file, c.bytes);
    const std::set<Tool> must = MustRefuse(c);
    for (Tool t : kTools) {
      SCOPED_TRACE(c.name + " (" + c.kind + ") through " + ToolName(t));
      const std::set<std::string> before = testutil::ListFileNames(dir);
      const ToolRun r = Run(t, file, dir);
      if (r.exit_code != 0 && r.exit_code != 1 && r.exit_code != 2) {
        ADD_FAILURE() << "exit code " << r.exit_code << " (a crash?)\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
        continue;
      }
      if (r.exit_code == 0) {
        EXPECT_FALSE(must.count(t)) << "accepted a file built to be invalid:\n" << r.out << r.err;
        for (const std::string& name : testutil::ListFileNames(dir)) {  // keep the next tool's view clean
          if (!before.count(name)) fs::remove_all(dir + "/" + name);
        }
        continue;
      }
      ++refused[t];
      const std::string said = r.err + r.out;
      EXPECT_NE(said.find(c.name), std::string::npos) << "the refusal does not name the file:\n" << said;
      if (!c.expect.empty() && t != Tool::kCompiler) {  // the compiler refuses every compiled model alike
        EXPECT_NE(said.find(c.expect), std::string::npos) << "the refusal does not say '" << c.expect << "':\n" << said;
      }
      EXPECT_EQ(testutil::ListFileNames(dir), before) << "a file was written although the tool refused the input";
    }
  }
  fs::remove_all(root);
  return refused;
}

void Print(const std::string& what, size_t cases, const std::map<Tool, int>& refused) {
  std::string line = "[ malformed ] " + what + ": " + std::to_string(cases) + " cases; refused by";
  for (Tool t : kTools) {
    const auto it = refused.find(t);
    line += std::string(" ") + ToolName(t) + " " + std::to_string(it == refused.end() ? 0 : it->second) + ",";
  }
  line.pop_back();
  std::printf("%s\n", line.c_str());
}

// The seed compiled by edgetpu_compiler, for the compiled-model and package cases.
std::vector<uint8_t> CompiledSeed() {
  const std::string dir = testutil::MakeTempDir("malformed-seed");
  WriteBytes(dir + "/seed.tflite", SeedModel());
  const ToolRun r = RunTool(ETPU_COMPILER_BIN, {"seed.tflite"}, dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string text = ReadText(dir + "/seed_edgetpu.tflite");
  fs::remove_all(dir);
  return {text.begin(), text.end()};
}

constexpr size_t kByteCasesPerKind = 12;

TEST(MalformedModels, BuiltToBeInvalidAreRefusedByEveryToolThatReadsThem) {
  const std::vector<MalformedCase> cases = SemanticCases();
  ASSERT_GE(cases.size(), 20u);
  const std::map<Tool, int> refused = Check(cases);
  Print("built invalid (sizes, types, cycles, dangling indices, custom options)", cases.size(), refused);
}

TEST(MalformedModels, SourceModelBytesMutatedAreSurvived) {
  const std::vector<uint8_t> seed = SeedModel();
  const std::vector<MalformedCase> cases = ByteCases(seed, 0, seed.size(), "source", kByteCasesPerKind);
  ASSERT_GE(cases.size(), 2 * kByteCasesPerKind - 2);
  const std::map<Tool, int> refused = Check(cases);
  Print("source model truncated / offsets out of range", cases.size(), refused);
  // Every truncation cuts away a part the root table refers to.
  int truncations = 0;
  for (const auto& c : cases) truncations += c.kind == "truncation";
  EXPECT_GE(refused.at(Tool::kCompiler), truncations);
}

TEST(MalformedModels, CompiledModelAndPackageBytesMutatedAreSurvived) {
  const std::vector<uint8_t> compiled = CompiledSeed();
  ASSERT_FALSE(compiled.empty());
  std::vector<MalformedCase> cases = ByteCases(compiled, 0, compiled.size(), "compiled", kByteCasesPerKind);
  const auto [begin, end] = FindPackage(compiled);
  ASSERT_LT(begin, end) << "no DWN1 package in the compiled seed";
  const std::vector<MalformedCase> package = ByteCases(compiled, begin, end, "package", kByteCasesPerKind);
  ASSERT_GE(package.size(), kByteCasesPerKind);
  cases.insert(cases.end(), package.begin(), package.end());
  const std::map<Tool, int> refused = Check(cases);
  Print("compiled model and its DWN1 package truncated / offsets out of range", cases.size(), refused);
}

// Packages whose layer records disagree with their region model (params/record_check.h): every
// tool that reads packages refuses each, saying what disagrees; the same package written again
// unchanged (the control) is accepted, so the refusals come from the changes.
TEST(MalformedModels, PackagesWhoseRecordsDisagreeWithTheRegionAreRefused) {
  const std::vector<MalformedCase> cases = RecordCases(CompiledSeed());
  ASSERT_GE(cases.size(), 10u);
  ASSERT_EQ(cases.front().name, "records_unchanged");
  const std::map<Tool, int> refused = Check(cases);
  Print("packages whose layer records disagree with the region model (+1 control)", cases.size(), refused);
  for (Tool t : {Tool::kInspect, Tool::kRun, Tool::kReport}) {
    EXPECT_EQ(refused.count(t) ? refused.at(t) : 0, static_cast<int>(cases.size()) - 1) << ToolName(t);
  }
}

}  // namespace
}  // namespace etpu::testing
