#include "cache/cache_plan.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

namespace etpu::cache {

Status ValidatePlanInput(std::span<const PlanModel> models, int64_t capacity_bytes) {
  if (capacity_bytes < 0) {
    return InvalidArgumentError("failed to plan parameter caching: capacity " + std::to_string(capacity_bytes) +
                                " bytes (expected >= 0)");
  }
  for (size_t m = 0; m < models.size(); ++m) {
    std::set<std::pair<int, bool>> ops;
    for (size_t l = 0; l < models[m].layers.size(); ++l) {
      const PlanLayer& layer = models[m].layers[l];
      // Built only for an error: this runs on every layer of every compile.
      const auto where = [&] {
        return "model '" + models[m].name + "' (#" + std::to_string(m) + "), layer #" + std::to_string(l) +
               " (operator #" + std::to_string(layer.op_index) + ")";
      };
      if (layer.op_index < 0) return InvalidArgumentError("failed to plan " + where() + ": negative operator index");
      if (layer.bytes < 0) {
        return InvalidArgumentError("failed to plan " + where() + ": parameter bytes " + std::to_string(layer.bytes) +
                                    " (expected >= 0)");
      }
      if (layer.record_offset != 0) {
        if (l == 0 || !ContinuesRecord(models[m].layers[l - 1], layer)) {
          return InvalidArgumentError("failed to plan " + where() + ": a piece starting at byte " +
                                      std::to_string(layer.record_offset) +
                                      " of its record does not follow the record's previous piece");
        }
        continue;
      }
      if (!ops.insert({layer.op_index, layer.always_streamed}).second) {
        return InvalidArgumentError("failed to plan " + where() + ": operator listed twice with the same placement kind");
      }
    }
  }
  return OkStatus();
}

Result<CachePlan> GreedyInOrderPolicy::Plan(std::span<const PlanModel> models, int64_t capacity_bytes) const {
  ETPU_RETURN_IF_ERROR(ValidatePlanInput(models, capacity_bytes));
  CachePlan plan;
  plan.policy = name();
  plan.capacity_bytes = capacity_bytes;
  int64_t remaining = capacity_bytes;
  for (const PlanModel& model : models) {
    ModelPlan mp;
    mp.name = model.name;
    for (const PlanLayer& layer : model.layers) {
      LayerPlacement p;
      p.op_index = layer.op_index;
      p.bytes = layer.bytes;
      p.record_offset = layer.record_offset;
      p.cached = !layer.always_streamed && layer.bytes <= remaining;
      if (p.cached) {
        p.offset = mp.cached_bytes;
        mp.cached_bytes += layer.bytes;
        remaining -= layer.bytes;
      } else {
        p.offset = mp.streamed_bytes;
        mp.streamed_bytes += layer.bytes;
      }
      mp.layers.push_back(p);
    }
    plan.models.push_back(std::move(mp));
  }
  plan.remaining_bytes = remaining;
  return plan;
}

namespace {

/// One cacheable or always-streamed layer of the set, with where it sits.
struct Ranked {
  size_t model;
  size_t layer;
  const PlanLayer* l;
};

/// Depthwise layers first, then larger first; ties keep the given order.
void SortByRank(std::vector<Ranked>& items) {
  std::stable_sort(items.begin(), items.end(), [](const Ranked& a, const Ranked& b) {
    if (a.l->depthwise() != b.l->depthwise()) return a.l->depthwise();
    return a.l->bytes > b.l->bytes;
  });
}

/// Caches, in `order`, each layer that fits what is left; then lays out offsets per model in
/// execution order (cached and streamed blobs separately).
CachePlan PlaceInRankOrder(std::span<const PlanModel> models, int64_t capacity_bytes,
                           const std::vector<std::vector<Ranked>>& passes, const std::string& policy) {
  std::vector<std::vector<char>> cached(models.size());
  for (size_t m = 0; m < models.size(); ++m) cached[m].assign(models[m].layers.size(), 0);
  int64_t remaining = capacity_bytes;
  for (const auto& pass : passes) {
    for (const Ranked& r : pass) {
      if (r.l->always_streamed || r.l->bytes > remaining) continue;
      cached[r.model][r.layer] = 1;
      remaining -= r.l->bytes;
    }
  }
  CachePlan plan;
  plan.policy = policy;
  plan.capacity_bytes = capacity_bytes;
  plan.remaining_bytes = remaining;
  for (size_t m = 0; m < models.size(); ++m) {
    ModelPlan mp;
    mp.name = models[m].name;
    for (size_t l = 0; l < models[m].layers.size(); ++l) {
      const PlanLayer& layer = models[m].layers[l];
      LayerPlacement p{layer.op_index, cached[m][l] != 0, 0, layer.bytes, layer.record_offset};
      int64_t& off = p.cached ? mp.cached_bytes : mp.streamed_bytes;
      p.offset = off;
      off += layer.bytes;
      mp.layers.push_back(p);
    }
    plan.models.push_back(std::move(mp));
  }
  return plan;
}

std::vector<Ranked> LayersOf(std::span<const PlanModel> models, size_t m) {
  std::vector<Ranked> items;
  for (size_t l = 0; l < models[m].layers.size(); ++l) items.push_back({m, l, &models[m].layers[l]});
  return items;
}

}  // namespace

Result<CachePlan> RankedInModelOrderPolicy::Plan(std::span<const PlanModel> models, int64_t capacity_bytes) const {
  ETPU_RETURN_IF_ERROR(ValidatePlanInput(models, capacity_bytes));
  std::vector<std::vector<Ranked>> passes;
  for (size_t m = 0; m < models.size(); ++m) {
    passes.push_back(LayersOf(models, m));
    SortByRank(passes.back());
  }
  return PlaceInRankOrder(models, capacity_bytes, passes, name());
}

Result<CachePlan> RankedAcrossModelsPolicy::Plan(std::span<const PlanModel> models, int64_t capacity_bytes) const {
  ETPU_RETURN_IF_ERROR(ValidatePlanInput(models, capacity_bytes));
  std::vector<Ranked> all;
  for (size_t m = 0; m < models.size(); ++m) {
    for (const Ranked& r : LayersOf(models, m)) all.push_back(r);
  }
  SortByRank(all);
  return PlaceInRankOrder(models, capacity_bytes, {all}, name());
}

namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, CachePolicyRegistry::Factory> factories;
};

