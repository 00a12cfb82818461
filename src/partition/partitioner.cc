#include "partition/partitioner.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace etpu::partition {

int Partition::mapped_count() const {
  return static_cast<int>(std::count_if(region_of.begin(), region_of.end(), [](int r) { return r >= 0; }));
}

Region MakeRegion(const ir::Model& model, std::vector<int> ops, const std::vector<int>& extra_outputs) {
  Region region;
  region.ops = std::move(ops);
  std::set<int> in_region(region.ops.begin(), region.ops.end());
  std::set<int> graph_outputs(model.outputs.begin(), model.outputs.end());
  std::set<int> extra(extra_outputs.begin(), extra_outputs.end());
  std::set<int> seen_inputs;
  for (int op_index : region.ops) {
    const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
    for (int t : op.inputs) {
      if (t < 0) continue;
      const ir::Tensor& tensor = model.tensor(t);
      if (tensor.is_constant()) continue;
      if (tensor.producer >= 0 && in_region.count(tensor.producer)) continue;
      if (seen_inputs.insert(t).second) region.inputs.push_back(t);
    }
  }
  // Outputs: tensors written inside and read outside (or model outputs, or requested cuts),
  // ordered by the depth of their producer inside the region (longest chain of region operators
  // from the region's inputs), ties in production order.
  std::map<int, int> depth_of_op;
  for (int op_index : region.ops) {
    int depth = 1;
    for (int t : model.ops[static_cast<size_t>(op_index)].inputs) {
      if (t < 0) continue;
      auto it = depth_of_op.find(model.tensor(t).producer);
      if (it != depth_of_op.end()) depth = std::max(depth, it->second + 1);
    }
    depth_of_op[op_index] = depth;
  }
  std::vector<std::pair<int, int>> outputs;  // (depth, tensor), in production order
  for (int op_index : region.ops) {
    const ir::Operator& op = model.ops[static_cast<size_t>(op_index)];
    for (int t : op.outputs) {
      const ir::Tensor& tensor = model.tensor(t);
      bool used_outside = graph_outputs.count(t) > 0 || extra.count(t) > 0;
      for (int c : tensor.consumers) used_outside = used_outside || in_region.count(c) == 0;
      if (used_outside) outputs.emplace_back(depth_of_op[op_index], t);
    }
  }
  std::stable_sort(outputs.begin(), outputs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [depth, t] : outputs) region.outputs.push_back(t);
  return region;
}

namespace {

// -a: every maximal run of consecutive mappable operators (execution order).
std::vector<std::vector<int>> MappableRuns(const std::vector<char>& mappable) {
  std::vector<std::vector<int>> runs;
  bool in_run = false;
  for (size_t i = 0; i < mappable.size(); ++i) {
    if (mappable[i]) {
      if (!in_run) runs.emplace_back();
      runs.back().push_back(static_cast<int>(i));
    }
    in_run = mappable[i] != 0;
  }
  return runs;
}

// The single region (see the header): mappable operators from the first one on whose non-constant
// inputs all come from the region, from no operator (graph inputs, variable state) or from a leading
// CPU operator (one before the first mappable operator, hence unmappable).
std::vector<int> DataflowRegion(const ir::Model& model, const std::vector<char>& mappable) {
  const int n = static_cast<int>(mappable.size());
  int first = 0;
  while (first < n && !mappable[static_cast<size_t>(first)]) ++first;
  std::vector<char> in_region(static_cast<size_t>(n), 0);
  std::vector<int> ops;
  for (int i = first; i < n; ++i) {
    if (!mappable[static_cast<size_t>(i)]) continue;
    bool fed = true;
    for (int t : model.ops[static_cast<size_t>(i)].inputs) {
      if (t < 0 || model.tensor(t).is_constant()) continue;
      const int producer = model.tensor(t).producer;
      fed = fed && (producer < first || in_region[static_cast<size_t>(producer)]);
    }
    if (fed) {
      in_region[static_cast<size_t>(i)] = 1;
      ops.push_back(i);
    }
  }
  return ops;
}

}  // namespace

Result<Partition> PartitionModel(const ir::Model& model, const std::vector<bool>& supported,
                                 const PartitionOptions& options) {
  const int n = static_cast<int>(model.ops.size());
  if (static_cast<int>(supported.size()) != n) {
    return InternalError(fmt::format("partition: {} support decisions for {} operators", supported.size(), n));
  }
  Partition p;
  p.region_of.assign(static_cast<size_t>(n), -1);
  p.cpu_reason.assign(static_cast<size_t>(n), CpuReason::kNone);

  // Operators downstream of a cut tensor (-i) may not be mapped.
  std::vector<int> cut_tensors;
  for (const std::string& name : options.intermediate_tensors) {
    auto t = model.FindTensor(name);
    if (!t) return InvalidArgumentError(fmt::format("intermediate tensor '{}' does not exist in model '{}'", name, model.path));
    cut_tensors.push_back(*t);
  }
  std::vector<char> tainted_tensor(model.tensors.size(), 0);
  for (int t : cut_tensors) tainted_tensor[static_cast<size_t>(t)] = 1;
  std::vector<char> after_cut(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const ir::Operator& op = model.ops[static_cast<size_t>(i)];
    bool tainted = options.max_ops >= 0 && i >= options.max_ops;
    for (int t : op.inputs) tainted = tainted || (t >= 0 && tainted_tensor[static_cast<size_t>(t)]);
    if (tainted) {
      after_cut[static_cast<size_t>(i)] = 1;
      for (int t : op.outputs) tainted_tensor[static_cast<size_t>(t)] = 1;
    }
  }

  std::vector<char> mappable(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) mappable[static_cast<size_t>(i)] = supported[static_cast<size_t>(i)] && !after_cut[static_cast<size_t>(i)];
  std::vector<std::vector<int>> runs =
      options.multiple_subgraphs ? MappableRuns(mappable) : std::vector<std::vector<int>>{DataflowRegion(model, mappable)};
  if (runs.size() == 1 && runs[0].empty()) runs.clear();

  for (auto& ops : runs) {
    int r = static_cast<int>(p.regions.size());
    for (int op : ops) p.region_of[static_cast<size_t>(op)] = r;
    p.regions.push_back(MakeRegion(model, ops, cut_tensors));
  }
  for (int i = 0; i < n; ++i) {
    if (p.region_of[static_cast<size_t>(i)] >= 0 || !supported[static_cast<size_t>(i)]) continue;
    p.cpu_reason[static_cast<size_t>(i)] =
        after_cut[static_cast<size_t>(i)] ? CpuReason::kAfterIntermediate : CpuReason::kDownstreamOfCpuOp;
  }
  return p;
}

}  // namespace etpu::partition
