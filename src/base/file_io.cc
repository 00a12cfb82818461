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

namespace {

std::string TempName(const std::string& path, const char* what) { return path + what + std::to_string(::getpid()); }

/// Writes `bytes` to `tmp` (created fresh); on failure nothing is left at `tmp`.
Status WriteTemp(const std::string& path, const std::string& tmp, std::span<const uint8_t> bytes) {
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
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return DataLossError("failed to write '" + path + "': " + std::strerror(err));
  }
  return OkStatus();
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes) {
  const FileToWrite file{path, bytes};
  return WriteFilesAtomic(std::span<const FileToWrite>(&file, 1));
}

Status WriteFilesAtomic(std::span<const FileToWrite> files) {
  std::vector<std::string> temps;
  auto drop_temps = [&] {
    for (const auto& t : temps) ::unlink(t.c_str());
  };
  for (const auto& f : files) {
    std::string tmp = TempName(f.path, ".tmp-");
    if (Status s = WriteTemp(f.path, tmp, f.bytes); !s.ok()) {
      drop_temps();
      return s;
    }
    temps.push_back(std::move(tmp));
  }
  // Keep what each destination held (a hard link), so that a failed rename can be undone.
  std::vector<std::string> backups(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    struct stat st {};
    if (::lstat(files[i].path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      drop_temps();
      for (const auto& b : backups) {
        if (!b.empty()) ::unlink(b.c_str());
      }
      return InvalidArgumentError("Error opening file for writing: " + files[i].path + " (is a directory)");
    }
    std::string bak = TempName(files[i].path, ".bak-");
    ::unlink(bak.c_str());
    if (::link(files[i].path.c_str(), bak.c_str()) == 0) backups[i] = std::move(bak);
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (::rename(temps[i].c_str(), files[i].path.c_str()) == 0) continue;
    int err = errno;
    for (size_t k = 0; k < i; ++k) {
      if (!backups[k].empty()) {
        ::rename(backups[k].c_str(), files[k].path.c_str());
        backups[k].clear();
      } else {
        ::unlink(files[k].path.c_str());
      }
    }
    for (size_t k = i; k < temps.size(); ++k) ::unlink(temps[k].c_str());
    for (const auto& b : backups) {
      if (!b.empty()) ::unlink(b.c_str());
    }
    return DataLossError("failed to write '" + files[i].path + "': " + std::strerror(err));
  }
  for (const auto& b : backups) {
    if (!b.empty()) ::unlink(b.c_str());
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
