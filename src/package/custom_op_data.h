// The options of the `edgetpu-custom-op` operator: a FlexBuffer map (package-format.md §1.2).
//
//   "1" int            custom-op data version (0)
//   "2" string         legacy: chip name
//   "3" string         legacy: a separate serialized PARAMETER_CACHING executable (runtime ignores it)
//   "4" string         the serialized DWN1 Package (or, in the legacy format, a bare Executable)
//   "5" int            execution preference (-1)
//   "6" vector<int>    chip id per package; when present it has one entry more than "7"
//   "7" vector<string> further packages after the one in "4"
//
// Decoding treats the bytes as hostile: the FlexBuffer is verified first and every value is
// type-checked before it is read; a malformed map is a DataLoss Status, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "etpu/status.h"
#include "package/package_writer.h"

namespace etpu::package {

/// The chip id etpu writes in key "6". Real compilers write small chip enum values (17 and 18
/// are seen); this value ("ETPU" as big-endian ASCII) lies far outside that range, so no
/// runtime mistakes an etpu package for one of its own chips.
inline constexpr int64_t kVirtualChipId = 0x45545055;

/// Everything the custom-op options map can hold. Byte fields are copies (owned).
struct CustomOpData {
  int64_t version = 0;                                   ///< Key "1".
  std::vector<uint8_t> package;                          ///< Key "4" (required).
  int64_t execution_preference = -1;                     ///< Key "5".
  bool has_execution_preference = true;                  ///< Whether key "5" is present.
  std::optional<std::vector<int64_t>> chip_ids;          ///< Key "6"; nullopt when absent.
  std::vector<std::vector<uint8_t>> extra_packages;      ///< Key "7".
  std::optional<std::string> legacy_chip_name;           ///< Key "2" (legacy files only).
  std::optional<std::vector<uint8_t>> legacy_parameter_caching_executable;  ///< Key "3".
};

/// Serialises `data` as a FlexBuffer map. Writes keys 1, 4, 5 (if has_execution_preference),
/// 6 (if set), 7 (when chip_ids is set, or when there are extra packages), and 2/3 when set.
/// Deterministic.
std::vector<uint8_t> EncodeCustomOpData(const CustomOpData& data);

/// The options etpu writes for a package: version 0, preference -1, chip ids [kVirtualChipId], no
/// further packages.
std::vector<uint8_t> EncodeEtpuCustomOpData(std::span<const uint8_t> package);

/// The same options, made from the written package without copying it first: its bytes go
/// straight into the FlexBuffer (the compiler's path; byte-identical to the span overload).
std::vector<uint8_t> EncodeEtpuCustomOpData(const PackageBuffer& package);

/// Decodes (and verifies) custom options; `what` names the operator in messages.
Result<CustomOpData> DecodeCustomOpData(std::span<const uint8_t> bytes, std::string_view what);

/// The same map with its byte fields viewing the decoded bytes instead of copies of them.
struct CustomOpDataView {
  int64_t version = 0;
  std::span<const uint8_t> package;
  int64_t execution_preference = -1;
  bool has_execution_preference = true;
  std::optional<std::vector<int64_t>> chip_ids;
  std::vector<std::span<const uint8_t>> extra_packages;
  std::optional<std::string> legacy_chip_name;
  std::optional<std::span<const uint8_t>> legacy_parameter_caching_executable;
};

/// Decodes (and verifies) custom options as DecodeCustomOpData does, with the same checks and
/// messages, but copies no byte field: they view `bytes` (valid while `bytes` are). FlexBuffer
/// reads need 8-byte-aligned bytes: misaligned ones are decoded from a temporary aligned copy, and
/// the views are then moved onto the same offsets of `bytes` (byte fields need no alignment).
Result<CustomOpDataView> DecodeCustomOpDataView(std::span<const uint8_t> bytes, std::string_view what);

/// The view's fields other than bytes (package, further packages, key "3" are left empty).
CustomOpData FieldsOf(const CustomOpDataView& view);

}  // namespace etpu::package
