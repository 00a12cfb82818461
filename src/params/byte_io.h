// Little-endian 32-bit words and float bit patterns, as the parameter blobs store them.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace etpu::params::internal {

inline void PutU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void SetU32(std::vector<uint8_t>& b, int64_t pos, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[static_cast<size_t>(pos + i)] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t GetU32(std::span<const uint8_t> b, int64_t pos) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(b[static_cast<size_t>(pos + i)]) << (8 * i);
  return v;
}
inline uint32_t FloatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float BitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

}  // namespace etpu::params::internal
