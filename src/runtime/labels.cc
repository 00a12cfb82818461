#include "runtime/labels.h"

#include <vector>

#include "base/file_io.h"

namespace etpu::runtime {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

LabelMap ParseLabels(std::string_view text) {
  LabelMap labels;
  int64_t row = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = Strip(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t digits = 0;
    while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
    size_t rest = digits;
    while (rest < line.size() && (line[rest] == ':' || IsSpace(line[rest]))) ++rest;
    // "283  tiger cat": a number, a separator run, then the label (possibly empty, as in pycoral).
    if (digits > 0 && digits <= 18 && rest > digits) {
      int64_t id = 0;
      for (size_t i = 0; i < digits; ++i) id = id * 10 + (line[i] - '0');
      labels[id] = std::string(line.substr(rest));
    } else {
      labels[row] = std::string(line);
    }
    ++row;
  }
  return labels;
}

Result<LabelMap> ReadLabelFile(const std::string& path) {
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, base::ReadFile(path));
  return ParseLabels(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace etpu::runtime
