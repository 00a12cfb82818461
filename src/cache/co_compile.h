// Planning a compile set end to end: capacity from the capacity model, layers placed by a named
// policy, one shared caching token.
//
//   * PlanCompileSet: models co-compiled onto one Edge TPU (edgetpu_compiler a.tflite b.tflite):
//     they share one SRAM, so the capacity is that of the set (the largest activation need
//     of any member) and the policy divides it in command-line order.
//   * PlanSplit: segments of one --num_segments split, each meant for its own Edge TPU: each is
//     planned against its own capacity, all share one token.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "cache/cache_plan.h"
#include "cache/caching_token.h"
#include "cache/capacity_model.h"
#include "etpu/status.h"

namespace etpu::cache {

struct CompileSetOptions {
  std::string policy = GreedyInOrderPolicy::kName;
  TokenOptions token;
};

/// Plans a co-compiled set (command-line order). The plan is verified (VerifyPlan) before return.
Result<CachePlan> PlanCompileSet(std::span<const PlanModel> models, const CapacityModel& capacity,
                                 const CompileSetOptions& options = {});

/// Plans the segments of one split; one plan per segment, all with the same token.
Result<std::vector<CachePlan>> PlanSplit(std::span<const PlanModel> segments, const CapacityModel& capacity,
                                         const CompileSetOptions& options = {});

}  // namespace etpu::cache
