// Label files as Coral's tools read them (pycoral.utils.dataset.read_label_file): each line is
// stripped of surrounding whitespace and split once at the first run of ':' or whitespace; when
// the first part is a whole number, it is the class id and the rest the label ("283  tiger cat",
// "0: background"); otherwise the whole line is the label of its own line index (0-based), so
// plain one-label-per-line files work too. Both forms may mix in one file, as in pycoral.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "etpu/status.h"

namespace etpu::runtime {

using LabelMap = std::map<int64_t, std::string>;

/// Parses the text of a label file (ids of more than 18 digits count as plain labels).
LabelMap ParseLabels(std::string_view text);
/// Reads and parses a label file.
Result<LabelMap> ReadLabelFile(const std::string& path);

}  // namespace etpu::runtime
