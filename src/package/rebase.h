// Reading flatbuffers and FlexBuffers from bytes that may be misaligned: the alignment test, and
// moving a view from a temporary aligned copy back onto the bytes it was copied from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace etpu::package {

/// True when `p` is a multiple of `n` bytes from address 0.
inline bool Aligned(const uint8_t* p, size_t n) { return reinterpret_cast<uintptr_t>(p) % n == 0; }

/// The bytes at the same offset of `to` as `s` is of `from` (`s` lies inside `from`'s copy).
inline std::span<const uint8_t> Rebase(std::span<const uint8_t> s, const uint8_t* from, const uint8_t* to) {
  return s.empty() ? std::span<const uint8_t>() : std::span<const uint8_t>(to + (s.data() - from), s.size());
}

}  // namespace etpu::package
