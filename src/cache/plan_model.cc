#include "cache/plan_model.h"

#include <vector>

#include "cache/caching_token.h"

namespace etpu::cache {

PlanModel MakePlanModel(const ir::Model& model, std::string name, const ActivationFootprint& activations,
                        std::span<const params::LayerParams> records) {
  PlanModel pm;
  pm.name = std::move(name);
  pm.act = activations;
  std::vector<int> ops;
  for (const params::LayerParams& r : records) {
    ops.push_back(r.op_index);
    pm.layers.push_back({r.op_index, static_cast<int64_t>(r.bytes.size()), r.always_streamed,
                         r.kind.value_or(package::LayerKind::kOther)});
  }
  pm.content_digest = ModelContentDigest(model, ops);
  return pm;
}

}  // namespace etpu::cache
