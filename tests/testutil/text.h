// Small text helpers for tests that read tool output.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace etpu::testutil {

/// The lines of `text` (without their newline) that start with one of `prefixes`, in order.
inline std::vector<std::string> LinesStartingWith(const std::string& text,
                                                  std::initializer_list<std::string_view> prefixes) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    for (std::string_view p : prefixes) {
      if (line.starts_with(p)) {
        out.push_back(line);
        break;
      }
    }
    start = end + 1;
  }
  return out;
}

}  // namespace etpu::testutil
