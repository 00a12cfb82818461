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
    const package::LayerKind kind = r.kind.value_or(package::LayerKind::kOther);
    int64_t at = 0;
    for (const params::RecordPiece& piece : params::PiecesOf(r)) {
      pm.layers.push_back({r.op_index, piece.bytes, piece.always_streamed, kind, at});
      at += piece.bytes;
    }
  }
  pm.content_digest = ModelContentDigest(model, ops);
  return pm;
}

}  // namespace etpu::cache
