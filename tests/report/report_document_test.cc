// The report document against the compiler (etpu::Compile and its console) and the package
// reader (etpu::InspectModelFile), for every shared model, a co-compiled set and Google's files;
// its invariant checks turn red on an inconsistent document; bad inputs give clear errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "etpu/compiler.h"
#include "etpu/inspect.h"
#include "base/file_io.h"
#include "etpu/timing.h"
#include "etpu/zoo.h"
#include "perf/anchors.h"
#include "ir/graph.h"
#include "report/model_report.h"
#include "report/report_checks.h"
#include "testutil/shared.h"
#include "testutil/text.h"
#include "tflite/model_builder.h"

namespace etpu::report {
namespace {

using nlohmann::json;

std::vector<std::string> SharedModels(bool compiled) {
  std::vector<std::string> out;
  const std::string dir = testutil::SharedPath("testdata/models");
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string p = e.path().string();
    if (!p.ends_with(".tflite")) continue;
    if (p.ends_with("_edgetpu.tflite") == compiled) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The memory lines of edgetpu_compiler's console, as CompileModels renders them.
std::vector<std::string> ConsoleMemoryLines(const std::vector<std::string>& models) {
  CompileOptions o;
  o.out_dir = ".";
  return testutil::LinesStartingWith(CompileModels(models, o, 0).console, {"On-chip memory", "Off-chip memory"});
}

bool CheckOk(const json& checks, const std::string& id);
const json* FindAdvice(const json& doc, const std::string& kind, const json& model);

void ExpectAllChecksGreen(const json& doc) {
  ASSERT_FALSE(doc["checks"].empty());
  for (const json& c : doc["checks"]) EXPECT_TRUE(c["ok"].get<bool>()) << c.dump();
}

/// Compares a report of `models` (source files) with an independent etpu::Compile of them.
void ExpectMatchesCompiler(const std::vector<std::string>& models) {
  std::vector<ModelInput> inputs;
  for (const auto& m : models) inputs.push_back(ModelInput::FromPath(m));
  auto compiled = Compile(inputs, CompileOptions{});
  ASSERT_TRUE(compiled.ok());
  auto doc = BuildModelReport(models);
  if (!compiled->ok) {  // The report refuses what the compiler refuses, with its reason.
    ASSERT_FALSE(doc.ok());
    EXPECT_NE(doc.status().message().find(compiled->failure->message), std::string::npos) << doc.status().message();
    return;
  }
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  ASSERT_EQ((*doc)["models"].size(), compiled->models.size());
  json console_lines = json::array();
  for (const auto& l : ConsoleMemoryLines(models)) console_lines.push_back(l);
  json report_lines = json::array();
  int64_t cached = 0;
  for (size_t i = 0; i < compiled->models.size(); ++i) {
    const ModelResult& m = compiled->models[i];
    const json& r = (*doc)["models"][i];
    EXPECT_EQ(r["name"], m.input_name);
    EXPECT_EQ(r["onchip_bytes"].get<int64_t>(), m.onchip_bytes);
    EXPECT_EQ(r["offchip_bytes"].get<int64_t>(), m.offchip_bytes);
    EXPECT_EQ(r["remaining_bytes"].get<int64_t>(), m.onchip_remaining_bytes);
    EXPECT_EQ(r["token"], FormatToken(m.caching_token));
    EXPECT_EQ(r["operators"].size(), m.operators.size());
    EXPECT_EQ(r["layers"].size(), PackageEntries(m.layers).size());  // as the package lists them
    // The package the report read is the compiler's output.
    auto inspected = InspectModel(m.model, m.output_path);
    ASSERT_TRUE(inspected.ok());
    EXPECT_EQ(r["inspect"]["on_chip_bytes"].get<int64_t>(), inspected->on_chip_bytes);
    EXPECT_EQ(r["inspect"]["off_chip_bytes"].get<int64_t>(), inspected->off_chip_bytes);
    for (const json& l : r["summary_lines"]) report_lines.push_back(l);
    cached += m.onchip_bytes;
  }
  EXPECT_EQ(report_lines, console_lines);
  const json& g = (*doc)["groups"][0];
  EXPECT_EQ(g["sram"]["cached_bytes"].get<int64_t>(), cached);
  EXPECT_EQ(g["sram"]["parameter_capacity_bytes"].get<int64_t>(), compiled->models[0].sram.parameter_capacity_bytes);
  ExpectAllChecksGreen(*doc);
}

TEST(ModelReport, EveryCompiledSharedModelMatchesTheCompilerAndItsPackage) {
  const auto models = SharedModels(false);
  if (models.empty()) GTEST_SKIP() << "../shared is absent";
  for (const auto& m : models) {
    SCOPED_TRACE(m);
    ExpectMatchesCompiler({m});
  }
}

TEST(ModelReport, CoCompiledSetMatchesTheCompilerInTheGivenOrder) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v2_1.0_224_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.75_192_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(c, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite");
  ExpectMatchesCompiler({a, b, c});
  ExpectMatchesCompiler({c, b, a});
  auto doc = BuildModelReport({c, a});
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["header"]["co_compile_order"], json({c, a}));
  EXPECT_GT((*doc)["groups"][0]["sram"]["set_reserve_bytes"].get<int64_t>(), 0);
}

TEST(ModelReport, GoogleFilesAreReadAndTheReportSaysWhatIsMissing) {
  const auto files = SharedModels(true);
  if (files.empty()) GTEST_SKIP() << "../shared is absent";
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    auto doc = BuildModelReport({f});
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    const json& m = (*doc)["models"][0];
    auto inspected = InspectModelFile(f);
    ASSERT_TRUE(inspected.ok());
    EXPECT_EQ(m["origin"], "read");
    EXPECT_EQ(m["onchip_bytes"].get<int64_t>(), inspected->on_chip_bytes);
    EXPECT_EQ(m["offchip_bytes"].get<int64_t>(), inspected->off_chip_bytes);
    EXPECT_EQ(m["token"], FormatToken(inspected->token));
    EXPECT_TRUE(m["remaining_bytes"].is_null());
    EXPECT_TRUE((*doc)["groups"][0]["sram"].is_null());
    if (!inspected->edgetpu_ops.empty()) {
      EXPECT_EQ(m["producer"], "google");
      EXPECT_GE(m["missing"].size(), 3u);  // Statuses, SRAM division, per-layer placement.
      EXPECT_TRUE(m["layers"].empty());
    }
    // Times that leave work out say so (the same phrases as etpu/timing.h): a Google package
    // without a cycle estimate, or operators on the host CPU.
    const json& t = m["timing"];
    const bool has_cpu = t["cpu_op_count"].get<int>() > 0;
    bool says_cpu = false;
    for (const json& w : t["left_out"]) says_cpu |= w.get<std::string>().find("host CPU") != std::string::npos;
    EXPECT_EQ(says_cpu, has_cpu) << t.dump();
    if (!t["left_out"].empty()) {
      auto text = RenderReportText(*doc);
      EXPECT_NE(text.find("lower bound: leaves out"), std::string::npos);
    }
    ExpectAllChecksGreen(*doc);
  }
}

TEST(ModelReport, EtpuFilesReadBackGiveTheSamePlacementAsTheCompileInMemory) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v2_1.0_224_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite");
  auto compiled = BuildModelReport({a, b});
  ASSERT_TRUE(compiled.ok());
  // The same set compiled to files (as edgetpu_compiler writes them), then read back.
  const std::string dir = testutil::MakeTempDir("etpu-report-readback");
  CompileOptions o;
  o.out_dir = dir;
  const CompileTranscript t = CompileModels({a, b}, o, 0);
  ASSERT_TRUE(t.succeeded);
  std::vector<std::string> outputs;
  for (const OutputFile& f : t.files) {
    std::ofstream(f.path, std::ios::binary).write(reinterpret_cast<const char*>(f.bytes.data()), static_cast<std::streamsize>(f.bytes.size()));
    if (f.path.ends_with(".tflite")) outputs.push_back(f.path);
  }
  auto read = BuildModelReport(outputs);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectAllChecksGreen(*read);
  const json& sram = (*compiled)["groups"][0]["sram"];
  const int64_t reserves = sram["executable_reserve_bytes"].get<int64_t>() + sram["activation_bytes"].get<int64_t>() +
                           sram["set_reserve_bytes"].get<int64_t>();
  for (size_t i = 0; i < 2; ++i) {
    const json& mine = (*compiled)["models"][i];
    const json& back = (*read)["models"][i];
    EXPECT_EQ(back["producer"], "etpu");
    EXPECT_EQ(back["onchip_bytes"], mine["onchip_bytes"]);
    std::vector<int64_t> offsets_mine, offsets_back;
    for (const json& l : mine["layers"]) {
      if (l["sram_offset"].is_number_integer()) offsets_mine.push_back(l["sram_offset"].get<int64_t>() - reserves);
    }
    for (const json& l : back["layers"]) {
      if (l["sram_offset"].is_number_integer()) offsets_back.push_back(l["sram_offset"].get<int64_t>());
    }
    std::sort(offsets_mine.begin(), offsets_mine.end());
    std::sort(offsets_back.begin(), offsets_back.end());
    EXPECT_EQ(offsets_back, offsets_mine);
  }
}

