// etpu inspect FILE... [--json] [--runtime_version N]: what a compiled model holds (Google's or ours).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "report/inspect.h"
#include "tools/etpu/commands.h"

namespace etpu::tools {

int InspectCommand(int argc, char** argv) {
  CLI::App app{"Inspect compiled Edge TPU models: caching token, minimum runtime version, compiler version, chip,\n"
               "executables, on-chip and off-chip parameter bytes, per-layer placement (etpu packages), the operators\n"
               "left on the CPU, and which files share the SRAM (same token).",
               "etpu inspect"};
  std::vector<std::string> files;
  bool json = false;
  int runtime_version = package::kRuntimeVersion;
  app.add_option("files", files, "Compiled .tflite files")->required();
  app.add_flag("--json", json, "Machine-readable output");
  app.add_option("--runtime_version", runtime_version,
                 "Check the packages against this Edge TPU runtime version (default: the newest, 14)")
      ->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);
  report::InspectOptions options;
  options.runtime_version = runtime_version;
  std::vector<report::InspectReport> reports;
  int failures = 0;
  for (const auto& f : files) {
    auto r = report::InspectCompiledModel(f, options);
    if (!r.ok()) {
      std::fprintf(stderr, "etpu inspect: %s\n", r.status().ToString().c_str());
      ++failures;
      continue;
    }
    reports.push_back(std::move(r).value());
  }
  std::string out = json ? report::RenderInspectJson(reports) : report::RenderInspectText(reports);
  std::fputs(out.c_str(), stdout);
  return failures > 0 ? 1 : 0;
}

}  // namespace etpu::tools
