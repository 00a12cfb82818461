#include "base/hash.h"

namespace etpu::base {

Hasher& Hasher::Add(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    state_ ^= b;
    state_ *= 0x100000001b3ull;
  }
  return *this;
}

Hasher& Hasher::Add(std::string_view text) {
  return Add(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Hasher& Hasher::Add(uint64_t value) {
  uint8_t le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<uint8_t>(value >> (8 * i));
  return Add(std::span<const uint8_t>(le, 8));
}

uint64_t Hasher::Digest() const {
  uint64_t z = state_ + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace etpu::base
