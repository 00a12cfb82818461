// `etpu report` as a user runs it: the embedded JSON equals `etpu inspect --json` of the files
// edgetpu_compiler writes and its console's memory lines, for every shared source model and a
// co-compiled set; -o writes the page atomically; usage errors and bad inputs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "compiler/cli_tool.h"
#include "testutil/shared.h"
#include "testutil/text.h"

namespace etpu::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string Stem(const std::string& path) { return fs::path(path).stem().string(); }

/// Compiles `models` with edgetpu_compiler and compares with `etpu report` of the same models.
void ExpectReportMatchesCompilerFiles(const std::vector<std::string>& models) {
  const std::string dir = testutil::MakeTempDir("etpu-report-cli");
  std::vector<std::string> args = {"-o", dir};
  args.insert(args.end(), models.begin(), models.end());
  ToolRun compiled = RunTool(ETPU_COMPILER_BIN, args);
  std::vector<std::string> report_args = {"report", "--format", "json"};
  report_args.insert(report_args.end(), models.begin(), models.end());
  ToolRun report = RunEtpu(report_args);
  if (compiled.exit_code != 0) {  // The report refuses what the compiler refuses.
    EXPECT_EQ(report.exit_code, 1) << report.err;
    return;
  }
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json doc = json::parse(report.out);
  std::vector<std::string> report_lines;
  for (size_t i = 0; i < models.size(); ++i) {
    const std::string out = dir + "/" + Stem(models[i]) + "_edgetpu.tflite";
    ToolRun inspect = RunEtpu({"inspect", "--json", out});
    ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
    json file = json::parse(inspect.out)["files"][0];
    json embedded = doc["models"][i]["inspect"];
    file.erase("path");
    embedded.erase("path");
    EXPECT_EQ(embedded, file) << models[i];
    for (const json& l : doc["models"][i]["summary_lines"]) report_lines.push_back(l.get<std::string>());
  }
  EXPECT_EQ(report_lines, testutil::LinesStartingWith(compiled.out, {"On-chip memory", "Off-chip memory"}));
  for (const json& c : doc["checks"]) EXPECT_TRUE(c["ok"].get<bool>()) << c.dump();
}

TEST(EtpuReport, EmbeddedJsonEqualsInspectAndTheCompilersSummaryForEverySharedModel) {
  const std::string dir = testutil::SharedPath("testdata/models");
  if (!fs::is_directory(dir)) GTEST_SKIP() << "../shared is absent";
  std::vector<std::string> sources;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string p = e.path().string();
    if (p.ends_with(".tflite") && !p.ends_with("_edgetpu.tflite")) sources.push_back(p);
  }
  std::sort(sources.begin(), sources.end());
  ASSERT_FALSE(sources.empty());
  for (const auto& s : sources) {
    SCOPED_TRACE(s);
    ExpectReportMatchesCompilerFiles({s});
  }
}

TEST(EtpuReport, CoCompiledSetEqualsTheCompilersFiles) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v2_1.0_224_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.75_192_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(c, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite");
  ExpectReportMatchesCompilerFiles({a, b, c});
}

TEST(EtpuReport, GoogleFileEmbedsExactlyWhatInspectPrints) {
  ETPU_SHARED_FILE_OR_SKIP(google, "testdata/models/mobilenet_v2_1.0_224_quant_edgetpu.tflite");
  ToolRun report = RunEtpu({"report", "--format", "json", google});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  ToolRun inspect = RunEtpu({"inspect", "--json", google});
  ASSERT_EQ(inspect.exit_code, 0);
  EXPECT_EQ(json::parse(report.out)["models"][0]["inspect"], json::parse(inspect.out)["files"][0]);
}

