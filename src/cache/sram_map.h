// ASCII map of how a compile set uses the Edge TPU's SRAM: one bar (executable reserve,
// activations, each model's cached parameters, free space) and a legend with sizes.
//
//   SRAM 8.00MiB: # executable  ~ activations  A.. cached parameters  . free
//   [#~~~~AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBBBBBBBB.....]
//   # executable reserve     96.00KiB
//   ...
#pragma once

#include <string>

#include "cache/cache_plan.h"

namespace etpu::cache {

/// Renders `plan` as text; the bar has `width` cells (clamped to 8..400). Every non-empty region
/// gets at least one cell. Without a budget (plan.budget.sram_bytes == 0) the bar spans the
/// parameter capacity only. Model letters: A-Z, a-z, then '*'.
std::string RenderSramMap(const CachePlan& plan, int width = 64);

}  // namespace etpu::cache
