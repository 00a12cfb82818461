#include "partition/segmenter.h"

#include <fmt/format.h>

#include <numeric>
#include <set>

namespace etpu::partition {

Result<std::vector<std::vector<int>>> SegmentByParameters(const ir::Model& model, const std::vector<int64_t>& param_bytes,
                                                          int num_segments) {
  const int n = static_cast<int>(model.ops.size());
  if (num_segments < 1) return InvalidArgumentError(fmt::format("--num_segments must be at least 1 (got {})", num_segments));
  if (num_segments > n) {
    return InvalidArgumentError(fmt::format("cannot split model '{}' with {} operators into {} segments", model.path, n, num_segments));
  }
  if (static_cast<int>(param_bytes.size()) != n) return InternalError("segmenter: parameter sizes do not match operators");
  // The first operator that ends a branch: cuts must come before it.
  std::set<int> outputs(model.outputs.begin(), model.outputs.end());
  int first_output_op = n;
  for (int i = 0; i < n && first_output_op == n; ++i) {
    for (int t : model.ops[static_cast<size_t>(i)].outputs) {
      if (model.tensor(t).consumers.empty() || outputs.count(t)) first_output_op = i;
    }
  }
  const int64_t total = std::accumulate(param_bytes.begin(), param_bytes.end(), int64_t{0});
  const int64_t average = total / num_segments + 1;
  std::vector<std::vector<int>> segments(static_cast<size_t>(num_segments));
  int next = 0;
  for (int s = 0; s < num_segments - 1; ++s) {
    int64_t bytes = 0;
    // Leave at least one operator for each later segment, and no cut after the first output operator.
    int last_allowed = std::min(n - (num_segments - s), first_output_op - 1);
    while (next <= last_allowed) {
      bool empty = segments[static_cast<size_t>(s)].empty();
      if (!empty && bytes + param_bytes[static_cast<size_t>(next)] > average) break;
      bytes += param_bytes[static_cast<size_t>(next)];
      segments[static_cast<size_t>(s)].push_back(next++);
    }
    if (segments[static_cast<size_t>(s)].empty()) {
      return InvalidArgumentError(fmt::format("cannot split model '{}' into {} segments: its output operators come too early",
                                              model.path, num_segments));
    }
  }
  for (; next < n; ++next) segments.back().push_back(next);
  return segments;
}

}  // namespace etpu::partition
