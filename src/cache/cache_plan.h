// The parameter caching plan of one compile set: which layers of which model stay in the
// Edge TPU's SRAM (PARAMETER_CACHING blob) and which are streamed from the host on every
// inference (EXECUTION_ONLY blob).
//
// The planner works on plain structs so it can be property-tested without models. Policies are
// replaceable and looked up by name. The compiler uses the emulated generation's policy
// (RankedAcrossModelsPolicy for compiler 16, RankedInModelOrderPolicy for 15; driver/generation.h);
// every policy takes whole items (a layer's record, or a piece of a record placed piece by piece:
// PlanLayer) and streams `always_streamed` ones. "greedy-in-order" (this
// module's default, and the compiler's before generations were told apart):
//   * takes whole layers only: a layer that does not fit what is left is streamed entirely;
//   * serves models in command-line order, layers in execution order; each layer is cached iff
//     it fits what is left at its turn (so a smaller later layer may still be cached);
//   * always puts `always_streamed` layers (element-wise constants) in the streamed blob.
// Priority, precisely: order all cacheable layers by (model position, layer position). A layer
// L is streamed only if bytes(L) > remaining + the bytes of every layer cached after L in that
// order; i.e. no layer later in priority ever holds space that L could have used.
// Offsets: cached layers are packed back to back in the cached blob, streamed ones in the
// streamed blob, each in execution order (package-format.md 3.1), per model starting at 0.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cache/capacity_model.h"
#include "etpu/status.h"
#include "package/program.h"

namespace etpu::cache {

/// One item to place: a layer's parameter record, or one piece of it, in execution order. A
/// record whose pieces Google's compiler places each on its own (a softmax table and its unit row;
/// Google's LSTM record and its always-streamed sequence buffer; MakePlanModel) is listed as consecutive items of the same operator, `record_offset` telling where
/// each piece starts in the record; every policy places items, so a piece is ranked by its own size.
struct PlanLayer {
  int op_index = -1;
  int64_t bytes = 0;             ///< Its parameter bytes in the real layout.
  bool always_streamed = false;  ///< Element-wise constants: never cached.
  package::LayerKind kind = package::LayerKind::kOther;  ///< Its record's layout (ranking policies).
  int64_t record_offset = 0;     ///< Where this item starts in its operator's record (0: whole or first piece).

