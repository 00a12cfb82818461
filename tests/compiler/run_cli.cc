#include "compiler/run_cli.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

namespace etpu::testing {
namespace {

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) lines.push_back(line);
  return lines;
}

std::string RegexEscape(const std::string& s) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  return std::regex_replace(s, special, R"(\$&)");
}

}  // namespace

CliRun RunCompiler(const std::vector<std::string>& args, const std::string& cwd) {
  std::string cmd = "cd " + Quote(cwd) + " && " + Quote(ETPU_COMPILER_BIN);
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " 2>&1";
  CliRun run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string ReadGolden(const std::string& name) {
  std::ifstream in(std::string(ETPU_GOLDEN_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string MatchGolden(const std::string& golden, const std::string& actual,
                        const std::vector<std::pair<std::string, std::string>>& vars) {
  auto g = Lines(golden);
  auto a = Lines(actual);
  for (size_t i = 0; i < g.size() || i < a.size(); ++i) {
    if (i >= g.size()) return "extra line " + std::to_string(i + 1) + ": '" + a[i] + "'";
    if (i >= a.size()) return "missing line " + std::to_string(i + 1) + ": '" + g[i] + "'";
    std::string pattern = RegexEscape(g[i]);
    for (const auto& [k, v] : vars) {
      std::string key = RegexEscape("{" + k + "}");
      size_t pos;
      while ((pos = pattern.find(key)) != std::string::npos) pattern.replace(pos, key.size(), RegexEscape(v));
    }
    auto replace_all = [&](const std::string& key, const std::string& re) {
      std::string k = RegexEscape(key);
      size_t pos;
      while ((pos = pattern.find(k)) != std::string::npos) pattern.replace(pos, k.size(), re);
    };
    replace_all("{ANY_SIZE}", R"(\d+\.\d\d(B|KiB|MiB|GiB))");
    replace_all("{ANY_MS}", R"(\d+)");
    replace_all("{ANY_INT}", R"(\d+)");
    if (!std::regex_match(a[i], std::regex(pattern))) {
      return "line " + std::to_string(i + 1) + ":\n  expected: '" + g[i] + "'\n  actual:   '" + a[i] + "'";
    }
  }
  return "";
}

}  // namespace etpu::testing
