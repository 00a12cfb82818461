#include "runtime/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace etpu::runtime {

Result<std::shared_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  // The checks and words of base::ReadFile.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return NotFoundError("failed to read '" + path + "': " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return InvalidArgumentError("failed to read '" + path + "': is a directory");
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError("failed to read '" + path + "': not a regular file");
  constexpr uint64_t kMaxBytes = uint64_t{1} << 31;
  if (static_cast<uint64_t>(st.st_size) > kMaxBytes) {
    return InvalidArgumentError(fmt::format("failed to read '{}': file has {} bytes (at most {} supported)", path,
                                            st.st_size, kMaxBytes));
  }
  if (st.st_size == 0) return InvalidArgumentError(fmt::format("failed to read model '{}': the file is empty", path));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFoundError("failed to open '" + path + "': " + std::strerror(errno));
  void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);  // the mapping keeps the file
  if (p == MAP_FAILED) return InternalError(fmt::format("failed to map '{}': {}", path, std::strerror(err)));
  return std::shared_ptr<MappedFile>(new MappedFile(static_cast<const uint8_t*>(p), static_cast<size_t>(st.st_size)));
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

bool MappedFile::Contains(std::span<const uint8_t> range) const {
  const auto b = reinterpret_cast<uintptr_t>(data_), r = reinterpret_cast<uintptr_t>(range.data());
  return !range.empty() && r >= b && range.size() <= size_ && r - b <= size_ - range.size();
}

void MappedFile::Drop(std::span<const uint8_t> range) const {
  if (!Contains(range)) return;
  // Whole pages: a page the range shares with its neighbours is clean too (the mapping is read-only),
  // so giving it back costs at most a page fault when a neighbour is read again.
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t first = reinterpret_cast<uintptr_t>(range.data()) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(range.data()) + range.size();
  ::madvise(reinterpret_cast<void*>(first), end - first, MADV_DONTNEED);
}

int64_t MappedFile::ResidentBytes() const {
  std::ifstream smaps("/proc/self/smaps");
  if (!smaps) return -1;
  const auto start = reinterpret_cast<uintptr_t>(data_);
  std::string line;
  bool ours = false;
  while (std::getline(smaps, line)) {
    unsigned long long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx ", &lo, &hi) == 2) {  // a mapping's header line
      ours = lo == start;
      continue;
    }
    long long kib = 0;
    if (ours && std::sscanf(line.c_str(), "Rss: %lld kB", &kib) == 1) return kib * 1024;
  }
  return -1;
}

}  // namespace etpu::runtime