TEST(ModelReport, HeaderWarnsWhenThePackageNeedsANewerRuntimeThanTheTarget) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto fine = BuildModelReport({a});
  ASSERT_TRUE(fine.ok());
  EXPECT_TRUE((*fine)["header"]["runtime_warnings"].empty());
  const int needed = (*fine)["models"][0]["min_runtime_version"].get<int>();
  ReportOptions older;
  older.target_runtime_version = needed - 1;
  auto doc = BuildModelReport({a}, older);
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ((*doc)["header"]["runtime_warnings"].size(), 1u);
  EXPECT_EQ((*doc)["header"]["runtime_warnings"][0]["message"],
            "Failed precondition: Package requires runtime version (" + std::to_string(needed) +
                "), which is newer than this runtime version (" + std::to_string(needed - 1) + ").");
  // The advice (-m) applied: the package then runs on the target runtime.
  const json* advice = FindAdvice(*doc, "runtime_version", 0);
  ASSERT_NE(advice, nullptr) << (*doc)["advice"].dump();
  CompileOptions with_m;
  with_m.min_runtime_version = needed - 1;
  const ModelInput input = ModelInput::FromPath(a);
  auto r = Compile(std::span<const ModelInput>(&input, 1), with_m);
  ASSERT_TRUE(r.ok() && r->ok);
  EXPECT_EQ((*advice)["predicted"]["min_runtime_version"].get<int>(), r->models[0].min_runtime_version);
  EXPECT_LE(r->models[0].min_runtime_version, needed - 1);
}

