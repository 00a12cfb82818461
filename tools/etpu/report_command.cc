// etpu report MODEL... [-o FILE] [--host H] [--clock max|std] [--format html|json|txt|csv]
//                      [--fps F] [--runtime_version N] [--emulate 15|16] [--plan PLAN.json]
// Where every byte of the SRAM goes and why (docs/REPORT.md; JSON schema docs/json/report.schema.json).
// Source models are compiled in memory (co-compiled, in the given order, when several); compiled
// ones are read. Output: stdout without -o (or with -o -), else FILE written atomically.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "base/file_io.h"
#include "device/device_catalog.h"
#include "report/model_report.h"
#include "tools/etpu/cli.h"
#include "tools/etpu/commands.h"

namespace etpu::tools {

int ReportCommand(int argc, char** argv) {
  CLI::App app{"Report where every byte of the Edge TPU's SRAM goes and why, for a model or a co-compiled set:\n"
               "the compiler's summary and its arithmetic, the SRAM address map, the parameter waterfall, the\n"
               "per-layer table, first/later inference timelines (timing model), a plan (--plan) and invariant checks.\n"
               "Source models are compiled by etpu (several: co-compiled in the given order); compiled models\n"
               "(etpu's or Google's) are read, and the report says what their package does not tell.\n"
               "HTML is one self-contained page (inline CSS and SVG, nothing loaded) embedding the JSON.\n"
               "Output goes to stdout unless -o FILE is given (written atomically). Exit codes: 0 ok, 1 a model\n"
               "cannot be read or compiled, or the output cannot be written, 2 usage error.",
               "etpu report"};
  std::vector<std::string> models;
  std::string out = "-", format = "html", host = "usb3", clock, plan;
  int runtime_version = kNewestRuntimeVersion, emulate = 16;
  double fps = 30;
  app.add_option("models", models, "Models: source .tflite (compiled) or compiled *_edgetpu.tflite (read)")->required();
  app.add_option("-o,--output", out, "Output file; '-' (the default) writes to stdout");
  app.add_option("--format", format,
                 "html (default), json (schema: docs/json/report.schema.json), txt, or csv (the per-layer table)")
      ->check(CLI::IsMember({"html", "json", "txt", "csv"}));
  app.add_option("--host", host, "Host profile of the timing model: usb3 (default), usb2, pcie, jetson-nano-usb3, rpi4-usb3, rpi3-usb2");
  app.add_option("--clock", clock, "Edge TPU clock: max or std (default: the host profile's)")->check(CLI::IsMember({"max", "std"}));
  app.add_option("--fps", fps, "Target inferences per second per model, for the host-traffic section (default 30)")
      ->check(CLI::PositiveNumber);
  app.add_option("--runtime_version", runtime_version, "Check the packages against this Edge TPU runtime version, 1 to 14 (default 14)")
      ->check(CLI::Range(1, kNewestRuntimeVersion));
  app.add_option("--emulate", emulate, "Generation of Google's compiler to emulate for source models: 15 or 16 (default 16)")
      ->check(CLI::IsMember({15, 16}));
  app.add_option("--plan", plan, "A plan written by `etpu plan --json` (section 8: its devices, groups, utilisation, token "
                                 "switches and link use)");
  if (auto code = ParseCommandLine(app, argc, argv)) return *code;
  auto catalog = device::BuiltinDeviceCatalog();
  if (!catalog.ok()) return Failure("report", catalog.status().ToString());
  if (!catalog->Host(host).ok()) return UsageError("report", catalog->Host(host).status().message());

  report::ReportOptions options;
  options.host = host;
  options.clock = clock;
  options.target_runtime_version = runtime_version;
  options.emulate = emulate;
  options.fps = fps;
  options.plan_path = plan;
  options.tool_version = ETPU_VERSION;
  auto doc = report::BuildModelReport(models, options);
  if (!doc.ok()) return Failure("report", doc.status().ToString());
  const std::string text = report::RenderReportAs(*doc, format);
  if (out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  Status written = base::WriteFileAtomic(out, text);
  if (!written.ok()) return Failure("report", written.ToString());
  return kExitOk;
}

}  // namespace etpu::tools
