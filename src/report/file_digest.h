// SHA-256 of a file's bytes (OpenSSL's libcrypto), as 64 lower-case hex digits, to name a report's
// inputs exactly.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace etpu::report {

std::string Sha256Hex(std::span<const uint8_t> bytes);

}  // namespace etpu::report
