#include "testutil/shared.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#ifndef ETPU_SOURCE_DIR
#error "ETPU_SOURCE_DIR must be defined by the build"
#endif

namespace etpu::testutil {

std::string SharedDir() {
  if (const char* env = std::getenv("ETPU_SHARED_DIR"); env != nullptr && *env != '\0') return env;
  return std::string(ETPU_SOURCE_DIR) + "/../shared";
}

std::string SharedPath(const std::string& relative) { return SharedDir() + "/" + relative; }

bool SharedRequired() {
  const char* env = std::getenv("ETPU_REQUIRE_SHARED");
  return env != nullptr && std::string(env) == "1";
}

namespace {
std::vector<std::string>& TempDirs() {
  static auto* dirs = new std::vector<std::string>();  // leaked on purpose: used at exit
  return *dirs;
}
void RemoveTempDirs() {
  std::error_code ec;
  for (const auto& d : TempDirs()) std::filesystem::remove_all(d, ec);
}
}  // namespace

std::string MakeTempDir(const std::string& tag) {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(RemoveTempDirs); });
  std::string pattern = (std::filesystem::temp_directory_path() / ("etpu_" + tag + "_XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const char* dir = ::mkdtemp(buf.data());
  if (dir == nullptr) return {};
  TempDirs().push_back(dir);
  return dir;
}

std::set<std::string> ListFileNames(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

}  // namespace etpu::testutil
