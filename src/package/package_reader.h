// Reading compiled models: the edgetpu-custom-op, its options and the DWN1 package inside.
//
// Reads Google's files (chip "beagle": recognised and described, never run) and etpu's own
// (chip kVirtualChipName, whose Program is decoded). Two formats of the key-"4" blob are
// understood: the DWN1 Package (file identifier "DWN1") and the legacy bare Executable.
// Every byte is untrusted: every flatbuffer, nested ones included, is verified before it is
// read, and every size/offset is checked; hostile input gives a DataLoss Status, never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"
#include "package/custom_op_data.h"
#include "package/package_types.h"
#include "package/program.h"

namespace etpu::package {

/// The runtime version etpu's runtime reports (libedgetpu's current version, 14).
inline constexpr int32_t kRuntimeVersion = 14;
/// Packages older than this load with a warning in the real runtime.
inline constexpr int32_t kOldestQuietRuntimeVersion = 10;

/// OK when a package needing `required` may run on a runtime of version `runtime`; otherwise
/// FailedPrecondition with the real runtime's words: "Package requires runtime version (12),
/// which is newer than this runtime version (10)."
Status CheckRuntimeVersion(int32_t required, int32_t runtime);

/// One decoded Executable. Spans point into the owning PackageInfo's storage.
struct ExecutableInfo {
  ExecutableType type = ExecutableType::kStandAlone;
  std::string name;
  std::string chip;
  int32_t version = 0;
  int32_t batch_size = 0;
  int32_t scratch_size_bytes = 0;
  uint64_t token = 0;                              ///< parameter_caching_token.
  int32_t used_narrow_memory_bytes_per_tile = 0;
  int64_t estimated_cycles_64bit = 0;
  int32_t estimated_cycles = 0;                    ///< Deprecated 32-bit field.
  bool use_tpu_dram_for_parameters = false;
  std::span<const uint8_t> parameters;             ///< The parameter stream.
  std::vector<std::span<const uint8_t>> instruction_bitstreams;
  std::vector<IoLayer> input_layers;
  std::vector<IoLayer> output_layers;
  std::vector<DmaHint> dma_hints;
  bool dma_hints_fully_deterministic = false;
  int64_t offset_in_package = 0;                   ///< Where the Executable buffer starts (DWN1 only).
  int64_t size_bytes = 0;                          ///< Length of the Executable buffer.
  int64_t parameters_offset = 0;                   ///< Where `parameters` data starts inside it.
  std::optional<Program> program;                  ///< Decoded when chip == kVirtualChipName.

  int64_t instruction_bytes() const;
  /// Sum of the sizes of PARAMETER DMA descriptor hints.
  int64_t parameter_dma_bytes() const;
  bool is_virtual() const { return chip == kVirtualChipName; }
};

enum class PackageFormat : uint8_t {
  kDwn1 = 0,              ///< Package (DWN1) -> MultiExecutable -> Executables.
  kLegacyExecutable = 1,  ///< Key "4" is a bare Executable (early 2019 files).
};

/// One decoded package (the key-"4" blob or an entry of key "7").
struct PackageInfo {
  PackageFormat format = PackageFormat::kDwn1;
  int32_t min_runtime_version = 0;
  std::string compiler_version;
  int32_t virtual_chip_id = 0;
  int32_t keypair_version = 0;
  int64_t signature_bytes = 0;
  std::string model_identifier;
  int64_t size_bytes = 0;                  ///< Length of the package blob.
  int64_t multi_executable_offset = 0;     ///< Offset of serialized_multi_executable data (DWN1).
  int64_t multi_executable_bytes = 0;
  std::vector<ExecutableInfo> executables; ///< In MultiExecutable order.
  /// Legacy format only: the separate caching executable of key "3" (the runtime ignores it).
  std::optional<ExecutableInfo> legacy_caching_executable;
  /// The package blob as read: a copy of its own (ReadPackage) or the caller's bytes
  /// (ReadPackageInPlace). The spans above point into it (or into the legacy key "3" copy).
  std::span<const uint8_t> bytes;
  /// Keeps alive the bytes every span above points into (copies are cheap and stay valid).
  std::vector<std::shared_ptr<const void>> storage;

  /// The executable the runtime runs: EXECUTION_ONLY, else STAND_ALONE, else the only one.
  const ExecutableInfo* main() const;
  /// The PARAMETER_CACHING executable, or nullptr.
  const ExecutableInfo* caching() const;
  /// Caching token of the main executable.
  uint64_t token() const;
  /// Chip of the main executable.
  std::string chip() const;
  bool is_virtual() const;
  /// Length of the PARAMETER_CACHING parameters (0 when there is none).
  int64_t on_chip_bytes() const;
  /// Length of the main executable's parameters when a PARAMETER_CACHING executable exists,
  /// else of the single STAND_ALONE executable's.
  int64_t off_chip_bytes() const;
};

/// Decodes a key-"4" blob: a DWN1 Package, or, without the identifier, a legacy bare Executable.
/// `what` names the operator in messages. Copies `bytes` into owned aligned storage.
Result<PackageInfo> ReadPackage(std::span<const uint8_t> bytes, std::string_view what);

/// The same, with the same checks and messages, without copying: the result views `bytes`, which
/// `keep_alive` keeps valid (held in the result's storage). Flatbuffers need their scalars aligned:
/// bytes that are not 8-byte aligned are read from a temporary aligned copy, and the result's
/// views (parameters, instruction bitstreams: byte arrays, no alignment needed) are then moved
/// onto the same offsets of `bytes`.
Result<PackageInfo> ReadPackageInPlace(std::span<const uint8_t> bytes, std::shared_ptr<const void> keep_alive,
                                       std::string_view what);

/// Checks the layout rules of package-format.md §1.5 on a DWN1 package; the message names
/// the first rule broken.
Status CheckPackageAlignment(const PackageInfo& package);

/// One edgetpu-custom-op of a model.
struct EdgeTpuOpInfo {
  int op_index = -1;
  CustomOpData options;                 ///< Decoded options (package bytes moved out: empty).
  PackageInfo package;                  ///< Key "4".
  std::vector<PackageInfo> extra_packages;  ///< Key "7".
};

/// Everything ReadCompiledModel finds.
struct CompiledModelInfo {
  std::vector<EdgeTpuOpInfo> edgetpu_ops;  ///< Empty when the model was not compiled.
  std::vector<int> cpu_ops;                ///< Indices of all other operators.
};

/// Finds and decodes every edgetpu-custom-op of `model`. Without `keep_alive`, each package is
/// copied into storage of its own; with it (something that keeps the model's custom options
/// valid, such as the model itself), packages are read in place (ReadPackageInPlace).
Result<CompiledModelInfo> ReadCompiledModel(const ir::Model& model, std::shared_ptr<const void> keep_alive = nullptr);

}  // namespace etpu::package
