#include "report/report_plan.h"

#include <fmt/format.h>

#include "device/device_catalog.h"
#include "planner/plan_document.h"

namespace etpu::report {

using nlohmann::json;

namespace {

/// Records device `d` as the one running member `m`'s part in its entry of `splits` (pipelines or
/// replicas; the plan reader has checked that the entry exists and the part is in range).
void PlaceStage(json& splits, const planner::PlanMemberDoc& m, size_t d) {
  const std::string& model = m.pipeline_of.empty() ? m.replica_of : m.pipeline_of;
  for (json& s : splits) {
    if (s["model"] == model) s["devices"][static_cast<size_t>(m.part)] = d;
  }
}

}  // namespace

Result<json> ReadPlanSection(const std::string& file) {
  ETPU_ASSIGN_OR_RETURN(planner::PlanDocument plan, planner::ReadPlanDocument(file));
  ETPU_ASSIGN_OR_RETURN(device::DeviceCatalog catalog, device::BuiltinDeviceCatalog());
  // Split models, each part's device filled in from the members below (null: no member runs it).
  json pipelines = json::array(), replicas = json::array();
  for (const planner::PlanPipelineDoc& p : plan.pipelines) {
    pipelines.push_back({{"model", p.model}, {"stages", p.stages}, {"method", p.method}, {"starts", p.starts},
                         {"devices", json(std::vector<json>(static_cast<size_t>(p.stages), nullptr))}});
  }
  for (const planner::PlanReplicaDoc& r : plan.replicas) {
    replicas.push_back({{"model", r.model}, {"replicas", r.replicas}, {"shares", r.shares},
                        {"devices", json(std::vector<json>(static_cast<size_t>(r.replicas), nullptr))}});
  }
  json devices = json::array();
  for (size_t d = 0; d < plan.devices.size(); ++d) {
    const planner::PlanDeviceDoc& dev = plan.devices[d];
    const device::HostProfile* host = catalog.FindHost(dev.host);
    if (host == nullptr) {
      return InvalidArgumentError(
          fmt::format("{}: devices[{}].host: '{}' is not a host profile of the device catalog", file, d, dev.host));
    }
    json groups = json::array();
    for (const planner::PlanGroupDoc& g : dev.groups) {
      json members = json::array();
      for (const planner::PlanMemberDoc& m : g.members) {
        const bool stage = !m.pipeline_of.empty(), replica = !m.replica_of.empty();
        if (stage) PlaceStage(pipelines, m, d);
        if (replica) PlaceStage(replicas, m, d);
        members.push_back({{"name", m.name},
                           {"rate_hz", m.rate_hz},
                           {"later_ms", m.later_ms},
                           {"part_kind", stage ? json("stage") : replica ? json("replica") : json(nullptr)},
                           {"part_of", stage ? json(m.pipeline_of) : replica ? json(m.replica_of) : json(nullptr)},
                           {"part", m.part},
                           {"utilisation", m.utilisation ? json(*m.utilisation) : json(nullptr)},
                           {"onchip_bytes", m.onchip_bytes ? json(*m.onchip_bytes) : json(nullptr)},
                           {"offchip_bytes", m.offchip_bytes ? json(*m.offchip_bytes) : json(nullptr)}});
      }
      groups.push_back({{"models", g.models}, {"compile_command", g.compile_command}, {"members", std::move(members)}});
    }
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
              {"baselines", std::move(baselines)},
              {"pipelines", std::move(pipelines)},
              {"replicas", std::move(replicas)},
              {"shared_usb_hub", plan.shared_usb_hub}};
}

}  // namespace etpu::report