TEST(ModelReport, BadInputsNameTheFileAndWhatIsWrong) {
  const std::string dir = testutil::MakeTempDir("etpu-report-bad");
  auto missing = BuildModelReport({dir + "/nope.tflite"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir + "/nope.tflite"), std::string::npos) << missing.status().message();
  const std::string text = dir + "/notes.tflite";
  std::ofstream(text) << "this is not a model\n";
  auto not_model = BuildModelReport({text});
  ASSERT_FALSE(not_model.ok());
  EXPECT_NE(not_model.status().message().find(text + ": not a TFLite model"), std::string::npos) << not_model.status().message();
  EXPECT_FALSE(BuildModelReport({}).ok());
  ReportOptions bad_host;
  bad_host.host = "carrier-pigeon";
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto host = BuildModelReport({a}, bad_host);
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.status().message().find("carrier-pigeon"), std::string::npos) << host.status().message();
}

bool CheckOk(const json& checks, const std::string& id) {
  bool ok = true;
  for (const json& c : checks) {
    if (c["id"] == id) ok = ok && c["ok"].get<bool>();
  }
  return ok;
}

TEST(ModelReport, ChecksTurnRedWhenTheNumbersDisagree) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  auto doc = BuildModelReport({a, b});
  ASSERT_TRUE(doc.ok());
  ExpectAllChecksGreen(*doc);
  json more_bytes = *doc;
  more_bytes["models"][0]["layers"][0]["param_bytes"] = more_bytes["models"][0]["layers"][0]["param_bytes"].get<int64_t>() + 1;
  EXPECT_FALSE(CheckOk(InvariantChecks(more_bytes), "layers_sum_onchip"));
  json overlap = *doc;
  overlap["models"][1]["layers"][0]["sram_offset"] = overlap["models"][0]["layers"][0]["sram_offset"];
  EXPECT_FALSE(CheckOk(InvariantChecks(overlap), "cached_regions_fit"));
  json outside = *doc;
  outside["models"][0]["layers"][0]["sram_offset"] = 0;  // Inside the executable's reserve.
  EXPECT_FALSE(CheckOk(InvariantChecks(outside), "cached_regions_fit"));
  json two_tokens = *doc;
  two_tokens["models"][1]["token"] = "0x0000000000000001";
  EXPECT_FALSE(CheckOk(InvariantChecks(two_tokens), "one_nonzero_token"));
  json lost = *doc;
  lost["groups"][0]["sram"]["remaining_bytes"] = lost["groups"][0]["sram"]["remaining_bytes"].get<int64_t>() + 1;
  EXPECT_FALSE(CheckOk(InvariantChecks(lost), "used_plus_remaining"));
  json slow = *doc;
  slow["models"][0]["timing"]["first_ms"] = slow["models"][0]["timing"]["first_ms"].get<double>() + 1;
  EXPECT_FALSE(CheckOk(InvariantChecks(slow), "first_is_later_plus_upload"));
  json slower_op = *doc;
  for (json& o : slower_op["models"][0]["operators"]) {
    if (o["compute_ms"].is_number()) {
      o["compute_ms"] = o["compute_ms"].get<double>() + 0.001;
      break;
    }
  }
  EXPECT_FALSE(CheckOk(InvariantChecks(slower_op), "operator_times_sum_compute"));
}

