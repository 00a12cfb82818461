// Reading device descriptions from JSON (devices/devices.json) and the built-in copy.
//
// File format ("format": "etpu-devices", "version": 1):
//   { "chips": [ { "name", "description", "constants": { "<key>": {"value", "basis", "source"} } } ],
//     "hosts": [ { "name", "description", "link": "usb3|usb2|pcie", "default_clock": "max|std",
//                  "constants": { ... } } ] }
// Every constant of DeviceSpec / HostProfile is required, unknown keys are rejected (typos), and
// every error names the origin, the entry and the field, e.g.
//   "devices.json: chips[0] 'edgetpu': constant 'eta': value must be a number > 0 (got "abc")".
#pragma once

#include <string>
#include <string_view>

#include "device/device_spec.h"
#include "etpu/status.h"

namespace etpu::device {

/// Parses a device catalog from JSON text; `origin` (a file name) prefixes error messages.
Result<DeviceCatalog> ParseDeviceCatalog(std::string_view json_text, std::string_view origin);

/// Reads and parses a device catalog file.
Result<DeviceCatalog> LoadDeviceCatalog(const std::string& path);

/// The catalog compiled into the library: the devices/devices.json of the source tree at build
/// time, so tools work without the file. Parsed on every call (cheap; no globals).
Result<DeviceCatalog> BuiltinDeviceCatalog();

/// The built-in catalog's default chip: the one chip description the compiler's capacity model,
/// the runtime's virtual Edge TPU and the timing model share. Parsed once (thread-safe).
Result<DeviceSpec> BuiltinChip();

/// LoadDeviceCatalog(path) when `path` is non-empty, else BuiltinDeviceCatalog().
Result<DeviceCatalog> LoadDeviceCatalogOrBuiltin(const std::string& path);

/// The raw JSON text of the built-in catalog.
std::string_view BuiltinDeviceCatalogJson();

}  // namespace etpu::device
