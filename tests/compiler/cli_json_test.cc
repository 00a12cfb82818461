// Every `--json` output of etpu against its schema in docs/json (see docs/json/README.md), and the
// schema checker itself on documents that break the rules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "compiler/cli_json_schema.h"
#include "compiler/cli_tool.h"
#include "testutil/shared.h"

namespace etpu::testing {
namespace {

using nlohmann::json;

json Schema(const std::string& name) {
  const std::string text = ReadText(std::string(ETPU_DOCS_DIR) + "/json/" + name);
  EXPECT_FALSE(text.empty()) << name;
  return json::parse(text);
}

std::string Problems(const std::vector<std::string>& errors) {
  std::string s;
  for (const auto& e : errors) s += e + "\n";
  return s;
}

// Parses stdout as JSON (integers kept exact) and checks it against docs/json/<schema>.
void ExpectValid(const ToolRun& r, const std::string& schema) {
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(doc.is_discarded()) << "not JSON:\n" << r.out.substr(0, 400);
  EXPECT_EQ(Problems(CheckJsonSchema(Schema(schema), doc)), "");
}

TEST(JsonSchemaCheck, CatchesWhatTheRulesForbid) {
  const json schema = Schema("bench.schema.json");
  const json token_schema = {{"type", "string"}, {"pattern", "^0x[0-9a-f]{16}$"}};
  EXPECT_TRUE(CheckJsonSchema(token_schema, "0x5c63f5cf3ec1ae2f").empty());
  EXPECT_FALSE(CheckJsonSchema(token_schema, json(6658118945926375727ull)).empty());  // A token as a number.
  EXPECT_FALSE(CheckJsonSchema(token_schema, "5c63f5cf3ec1ae2f").empty());
  // Integers beyond 2^53 - 1 anywhere, even where the schema says nothing.
  EXPECT_FALSE(CheckJsonSchema(json::object(), json{{"x", 9007199254740992ull}}).empty());
  EXPECT_TRUE(CheckJsonSchema(json::object(), json{{"x", 9007199254740991ull}}).empty());
  // Missing, extra and mistyped properties, and keywords the checker does not know.
  const json obj_schema = {{"type", "object"},
                           {"properties", {{"a", {{"type", "integer"}}}}},
                           {"required", {"a"}},
                           {"additionalProperties", false}};
  EXPECT_TRUE(CheckJsonSchema(obj_schema, json{{"a", 1}}).empty());
  EXPECT_FALSE(CheckJsonSchema(obj_schema, json::object()).empty());
  EXPECT_FALSE(CheckJsonSchema(obj_schema, json{{"a", 1}, {"b", 2}}).empty());
  EXPECT_FALSE(CheckJsonSchema(obj_schema, json{{"a", "1"}}).empty());
  EXPECT_FALSE(CheckJsonSchema(json{{"oneOf", json::array()}}, json(1)).empty());
  EXPECT_FALSE(CheckJsonSchema(schema, json::object()).empty());
  // $ref to the root's $defs: the definition applies; an unknown one is a problem.
  const json with_defs = {{"$defs", {{"n", {{"type", "number"}}}}},
                          {"type", "object"},
                          {"properties", {{"a", {{"$ref", "#/$defs/n"}}}, {"b", {{"$ref", "#/$defs/missing"}}}}}};
  EXPECT_TRUE(CheckJsonSchema(with_defs, json{{"a", 1.5}}).empty());
  EXPECT_FALSE(CheckJsonSchema(with_defs, json{{"a", "x"}}).empty());
  EXPECT_FALSE(CheckJsonSchema(with_defs, json{{"b", 1}}).empty());
}

TEST(EtpuJson, InspectMatchesItsSchema) {
  ETPU_SHARED_FILE_OR_SKIP(google, "testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  ETPU_SHARED_FILE_OR_SKIP(google_small, "testdata/small/color_red_64x64_edgetpu.tflite");
  ETPU_SHARED_FILE_OR_SKIP(source, "testdata/small/color_red_64x64.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-json-inspect");
  ToolRun c = RunTool(ETPU_COMPILER_BIN, {"-o", dir, source});
  ASSERT_EQ(c.exit_code, 0) << c.out;
  const std::string ours = dir + "/color_red_64x64_edgetpu.tflite";
  // Google's packages, ours (with layer records) and a CPU-only model, together.
  ToolRun r = RunEtpu({"inspect", "--json", google, google_small, ours, source});
  ExpectValid(r, "inspect.schema.json");
  const json doc = json::parse(r.out);
  ASSERT_EQ(doc["files"].size(), 4u);
  EXPECT_FALSE(doc["files"][2]["edgetpu_ops"][0]["layers"].empty());
}

TEST(EtpuJson, BenchMatchesItsSchemaAndWritesTokensAsHexStrings) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/small/color_red_64x64.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/small/gabor_64x64_p4.tflite");
  ToolRun r = RunEtpu({"bench", a, b, "--switch", "--rounds", "2", "--json"});
  ExpectValid(r, "bench.schema.json");
  const json doc = json::parse(r.out);
  ASSERT_EQ(doc["models"].size(), 2u);
  ASSERT_FALSE(doc["models"][0]["edgetpu_ops"].empty());
  EXPECT_TRUE(doc["models"][0]["edgetpu_ops"][0]["caching_token"].is_string());
  EXPECT_TRUE(doc.contains("switching"));
}

// A model with a CPU part: the measured CPU object, scaled by the host's factor into cpu_ms.
TEST(EtpuJson, BenchWithACpuPartMatchesItsSchema) {
  ETPU_SHARED_FILE_OR_SKIP(google, "testdata/models/posenet_mobilenet_v1_075_353_481_16_quant_decoder_edgetpu.tflite");
  ToolRun r = RunEtpu({"bench", google, "--host", "pcie", "--cpu_repeats", "2", "--json"});
  ExpectValid(r, "bench.schema.json");
  const json m = json::parse(r.out)["models"][0];
  ASSERT_TRUE(m["cpu"].is_object()) << r.out;
  EXPECT_EQ(m["cpu"]["ops"].size(), 1u);
  EXPECT_EQ(m["cpu"]["ops"][0]["op"], "CUSTOM:PosenetDecoderOp");
  EXPECT_DOUBLE_EQ(m["cpu_ms"].get<double>(),
                   m["cpu"]["measured_here_ms"].get<double>() * m["cpu"]["cpu_time_factor"].get<double>());
  EXPECT_GT(m["cpu_ms"].get<double>(), 0);
}

TEST(EtpuJson, BenchOfACompiledFileMatchesItsSchema) {
  ETPU_SHARED_FILE_OR_SKIP(source, "testdata/small/gabor_64x64_p4.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-json-bench");
  ToolRun c = RunTool(ETPU_COMPILER_BIN, {"-o", dir, source});
  ASSERT_EQ(c.exit_code, 0) << c.out;
  ToolRun r = RunEtpu({"bench", dir + "/gabor_64x64_p4_edgetpu.tflite", "--json"});
  ExpectValid(r, "bench.schema.json");
  // The same token as inspect writes for the same file.
  ToolRun i = RunEtpu({"inspect", "--json", dir + "/gabor_64x64_p4_edgetpu.tflite"});
  ASSERT_EQ(i.exit_code, 0);
  EXPECT_EQ(json::parse(r.out)["models"][0]["edgetpu_ops"][0]["caching_token"],
            json::parse(i.out)["files"][0]["edgetpu_ops"][0]["token"]);
}

TEST(EtpuJson, BenchSeedMatchesItsSchema) {
  ExpectValid(RunEtpu({"bench", "--seed", "--json"}), "bench-seed.schema.json");
}

TEST(EtpuJson, ReportMatchesItsSchema) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/split_concat.tflite");
  ETPU_SHARED_FILE_OR_SKIP(google, "testdata/models/mobilenet_v1_0.5_160_quant_edgetpu.tflite");
  // A co-compiled pair (one with CPU operators or none) and a Google-compiled file, together.
  ToolRun r = RunEtpu({"report", "--format", "json", a, b, google});
  ExpectValid(r, "report.schema.json");
  const json doc = json::parse(r.out);
  ASSERT_EQ(doc["models"].size(), 3u);
  EXPECT_TRUE(doc["models"][0]["layers"][0]["sram_offset"].is_number_integer());
  EXPECT_TRUE(doc["plan"].is_null());
}

TEST(EtpuJson, ReportWithAPlanMatchesItsSchema) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  const std::string dir = testutil::MakeTempDir("etpu-json-plan");
  ToolRun plan = RunEtpu({"plan", a + "@10", "--devices", "usb3,usb2", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  std::ofstream(dir + "/plan.json") << plan.out;
  ToolRun r = RunEtpu({"report", "--format", "json", "--plan", dir + "/plan.json", a});
  ExpectValid(r, "report.schema.json");
  EXPECT_EQ(json::parse(r.out)["plan"]["devices"].size(), 2u);
}

}  // namespace
}  // namespace etpu::testing
