#include "cache/plan_model.h"

#include <vector>

#include "cache/caching_token.h"
#include "params/table_layout.h"

namespace etpu::cache {

PlanModel MakePlanModel(const ir::Model& model, std::string name, const ActivationFootprint& activations,
                        std::span<const params::LayerParams> records) {
  PlanModel pm;
  pm.name = std::move(name);
  pm.act = activations;
  std::vector<int> ops;
  for (const params::LayerParams& r : records) {
    ops.push_back(r.op_index);
    const package::LayerKind kind = r.kind.value_or(package::LayerKind::kOther);
    const std::vector<int64_t> pieces = kind == package::LayerKind::kSoftmaxTable
                                            ? params::SoftmaxTablePieces(r.bytes)
                                            : std::vector<int64_t>{static_cast<int64_t>(r.bytes.size())};
    int64_t at = 0;
    for (int64_t bytes : pieces) {
      pm.layers.push_back({r.op_index, bytes, r.always_streamed, kind, at});
      at += bytes;
    }
  }
  pm.content_digest = ModelContentDigest(model, ops);
  return pm;
}

}  // namespace etpu::cache
