#include "runtime/virtual_edgetpu.h"

#include <algorithm>
#include <cstring>
#include <new>

#include <fmt/format.h>

namespace etpu::runtime {

VirtualEdgeTpu::VirtualEdgeTpu(int index, int64_t sram_bytes)
    : index_(index),
      sram_bytes_(sram_bytes > 0 ? sram_bytes : 0),
      sram_(static_cast<uint8_t*>(std::calloc(static_cast<size_t>(std::max<int64_t>(sram_bytes_, 1)), 1))) {
  if (sram_ == nullptr) throw std::bad_alloc();  // as the std::vector it replaces
}

void VirtualEdgeTpu::Reset() {
  current_token_ = 0;
  cached_.clear();
  next_free_ = 0;
}

Result<CachePreparation> VirtualEdgeTpu::PrepareInvocation(uint64_t main_token, const CachingExecutable* caching) {
  CachePreparation prep;
  if (main_token == 0 || main_token != current_token_) {
    prep.cleared = !cached_.empty() || current_token_ != 0;
    Reset();
  }
  if (caching == nullptr) return prep;
  auto it = cached_.find(caching->id);
  if (it != cached_.end()) {
    prep.sram_offset = it->second.offset;
    return prep;
  }
  if (caching->token == 0) {
    return InternalError(fmt::format("Edge TPU #{}: a PARAMETER_CACHING executable has caching token 0", index_));
  }
  const int64_t size = static_cast<int64_t>(caching->parameters.size());
  if (size > sram_bytes() - next_free_) {
    return ResourceExhaustedError(fmt::format(
        "Edge TPU #{}: cached parameters need {} bytes but only {} of {} bytes of SRAM are free", index_, size,
        sram_bytes() - next_free_, sram_bytes()));
  }
  // In pieces ending on page boundaries of the source, each handed to `uploaded` once copied.
  constexpr uintptr_t kPiece = uintptr_t{256} << 10, kPage = 4096;
  const uint8_t* src = caching->parameters.data();
  for (size_t done = 0; done < static_cast<size_t>(size);) {
    const uintptr_t end_address = (reinterpret_cast<uintptr_t>(src + done) + kPiece) & ~(kPage - 1);
    const size_t n = std::min<size_t>(static_cast<size_t>(size) - done,
                                      static_cast<size_t>(end_address - reinterpret_cast<uintptr_t>(src + done)));
    std::memcpy(sram_.get() + next_free_ + done, src + done, n);
    if (caching->uploaded) caching->uploaded(caching->parameters.subspan(done, n));
    done += n;
  }
  cached_[caching->id] = Allocation{next_free_, size};
  prep.sram_offset = next_free_;
  next_free_ += size;
  current_token_ = caching->token;
  prep.loaded = true;
  prep.bytes_written = size;
  return prep;
}

Result<std::span<const uint8_t>> VirtualEdgeTpu::ReadCached(uint64_t id, uint64_t offset, uint64_t size) const {
  auto it = cached_.find(id);
  if (it == cached_.end()) {
    return FailedPreconditionError(fmt::format("Edge TPU #{}: parameters of executable {} are not cached", index_, id));
  }
  const auto& a = it->second;
  if (offset > static_cast<uint64_t>(a.size) || size > static_cast<uint64_t>(a.size) - offset) {
    return InvalidArgumentError(fmt::format("Edge TPU #{}: cached range [{}, +{}) leaves the {}-byte allocation",
                                            index_, offset, size, a.size));
  }
  return std::span<const uint8_t>(sram_.get() + a.offset + offset, static_cast<size_t>(size));
}

Status VirtualEdgeTpu::CorruptSram(int64_t offset, uint8_t mask) {
  if (offset < 0 || offset >= sram_bytes()) {
    return InvalidArgumentError(fmt::format("SRAM offset {} out of range [0, {})", offset, sram_bytes()));
  }
  sram_.get()[offset] ^= mask;
  return OkStatus();
}

}  // namespace etpu::runtime
