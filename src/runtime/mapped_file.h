// A model file mapped read-only, so that its constant tensors are read in place instead of being
// copied to the heap, and their pages can be given back once the interpreter no longer needs them
// resident (after packing a layer's weights, after uploading cached parameters to the virtual
// SRAM). The mapping is private and never written: a dropped page is clean, and touching it again
// (the reference kernels, an instruction-set switch, a device whose cache was cleared) reads the
// same bytes back from the page cache. As with TFLite's mmapped models, the file must not be
// truncated or rewritten in place while it is loaded (replacing it by rename is fine).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "etpu/status.h"

namespace etpu::runtime {

class MappedFile {
 public:
  /// Maps `path` read-only. An empty file is an error (no model is empty).
  static Result<std::shared_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  /// True when `range` lies inside the mapping.
  bool Contains(std::span<const uint8_t> range) const;
  /// Gives back the resident pages that `range` (inside the mapping; else nothing happens) touches.
  /// The bytes stay readable.
  void Drop(std::span<const uint8_t> range) const;
  /// Resident bytes of the mapping in this process (/proc/self/smaps; -1 when unavailable).
  int64_t ResidentBytes() const;

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace etpu::runtime