Registry& GetRegistry() {
  static Registry* r = [] {
    auto* reg = new Registry;
    reg->factories[GreedyInOrderPolicy::kName] = [] { return std::make_unique<GreedyInOrderPolicy>(); };
    reg->factories[RankedInModelOrderPolicy::kName] = [] { return std::make_unique<RankedInModelOrderPolicy>(); };
    reg->factories[RankedAcrossModelsPolicy::kName] = [] { return std::make_unique<RankedAcrossModelsPolicy>(); };
    return reg;
  }();
  return *r;
}

}  // namespace

void CachePolicyRegistry::Register(const std::string& name, Factory factory) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.factories[name] = std::move(factory);
}

Result<std::unique_ptr<CachePolicy>> CachePolicyRegistry::Create(const std::string& name) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.factories.find(name);
  if (it == r.factories.end()) {
    std::string known;
    for (const auto& [n, f] : r.factories) {
      if (!known.empty()) known += ", ";
      known += n;
    }
    return NotFoundError("unknown caching policy '" + name + "' (known: " + known + ")");
  }
  return it->second();
}

std::vector<std::string> CachePolicyRegistry::Names() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<std::string> names;
  for (const auto& [n, f] : r.factories) names.push_back(n);
  return names;
}

Status VerifyPlan(std::span<const PlanModel> models, const CachePlan& plan) {
  if (plan.models.size() != models.size()) {
    return InternalError("cache plan has " + std::to_string(plan.models.size()) + " models (expected " +
                         std::to_string(models.size()) + ")");
  }
  int64_t cached_total = 0;
  for (size_t m = 0; m < models.size(); ++m) {
    const PlanModel& in = models[m];
    const ModelPlan& out = plan.models[m];
    // Messages are built only for an error: this runs on every layer of every compile.
    const auto who = [&] { return "cache plan of model '" + in.name + "' (#" + std::to_string(m) + ")"; };
    if (out.layers.size() != in.layers.size()) {
      return InternalError(who() + " has " + std::to_string(out.layers.size()) + " layers (expected " +
                           std::to_string(in.layers.size()) + ")");
    }
    int64_t cached_off = 0, streamed_off = 0;
    for (size_t l = 0; l < in.layers.size(); ++l) {
      const PlanLayer& a = in.layers[l];
      const LayerPlacement& b = out.layers[l];
      const auto where = [&] { return who() + ", layer #" + std::to_string(l) + " (operator #" + std::to_string(a.op_index) + ")"; };
      if (b.op_index != a.op_index) return InternalError(where() + ": operator index " + std::to_string(b.op_index));
      if (b.record_offset != a.record_offset) {
        return InternalError(where() + ": placed from byte " + std::to_string(b.record_offset) + " of its record (expected " +
                             std::to_string(a.record_offset) + ")");
      }
      if (b.bytes != a.bytes) {
        return InternalError(where() + ": " + std::to_string(b.bytes) + " bytes placed (expected the whole layer, " +
                             std::to_string(a.bytes) + ")");
      }
      if (a.always_streamed && b.cached) return InternalError(where() + ": an always-streamed layer is cached");
      int64_t& off = b.cached ? cached_off : streamed_off;
      if (b.offset != off) {
        return InternalError(where() + ": offset " + std::to_string(b.offset) + " (expected " + std::to_string(off) + ")");
      }
      off += b.bytes;
    }
    if (out.cached_bytes != cached_off || out.streamed_bytes != streamed_off) {
      return InternalError(who() + ": cached/streamed sums " + std::to_string(out.cached_bytes) + "/" +
                           std::to_string(out.streamed_bytes) + " (expected " + std::to_string(cached_off) + "/" +
                           std::to_string(streamed_off) + ")");
    }
    cached_total += cached_off;
  }
  if (cached_total > plan.capacity_bytes) {
    return InternalError("cache plan caches " + std::to_string(cached_total) + " bytes, over the capacity of " +
                         std::to_string(plan.capacity_bytes));
  }
  if (plan.remaining_bytes != plan.capacity_bytes - cached_total) {
    return InternalError("cache plan reports " + std::to_string(plan.remaining_bytes) + " bytes remaining (expected " +
                         std::to_string(plan.capacity_bytes - cached_total) + ")");
  }
  return OkStatus();
}

}  // namespace etpu::cache
