// Per-layer parameter bytes as the cache planner needs them, and the bridge from a graph to the
// planner's plain structs.
//
// FormulaLayerParamBytes is a stand-in for params::LayerParamBytes (the params module owns the
// exact layout): it applies the size formula of package-format.md 3.2 and the element-wise
// constant rule of 3.1. BuildPlanModel takes the byte function as a parameter so the exact one
// can replace it without touching the planner.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "cache/cache_plan.h"
#include "cache/capacity_model.h"
#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::cache {

/// The parameter bytes of one operator on the Edge TPU (0 = no parameters).
struct LayerBytes {
  int64_t bytes = 0;
  bool always_streamed = false;  ///< Constant operands of element-wise ops (package-format.md 3.1).
};

/// A function giving an operator's parameter bytes.
using LayerBytesFn = std::function<Result<LayerBytes>(const ir::Model&, int op_index)>;

/// CONV_2D / FULLY_CONNECTED: O_pad * (4*(1+2*pc) + kh*kw*ceil4(C)), O_pad = ceil16(O) if O <= 64
/// else ceil64(O); DEPTHWISE_CONV_2D: ceil4(C) * (4*(1+2*pc) + 4*kh*kw); pc = per-channel weights.
/// Element-wise ops (ADD, MUL, SUB, ...) with a constant operand: always streamed,
/// roundup64(constant bytes + 16) (fits keras_lstm's 560 -> 576 and movenet's 2304 -> 2368; a
/// guess beyond those two). Everything else: 0. Softmax tables (compiler-generation specific)
/// are not counted. Errors name the operator and the weight tensor at fault.
Result<LayerBytes> FormulaLayerParamBytes(const ir::Model& model, int op_index);

/// Builds the planner's view of `model`: one PlanLayer per operator of `ops` (execution order;
/// empty = all) that has parameter bytes, its activation footprint (capacity.Analyze, which may
/// fail with ResourceExhausted) and its content digest.
Result<PlanModel> BuildPlanModel(const ir::Model& model, std::string name, std::span<const int> ops,
                                 const CapacityModel& capacity,
                                 const LayerBytesFn& layer_bytes = FormulaLayerParamBytes);

}  // namespace etpu::cache
