// Writing DWN1 packages (the key-"4" blob of an edgetpu-custom-op).
//
// WritePackage lays the bytes out exactly as the real compiler does (package-format.md §1.5):
//   * the package length is a multiple of 4096;
//   * Package.serialized_multi_executable starts at a 4096-multiple offset of the package;
//   * every serialized Executable starts at a 4096-multiple offset of the package and is a
//     multiple of 4096 bytes long;
//   * inside every Executable the `parameters` data starts at byte 4096.
// Output is deterministic: the same spec gives the same bytes.
#pragma once

#include <flatbuffers/detached_buffer.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "package/package_types.h"

namespace etpu::package {

/// One executable to write.
struct ExecutableSpec {
  ExecutableType type = ExecutableType::kStandAlone;
  std::string name;                         ///< "model" / "Unknown" in Google's files.
  std::vector<uint8_t> parameters;          ///< The parameter stream (real layout).
  /// Instead of `parameters` (which must then be empty): the stream as pieces, written one after
  /// another straight into the package, with no copy in between. They must outlive the write.
  std::vector<std::span<const uint8_t>> parameter_pieces;
  uint64_t token = 0;                       ///< parameter_caching_token; non-zero for PARAMETER_CACHING.
  std::vector<IoLayer> input_layers;
  std::vector<IoLayer> output_layers;
  std::vector<uint8_t> program;             ///< Goes to instruction_bitstreams[0]; empty = no bitstream.
  int32_t used_narrow_memory_bytes_per_tile = 0;
  int64_t estimated_cycles_64bit = 0;
  int32_t scratch_size_bytes = 0;
  int32_t batch_size = 1;
  std::vector<DmaHint> dma_hints;           ///< Written as given (see StandardDmaHints).
  bool dma_hints_fully_deterministic = true;
};

/// A whole package.
struct PackageSpec {
  int32_t min_runtime_version = 13;
  std::string compiler_version;             ///< Free text, e.g. "etpu 0.1.0".
  std::string chip = kVirtualChipName;      ///< Written into every Executable.chip.
  std::vector<ExecutableSpec> executables;  ///< 1 (any type), 2 (PC + EO) or 3 (PC + EO + STAND_ALONE).
};

/// The length of an executable's parameter stream (`parameters` or the sum of its pieces).
size_t ParameterBytes(const ExecutableSpec& spec);

/// The DMA hints the real compiler writes (package-format.md §1.4): PARAMETER_CACHING:
/// instruction chunk 0, one PARAMETER descriptor of the whole blob, interrupt. EXECUTION_ONLY /
/// STAND_ALONE: instruction chunk 0, one INPUT_ACTIVATION descriptor per input layer, a
/// PARAMETER descriptor of the blob when it is non-empty, one OUTPUT_ACTIVATION descriptor per
/// output layer, interrupt.
std::vector<DmaHint> StandardDmaHints(const ExecutableSpec& spec);

/// Checks the spec: executable count and types as the runtime accepts them, equal non-zero
/// tokens for PC/EO pairs, sizes that fit the format's 32-bit fields, at least one executable.
Status ValidatePackageSpec(const PackageSpec& spec);

/// Package bytes as WritePackageBuffer leaves them: owned, and followed in memory by one zero byte
/// that is not part of them (a C string's layout), so that a FlexBuffer string, which copies its
/// terminator from the source, can be made of them without another copy.
class PackageBuffer {
 public:
  explicit PackageBuffer(flatbuffers::DetachedBuffer buffer) : buffer_(std::move(buffer)) {}
  std::span<const uint8_t> bytes() const { return {buffer_.data(), buffer_.size()}; }

 private:
  flatbuffers::DetachedBuffer buffer_;
};

/// Serialises a validated spec into DWN1 package bytes. Each executable is built once and copied
/// once into the MultiExecutable, which is copied once into the package; nothing else is copied.
Result<PackageBuffer> WritePackageBuffer(const PackageSpec& spec);

/// The same bytes as a vector (one copy more).
Result<std::vector<uint8_t>> WritePackage(const PackageSpec& spec);

}  // namespace etpu::package
