#include "tools/etpu/cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "driver/console_report.h"
#include "zoo/zoo.h"

namespace etpu::tools {

std::string VersionText() {
  return fmt::format("etpu {} (compiler {}; compiled models target etpu's virtual Edge TPU, chip 'etpu-virtual')",
                     ETPU_VERSION, driver::kCompilerVersion);
}

std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  app.set_version_flag("--version", VersionText());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version.
    // "etpu run: The following argument was not expected: --bogus" and the --help hint.
    const std::string name = app.get_name();
    return UsageError(name.starts_with("etpu ") ? name.substr(5) : name, e.what());
  }
  return std::nullopt;
}

int UsageError(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "etpu %s: %s\nRun 'etpu %s --help' for the options.\n", command.c_str(), message.c_str(),
               command.c_str());
  return kExitUsage;
}

int Failure(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "etpu %s: %s\n", command.c_str(), message.c_str());
  return kExitFailure;
}

std::string ZooNameError(const std::string& name) {
  const auto names = zoo::ZooNames();
  if (std::find(names.begin(), names.end(), name) != names.end()) return "";
  return fmt::format("no zoo model named '{}'; the models are: {} ('etpu zoo --list' shows their sizes)", name,
                     fmt::join(names, ", "));
}

}  // namespace etpu::tools
