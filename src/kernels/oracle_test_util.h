// Test-only: runs a model with the TFLite oracle runner (../shared/oracle, README there) and
// returns its output tensors' bytes. The runner is looked up in $ETPU_ORACLE_DIR or
// /tmp/etpu-oracle; when absent and npm is installed, ../shared/oracle/setup.sh is run once to
// create it. Tests skip when no oracle can be had, and fail instead when ETPU_REQUIRE_SHARED=1.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "testutil/shared.h"

namespace etpu::kernels::testing {

/// The oracle folder (holding tflite_c_run and the libraries), or "" with `why` set.
inline std::string FindOracleDir(std::string* why) {
  namespace fs = std::filesystem;
  const char* env = std::getenv("ETPU_ORACLE_DIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : "/tmp/etpu-oracle";
  auto complete = [&] {
    return fs::exists(dir + "/tflite_c_run") && fs::exists(dir + "/libtflite29.so") &&
           fs::exists(dir + "/libtflite22.so");
  };
  // ctest runs test processes side by side: the setup runs under an exclusive lock, and runs
  // (a no-op once done) before the files are trusted, so no process sees a runner that another is
  // still compiling (a seen flake on a fresh machine).
  static bool tried_setup = false;
  const std::string setup = ::etpu::testutil::SharedPath("oracle/setup.sh");
  if (!tried_setup && fs::exists(setup) && std::system("command -v npm > /dev/null 2>&1") == 0) {
    tried_setup = true;
    const std::string cmd = "flock '" + dir + ".lock' bash '" + setup + "' '" + dir + "' > /dev/null 2>&1";
    (void)std::system(cmd.c_str());
  }
  if (complete()) return dir;
  *why = "TFLite oracle not found in " + dir + " (run ../shared/oracle/setup.sh " + dir +
         "; needs npm and ../shared)";
  return "";
}

inline void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

/// Runs `model` with library `lib` ("libtflite29.so" / "libtflite22.so") on raw inputs and
/// returns each output tensor's bytes; empty on failure (`log` then holds the runner's output).
inline std::vector<std::vector<uint8_t>> RunOracle(const std::string& oracle_dir, const std::string& lib,
                                                   const std::vector<uint8_t>& model,
                                                   const std::vector<std::vector<uint8_t>>& inputs,
                                                   int num_outputs, std::string* log) {
  const std::string dir = ::etpu::testutil::MakeTempDir("oracle");
  WriteBytes(dir + "/m.tflite", model);
  std::string cmd = "'" + oracle_dir + "/tflite_c_run' '" + oracle_dir + "/" + lib + "' '" + dir +
                    "/m.tflite' --dump '" + dir + "'";
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = dir + "/in" + std::to_string(i) + ".bin";
    WriteBytes(p, inputs[i]);
    cmd += " '" + p + "'";
  }
  cmd += " > '" + dir + "/log.txt' 2>&1";
  const int rc = std::system(cmd.c_str());
  const std::vector<uint8_t> log_bytes = ReadBytes(dir + "/log.txt");
  *log = "rc " + std::to_string(rc) + ": " + std::string(log_bytes.begin(), log_bytes.end());
  std::vector<std::vector<uint8_t>> outs;
  if (rc != 0) return outs;
  for (int k = 0; k < num_outputs; ++k) {
    const std::string p = dir + "/out" + std::to_string(k) + ".bin";
    if (!std::filesystem::exists(p)) return {};
    outs.push_back(ReadBytes(p));
  }
  return outs;
}

}  // namespace etpu::kernels::testing

/// Declares `var` as the oracle folder; skips (or fails with ETPU_REQUIRE_SHARED=1) without it.
#define ETPU_ORACLE_OR_SKIP(var)                                               \
  std::string var;                                                             \
  do {                                                                         \
    std::string why_;                                                          \
    var = ::etpu::kernels::testing::FindOracleDir(&why_);                      \
    if (var.empty()) {                                                         \
      if (::etpu::testutil::SharedRequired()) {                                \
        FAIL() << why_ << " (ETPU_REQUIRE_SHARED=1)";                          \
      } else {                                                                 \
        GTEST_SKIP() << why_;                                                  \
      }                                                                        \
    }                                                                          \
  } while (false)
