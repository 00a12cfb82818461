// Runs a built tool (etpu, edgetpu_compiler) for CLI tests, with stdout and stderr apart.
#pragma once

#include <string>
#include <vector>

namespace etpu::testing {

struct ToolRun {
  int exit_code = -1;
  std::string out;  ///< stdout.
  std::string err;  ///< stderr.
};

/// Runs `bin args...` in `cwd` with extra environment assignments `env` ("TMPDIR=/x").
ToolRun RunTool(const std::string& bin, const std::vector<std::string>& args, const std::string& cwd = ".",
                const std::vector<std::string>& env = {});

/// Runs the built etpu multi-tool (ETPU_TOOL_BIN).
ToolRun RunEtpu(const std::vector<std::string>& args, const std::string& cwd = ".",
                const std::vector<std::string>& env = {});

std::string ReadText(const std::string& path);
void WriteBytes(const std::string& path, const std::vector<unsigned char>& bytes);

}  // namespace etpu::testing