// Section 5's times: every Edge TPU operator has its compute time from the timing model's layer
// model, and the operators' times add up to the executable's; a streamed layer's stream time is
// its bytes on the host link, and together they are the executable's stream time; a cached layer
// streams nothing. EfficientNet-EdgeTPU L streams part of its parameters.
TEST(ModelReport, LayerTableTimesAddUpToTheExecutablesTimes) {
  const std::string path = testutil::MakeTempDir("etpu-report-times") + "/efficientnet_edgetpu_l.tflite";
  auto bytes = GenerateZooModel("efficientnet_edgetpu_l");
  ASSERT_TRUE(bytes.ok());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
  auto doc = BuildModelReport({path});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json& m = (*doc)["models"][0];
  ASSERT_EQ(m["timing"]["edgetpu_ops"].size(), 1u);
  const json& exe = m["timing"]["edgetpu_ops"][0];
  ASSERT_GT(exe["streamed_param_bytes"].get<int64_t>(), 0) << "the model must stream for this test";
  const double per_byte = exe["h2d_ms_per_byte"].get<double>();
  ASSERT_GT(per_byte, 0);
  std::map<int, const json*> layer_of;
  for (const json& l : m["layers"]) layer_of[l["op_index"].get<int>()] = &l;
  double compute = 0, stream = 0;
  int stream_bound = 0;
  for (const json& o : m["operators"]) {
    if (!o["edgetpu"].get<bool>()) {
      EXPECT_TRUE(o["compute_ms"].is_null());
      continue;
    }
    ASSERT_TRUE(o["compute_ms"].is_number()) << o.dump();
    compute += o["compute_ms"].get<double>();
    stream += o["stream_ms"].get<double>();
    const auto l = layer_of.find(o["op_index"].get<int>());
    const bool streamed = l != layer_of.end() && !(*l->second)["cached"].get<bool>();
    const double expected = streamed ? static_cast<double>((*l->second)["param_bytes"].get<int64_t>()) * per_byte : 0.0;
    EXPECT_DOUBLE_EQ(o["stream_ms"].get<double>(), expected) << o.dump();
    EXPECT_EQ(o["bound"], o["stream_ms"].get<double>() > o["compute_ms"].get<double>() ? "stream" : "compute");
    stream_bound += o["bound"] == "stream";
  }
  // The layer model's layers are the region's operators in order: their types match the source's.
  std::vector<std::string> edgetpu_ops;
  for (const json& o : m["operators"]) {
    if (o["edgetpu"].get<bool>()) edgetpu_ops.push_back(o["op"].get<std::string>());
  }
  ASSERT_FALSE(exe["layers"].empty());
  for (const json& l : exe["layers"]) {
    const size_t k = l["region_op_index"].get<size_t>();
    ASSERT_LT(k, edgetpu_ops.size());
    EXPECT_EQ(l["name"].get<std::string>(), "#" + std::to_string(k) + " " + edgetpu_ops[k]);
  }
  EXPECT_NEAR(compute, exe["compute_ms"].get<double>(), 1e-9 * exe["compute_ms"].get<double>());
  EXPECT_NEAR(stream, exe["stream_ms"].get<double>(), 1e-9 * exe["stream_ms"].get<double>());
  EXPECT_GT(stream_bound, 0) << "a large streamed layer takes longer on the link than to compute";
  EXPECT_TRUE(CheckOk((*doc)["checks"], "operator_times_sum_compute"));
}

TEST(ModelReport, OrderWhatIfPredictsWhatCompilingInThatOrderGives) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v2_1.0_224_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite");
  // With EfficientNet-EdgeTPU M (from the zoo) the three do not fit the SRAM together.
  const std::string c = testutil::MakeTempDir("etpu-report-orders") + "/efficientnet_edgetpu_m.tflite";
  auto m = GenerateZooModel("efficientnet_edgetpu_m");
  ASSERT_TRUE(m.ok());
  std::ofstream(c, std::ios::binary).write(reinterpret_cast<const char*>(m->data()), static_cast<std::streamsize>(m->size()));
  const std::vector<std::string> paths = {a, b, c};
  ReportOptions v15;  // Compiler 15 fills the SRAM model by model: the order matters.
  v15.emulate = 15;
  auto doc = BuildModelReport(paths, v15);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json& w = (*doc)["orders"];
  ASSERT_TRUE(w.is_object());
  EXPECT_EQ(w["orders_compared"].get<int64_t>(), 6);
  EXPECT_TRUE(CheckOk((*doc)["checks"], "what_if_agrees"));
  // Every listed order, compiled in that order, gives the predicted bytes and times.
  for (const json& o : w["orders"]) {
    std::vector<std::string> reordered;
    for (const json& i : o["order"]) reordered.push_back(paths[i.get<size_t>()]);
    auto again = BuildModelReport(reordered, v15);
    ASSERT_TRUE(again.ok());
    for (size_t k = 0; k < reordered.size(); ++k) {
      const json& predicted = o["models"][k];
      const json& got = (*again)["models"][k];
      EXPECT_EQ(got["name"], paths[predicted["model"].get<size_t>()]);
      EXPECT_EQ(got["onchip_bytes"], predicted["onchip_bytes"]) << o.dump();
      EXPECT_EQ(got["offchip_bytes"], predicted["offchip_bytes"]) << o.dump();
      EXPECT_NEAR(got["timing"]["later_ms"].get<double>(), predicted["later_ms"].get<double>(), 1e-9);
    }
  }
  // The orders differ under compiler 15 (else this test would not tell an order from another).
  std::set<int64_t> streamed_first_model;
  for (const json& o : w["orders"]) streamed_first_model.insert(o["models"][0]["offchip_bytes"].get<int64_t>());
  EXPECT_GT(streamed_first_model.size(), 1u);
  EXPECT_TRUE(BuildModelReport({a}).value()["orders"].is_null());
}

