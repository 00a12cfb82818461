// Reading ../shared/testdata/groundtruth.json records (header only; needs nlohmann_json).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace etpu::testutil {

/// True when a groundtruth record's layer list accounts for its whole parameter blob with
/// conv-like records (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) of the published size: every
/// layer placed, its measured bytes equal to the formula's, the layers back to back from offset 0
/// up to the blob's total. Such a record (e.g. one of `pending_pairs`) holds only layouts etpu
/// reproduces and can be compared byte for byte. Decided from the record, not from etpu's rules.
inline bool BlobIsConvRecordsOnly(const nlohmann::json& pair) {
  std::vector<std::pair<int64_t, int64_t>> spans;  // (offset, bytes)
  for (const auto& l : pair.at("per_layer")) {
    if (l.at(7).is_null() || l.at(8) != l.at(9)) return false;
    spans.emplace_back(l.at(7).get<int64_t>(), l.at(8).get<int64_t>());
  }
  std::sort(spans.begin(), spans.end());
  int64_t end = 0;
  for (const auto& [offset, bytes] : spans) {
    if (offset != end) return false;
    end += bytes;
  }
  return !spans.empty() && end == pair.at("edgetpu_param_bytes_total").get<int64_t>();
}

}  // namespace etpu::testutil
