#include "report/report_traffic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "device/device_catalog.h"

namespace etpu::report {
namespace {

using nlohmann::json;

int64_t I(const json& v) { return v.is_number_integer() ? v.get<int64_t>() : 0; }

struct Bytes {
  int64_t first_h2d = 0, later_h2d = 0, d2h = 0;
};

Bytes ModelBytes(const json& model) {
  Bytes b;
  for (const json& o : model["timing"]["edgetpu_ops"]) {
    const int64_t every = I(o["instruction_bytes"]) + I(o["input_bytes"]) + I(o["scratch_h2d_bytes"]) + I(o["streamed_param_bytes"]);
    b.later_h2d += every;
    b.first_h2d += every + I(o["cached_param_bytes"]);
    b.d2h += I(o["output_bytes"]) + I(o["scratch_d2h_bytes"]);
  }
  return b;
}

/// Per host: the share of the link the traffic takes at `fps`, and the frame rate the link alone allows.
json PerHost(const Bytes& b, double fps, const std::vector<device::HostProfile>& hosts) {
  json out = json::array();
  for (const device::HostProfile& h : hosts) {
    const double h2d_share = fps * static_cast<double>(b.later_h2d) / h.h2d_bytes_per_s;
    const double d2h_share = fps * static_cast<double>(b.d2h) / h.d2h_bytes_per_s;
    double max_fps = std::numeric_limits<double>::infinity();
    if (b.later_h2d > 0) max_fps = std::min(max_fps, h.h2d_bytes_per_s / static_cast<double>(b.later_h2d));
    if (b.d2h > 0) max_fps = std::min(max_fps, h.d2h_bytes_per_s / static_cast<double>(b.d2h));
    out.push_back({{"host", h.name},
                   {"h2d_share", h2d_share},
                   {"d2h_share", d2h_share},
                   {"fits", h2d_share <= 1.0 && d2h_share <= 1.0},
                   {"link_max_fps", std::isinf(max_fps) ? json(nullptr) : json(max_fps)}});
  }
  return out;
}

}  // namespace

Result<json> HostTraffic(const json& models, double fps) {
  if (!(fps > 0)) return InvalidArgumentError("report: the target frame rate must be positive");
  ETPU_ASSIGN_OR_RETURN(device::DeviceCatalog catalog, device::BuiltinDeviceCatalog());
  json hosts = json::array();
  for (const device::HostProfile& h : catalog.hosts) {
    hosts.push_back({{"host", h.name}, {"link", device::LinkKindName(h.link)}, {"h2d_bytes_per_s", h.h2d_bytes_per_s},
                     {"d2h_bytes_per_s", h.d2h_bytes_per_s}});
  }
  json per_model = json::array();
  Bytes all;
  for (size_t i = 0; i < models.size(); ++i) {
    const Bytes b = ModelBytes(models[i]);
    all.first_h2d += b.first_h2d;
    all.later_h2d += b.later_h2d;
    all.d2h += b.d2h;
    per_model.push_back({{"model", static_cast<int64_t>(i)},
                         {"first_h2d_bytes", b.first_h2d},
                         {"later_h2d_bytes", b.later_h2d},
                         {"d2h_bytes", b.d2h},
                         {"hosts", PerHost(b, fps, catalog.hosts)}});
  }
  return json{{"fps", fps},
              {"hosts", hosts},
              {"models", per_model},
              {"set", {{"later_h2d_bytes", all.later_h2d}, {"d2h_bytes", all.d2h}, {"hosts", PerHost(all, fps, catalog.hosts)}}},
              {"shared_hub_note",
               "Edge TPUs behind one USB hub or controller share its bandwidth: add up the traffic of every device on it "
               "(etpu bench and etpu plan model this with a shared link)."}};
}

}  // namespace etpu::report
