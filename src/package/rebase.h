// Moving a view from a temporary aligned copy back onto the bytes it was copied from.
#pragma once

#include <cstdint>
#include <span>

namespace etpu::package {

/// The bytes at the same offset of `to` as `s` is of `from` (`s` lies inside `from`'s copy).
inline std::span<const uint8_t> Rebase(std::span<const uint8_t> s, const uint8_t* from, const uint8_t* to) {
  return s.empty() ? std::span<const uint8_t>() : std::span<const uint8_t>(to + (s.data() - from), s.size());
}

}  // namespace etpu::package