const json* FindAdvice(const json& doc, const std::string& kind, const json& model) {
  for (const json& a : doc["advice"]) {
    if (a["kind"] == kind && a["model"] == model) return &a;
  }
  return nullptr;
}

TEST(ModelReport, AdviceToCompileWithMultipleSubgraphsMapsWhatItPredicts) {
  ETPU_SHARED_FILE_OR_SKIP(deeplab, "testdata/models/deeplabv3_mnv2_dm05_pascal_quant.tflite");
  auto doc = BuildModelReport({deeplab});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json* a = FindAdvice(*doc, "multiple_subgraphs", 0);
  ASSERT_NE(a, nullptr) << (*doc)["advice"].dump();
  ASSERT_FALSE((*a)["predicted"]["mapped_ops"].empty());
  // Applying it: edgetpu_compiler -a.
  CompileOptions with_a;
  with_a.multiple_subgraphs = true;
  const ModelInput input = ModelInput::FromPath(deeplab);
  auto r = Compile(std::span<const ModelInput>(&input, 1), with_a);
  ASSERT_TRUE(r.ok() && r->ok);
  EXPECT_EQ(static_cast<int64_t>(r->models[0].regions.size()), (*a)["predicted"]["subgraphs"].get<int64_t>());
  for (const json& op : (*a)["predicted"]["mapped_ops"]) EXPECT_GE(r->models[0].operators[op.get<size_t>()].region, 0) << op;
  // The rule that refused the first CPU operator is named with its reason.
  const json* cpu = FindAdvice(*doc, "cpu_operator", 0);
  ASSERT_NE(cpu, nullptr);
  EXPECT_NE((*cpu)["text"].get<std::string>().find((*cpu)["predicted"]["rule_id"].get<std::string>()), std::string::npos);
}

// Section 6: the seed's figures beside ours for a zoo model the seed measured, found by the zoo's
// identity (the name its description claims, confirmed by the graph's structure), not by the file
// name: a file with any name gets them; a claim the structure does not back, or no claim, gets none.
TEST(ModelReport, SeedFiguresStandBesideOursForTheModelsTheSeedMeasured) {
  const std::string dir = testutil::MakeTempDir("etpu-report-seed");
  auto s = GenerateZooModel("efficientnet_edgetpu_s");
  auto m = GenerateZooModel("efficientnet_edgetpu_m");
  ASSERT_TRUE(s.ok() && m.ok());
  const std::string any_name = dir + "/my_classifier.tflite";
  ASSERT_TRUE(base::WriteFileAtomic(any_name, *s).ok());
  auto doc = BuildModelReport({any_name});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json& seed = (*doc)["models"][0]["seed"];
  const perf::LatencyAnchor* anchor = nullptr;
  for (const auto& a : perf::SeedMeasurements()) anchor = a.zoo_name == "efficientnet_edgetpu_s" ? &a : anchor;
  ASSERT_NE(anchor, nullptr);
  ASSERT_EQ(seed.size(), 1u) << (*doc)["models"][0].dump().substr(0, 300);
  EXPECT_EQ(seed[0]["seed_first_ms"].get<double>(), anchor->first_ms);
  EXPECT_EQ(seed[0]["seed_later_ms"].get<double>(), anchor->later_ms);
  EXPECT_EQ(seed[0]["host"], anchor->host);
  // Ours: the timing model on the seed's host and clock, for the compiled model.
  CompileOptions co;
  const ModelInput input = ModelInput::FromPath(any_name);
  auto compiled = Compile(std::span<const ModelInput>(&input, 1), co);
  ASSERT_TRUE(compiled.ok() && compiled->ok);
  TimingOptions to;
  to.host = anchor->host;
  to.clock = seed[0]["clock"].get<std::string>();
  EXPECT_EQ(to.clock, "std");
  auto ours = EstimateModelTiming(compiled->models[0].model, any_name, to);
  ASSERT_TRUE(ours.ok());
  EXPECT_DOUBLE_EQ(seed[0]["ours_first_ms"].get<double>(), ours->first_ms);
  EXPECT_DOUBLE_EQ(seed[0]["ours_later_ms"].get<double>(), ours->later_ms);
  EXPECT_NE(RenderReportHtml(*doc).find("The seed measured"), std::string::npos);

  // M's graph claiming to be S (same-length edit of its description): the structure says no.
  auto replace = [](std::vector<uint8_t> bytes, const std::string& from, const std::string& to_text) {
    std::string text(bytes.begin(), bytes.end());
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) std::copy(to_text.begin(), to_text.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at));
    return bytes;
  };
  const std::string claims_s = dir + "/claims_s.tflite";
  ASSERT_TRUE(base::WriteFileAtomic(claims_s, replace(*m, "etpu zoo: efficientnet_edgetpu_m", "etpu zoo: efficientnet_edgetpu_s")).ok());
  auto wrong = BuildModelReport({claims_s});
  ASSERT_TRUE(wrong.ok());
  EXPECT_TRUE((*wrong)["models"][0]["seed"].empty());
  // S without the claim: no identity (the file name "efficientnet_edgetpu_s" does not give one).
  const std::string named = dir + "/efficientnet_edgetpu_s.tflite";
  ASSERT_TRUE(base::WriteFileAtomic(named, replace(*s, "etpu zoo: ", "user zoo: ")).ok());
  auto unclaimed = BuildModelReport({named});
  ASSERT_TRUE(unclaimed.ok());
  EXPECT_TRUE((*unclaimed)["models"][0]["seed"].empty());
}

