// Runs the built edgetpu_compiler in a directory and captures what it prints.
#pragma once

#include <string>
#include <vector>

namespace etpu::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;  ///< stdout and stderr, interleaved.
};

/// Runs ETPU_COMPILER_BIN with `args` in working directory `cwd`.
CliRun RunCompiler(const std::vector<std::string>& args, const std::string& cwd);

/// Reads a golden file from tests/golden.
std::string ReadGolden(const std::string& name);

/// Matches `actual` against a golden text line by line. In the golden, "{ANY_SIZE}" matches one
/// size as the compiler prints it ("7.96MiB"), "{ANY_MS}" and "{ANY_INT}" a whole number, and
/// "{VAR}" placeholders given in `vars` their literal values. Returns "" or a description of the
/// first difference.
std::string MatchGolden(const std::string& golden, const std::string& actual,
                        const std::vector<std::pair<std::string, std::string>>& vars);

}  // namespace etpu::testing
