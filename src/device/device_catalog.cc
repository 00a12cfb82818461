#include "device/device_catalog.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <variant>

#include "base/file_io.h"

namespace etpu::device {
namespace {

using Json = nlohmann::json;

/// One required constant: its key in "constants", where it goes, and its admissible range.
template <typename Owner>
struct ConstantField {
  const char* key;
  std::variant<int64_t Owner::*, double Owner::*> member;
  double max_value;  ///< Inclusive upper bound; every constant must be > 0.
};

constexpr double kHuge = 1e15;

const ConstantField<DeviceSpec> kChipFields[] = {
    {"sram_bytes", &DeviceSpec::sram_bytes, 1e12},
    {"tiles", &DeviceSpec::tiles, 1e6},
    {"narrow_memory_bytes_per_tile", &DeviceSpec::narrow_memory_bytes_per_tile, 1e12},
    {"executable_reserve_bytes", &DeviceSpec::executable_reserve_bytes, 1e12},
    {"activation_staging_bytes", &DeviceSpec::activation_staging_bytes, 1e12},
    {"tile_alignment_bytes", &DeviceSpec::tile_alignment_bytes, 4096},
    {"macs_per_cycle", &DeviceSpec::macs_per_cycle, 1e9},
    {"max_clock_hz", &DeviceSpec::max_clock_hz, 1e11},
    {"std_clock_hz", &DeviceSpec::std_clock_hz, 1e11},
    {"conv_input_channels_per_cycle", &DeviceSpec::conv_input_channels_per_cycle, 1e6},
    {"conv_output_channels_per_cycle", &DeviceSpec::conv_output_channels_per_cycle, 1e6},
    {"depthwise_channels_per_cycle", &DeviceSpec::depthwise_channels_per_cycle, 1e6},
    {"depthwise_passes", &DeviceSpec::depthwise_passes, 1e6},
    {"eta", &DeviceSpec::eta, 1.0},
    {"instruction_base_bytes", &DeviceSpec::instruction_base_bytes, kHuge},
    {"instruction_bytes_per_gmac", &DeviceSpec::instruction_bytes_per_gmac, kHuge},
};

const ConstantField<HostProfile> kHostFields[] = {
    {"h2d_bytes_per_s", &HostProfile::h2d_bytes_per_s, 1e13},
    {"d2h_bytes_per_s", &HostProfile::d2h_bytes_per_s, 1e13},
    {"fixed_ms", &HostProfile::fixed_ms, 1e6},
    {"pipeline_hop_ms", &HostProfile::pipeline_hop_ms, 1e6},
    {"cpu_time_factor", &HostProfile::cpu_time_factor, 1e3},
};

std::string Shown(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

Result<std::string> RequiredString(const Json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return InvalidArgumentError(fmt::format("{}: missing field '{}'", where, key));
  if (!it->is_string() || it->get<std::string>().empty()) {
    return InvalidArgumentError(
        fmt::format("{}: field '{}' must be a non-empty string (got {})", where, key, Shown(*it)));
  }
  return it->get<std::string>();
}

std::string OptionalString(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

Result<Basis> ParseBasis(const std::string& text, const std::string& where) {
  if (text == "published") return Basis::kPublished;
  if (text == "derived") return Basis::kDerived;
  if (text == "fitted") return Basis::kFitted;
  if (text == "assumed") return Basis::kAssumed;
  return InvalidArgumentError(fmt::format(
      "{}: field 'basis' is '{}' (expected published, derived, fitted or assumed)", where, text));
}

/// Reads every constant of `fields` from obj["constants"] into `out`, rejecting unknown keys.
template <typename Owner>
Status ReadConstants(const Json& obj, const std::string& where, std::span<const ConstantField<Owner>> fields,
                     Owner& out) {
  auto cit = obj.find("constants");
  if (cit == obj.end()) return InvalidArgumentError(fmt::format("{}: missing field 'constants'", where));
  if (!cit->is_object()) {
    return InvalidArgumentError(fmt::format("{}: field 'constants' must be an object", where));
  }
  std::set<std::string> known;
  for (const ConstantField<Owner>& f : fields) {
    known.insert(f.key);
    const std::string cwhere = fmt::format("{}: constant '{}'", where, f.key);
    auto it = cit->find(f.key);
    if (it == cit->end()) return InvalidArgumentError(fmt::format("{}: missing constant '{}'", where, f.key));
    if (!it->is_object()) {
      return InvalidArgumentError(
          fmt::format("{}: must be an object {{value, basis, source}} (got {})", cwhere, Shown(*it)));
    }
    auto vit = it->find("value");
    if (vit == it->end()) return InvalidArgumentError(fmt::format("{}: missing field 'value'", cwhere));
    if (!vit->is_number()) {
      return InvalidArgumentError(fmt::format("{}: value must be a number > 0 (got {})", cwhere, Shown(*vit)));
    }
    const double v = vit->template get<double>();
    if (!std::isfinite(v) || v <= 0 || v > f.max_value) {
      return InvalidArgumentError(
          fmt::format("{}: value {} out of range (expected > 0 and <= {})", cwhere, v, f.max_value));
    }
    ETPU_ASSIGN_OR_RETURN(std::string basis_text, RequiredString(*it, "basis", cwhere));
    ETPU_ASSIGN_OR_RETURN(Basis basis, ParseBasis(basis_text, cwhere));
    ETPU_ASSIGN_OR_RETURN(std::string source, RequiredString(*it, "source", cwhere));
    using IntMember = int64_t Owner::*;
    using DoubleMember = double Owner::*;
    if (const IntMember* im = std::get_if<IntMember>(&f.member)) {
      if (v != std::floor(v)) {
        return InvalidArgumentError(fmt::format("{}: value {} must be an integer", cwhere, v));
      }
      out.*(*im) = static_cast<int64_t>(v);
    } else if (const DoubleMember* dm = std::get_if<DoubleMember>(&f.member)) {
      out.*(*dm) = v;
    }
    out.sources[f.key] = ConstantSource{basis, std::move(source)};
  }
  for (auto it = cit->begin(); it != cit->end(); ++it) {
    if (!known.contains(it.key())) {
      return InvalidArgumentError(fmt::format("{}: unknown constant '{}'", where, it.key()));
    }
  }
  return OkStatus();
}

Result<DeviceSpec> ParseChip(const Json& obj, const std::string& where_index) {
  if (!obj.is_object()) return InvalidArgumentError(fmt::format("{}: must be an object", where_index));
  DeviceSpec spec;
  ETPU_ASSIGN_OR_RETURN(spec.name, RequiredString(obj, "name", where_index));
  const std::string where = fmt::format("{} '{}'", where_index, spec.name);
  spec.description = OptionalString(obj, "description");
  ETPU_RETURN_IF_ERROR(ReadConstants<DeviceSpec>(obj, where, kChipFields, spec));
  if (spec.std_clock_hz > spec.max_clock_hz) {
    return InvalidArgumentError(fmt::format("{}: std_clock_hz {} exceeds max_clock_hz {}", where,
                                            spec.std_clock_hz, spec.max_clock_hz));
  }
  if (spec.executable_reserve_bytes >= spec.sram_bytes) {
    return InvalidArgumentError(fmt::format("{}: executable_reserve_bytes {} must be below sram_bytes {}", where,
                                            spec.executable_reserve_bytes, spec.sram_bytes));
  }
  return spec;
}

Result<HostProfile> ParseHost(const Json& obj, const std::string& where_index) {
  if (!obj.is_object()) return InvalidArgumentError(fmt::format("{}: must be an object", where_index));
  HostProfile host;
  ETPU_ASSIGN_OR_RETURN(host.name, RequiredString(obj, "name", where_index));
  const std::string where = fmt::format("{} '{}'", where_index, host.name);
  host.description = OptionalString(obj, "description");
  ETPU_ASSIGN_OR_RETURN(std::string link, RequiredString(obj, "link", where));
  if (link == "usb3") {
    host.link = LinkKind::kUsb3;
  } else if (link == "usb2") {
    host.link = LinkKind::kUsb2;
  } else if (link == "pcie") {
    host.link = LinkKind::kPcie;
  } else {
    return InvalidArgumentError(fmt::format("{}: field 'link' is '{}' (expected usb3, usb2 or pcie)", where, link));
  }
  ETPU_ASSIGN_OR_RETURN(std::string clock, RequiredString(obj, "default_clock", where));
  if (clock == "max") {
    host.default_clock = Clock::kMax;
  } else if (clock == "std") {
    host.default_clock = Clock::kStd;
  } else {
    return InvalidArgumentError(
        fmt::format("{}: field 'default_clock' is '{}' (expected max or std)", where, clock));
  }
  ETPU_RETURN_IF_ERROR(ReadConstants<HostProfile>(obj, where, kHostFields, host));
  return host;
}

}  // namespace

Result<DeviceCatalog> ParseDeviceCatalog(std::string_view json_text, std::string_view origin) {
  const std::string o(origin);
  // nlohmann reports syntax errors only by exception; it is confined to this call.
  Json root;
  try {
    root = Json::parse(json_text);
  } catch (const Json::exception& e) {
    return InvalidArgumentError(fmt::format("{}: not valid JSON: {}", o, e.what()));
  }
  if (!root.is_object()) return InvalidArgumentError(fmt::format("{}: top level must be an object", o));
  auto fit = root.find("format");
  if (fit == root.end() || !fit->is_string() || fit->get<std::string>() != "etpu-devices") {
    return InvalidArgumentError(fmt::format("{}: field 'format' must be \"etpu-devices\"", o));
  }
  auto vit = root.find("version");
  if (vit == root.end() || !vit->is_number_integer() || vit->get<int64_t>() != 1) {
    return InvalidArgumentError(fmt::format("{}: field 'version' must be 1", o));
  }
  DeviceCatalog catalog;
  for (const char* section : {"chips", "hosts"}) {
    auto sit = root.find(section);
    if (sit == root.end()) return InvalidArgumentError(fmt::format("{}: missing field '{}'", o, section));
    if (!sit->is_array() || sit->empty()) {
      return InvalidArgumentError(fmt::format("{}: field '{}' must be a non-empty array", o, section));
    }
    std::set<std::string> names;
    for (size_t i = 0; i < sit->size(); ++i) {
      const std::string where = fmt::format("{}: {}[{}]", o, section, i);
      std::string name;
      if (std::string_view(section) == "chips") {
        ETPU_ASSIGN_OR_RETURN(DeviceSpec chip, ParseChip((*sit)[i], where));
        name = chip.name;
        catalog.chips.push_back(std::move(chip));
      } else {
        ETPU_ASSIGN_OR_RETURN(HostProfile host, ParseHost((*sit)[i], where));
        name = host.name;
        catalog.hosts.push_back(std::move(host));
      }
      if (!names.insert(name).second) {
        return InvalidArgumentError(fmt::format("{}: duplicate name '{}'", where, name));
      }
    }
  }
  return catalog;
}

Result<DeviceCatalog> LoadDeviceCatalog(const std::string& path) {
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, base::ReadFile(path, size_t{16} << 20));
  return ParseDeviceCatalog(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

Result<DeviceCatalog> BuiltinDeviceCatalog() {
  return ParseDeviceCatalog(BuiltinDeviceCatalogJson(), "built-in devices.json");
}

Result<DeviceSpec> BuiltinChip() {
  static const Result<DeviceSpec> chip = []() -> Result<DeviceSpec> {
    ETPU_ASSIGN_OR_RETURN(DeviceCatalog catalog, BuiltinDeviceCatalog());
    if (catalog.chips.empty()) return InvalidArgumentError("built-in devices.json: no chip");
    return catalog.DefaultChip();
  }();
  return chip;
}

Result<DeviceCatalog> LoadDeviceCatalogOrBuiltin(const std::string& path) {
  return path.empty() ? BuiltinDeviceCatalog() : LoadDeviceCatalog(path);
}

}  // namespace etpu::device
