#include "driver/output_paths.h"

#include <fmt/format.h>

namespace etpu::driver {

std::string ModelStem(const std::string& input_path) {
  size_t slash = input_path.find_last_of('/');
  std::string base = slash == std::string::npos ? input_path : input_path.substr(slash + 1);
  const std::string ext = ".tflite";
  if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
    base.resize(base.size() - ext.size());
  }
  return base;
}

std::string OutputPath(const std::string& out_dir, const std::string& file_name) {
  if (out_dir.empty() || out_dir == ".") return file_name;
  std::string dir = out_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir == "/") return "/" + file_name;
  return dir + "/" + file_name;
}

std::string SegmentStem(const std::string& stem, int index, int count) {
  return fmt::format("{}_segment_{}_of_{}", stem, index, count);
}

}  // namespace etpu::driver
