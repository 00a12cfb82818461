// What every etpu subcommand shares on the command line: one exit-code convention, `--version`,
// and the words of usage errors. (edgetpu_compiler keeps Google's 0 / 1: it is drop-in.)
//   0  success (also --help and --version)
//   1  failure (a file cannot be read, a model is refused, a check fails)
//   2  usage error (unknown option, bad option value, missing or conflicting arguments)
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace etpu::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

/// --runtime_version accepts 1 to the newest Edge TPU runtime version (run and inspect check it
/// equals the runtime's and the package reader's constants).
inline constexpr int kNewestRuntimeVersion = 14;

/// "etpu 0.1.0 (compiler 16.0.0-etpu.1; compiled models target the virtual Edge TPU 'etpu-virtual')".
std::string VersionText();

/// Adds --version to `app` and parses. Returns nullopt to go on, or the exit code to return now
/// (0 after --help/--version, kExitUsage after a parse or validation error, which CLI11 printed).
std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv);

/// Prints "etpu COMMAND: MESSAGE" and the --help hint on stderr; returns kExitUsage.
int UsageError(const std::string& command, const std::string& message);

/// Prints "etpu COMMAND: MESSAGE" on stderr; returns kExitFailure.
int Failure(const std::string& command, const std::string& message);

/// Empty when `name` is a zoo model; otherwise the error to show (naming the models).
std::string ZooNameError(const std::string& name);

}  // namespace etpu::tools
