#include "report/report_plan.h"

#include <fmt/format.h>

#include "device/device_catalog.h"
#include "planner/plan_document.h"

namespace etpu::report {

using nlohmann::json;

Result<json> ReadPlanSection(const std::string& file) {
  ETPU_ASSIGN_OR_RETURN(planner::PlanDocument plan, planner::ReadPlanDocument(file));
  ETPU_ASSIGN_OR_RETURN(device::DeviceCatalog catalog, device::BuiltinDeviceCatalog());
  json devices = json::array();
  for (size_t d = 0; d < plan.devices.size(); ++d) {
    const planner::PlanDeviceDoc& dev = plan.devices[d];
    const device::HostProfile* host = catalog.FindHost(dev.host);
    if (host == nullptr) {
      return InvalidArgumentError(
          fmt::format("{}: devices[{}].host: '{}' is not a host profile of the device catalog", file, d, dev.host));
    }
    json groups = json::array();
    for (const planner::PlanGroupDoc& g : dev.groups) groups.push_back({{"models", g.models}, {"compile_command", g.compile_command}});
    const double link_mb_s = host->h2d_bytes_per_s / 1e6;
    devices.push_back({{"device_string", dev.device_string},
                       {"host", dev.host},
                       {"utilisation", dev.utilisation},
                       {"token_switches_per_s", dev.token_switches_per_s},
                       {"streamed_mb_s", dev.streamed_mb_s},
                       {"link_mb_s", link_mb_s},
                       {"link_share", dev.streamed_mb_s / link_mb_s},
                       {"groups", std::move(groups)}});
  }
  json baselines = json::array();
  for (const auto& [name, headroom] : plan.baselines) baselines.push_back({{"name", name}, {"throughput_headroom", headroom}});
  return json{{"file", file},
              {"throughput_headroom", plan.throughput_headroom},
              {"lower_bound_headroom", plan.lower_bound_headroom ? json(*plan.lower_bound_headroom) : json(nullptr)},
              {"devices", std::move(devices)},
              {"baselines", std::move(baselines)}};
}

}  // namespace etpu::report
