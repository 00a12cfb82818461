#include "driver/prepared_model.h"

#include <fmt/format.h>

#include "cache/caching_token.h"
#include "driver/generation.h"

namespace etpu::driver {

Result<PreparedModel> PrepareModel(const ir::Model& model, const CompileOptions& options, int max_ops) {
  PreparedModel p;
  p.model = &model;
  support::SupportOptions sopts;
  sopts.min_runtime_version = options.min_runtime_version;
  p.decisions = support::DecideAll(model, sopts);
  std::vector<bool> supported(p.decisions.size());
  for (size_t i = 0; i < p.decisions.size(); ++i) supported[i] = p.decisions[i].supported;
  partition::PartitionOptions popts;
  popts.multiple_subgraphs = options.multiple_subgraphs;
  popts.intermediate_tensors = options.intermediate_tensors;
  popts.max_ops = max_ops;
  // -m: an operator that needs a newer runtime only because of what is mapped around it (INT8
  // data crossing to the host) stays on the CPU; repeat until the mapped set fits the runtime.
  std::vector<int> mapped;
  while (true) {
    ETPU_ASSIGN_OR_RETURN(p.partition, partition::PartitionModel(model, supported, popts));
    mapped.clear();
    for (const auto& r : p.partition.regions) mapped.insert(mapped.end(), r.ops.begin(), r.ops.end());
    std::vector<support::RuntimeGated> gated = support::RuntimeGatedOps(model, mapped, sopts);
    if (gated.empty()) break;
    for (auto& g : gated) {
      supported[static_cast<size_t>(g.op_index)] = false;
      p.decisions[static_cast<size_t>(g.op_index)] = std::move(g.decision);
    }
  }
  if (!mapped.empty()) {
    ETPU_ASSIGN_OR_RETURN(cache::CapacityModel capacity, cache::CapacityModel::Builtin());
    ETPU_ASSIGN_OR_RETURN(p.activations, capacity.Analyze(model, mapped));
    ETPU_ASSIGN_OR_RETURN(p.layers, params::EncodeRegionParams(model, mapped, Generation(options.emulate)));
  }
  p.plan_model = cache::MakePlanModel(model, "", p.activations, p.layers);
  for (const auto& r : p.partition.regions) p.parameter_order.push_back(params::ParameterOrder(model, r.ops, r.outputs));
  p.mapped_min_runtime_version = support::MinRuntimeVersionFor(model, mapped);
  return p;
}

std::string PrepareKey(const CompileOptions& options, int max_ops) {
  std::string key = fmt::format("e{} m{} a{} k{} i", options.emulate, options.min_runtime_version, options.multiple_subgraphs ? 1 : 0, max_ops);
  for (const auto& t : options.intermediate_tensors) key += fmt::format("{}:{},", t.size(), t);
  return key;
}

}  // namespace etpu::driver
