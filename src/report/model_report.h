// `etpu report`: one document that says where every byte of the Edge TPU's SRAM goes and why,
// for a model or a co-compiled set (docs/REPORT.md).
//
//   auto doc = report::BuildModelReport({"a.tflite", "b.tflite"}, {.host = "usb2"});
//   std::string html = report::RenderReportHtml(*doc);   // or RenderReportJson / RenderReportText
//
// Source models are compiled in memory with etpu::Compile (co-compiled, in the given order, when
// several); compiled models (etpu's or Google's) are read with the inspect reader, and what their
// package does not tell is listed under "missing". Times come from the one timing model
// (etpu/timing.h). The document is plain JSON data (tokens as hex strings); the renderers only
// format it. Nothing here prints or writes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "etpu/compiler.h"
#include "etpu/status.h"

namespace etpu::report {

struct ReportOptions {
  std::string host = "usb3";          ///< Host profile of the device catalog (usb3, usb2, pcie, ...).
  std::string clock;                  ///< "max" or "std"; empty = the host profile's default.
  int target_runtime_version = 14;    ///< The runtime the packages are checked against.
  int emulate = 16;                   ///< Which generation of Google's compiler to emulate (15, 16).
  std::string tool_version;           ///< The etpu version, as the tool names it.
  double fps = 30;                    ///< Target frame rate of the host-traffic section (each model).
  std::string plan_path;              ///< A plan of `etpu plan --json` for section 8; empty = none.
  /// The flags of the report's compile of the source models (edgetpu_compiler's: -m, -a, -i, -d,
  /// -k, --cache_policy, -o for the output names); `emulate` above overrides compile.emulate. The
  /// order what-if (section 7) compiles every order with the emulated generation's defaults.
  CompileOptions compile;
};

/// The report document of `paths` (schema: docs/json/report.schema.json). Errors name the file:
/// missing or unreadable, not a TFLite model, a source model the compiler refuses, an unknown
/// host or clock, a plan file that is not a plan.
Result<nlohmann::json> BuildModelReport(const std::vector<std::string>& paths, const ReportOptions& options = {});

/// The document as JSON text (two-space indent, keys sorted, newline at the end).
std::string RenderReportJson(const nlohmann::json& doc);
/// The document as plain text, section by section.
std::string RenderReportText(const nlohmann::json& doc);
/// The per-layer table as CSV: one row per operator of every model (section 5's twin).
std::string RenderReportCsv(const nlohmann::json& doc);
/// A model's "layers" per operator: a layer placed in pieces (compiler 16's softmax table and unit
/// row in different blobs) is one entry with param_bytes summed, "placement" "cached", "streamed"
/// or "split", and the sram_offset of its first cached piece (null when none is cached).
std::map<int64_t, nlohmann::json> LayersByOperator(const nlohmann::json& layers);
/// The document in `format`: "json", "txt", "csv" or "html" (anything else: html).
std::string RenderReportAs(const nlohmann::json& doc, const std::string& format);
/// The format a report file's name asks for: ".json", ".txt", ".csv", else "html".
std::string ReportFormatOf(const std::string& path);
/// One self-contained HTML page (inline CSS and SVG, no script, no external reference) that embeds
/// RenderReportJson's text as <script type="application/json" id="etpu-data">.
std::string RenderReportHtml(const nlohmann::json& doc);

}  // namespace etpu::report
