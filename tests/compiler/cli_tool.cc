#include "compiler/cli_tool.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace etpu::testing {
namespace {

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

ToolRun RunTool(const std::string& bin, const std::vector<std::string>& args, const std::string& cwd,
                const std::vector<std::string>& env) {
  static int counter = 0;
  const std::string err_path =
      (std::filesystem::temp_directory_path() / ("etpu-cli-stderr-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(counter++)))
          .string();
  std::string cmd = "cd " + Quote(cwd) + " && ";
  for (const auto& e : env) cmd += e + " ";
  cmd += Quote(bin);
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " 2>" + Quote(err_path);
  ToolRun run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadText(err_path);
  std::error_code ec;
  std::filesystem::remove(err_path, ec);
  return run;
}

ToolRun RunEtpu(const std::vector<std::string>& args, const std::string& cwd, const std::vector<std::string>& env) {
  return RunTool(ETPU_TOOL_BIN, args, cwd, env);
}

}  // namespace etpu::testing
