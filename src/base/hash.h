// Stable 64-bit content hashing (FNV-1a with a final avalanche mix). Used for caching tokens,
// which must be the same for the same inputs on every machine and never depend on paths or time.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace etpu::base {

class Hasher {
 public:
  Hasher& Add(std::span<const uint8_t> bytes);
  Hasher& Add(std::string_view text);
  Hasher& Add(uint64_t value);
  /// The mixed digest; never changes the state.
  uint64_t Digest() const;

 private:
  uint64_t state_ = 0xcbf29ce484222325ull;
};

}  // namespace etpu::base