  bool depthwise() const {
    return kind == package::LayerKind::kDepthwise || kind == package::LayerKind::kDepthwisePerChannel;
  }
};

/// One model of a compile set.
struct PlanModel {
  std::string name;
  std::vector<PlanLayer> layers;
  ActivationFootprint act;
  uint64_t content_digest = 0;  ///< Digest of the model's content (tokens; see caching_token.h).
};

/// True when `item` is a later piece of the record `prev` belongs to (same operator, starting
/// where `prev` ends). Pieces of one record may differ in `always_streamed` (Google's LSTM record:
/// its weights are placed like any record, its sequence buffer always streams).
inline bool ContinuesRecord(const PlanLayer& prev, const PlanLayer& item) {
  return item.record_offset > 0 && item.op_index == prev.op_index &&
         item.record_offset == prev.record_offset + prev.bytes;
}

/// Where one item's parameters go.
struct LayerPlacement {
  int op_index = -1;
  bool cached = false;
  int64_t offset = 0;  ///< Offset in its blob (cached or streamed).
  int64_t bytes = 0;
  int64_t record_offset = 0;  ///< As PlanLayer::record_offset.
};

/// The plan of one model.
struct ModelPlan {
  std::string name;
  std::vector<LayerPlacement> layers;  ///< Same order as PlanModel::layers.
  int64_t cached_bytes = 0;
  int64_t streamed_bytes = 0;
};

/// The plan of a compile set.
struct CachePlan {
  std::vector<ModelPlan> models;  ///< Command-line order.
  int64_t capacity_bytes = 0;
  int64_t remaining_bytes = 0;    ///< capacity - all cached bytes.
  uint64_t token = 0;             ///< Shared parameter-caching token (non-zero once planned).
  std::string policy;
  SramBudget budget;              ///< SRAM division behind capacity_bytes (zeros if given directly).
};

/// A caching policy: divides a capacity among the layers of a compile set.
class CachePolicy {
 public:
  virtual ~CachePolicy() = default;
  virtual std::string name() const = 0;
  /// Plans `models` (command-line order) into `capacity_bytes`. Leaves `token` at 0.
  virtual Result<CachePlan> Plan(std::span<const PlanModel> models, int64_t capacity_bytes) const = 0;
  /// SRAM a co-compiled set (two or more models) keeps back beyond the budget's own reserves.
  virtual int64_t SetReserveBytes(const ChipMemory& chip, size_t num_models) const {
    (void)chip;
    (void)num_models;
    return 0;
  }
};

/// The default policy (see the file comment).
class GreedyInOrderPolicy final : public CachePolicy {
 public:
  static constexpr const char* kName = "greedy-in-order";
  std::string name() const override { return kName; }
  Result<CachePlan> Plan(std::span<const PlanModel> models, int64_t capacity_bytes) const override;
};

/// Google's compiler 15 (2020-11) on a co-compiled set [fitted, see docs/COMPILER.md
/// "Co-compilation by generation"]: models in command-line order; inside each model, its
/// depthwise layers first, then the others largest first (ties in execution order); a layer is
/// cached iff it fits what is left. A set of two or more models also keeps the activation staging
/// area (ChipMemory::activation_staging_bytes) back from the capacity.
class RankedInModelOrderPolicy final : public CachePolicy {
 public:
  static constexpr const char* kName = "v15-ranked-in-model-order";
  std::string name() const override { return kName; }
  Result<CachePlan> Plan(std::span<const PlanModel> models, int64_t capacity_bytes) const override;
  int64_t SetReserveBytes(const ChipMemory& chip, size_t num_models) const override {
    return num_models >= 2 ? chip.activation_staging_bytes : 0;
  }
};

/// Google's compiler 16 (2021-07) [fitted, weaker: see docs/COMPILER.md]: the same ranking
/// (depthwise first, then largest first) applied once across every layer of every model of the
/// set (ties: command-line order, then execution order); a layer is cached iff it fits what is
/// left. A set of two or more models keeps kSetReserveBytes back.
class RankedAcrossModelsPolicy final : public CachePolicy {
 public:
  static constexpr const char* kName = "v16-ranked-across-models";
  /// Fitted to the one v16 co-compiled set in ../shared (any value in [43,744, 43,872] reproduces
  /// its 90 placements); no second data point.
  static constexpr int64_t kSetReserveBytes = 43808;
  std::string name() const override { return kName; }
  Result<CachePlan> Plan(std::span<const PlanModel> models, int64_t capacity_bytes) const override;
  int64_t SetReserveBytes(const ChipMemory& chip, size_t num_models) const override {
    (void)chip;
    return num_models >= 2 ? kSetReserveBytes : 0;
  }
};

/// Name -> policy factory. "greedy-in-order" and the two ranked policies are always present.
class CachePolicyRegistry {
 public:
  using Factory = std::function<std::unique_ptr<CachePolicy>()>;
  /// Adds or replaces a policy.
  static void Register(const std::string& name, Factory factory);
  /// A new instance of the named policy; NotFound lists the known names.
  static Result<std::unique_ptr<CachePolicy>> Create(const std::string& name);
  /// Known names, sorted.
  static std::vector<std::string> Names();
};

/// Checks the inputs every policy relies on: capacity >= 0, bytes >= 0, op indices >= 0, and
/// within a model at most one cacheable and one always-streamed record per operator, each
/// record's pieces consecutive and contiguous (ContinuesRecord; the pieces of one record may differ
/// in `always_streamed`, as Google's LSTM record's do). Errors name
/// the model and layer.
Status ValidatePlanInput(std::span<const PlanModel> models, int64_t capacity_bytes);

/// Checks a plan against its input: same items, whole items, contiguous offsets, sums, and
/// never more than capacity cached. Used by tests and after any third-party policy.
Status VerifyPlan(std::span<const PlanModel> models, const CachePlan& plan);

}  // namespace etpu::cache
