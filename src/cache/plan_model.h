// The cache planner's view of one model, built in one place: from the model's parameter records
// (params::EncodeRegionParams: the exact bytes etpu lays out, in execution order) and its
// activation footprint (CapacityModel::Analyze). The compiler and the tests both build it here.
#pragma once

#include <span>
#include <string>

#include "cache/cache_plan.h"
#include "cache/capacity_model.h"
#include "ir/graph.h"
#include "params/param_layout.h"

namespace etpu::cache {

/// One PlanLayer per record, or per piece of a record Google's compiler places piece by piece
/// (params::LayerParams::pieces: a compiler-16 softmax table and its unit row; Google's LSTM
/// record and its always-streamed sequence buffer), operators without a record
/// included (with 0 bytes: they take part in the caching token as the compiler's records do);
/// the content digest covers the records' operators (all operators of `model` when there is none).
PlanModel MakePlanModel(const ir::Model& model, std::string name, const ActivationFootprint& activations,
                        std::span<const params::LayerParams> records);

}  // namespace etpu::cache