// Section 11's nearest change for operators the rules keep on the CPU, each applied: the advised
// -m compiles the operator onto the Edge TPU; a model with the advised size maps it and one a size
// larger does not (the largest size that maps); a model with the advised 8-bit type maps it.
namespace nearest {

using ir::TensorType;

/// in (type `in_type`, [1, n]) -> `code` -> out (same type) -> ADD (uint8) -> model output; the
/// operator under test is operator 0.
std::string WriteChain(const std::string& dir, const std::string& name, ir::BuiltinOperator code, ir::BuiltinOptions options,
                       int n, TensorType type) {
  tflite::ModelBuilder b;
  const ir::Quantization q = type == TensorType::FLOAT32 ? ir::Quantization{} : tflite::Quant(1.0f / 256, 0);
  const int in = b.AddTensor("in", type, {1, n}, q);
  const int mid = b.AddTensor("mid", type, {1, n}, q);
  const int q8 = b.AddTensor("mid_u8", TensorType::UINT8, {1, n}, tflite::Quant(1.0f / 256, 0));
  const int out = b.AddTensor("out", TensorType::UINT8, {1, n}, tflite::Quant(1.0f / 128, 0));
  b.AddOperator(code, {in}, {mid}, std::move(options));
  b.AddOperator(ir::BuiltinOperator::QUANTIZE, {mid}, {q8});
  b.AddOperator(ir::BuiltinOperator::ADD, {q8, q8}, {out}, tflite::AddOpts());
  b.SetInputs({in});
  b.SetOutputs({out});
  const std::string path = dir + "/" + name + ".tflite";
  EXPECT_TRUE(base::WriteFileAtomic(path, b.Serialize()).ok());
  return path;
}

/// The placement of operator `op` when `path` is compiled with `options`: true on the Edge TPU.
bool Maps(const std::string& path, int op, CompileOptions options) {
  options.build_models = false;
  const ModelInput input = ModelInput::FromPath(path);
  auto r = Compile(std::span<const ModelInput>(&input, 1), options);
  EXPECT_TRUE(r.ok() && r->ok) << path;
  return r.ok() && r->ok && r->models[0].operators.at(static_cast<size_t>(op)).region >= 0;
}

/// The cpu_operator advice on operator `op` of model 0.
json ChangeFor(const json& doc, int op) {
  for (const json& a : doc["advice"]) {
    if (a["kind"] == "cpu_operator" && a["predicted"]["op_index"] == op) return a["predicted"]["change"];
  }
  ADD_FAILURE() << "no advice on operator " << op << ": " << doc["advice"].dump();
  return json::object();
}

TEST(ModelReport, NearestChangeToARuntimeLimitIsTheMinRuntimeThatMapsIt) {
  const std::string dir = testutil::MakeTempDir("etpu-report-nearest-m");
  // RSQRT needs a newer runtime than compiler 15's default -m (the operator table's row).
  const std::string path = WriteChain(dir, "rsqrt", ir::BuiltinOperator::RSQRT, {}, 64, TensorType::UINT8);
  CompileOptions v15;
  v15.emulate = 15;
  ASSERT_FALSE(Maps(path, 0, v15)) << "the case needs an operator the default -m keeps on the CPU";
  ReportOptions options;
  options.emulate = 15;
  auto doc = BuildModelReport({path}, options);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json change = ChangeFor(*doc, 0);
  ASSERT_EQ(change["kind"], "min_runtime") << change.dump();
  const int m = std::stoi(change["option"].get<std::string>().substr(3));
  CompileOptions advised = v15;
  advised.min_runtime_version = m;
  EXPECT_TRUE(Maps(path, 0, advised)) << "applying " << change["option"];
  advised.min_runtime_version = m - 1;
  EXPECT_FALSE(Maps(path, 0, advised)) << "the nearest: one runtime older does not map it";
}

TEST(ModelReport, NearestChangeToASizeLimitIsTheLargestSizeThatMaps) {
  const std::string dir = testutil::MakeTempDir("etpu-report-nearest-size");
  const int n = 40000;  // more elements than the softmax rule allows
  const std::string path = WriteChain(dir, "softmax", ir::BuiltinOperator::SOFTMAX, tflite::SoftmaxOpts(), n, TensorType::UINT8);
  ASSERT_FALSE(Maps(path, 0, {}));
  auto doc = BuildModelReport({path});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json change = ChangeFor(*doc, 0);
  ASSERT_EQ(change["kind"], "size") << change.dump();
  EXPECT_EQ(change["from"], n);
  ASSERT_EQ(change["dim"], 1);
  const int to = change["to"].get<int>();
  EXPECT_EQ(change["shape"], json::array({1, to}));
  EXPECT_TRUE(Maps(WriteChain(dir, "advised", ir::BuiltinOperator::SOFTMAX, tflite::SoftmaxOpts(), to, TensorType::UINT8), 0, {}));
  EXPECT_FALSE(Maps(WriteChain(dir, "larger", ir::BuiltinOperator::SOFTMAX, tflite::SoftmaxOpts(), to + 1, TensorType::UINT8), 0, {}))
      << "the largest size that maps";
}

TEST(ModelReport, NearestChangeToAFloatOperatorIsAnEightBitType) {
  const std::string dir = testutil::MakeTempDir("etpu-report-nearest-type");
  const std::string path = WriteChain(dir, "tanh", ir::BuiltinOperator::TANH, {}, 64, TensorType::FLOAT32);
  ASSERT_FALSE(Maps(path, 0, {}));
  auto doc = BuildModelReport({path});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json change = ChangeFor(*doc, 0);
  ASSERT_EQ(change["kind"], "dtype") << change.dump();
  EXPECT_EQ(change["tensors"], json::array({"in", "mid"}));
  const TensorType type = change["type"] == "UINT8" ? TensorType::UINT8 : TensorType::INT8;
  ASSERT_EQ(change["type"].get<std::string>(), ir::TensorTypeName(type));
  EXPECT_TRUE(Maps(WriteChain(dir, "advised", ir::BuiltinOperator::TANH, {}, 64, type), 0, {}));
}

TEST(ModelReport, NoNearestChangeForAnOperatorOutsideTheSet) {
  const std::string dir = testutil::MakeTempDir("etpu-report-nearest-none");
  // SQRT has no Edge TPU row in the operator table: nothing but another operator maps.
  const std::string path = WriteChain(dir, "sqrt", ir::BuiltinOperator::SQRT, {}, 64, TensorType::UINT8);
  auto doc = BuildModelReport({path});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json change = ChangeFor(*doc, 0);
  EXPECT_TRUE(change["kind"].is_null()) << change.dump();
}

}  // namespace nearest

