// Byte-size formatting as the Edge TPU compiler prints it: two decimals and binary units with
// no space ("0.00B", "511.50KiB", "7.96MiB"); the largest unit where the value is >= 1.
#pragma once

#include <cstdint>
#include <string>

namespace etpu::base {

std::string FormatBytes(uint64_t bytes);

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * 1024;

/// Rounds `x` up to a multiple of `n` (n > 0).
constexpr int64_t RoundUp(int64_t x, int64_t n) { return (x + n - 1) / n * n; }
constexpr int64_t CeilDiv(int64_t x, int64_t n) { return (x + n - 1) / n; }

}  // namespace etpu::base
