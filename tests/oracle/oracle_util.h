// Helpers of the oracle comparison tests: locating / building the official TFLite reference
// runner (../shared/oracle/setup.sh), running it, reading its dumps.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace etpu::oracle_test {

/// Paths of the oracle runner and its two libraries.
struct Oracle {
  std::string runner;
  std::string lib22;  ///< TFLite 2.2.0: reference for every op except RESIZE_BILINEAR.
  std::string lib29;  ///< TFLite 2.9.0: current RESIZE_BILINEAR, int8 LSTM.
};

/// Builds (once per process) the oracle into ETPU_ORACLE_CACHE. nullopt with `why` set when
/// node/npm are missing or setup fails.
std::optional<Oracle> GetOracle(std::string* why);

/// Runs `cmd` through the shell; returns its exit code, stdout in *out.
int RunCommand(const std::string& cmd, std::string* out);

/// Runs the runner with `lib` on `model` and the input specs; dumps into `dump_dir`.
bool RunOracle(const Oracle& o, const std::string& lib, const std::string& model,
               const std::vector<std::string>& inputs, const std::string& dump_dir, std::string* log);

/// Reads a whole file (empty on error).
std::vector<uint8_t> ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes);

/// Single-quotes a string for the shell.
std::string Quote(const std::string& s);

}  // namespace etpu::oracle_test