TEST(EtpuReport, WritesThePageAtomicallyAndTheSameBytesEveryRun) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-report-out");
  ToolRun r = RunEtpu({"report", a, "-o", dir + "/r.html", "--host", "usb2", "--clock", "std"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"r.html"});  // No temporary left behind.
  const std::string page = ReadText(dir + "/r.html");
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
  EXPECT_NE(page.find("usb2"), std::string::npos);
  ToolRun again = RunEtpu({"report", a, "--host", "usb2", "--clock", "std"});  // No -o: stdout.
  EXPECT_EQ(again.out, page);
  ToolRun text = RunEtpu({"report", a, "--format", "txt", "-o", "-"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_TRUE(text.out.starts_with("etpu report\n")) << text.out.substr(0, 100);
  ToolRun csv = RunEtpu({"report", a, "--format", "csv"});
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_TRUE(csv.out.starts_with("model,op_index,op,runs_on,status,rule_id,param_bytes,placement,sram_offset,compute_ms,stream_ms,bound\n")) << csv.out.substr(0, 100);
  // An output folder that does not exist: exit 1, nothing written.
  ToolRun nowhere = RunEtpu({"report", a, "-o", dir + "/missing/r.html"});
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_FALSE(fs::exists(dir + "/missing"));
}

TEST(EtpuReport, BadInputsAndUsageErrors) {
  const std::string dir = testutil::MakeTempDir("etpu-report-bad");
  ToolRun missing = RunEtpu({"report", dir + "/nope.tflite"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find(dir + "/nope.tflite"), std::string::npos) << missing.err;
  EXPECT_EQ(missing.out, "");
  const std::string text = dir + "/notes.txt";
  WriteBytes(text, {'h', 'i', '\n'});
  ToolRun not_model = RunEtpu({"report", text});
  EXPECT_EQ(not_model.exit_code, 1);
  EXPECT_NE(not_model.err.find(text + ": not a TFLite model"), std::string::npos) << not_model.err;
  EXPECT_EQ(RunEtpu({"report"}).exit_code, 2);
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  EXPECT_EQ(RunEtpu({"report", a, "--format", "pdf"}).exit_code, 2);
  EXPECT_EQ(RunEtpu({"report", a, "--clock", "fast"}).exit_code, 2);
  ToolRun host = RunEtpu({"report", a, "--host", "carrier-pigeon"});
  EXPECT_EQ(host.exit_code, 2);
  EXPECT_NE(host.err.find("carrier-pigeon"), std::string::npos) << host.err;
  ToolRun help = RunEtpu({"report", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--format"), std::string::npos);
  EXPECT_NE(RunEtpu({"--help"}).out.find("report MODEL..."), std::string::npos);
}

}  // namespace
}  // namespace etpu::testing

namespace etpu::testing {
namespace {

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  return static_cast<bool>(f);
}

// Section 8: the plan `etpu plan --json` writes, shown by `etpu report --plan` with the same numbers;
// a file that is not a plan is refused naming the file and the field, before anything is compiled.
TEST(EtpuReport, PlanSectionShowsWhatEtpuPlanWrote) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-report-plan");
  ToolRun plan = RunEtpu({"plan", a + "@30", b + "@20", "--devices", "usb3,pcie", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const std::string plan_file = dir + "/plan.json";
  ASSERT_TRUE(WriteText(plan_file, plan.out));
  ToolRun report = RunEtpu({"report", "--format", "json", "--plan", plan_file, a});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json want = json::parse(plan.out);
  const json got = json::parse(report.out)["plan"];
  EXPECT_EQ(got["file"], plan_file);
  EXPECT_DOUBLE_EQ(got["throughput_headroom"].get<double>(), want["throughput_headroom"].get<double>());
  ASSERT_EQ(got["devices"].size(), want["devices"].size());
  for (size_t d = 0; d < want["devices"].size(); ++d) {
    const json& w = want["devices"][d];
    const json& g = got["devices"][d];
    EXPECT_EQ(g["device_string"], w["device_string"]);
    EXPECT_EQ(g["host"], w["host"]);
    EXPECT_DOUBLE_EQ(g["utilisation"].get<double>(), w["utilisation"].get<double>());
    EXPECT_DOUBLE_EQ(g["streamed_mb_s"].get<double>(), w["streamed_mb_s"].get<double>());
    EXPECT_GT(g["link_mb_s"].get<double>(), 0);
    ASSERT_EQ(g["groups"].size(), w["groups"].size());
    for (size_t k = 0; k < w["groups"].size(); ++k) {
      EXPECT_EQ(g["groups"][k]["models"], w["groups"][k]["models"]);
      EXPECT_EQ(g["groups"][k]["compile_command"], w["groups"][k]["compile_command"]);
    }
  }
  EXPECT_EQ(got["baselines"].size(), want["baselines"].size());
  ToolRun html = RunEtpu({"report", "--plan", plan_file, a});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find("<h2 id=\"plan\">8. Plan</h2>"), std::string::npos);
  for (const json& d : want["devices"]) {
    for (const json& g : d["groups"]) EXPECT_NE(html.out.find(g["compile_command"].get<std::string>()), std::string::npos);
  }
  ToolRun text = RunEtpu({"report", "--format", "txt", "--plan", plan_file, a});
  EXPECT_NE(text.out.find("8. Plan"), std::string::npos);
  ToolRun none = RunEtpu({"report", "--format", "json", a});
  EXPECT_TRUE(json::parse(none.out)["plan"].is_null());

  // Not a plan: each refusal names the file and what was expected.
  json broken = want;
  broken["devices"][0].erase("utilisation");
  const std::string broken_file = dir + "/broken.json";
  ASSERT_TRUE(WriteText(broken_file, broken.dump()));
  ToolRun r1 = RunEtpu({"report", "--plan", broken_file, a});
  EXPECT_EQ(r1.exit_code, 1);
  EXPECT_NE(r1.err.find(broken_file + ": devices[0].utilisation: expected a number"), std::string::npos) << r1.err;
  broken = want;
  broken["devices"][1]["host"] = "carrier-pigeon";
  ASSERT_TRUE(WriteText(broken_file, broken.dump()));
  ToolRun r2 = RunEtpu({"report", "--plan", broken_file, a});
  EXPECT_EQ(r2.exit_code, 1);
  EXPECT_NE(r2.err.find("'carrier-pigeon' is not a host profile"), std::string::npos) << r2.err;
  ASSERT_TRUE(WriteText(broken_file, "{ not json"));
  ToolRun r3 = RunEtpu({"report", "--plan", broken_file, a});
  EXPECT_EQ(r3.exit_code, 1);
  EXPECT_NE(r3.err.find(broken_file + ": not a JSON document"), std::string::npos) << r3.err;
  ToolRun r4 = RunEtpu({"report", "--plan", dir + "/absent.json", a});
  EXPECT_EQ(r4.exit_code, 1);
  EXPECT_NE(r4.err.find("absent.json"), std::string::npos) << r4.err;
}

// Section 8 with a plan that pipelines a model (Inception v3 at 30 Hz streams on one TPU; the plan
// cuts it in two stages on two TPUs): each device's column says which stage of which model runs
// there, with the plan's utilisation and bytes; the pipeline lists its stages' devices, which are
// the devices whose members are those stages. A member naming a stage the plan does not have is
// refused naming the field.
TEST(EtpuReport, PlanSectionShowsPipelineStagesPerDevice) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-report-pipeline");
  ToolRun plan = RunEtpu({"plan", "inception_v3_299@30", "--devices", "usb3,usb3", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const std::string plan_file = dir + "/plan.json";
  ASSERT_TRUE(WriteText(plan_file, plan.out));
  const json want = json::parse(plan.out);
  ASSERT_EQ(want["pipelines"].size(), 1u) << plan.out;
  ToolRun report = RunEtpu({"report", "--format", "json", "--plan", plan_file, a});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json got = json::parse(report.out)["plan"];
  ASSERT_EQ(got["pipelines"].size(), 1u);
  const json& pipeline = got["pipelines"][0];
  EXPECT_EQ(pipeline["model"], want["pipelines"][0]["model"]);
  EXPECT_EQ(pipeline["stages"], want["pipelines"][0]["stages"]);
  EXPECT_EQ(pipeline["starts"], want["pipelines"][0]["starts"]);
  EXPECT_TRUE(got["replicas"].empty());
  EXPECT_EQ(got["shared_usb_hub"], want["shared_usb_hub"]);
  std::vector<json> stage_devices(pipeline["stages"].get<size_t>(), nullptr);
  for (size_t d = 0; d < want["devices"].size(); ++d) {
    for (size_t g = 0; g < want["devices"][d]["groups"].size(); ++g) {
      const json& wm = want["devices"][d]["groups"][g]["members"];
      const json& gm = got["devices"][d]["groups"][g]["members"];
      ASSERT_EQ(gm.size(), wm.size());
      for (size_t k = 0; k < wm.size(); ++k) {
        EXPECT_EQ(gm[k]["name"], wm[k]["name"]);
        EXPECT_EQ(gm[k]["part_of"], wm[k]["pipeline_of"]);
        EXPECT_EQ(gm[k]["part"], wm[k]["part"]);
        EXPECT_DOUBLE_EQ(gm[k]["utilisation"].get<double>(), wm[k]["utilisation"].get<double>());
        EXPECT_EQ(std::to_string(gm[k]["offchip_bytes"].get<uint64_t>()), wm[k]["offchip_bytes"]);
        if (wm[k]["pipeline_of"].is_string()) {
          EXPECT_EQ(gm[k]["part_kind"], "stage");
          stage_devices.at(wm[k]["part"].get<size_t>()) = d;
        }
      }
    }
  }
  EXPECT_EQ(pipeline["devices"], json(stage_devices));
  for (const json& d : pipeline["devices"]) EXPECT_TRUE(d.is_number_integer()) << "every stage runs somewhere";

  ToolRun html = RunEtpu({"report", "--plan", plan_file, a});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  const std::string model = want["pipelines"][0]["model"].get<std::string>();
  for (int k = 1; k <= pipeline["stages"].get<int>(); ++k) {
    EXPECT_NE(html.out.find("<b>stage " + std::to_string(k) + "/" + pipeline["stages"].dump() + "</b> of " + model), std::string::npos) << k;
  }
  EXPECT_NE(html.out.find("pipelined in 2 stages"), std::string::npos);
  ToolRun text = RunEtpu({"report", "--format", "txt", "--plan", plan_file, a});
  EXPECT_NE(text.out.find(model + " pipelined in 2 stages"), std::string::npos) << text.out;

  json broken = want;
  broken["devices"][0]["groups"][0]["members"][0]["part"] = 7;
  const std::string broken_file = dir + "/broken.json";
  ASSERT_TRUE(WriteText(broken_file, broken.dump()));
  ToolRun r1 = RunEtpu({"report", "--plan", broken_file, a});
  EXPECT_EQ(r1.exit_code, 1);
  EXPECT_NE(r1.err.find(broken_file + ": devices[0].groups[0].members[0].part: expected a part below"), std::string::npos) << r1.err;
  broken = want;
  broken["pipelines"][0]["starts"] = json::array({0});
  ASSERT_TRUE(WriteText(broken_file, broken.dump()));
  ToolRun r2 = RunEtpu({"report", "--plan", broken_file, a});
  EXPECT_EQ(r2.exit_code, 1);
  EXPECT_NE(r2.err.find(broken_file + ": pipelines[0].starts: expected one start per stage"), std::string::npos) << r2.err;
  broken = want;
  broken["devices"][1]["groups"][0]["members"][0]["pipeline_of"] = "another_model";
  ASSERT_TRUE(WriteText(broken_file, broken.dump()));
  ToolRun r3 = RunEtpu({"report", "--plan", broken_file, a});
  EXPECT_EQ(r3.exit_code, 1);
  EXPECT_NE(r3.err.find(broken_file + ": devices[1].groups[0].members[0].pipeline_of: expected a model of plan.pipelines"), std::string::npos) << r3.err;
}

}  // namespace
}  // namespace etpu::testing

namespace etpu::testing {
namespace {

// A replicated model (MobileNet v1 1.0 at 400 Hz on two TPUs): each device's column shows its
// replica, and the replicas' devices are listed.
TEST(EtpuReport, PlanSectionShowsReplicasPerDevice) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-report-replicas");
  ToolRun plan = RunEtpu({"plan", "mobilenet_v1_1.0_224@400", "--devices", "usb3,usb3", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const json want = json::parse(plan.out);
  ASSERT_EQ(want["replicas"].size(), 1u) << plan.out;
  ASSERT_TRUE(WriteText(dir + "/plan.json", plan.out));
  ToolRun report = RunEtpu({"report", "--format", "json", "--plan", dir + "/plan.json", a});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const json got = json::parse(report.out)["plan"];
  ASSERT_EQ(got["replicas"].size(), 1u);
  EXPECT_EQ(got["replicas"][0]["model"], want["replicas"][0]["model"]);
  std::set<int64_t> devices;
  for (size_t d = 0; d < got["devices"].size(); ++d) {
    const json& m = got["devices"][d]["groups"][0]["members"][0];
    EXPECT_EQ(m["part_kind"], "replica");
    EXPECT_EQ(m["part_of"], want["replicas"][0]["model"]);
    EXPECT_EQ(got["replicas"][0]["devices"][m["part"].get<size_t>()], d);
    devices.insert(got["replicas"][0]["devices"][d].get<int64_t>());
  }
  EXPECT_EQ(devices, (std::set<int64_t>{0, 1}));
  ToolRun html = RunEtpu({"report", "--plan", dir + "/plan.json", a});
  EXPECT_NE(html.out.find("replicated 2 times"), std::string::npos);
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// edgetpu_compiler --report FILE: the report is written beside the outputs (inside -o), with the
// same numbers as the files written and the flags given (-m), the console ends with its path and
// is otherwise the drop-in console; without the flag nothing changes; a report that cannot be
// written leaves nothing, not even the compiled model; -n is refused.
TEST(CompilerReportFlag, WritesTheReportBesideTheOutputsOnlyWhenAsked) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  const std::string plain = testutil::MakeTempDir("etpu-compiler-plain");
  ToolRun without = RunTool(ETPU_COMPILER_BIN, {"-o", plain, a});
  ASSERT_EQ(without.exit_code, 0) << without.out;
  EXPECT_EQ(FilesIn(plain), (std::vector<std::string>{"mobilenet_v1_0.25_128_quant_edgetpu.log", "mobilenet_v1_0.25_128_quant_edgetpu.tflite"}));

  const std::string dir = testutil::MakeTempDir("etpu-compiler-report");
  ToolRun with = RunTool(ETPU_COMPILER_BIN, {"-o", dir, "--report", "report.json", "-m", "12", a});
  ASSERT_EQ(with.exit_code, 0) << with.out;
  EXPECT_EQ(FilesIn(dir), (std::vector<std::string>{"mobilenet_v1_0.25_128_quant_edgetpu.log", "mobilenet_v1_0.25_128_quant_edgetpu.tflite",
                                                    "report.json"}));
  const std::string report_line = "Report: " + dir + "/report.json\n";
  ASSERT_TRUE(with.out.ends_with(report_line)) << with.out;
  const json doc = json::parse(ReadText(dir + "/report.json"));
  ToolRun inspect = RunEtpu({"inspect", "--json", dir + "/mobilenet_v1_0.25_128_quant_edgetpu.tflite"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  json file = json::parse(inspect.out)["files"][0], embedded = doc["models"][0]["inspect"];
  file.erase("path");
  embedded.erase("path");
  EXPECT_EQ(embedded, file) << "the report shows the package written, compiled with -m 12";
  EXPECT_LE(doc["models"][0]["min_runtime_version"].get<int>(), 12);
  ToolRun same_flags = RunTool(ETPU_COMPILER_BIN, {"-o", dir, "-m", "12", a});  // the same run without --report
  // The same console but for the report's line (the compile time it prints varies between runs).
  const std::regex ms("compiled successfully in [0-9]+ ms");
  EXPECT_EQ(std::regex_replace(with.out.substr(0, with.out.size() - report_line.size()), ms, "compiled successfully in _ ms"),
            std::regex_replace(same_flags.out, ms, "compiled successfully in _ ms"));

  const std::string html_dir = testutil::MakeTempDir("etpu-compiler-report-html");
  ToolRun html = RunTool(ETPU_COMPILER_BIN, {"-o", html_dir, "--report", "r.html", a});
  ASSERT_EQ(html.exit_code, 0) << html.out;
  EXPECT_TRUE(ReadText(html_dir + "/r.html").starts_with("<!DOCTYPE html>"));

  const std::string none = testutil::MakeTempDir("etpu-compiler-report-none");
  ToolRun nowhere = RunTool(ETPU_COMPILER_BIN, {"-o", none, "--report", "missing/r.html", a});
  EXPECT_EQ(nowhere.exit_code, 1) << nowhere.out;
  EXPECT_TRUE(FilesIn(none).empty()) << "all or nothing";
  ToolRun segments = RunTool(ETPU_COMPILER_BIN, {"-o", none, "--report", "r.html", "-n", "2", a});
  EXPECT_EQ(segments.exit_code, 1);
  EXPECT_NE(segments.out.find("--report cannot be combined with --num_segments"), std::string::npos) << segments.out;
  EXPECT_TRUE(FilesIn(none).empty());
}

}  // namespace
}  // namespace etpu::testing
