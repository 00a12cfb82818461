// The renderers' promises: the HTML page is self-contained (no http:, https: or // reference,
// no script that runs), deterministic, and embeds exactly the JSON document.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "report/model_report.h"
#include "testutil/shared.h"

namespace etpu::report {
namespace {

using nlohmann::json;

/// The text of <script type="application/json" id="etpu-data">.
std::string EmbeddedData(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"etpu-data\">";
  const size_t start = html.find(open);
  if (start == std::string::npos) return "";
  const size_t end = html.find("</script>", start);
  return html.substr(start + open.size(), end - start - open.size());
}

TEST(ReportHtml, IsDeterministicSelfContainedAndEmbedsTheDocument) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/split_concat.tflite");
  ETPU_SHARED_FILE_OR_SKIP(google, "testdata/models/deeplabv3_mnv2_dm05_pascal_quant_edgetpu.tflite");
  auto doc = BuildModelReport({a, b, google});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  auto again = BuildModelReport({a, b, google});
  ASSERT_TRUE(again.ok());
  const std::string html = RenderReportHtml(*doc);
  EXPECT_EQ(html, RenderReportHtml(*again));
  EXPECT_EQ(RenderReportJson(*doc), RenderReportJson(*again));
  EXPECT_EQ(RenderReportText(*doc), RenderReportText(*again));
  for (const char* ref : {"http:", "https:", "//", "<link", "<img", "@import", "url("}) EXPECT_EQ(html.find(ref), std::string::npos) << ref;
  // One script element only, and it is data.
  EXPECT_EQ(html.find("<script"), html.rfind("<script"));
  const json embedded = json::parse(EmbeddedData(html), nullptr, false);
  ASSERT_FALSE(embedded.is_discarded());
  EXPECT_EQ(embedded, *doc);
  // Every section is there, and every cached layer of the first model has a tooltip.
  for (const char* id : {"id=\"header\"", "id=\"summary\"", "id=\"sram\"", "id=\"waterfall\"", "id=\"layers\"", "id=\"timing\"", "id=\"checks\""}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
  for (const json& l : (*doc)["models"][0]["layers"]) {
    if (!l["cached"].get<bool>()) continue;
    const std::string tip = ": layer op " + std::to_string(l["op_index"].get<int>()) + " " + l["op"].get<std::string>() + ", offset " +
                            std::to_string(l["sram_offset"].get<int64_t>());
    EXPECT_NE(html.find(tip), std::string::npos) << tip;
  }
}

TEST(ReportCsv, OneRowPerOperatorWithQuotedFields) {
  ETPU_SHARED_FILE_OR_SKIP(deeplab, "testdata/models/deeplabv3_mnv2_dm05_pascal_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(google, "testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  auto doc = BuildModelReport({deeplab, google});
  ASSERT_TRUE(doc.ok());
  const std::string csv = RenderReportCsv(*doc);
  size_t rows = 0, quoted = 0;
  for (size_t p = 0; p < csv.size(); p = csv.find('\n', p) + 1) {
    ++rows;
    if (csv.compare(p, 1, "\"") == 0 || csv.find(",\"", p) < csv.find('\n', p)) ++quoted;
  }
  const json& google_model = (*doc)["models"][1];
  const size_t expected = 1 + (*doc)["models"][0]["operators"].size() + google_model["layers"].size() + google_model["inspect"]["cpu_ops"].size();
  EXPECT_EQ(rows, expected);
  // deeplab's RESIZE_BILINEAR status ("..., but ...") holds a comma: quoted.
  EXPECT_NE(csv.find(",\"Operation is otherwise supported, but not mapped"), std::string::npos);
  EXPECT_GT(quoted, 0u);
}

// A layer placed in two pieces (compiler 16's softmax table streamed, its unit row cached) is one
// per-operator row: bytes summed, placement "split", the SRAM offset of its cached piece.
TEST(ReportLayers, PiecesOfOneLayerAreOneOperatorRow) {
  const json layers = json::array({
      {{"op_index", 28}, {"op", "CONV_2D"}, {"cached", true}, {"param_bytes", 1024}, {"sram_offset", 100}},
      {{"op_index", 30}, {"op", "SOFTMAX"}, {"cached", false}, {"param_bytes", 48192}, {"sram_offset", nullptr}},
      {{"op_index", 30}, {"op", "SOFTMAX"}, {"cached", true}, {"param_bytes", 64}, {"sram_offset", 1124}},
  });
  const std::map<int64_t, json> by_op = LayersByOperator(layers);
  ASSERT_EQ(by_op.size(), 2u);
  EXPECT_EQ(by_op.at(28)["placement"], "cached");
  EXPECT_EQ(by_op.at(28)["param_bytes"], 1024);
  EXPECT_EQ(by_op.at(30)["placement"], "split");
  EXPECT_EQ(by_op.at(30)["param_bytes"], 48256);
  EXPECT_EQ(by_op.at(30)["sram_offset"], 1124);
  EXPECT_FALSE(by_op.at(30)["cached"].get<bool>());
}

TEST(ReportHtml, DataCannotCloseItsScriptElement) {
  // A complete document (every top-level key BuildModelReport writes; the renderers read them all).
  json doc = {{"header", {{"etpu_version", "</script><b>x"}}}, {"groups", json::array()}, {"models", json::array()},
              {"checks", json::array()}, {"orders", nullptr}, {"advice", json::array()}, {"plan", nullptr}};
  doc["header"].update({{"compiler_version", ""}, {"target_runtime_version", 14}, {"host", ""}, {"clock", ""}, {"chip", ""},
                        {"inputs", json::array()}, {"co_compile_order", json::array()}, {"tokens", json::array()},
                        {"runtime_warnings", json::array()}});
  doc["traffic"] = {{"fps", 30.0}, {"hosts", json::array()}, {"models", json::array()},
                    {"set", {{"later_h2d_bytes", 0}, {"d2h_bytes", 0}, {"hosts", json::array()}}}, {"shared_hub_note", ""}};
  const std::string html = RenderReportHtml(doc);
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  EXPECT_EQ(json::parse(EmbeddedData(html)), doc);
}

}  // namespace
}  // namespace etpu::report
