// Whole-file reading and atomic writing. Outputs are written to a temporary file beside the
// destination and renamed into place, so a failed run never leaves a partial file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"

namespace etpu::base {

/// Reads a whole regular file. Errors name the path: missing, a directory, unreadable, too large.
Result<std::vector<uint8_t>> ReadFile(const std::string& path, size_t max_bytes = size_t{1} << 31);

/// Writes `bytes` to `path` atomically (temporary file + rename). The directory must exist.
Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes);
Status WriteFileAtomic(const std::string& path, std::string_view text);

/// One file of a set written together.
struct FileToWrite {
  std::string path;
  std::span<const uint8_t> bytes;
};

/// Writes all `files` or none: each to a temporary file beside its destination, then, only when
/// every one was written, renames them into place. A destination that is a directory fails the
/// whole set before any rename. If a rename fails, the ones already renamed are undone (files
/// they replaced are restored from a hard link kept beside them, where the file system allows
/// hard links) and no temporary is left behind.
Status WriteFilesAtomic(std::span<const FileToWrite> files);

/// True when `path` names an existing directory we may write into.
bool IsWritableDirectory(const std::string& path);

}  // namespace etpu::base
