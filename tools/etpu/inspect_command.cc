// etpu inspect FILE... [--json] [--runtime_version N]: what a compiled model holds (Google's or ours).
// Exit 1 when a file cannot be read or a package fails the runtime-version check.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "report/inspect.h"
#include "tools/etpu/cli.h"
#include "tools/etpu/commands.h"

namespace etpu::tools {

int InspectCommand(int argc, char** argv) {
  static_assert(kNewestRuntimeVersion == package::kRuntimeVersion);
  CLI::App app{"Inspect compiled Edge TPU models: caching token, minimum runtime version, compiler version, chip,\n"
               "executables, on-chip and off-chip parameter bytes, per-layer placement (etpu packages only: the\n"
               "layout of Google's parameter blobs is not known), the operators left on the CPU, and which files\n"
               "share the SRAM (same token). Exits 1 when a file cannot be read or fails the runtime check.",
               "etpu inspect"};
  std::vector<std::string> files;
  bool json = false;
  int runtime_version = package::kRuntimeVersion;
  app.add_option("files", files, "Compiled .tflite files")->required();
  app.add_flag("--json", json, "Machine-readable output (schema: docs/json/inspect.schema.json)");
  app.add_option("--runtime_version", runtime_version,
                 "Check the packages against this Edge TPU runtime version, 1 to 14 (default: the newest, 14)")
      ->check(CLI::Range(1, kNewestRuntimeVersion));
  if (auto code = ParseCommandLine(app, argc, argv)) return *code;
  report::InspectOptions options;
  options.runtime_version = runtime_version;
  std::vector<report::InspectReport> reports;
  int failures = 0;
  for (const auto& f : files) {
    auto r = report::InspectCompiledModel(f, options);
    if (!r.ok()) {
      Failure("inspect", r.status().ToString());
      ++failures;
      continue;
    }
    for (const auto& op : r->edgetpu_ops) {
      if (!op.runtime_error.empty()) {
        Failure("inspect", f + ": edgetpu-custom-op #" + std::to_string(op.op_index) + " fails the check against runtime " +
                               std::to_string(runtime_version) + ": " + op.runtime_error);
        ++failures;
      }
    }
    reports.push_back(std::move(r).value());
  }
  if (!reports.empty()) {  // Nothing to show when no file could be read: only the errors.
    std::string out = json ? report::RenderInspectJson(reports) : report::RenderInspectText(reports);
    std::fputs(out.c_str(), stdout);
  }
  return failures > 0 ? kExitFailure : kExitOk;
}

}  // namespace etpu::tools