TEST(ModelReport, AdviceOnOrderAndCoCompilingIsWhatCompilingGives) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v2_1.0_224_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite");
  const std::string c = testutil::MakeTempDir("etpu-report-advice") + "/efficientnet_edgetpu_m.tflite";
  auto m = GenerateZooModel("efficientnet_edgetpu_m");
  ASSERT_TRUE(m.ok());
  std::ofstream(c, std::ios::binary).write(reinterpret_cast<const char*>(m->data()), static_cast<std::streamsize>(m->size()));
  const std::vector<std::string> paths = {c, b, a};
  ReportOptions v15;
  v15.emulate = 15;
  auto doc = BuildModelReport(paths, v15);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  bool applied_an_order = false;
  for (size_t i = 0; i < paths.size(); ++i) {
    const json* s = FindAdvice(*doc, "streamed_layers", static_cast<int64_t>(i));
    if (s == nullptr || !(*s)["predicted"].contains("order")) continue;
    std::vector<std::string> reordered;
    size_t position = 0;
    for (const json& k : (*s)["predicted"]["order"]) {
      if (k.get<size_t>() == i) position = reordered.size();
      reordered.push_back(paths[k.get<size_t>()]);
    }
    auto again = BuildModelReport(reordered, v15);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)["models"][position]["offchip_bytes"], (*s)["predicted"]["order_offchip_bytes"]);
    EXPECT_LT((*s)["predicted"]["order_offchip_bytes"].get<int64_t>(), (*doc)["models"][i]["offchip_bytes"].get<int64_t>());
    applied_an_order = true;
  }
  EXPECT_TRUE(applied_an_order) << (*doc)["advice"].dump();
  // Co-compiling: "apart" is each model's own report.
  const json* co = FindAdvice(*doc, "co_compile", nullptr);
  ASSERT_NE(co, nullptr);
  double apart = 0, reload = 0;
  for (const auto& p : paths) {
    auto alone = BuildModelReport({p}, v15);
    ASSERT_TRUE(alone.ok());
    apart += (*alone)["models"][0]["timing"]["later_ms"].get<double>();
    reload += (*alone)["models"][0]["timing"]["first_ms"].get<double>() - (*alone)["models"][0]["timing"]["later_ms"].get<double>();
  }
  EXPECT_NEAR((*co)["predicted"]["apart_later_ms"].get<double>(), apart, 1e-9);
  EXPECT_NEAR((*co)["predicted"]["reload_ms"].get<double>(), reload, 1e-9);
}

