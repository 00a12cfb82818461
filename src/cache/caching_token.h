// Parameter-caching tokens: one non-zero 64-bit value per compile set, shared by every model of a
// co-compilation and every segment of one split (compiler-behaviour.md 8.2). The runtime keeps
// cached parameters of executables with the same token side by side and clears the SRAM when
// the token changes.
//
// The real compiler draws a random token per compile. etpu derives it from content instead (the
// models' digests and layers, their order, the policy and a layout version), so the same
// command gives the same bytes; TokenOptions::random restores the random behaviour.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cache/cache_plan.h"
#include "ir/graph.h"

namespace etpu::cache {

/// Bumped whenever the parameter layout or the plan format changes, so old and new outputs
/// never share a token.
inline constexpr uint64_t kCacheLayoutVersion = 1;

struct TokenOptions {
  bool random = false;  ///< Draw a random non-zero token (like the real compiler).
};

/// A digest of what makes a model's parameters and structure: operator codes and versions, the
/// shapes, types and quantization of their tensors, and every constant byte they read.
/// `ops` restricts it to those operators (empty = all). Independent of paths and names.
uint64_t ModelContentDigest(const ir::Model& model, std::span<const int> ops = {});

/// The token of a compile set (models in command-line order, or the segments of one split).
/// Never 0. Deterministic unless options.random.
uint64_t MakeCachingToken(std::span<const PlanModel> set, std::string_view policy, const TokenOptions& options = {});

}  // namespace etpu::cache
