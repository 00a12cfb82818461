#include "oracle/oracle_util.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

#include "testutil/shared.h"

#ifndef ETPU_ORACLE_CACHE
#error "ETPU_ORACLE_CACHE must be defined by the build"
#endif

namespace etpu::oracle_test {

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

int RunCommand(const std::string& cmd, std::string* out) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
    if (out != nullptr) out->append(buf, n);
  }
  const int rc = ::pclose(p);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::optional<Oracle> GetOracle(std::string* why) {
  static std::once_flag once;
  static std::optional<Oracle> oracle;
  static std::string reason;
  std::call_once(once, [] {
    if (RunCommand("command -v node && command -v npm && command -v cc", nullptr) != 0) {
      reason = "node, npm or cc not found: the TFLite reference oracle cannot be set up";
      return;
    }
    const std::string setup = testutil::SharedPath("oracle/setup.sh");
    if (!std::filesystem::exists(setup)) {
      reason = "missing " + setup;
      return;
    }
    std::string out;
    const std::string cache = ETPU_ORACLE_CACHE;
    // Under an exclusive lock: ctest runs test processes side by side, and one must not use a
    // runner that another is still compiling.
    if (RunCommand("flock " + Quote(cache + ".lock") + " bash " + Quote(setup) + " " + Quote(cache), &out) != 0) {
      reason = "oracle setup failed: " + out;
      return;
    }
    oracle = Oracle{cache + "/tflite_c_run", cache + "/libtflite22.so", cache + "/libtflite29.so"};
  });
  if (why != nullptr) *why = reason;
  return oracle;
}

bool RunOracle(const Oracle& o, const std::string& lib, const std::string& model,
               const std::vector<std::string>& inputs, const std::string& dump_dir, std::string* log) {
  std::string cmd = Quote(o.runner) + " " + Quote(lib) + " " + Quote(model) + " --dump " + Quote(dump_dir);
  for (const auto& i : inputs) cmd += " " + Quote(i);
  return RunCommand(cmd, log) == 0;
}

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace etpu::oracle_test