TEST(ModelReport, HostTrafficCarriesTheStreamedBytesEveryInferenceAndTheCachedOnesOnce) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v2_1.0_224_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite");
  ETPU_SHARED_FILE_OR_SKIP(c, "testdata/models/mobilenet_v1_0.75_192_quant.tflite");
  ReportOptions options;
  options.fps = 12.5;
  auto doc = BuildModelReport({a, b, c}, options);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json& t = (*doc)["traffic"];
  EXPECT_EQ(t["fps"].get<double>(), 12.5);
  ASSERT_EQ(t["models"].size(), 3u);
  int64_t later = 0;
  for (size_t i = 0; i < 3; ++i) {
    const json& m = (*doc)["models"][i];
    const json& tm = t["models"][i];
    EXPECT_EQ(tm["first_h2d_bytes"].get<int64_t>() - tm["later_h2d_bytes"].get<int64_t>(), m["onchip_bytes"].get<int64_t>());
    EXPECT_GT(tm["later_h2d_bytes"].get<int64_t>(), m["offchip_bytes"].get<int64_t>());  // Streamed + input + instructions.
    later += tm["later_h2d_bytes"].get<int64_t>();
    for (size_t h = 0; h < t["hosts"].size(); ++h) {
      const double expected = 12.5 * tm["later_h2d_bytes"].get<double>() / t["hosts"][h]["h2d_bytes_per_s"].get<double>();
      EXPECT_NEAR(tm["hosts"][h]["h2d_share"].get<double>(), expected, 1e-12);
    }
  }
  EXPECT_EQ(t["set"]["later_h2d_bytes"].get<int64_t>(), later);
  // USB 2 carries less than USB 3: the same traffic takes a larger share of it.
  double usb2 = 0, usb3 = 0;
  for (size_t h = 0; h < t["hosts"].size(); ++h) {
    if (t["hosts"][h]["host"] == "usb2") usb2 = t["set"]["hosts"][h]["h2d_share"].get<double>();
    if (t["hosts"][h]["host"] == "usb3") usb3 = t["set"]["hosts"][h]["h2d_share"].get<double>();
  }
  EXPECT_GT(usb2, usb3);
  EXPECT_GT(usb3, 0);
  ReportOptions zero;
  zero.fps = 0;
  EXPECT_FALSE(BuildModelReport({a}, zero).ok());
}

// A model whose only parameters the compiler streams whatever the room (an ADD's constant
// operand): the layer says so, no "first streamed layer" is blamed on capacity, and the advice
// says no order or grouping changes those bytes (not that some bytes "would have to go").
TEST(ModelReport, AlwaysStreamedBytesAreNotBlamedOnCapacity) {
  tflite::ModelBuilder b;
  const ir::Quantization q = tflite::Quant(1.0f / 128, 0);
  const int in = b.AddTensor("in", ir::TensorType::UINT8, {1, 8, 8, 16}, q);
  const std::vector<uint8_t> values(16, 7);
  const int constant = b.AddConstant<uint8_t>("bias", ir::TensorType::UINT8, {1, 1, 1, 16}, values, q);
  const int out = b.AddTensor("out", ir::TensorType::UINT8, {1, 8, 8, 16}, tflite::Quant(1.0f / 64, 0));
  b.AddOperator(ir::BuiltinOperator::ADD, {in, constant}, {out}, tflite::AddOpts());
  b.SetInputs({in});
  b.SetOutputs({out});
  const std::string path = testutil::MakeTempDir("etpu-report-always") + "/add_constant.tflite";
  ASSERT_TRUE(base::WriteFileAtomic(path, b.Serialize()).ok());
  auto doc = BuildModelReport({path});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const json& m = (*doc)["models"][0];
  ASSERT_GT(m["offchip_bytes"].get<int64_t>(), 0) << m.dump();
  int64_t always = 0;
  for (const json& l : m["layers"]) {
    if (l["always_streamed"].get<bool>()) {
      EXPECT_FALSE(l["cached"].get<bool>());
      always += l["param_bytes"].get<int64_t>();
    }
  }
  EXPECT_EQ(always, m["offchip_bytes"].get<int64_t>());
  EXPECT_TRUE(m["first_streamed"].is_null()) << m["first_streamed"].dump();
  EXPECT_EQ(FindAdvice(*doc, "streamed_layers", 0), nullptr);
  const json* a = FindAdvice(*doc, "always_streamed", 0);
  ASSERT_NE(a, nullptr) << (*doc)["advice"].dump();
  EXPECT_EQ((*a)["predicted"]["bytes"].get<int64_t>(), always);
  ExpectAllChecksGreen(*doc);
}

}  // namespace
}  // namespace etpu::report
