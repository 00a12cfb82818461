// The virtual Edge TPU: an SRAM byte array of the chip's size and libedgetpu's caching rule.
//
// Before every invocation of an Edge TPU executable (package-format.md §2, libedgetpu
// driver.cc / package_registry.cc):
//   * if the main executable's token is 0 or differs from the device's current token, the
//     device forgets everything cached (current token := 0, cached set := empty, SRAM
//     allocation restarts at 0);
//   * then, if the package has a PARAMETER_CACHING executable not in the cached set, it "runs":
//     its parameter bytes are really copied into the SRAM at an offset the device allocates
//     (executables sharing a token sit side by side), current token := its token, and it joins
//     the set. A PARAMETER_CACHING executable with token 0 is an internal error.
// Execution then reads cached layers' bytes back from the SRAM (ReadCached); a corrupted SRAM
// (CorruptSram, a test hook) therefore gives wrong outputs, as on a real chip.
// Not thread-safe: one invocation at a time per device (the runtime serialises them).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu::runtime {

/// What PrepareInvocation did.
struct CachePreparation {
  bool cleared = false;          ///< The cached set was reset before this invocation.
  bool loaded = false;           ///< The caching executable ran (parameters copied to SRAM).
  int64_t bytes_written = 0;     ///< Bytes copied into the SRAM.
  int64_t sram_offset = -1;      ///< Where this executable's cached parameters sit (-1: none).
};

/// One registered PARAMETER_CACHING executable, as the device sees it.
struct CachingExecutable {
  uint64_t id = 0;                      ///< Unique per loaded executable (registration id).
  uint64_t token = 0;
  std::span<const uint8_t> parameters;  ///< The bytes the caching run uploads.
  /// Called with each piece of `parameters` once it is copied into the SRAM (may be empty): the
  /// runtime gives back the file pages of parameters read in place from a mapped model, so that
  /// they and their SRAM copy are never resident at once.
  std::function<void(std::span<const uint8_t>)> uploaded;
};

class VirtualEdgeTpu {
 public:
  /// A device with `sram_bytes` of on-chip memory (the chip spec's 8 MiB).
  VirtualEdgeTpu(int index, int64_t sram_bytes);

  int index() const { return index_; }
  int64_t sram_bytes() const { return sram_bytes_; }
  uint64_t current_token() const { return current_token_; }
  /// Bytes of SRAM holding cached parameters.
  int64_t sram_used() const { return next_free_; }
  /// Number of caching executables currently cached.
  int cached_count() const { return static_cast<int>(cached_.size()); }

  /// Applies the caching rule for an executable whose main token is `main_token`, with an
  /// optional caching executable (nullptr when the package has none).
  Result<CachePreparation> PrepareInvocation(uint64_t main_token, const CachingExecutable* caching);

  /// The SRAM bytes [offset, offset + size) of the cached executable `id` (offset relative to its
  /// parameters). FailedPrecondition when it is not cached; OutOfRange-style InvalidArgument
  /// when the range leaves its allocation.
  Result<std::span<const uint8_t>> ReadCached(uint64_t id, uint64_t offset, uint64_t size) const;

  /// Forgets everything (closing the device does this in libedgetpu).
  void Reset();

  /// Test hook: XORs the SRAM byte at `offset` with `mask`.
  Status CorruptSram(int64_t offset, uint8_t mask);

 private:
  struct Allocation {
    int64_t offset = 0;
    int64_t size = 0;
  };
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  int index_;
  int64_t sram_bytes_ = 0;
  /// calloc'd: the pages of a large zeroed block become resident only when parameters are written
  /// to them, so an idle virtual device costs no memory (8 MiB per device otherwise).
  std::unique_ptr<uint8_t, Free> sram_;
  uint64_t current_token_ = 0;
  std::map<uint64_t, Allocation> cached_;
  int64_t next_free_ = 0;
};

}  // namespace etpu::runtime
