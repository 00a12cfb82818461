#include "report/report_plan.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "base/file_io.h"
#include "device/device_catalog.h"

namespace etpu::report {
namespace {

using nlohmann::json;

/// Field `key` of object `o` (at `where`), checked to be of the kind `is` tests for.
template <typename Pred>
Result<const json*> Field(const json& o, const char* key, const std::string& where, const char* expected, Pred is,
                          const std::string& file) {
  if (!o.is_object() || !o.contains(key) || !is(o[key])) {
    return InvalidArgumentError(fmt::format("{}: {}.{}: expected {} (is this the output of `etpu plan --json`?)", file,
                                            where, key, expected));
  }
  return &o[key];
}

bool IsNonNegative(const json& v) { return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0; }

}  // namespace

Result<json> PlanSection(const json& plan, const std::string& file) {
  ETPU_ASSIGN_OR_RETURN(device::DeviceCatalog catalog, device::BuiltinDeviceCatalog());
  std::map<std::string, double> link_bytes_per_s;
  for (const device::HostProfile& h : catalog.hosts) link_bytes_per_s[h.name] = h.h2d_bytes_per_s;
  const auto number = [](const json& v) { return IsNonNegative(v); };
  const auto text = [](const json& v) { return v.is_string(); };
  const auto array = [](const json& v) { return v.is_array(); };

  ETPU_ASSIGN_OR_RETURN(const json* headroom, Field(plan, "throughput_headroom", "plan", "a number >= 0", number, file));
  ETPU_ASSIGN_OR_RETURN(const json* devices, Field(plan, "devices", "plan", "an array of devices", array, file));
  if (devices->empty()) return InvalidArgumentError(fmt::format("{}: plan.devices: expected at least one device", file));
  json out_devices = json::array();
  for (size_t d = 0; d < devices->size(); ++d) {
    const json& dev = (*devices)[d];
    const std::string where = fmt::format("devices[{}]", d);
    ETPU_ASSIGN_OR_RETURN(const json* host, Field(dev, "host", where, "a host profile name", text, file));
    auto link = link_bytes_per_s.find(host->get<std::string>());
    if (link == link_bytes_per_s.end()) {
      return InvalidArgumentError(fmt::format("{}: {}.host: '{}' is not a host profile of the device catalog", file, where,
                                              host->get<std::string>()));
    }
    ETPU_ASSIGN_OR_RETURN(const json* device_string, Field(dev, "device_string", where, "a string such as usb:0", text, file));
    ETPU_ASSIGN_OR_RETURN(const json* utilisation, Field(dev, "utilisation", where, "a number >= 0", number, file));
    ETPU_ASSIGN_OR_RETURN(const json* switches, Field(dev, "token_switches_per_s", where, "a number >= 0", number, file));
    ETPU_ASSIGN_OR_RETURN(const json* streamed, Field(dev, "streamed_mb_s", where, "a number >= 0", number, file));
    ETPU_ASSIGN_OR_RETURN(const json* groups, Field(dev, "groups", where, "an array of co-compile groups", array, file));
    json out_groups = json::array();
    for (size_t g = 0; g < groups->size(); ++g) {
      const std::string gwhere = fmt::format("{}.groups[{}]", where, g);
      ETPU_ASSIGN_OR_RETURN(const json* models, Field((*groups)[g], "models", gwhere, "an array of model names", array, file));
      for (const json& m : *models) {
        if (!m.is_string()) return InvalidArgumentError(fmt::format("{}: {}.models: expected model names (strings)", file, gwhere));
      }
      ETPU_ASSIGN_OR_RETURN(const json* command, Field((*groups)[g], "compile_command", gwhere, "a command line", text, file));
      out_groups.push_back({{"models", *models}, {"compile_command", *command}});
    }
    const double link_mb_s = link->second / 1e6;
    out_devices.push_back({{"device_string", *device_string},
                           {"host", *host},
                           {"utilisation", *utilisation},
                           {"token_switches_per_s", *switches},
                           {"streamed_mb_s", *streamed},
                           {"link_mb_s", link_mb_s},
                           {"link_share", streamed->get<double>() / link_mb_s},
                           {"groups", std::move(out_groups)}});
  }
  json baselines = json::array();
  if (plan.contains("baselines") && plan["baselines"].is_object()) {
    for (const auto& [name, b] : plan["baselines"].items()) {
      ETPU_ASSIGN_OR_RETURN(const json* h, Field(b, "throughput_headroom", "baselines." + name, "a number >= 0", number, file));
      baselines.push_back({{"name", name}, {"throughput_headroom", *h}});
    }
  }
  json lower = plan.contains("lower_bound_headroom") && IsNonNegative(plan["lower_bound_headroom"]) ? plan["lower_bound_headroom"] : json(nullptr);
  return json{{"file", file},
              {"throughput_headroom", *headroom},
              {"lower_bound_headroom", lower},
              {"devices", std::move(out_devices)},
              {"baselines", std::move(baselines)}};
}

Result<json> ReadPlanSection(const std::string& file) {
  ETPU_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, base::ReadFile(file, size_t{64} << 20));
  json plan = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (plan.is_discarded()) return InvalidArgumentError(fmt::format("{}: not a JSON document (expected the output of `etpu plan --json`)", file));
  return PlanSection(plan, file);
}

}  // namespace etpu::report
