#include "base/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace etpu::base {

Result<std::vector<uint8_t>> ReadFile(const std::string& path, size_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return NotFoundError("failed to read '" + path + "': " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return InvalidArgumentError("failed to read '" + path + "': is a directory");
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError("failed to read '" + path + "': not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return InvalidArgumentError("failed to read '" + path + "': file has " + std::to_string(st.st_size) +
                                " bytes (at most " + std::to_string(max_bytes) + " supported)");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFoundError("failed to open '" + path + "': " + std::strerror(errno));
  std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::read(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return DataLossError("failed to read '" + path + "': short read after " + std::to_string(done) + " bytes");
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return data;
}

Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return InvalidArgumentError("Error opening file for writing: " + path + " (" + std::strerror(errno) + ")");
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return DataLossError("failed to write '" + path + "': " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return DataLossError("failed to write '" + path + "': " + std::strerror(err));
  }
  return OkStatus();
}

Status WriteFileAtomic(const std::string& path, std::string_view text) {
  return WriteFileAtomic(path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

bool IsWritableDirectory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec) && ::access(path.c_str(), W_OK | X_OK) == 0;
}

}  // namespace etpu::base
