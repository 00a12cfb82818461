#include "cache/sram_map.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/units.h"

namespace etpu::cache {

namespace {

struct Region {
  char glyph;
  std::string label;
  int64_t bytes;
  std::string extra;
};

char ModelGlyph(size_t i) {
  if (i < 26) return static_cast<char>('A' + i);
  if (i < 52) return static_cast<char>('a' + (i - 26));
  return '*';
}

// Cells per region: proportional, at least one for a non-empty region, summing to `width`.
std::vector<int> Allocate(const std::vector<Region>& regions, int64_t total, int width) {
  std::vector<int> cells(regions.size(), 0);
  if (total <= 0) return cells;
  int used = 0;
  for (size_t i = 0; i < regions.size(); ++i) {
    if (regions[i].bytes <= 0) continue;
    const long double share = static_cast<long double>(regions[i].bytes) * width / static_cast<long double>(total);
    cells[i] = std::max(1, static_cast<int>(share + 0.5L));
    used += cells[i];
  }
  // Give or take cells from the largest regions until the bar is exactly `width` long.
  while (used != width) {
    size_t best = regions.size();
    for (size_t i = 0; i < regions.size(); ++i) {
      if (regions[i].bytes <= 0) continue;
      if (used > width && cells[i] <= 1) continue;
      if (best == regions.size() || regions[i].bytes > regions[best].bytes) best = i;
    }
    if (best == regions.size()) break;
    cells[best] += used < width ? 1 : -1;
    used += used < width ? 1 : -1;
  }
  return cells;
}

}  // namespace

std::string RenderSramMap(const CachePlan& plan, int width) {
  width = std::clamp(width, 8, 400);
  std::vector<Region> regions;
  const bool has_budget = plan.budget.sram_bytes > 0;
  if (has_budget) {
    regions.push_back({'#', "executable reserve", plan.budget.executable_reserve_bytes, ""});
    regions.push_back({'~', "activations", plan.budget.activation_bytes, ""});
    if (plan.budget.set_reserve_bytes > 0) regions.push_back({'=', "co-compile reserve", plan.budget.set_reserve_bytes, ""});
  }
  for (size_t i = 0; i < plan.models.size(); ++i) {
    const ModelPlan& m = plan.models[i];
    // Layers, not pieces: a record placed piece by piece counts as cached when every piece is.
    size_t layers = 0, cached_layers = 0;
    for (size_t k = 0; k < m.layers.size(); ++k) {
      if (m.layers[k].record_offset != 0) continue;
      size_t end = k + 1;
      while (end < m.layers.size() && m.layers[end].record_offset != 0) ++end;
      ++layers;
      cached_layers += std::all_of(m.layers.begin() + static_cast<std::ptrdiff_t>(k),
                                   m.layers.begin() + static_cast<std::ptrdiff_t>(end),
                                   [](const LayerPlacement& l) { return l.cached; });
    }
    std::string extra = "streamed " + base::FormatBytes(static_cast<uint64_t>(m.streamed_bytes)) + ", layers " +
                        std::to_string(cached_layers) + "/" + std::to_string(layers) + " cached";
    regions.push_back({ModelGlyph(i), m.name, m.cached_bytes, extra});
  }
  regions.push_back({'.', "free (remaining)", std::max<int64_t>(0, plan.remaining_bytes), ""});

  int64_t total = 0;
  for (const auto& r : regions) total += std::max<int64_t>(0, r.bytes);
  const std::vector<int> cells = Allocate(regions, total, width);

  std::string out = (has_budget ? "SRAM " + base::FormatBytes(static_cast<uint64_t>(plan.budget.sram_bytes))
                                : "parameter capacity " + base::FormatBytes(static_cast<uint64_t>(plan.capacity_bytes))) +
                    ": " + (has_budget ? "# executable  ~ activations  " : "") + "A.. cached parameters  . free\n[";
  for (size_t i = 0; i < regions.size(); ++i) out.append(static_cast<size_t>(cells[i]), regions[i].glyph);
  out += "]\n";
  for (const auto& r : regions) {
    char line[256];
    std::snprintf(line, sizeof(line), "%c %-28s %10s", r.glyph, r.label.substr(0, 28).c_str(),
                  base::FormatBytes(static_cast<uint64_t>(std::max<int64_t>(0, r.bytes))).c_str());
    out += line;
    if (!r.extra.empty()) out += "  " + r.extra;
    out += "\n";
  }
  char tail[128];
  std::snprintf(tail, sizeof(tail), "capacity %s, token 0x%016llx, policy %s\n",
                base::FormatBytes(static_cast<uint64_t>(plan.capacity_bytes)).c_str(),
                static_cast<unsigned long long>(plan.token), plan.policy.c_str());
  out += tail;
  return out;
}

}  // namespace etpu::cache
