#include "planner/problem.h"

#include <algorithm>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "base/file_io.h"
#include "zoo/zoo.h"

namespace etpu::planner {
namespace {

namespace fs = std::filesystem;

std::string Stem(const std::string& file) {
  std::string name = fs::path(file).filename().string();
  if (name.size() > 7 && name.ends_with(".tflite")) name.resize(name.size() - 7);
  return name;
}

bool IsZooName(const std::string& name) {
  for (const auto& n : zoo::ZooNames()) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace

Result<ModelDemand> ParseModelDemand(const std::string& text) {
  const size_t at = text.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == text.size()) {
    return InvalidArgumentError(fmt::format("plan: '{}' is not MODEL@HZ (e.g. mobilenet_v1_1.0_224@30)", text));
  }
  ModelDemand d;
  d.model = text.substr(0, at);
  std::string rate = text.substr(at + 1);
  if (const size_t colon = rate.find(':'); colon != std::string::npos) {
    std::string slo = rate.substr(colon + 1);
    rate.resize(colon);
    const std::string given = slo;
    if (slo.size() > 2 && slo.compare(slo.size() - 2, 2, "ms") == 0) slo.resize(slo.size() - 2);
    char* end = nullptr;
    const double ms = std::strtod(slo.c_str(), &end);
    if (slo.empty() || end == slo.c_str() || *end != '\0' || !std::isfinite(ms) || ms <= 0) {
      return InvalidArgumentError(fmt::format(
          "plan: the latency objective of '{}' must be a number of milliseconds > 0, as in {}@{}:25ms (got '{}')",
          d.model, d.model, rate, given));
    }
    d.slo_ms = ms;
  }
  char* end = nullptr;
  d.rate_hz = std::strtod(rate.c_str(), &end);
  if (end == rate.c_str() || *end != '\0' || !std::isfinite(d.rate_hz) || d.rate_hz <= 0) {
    return InvalidArgumentError(
        fmt::format("plan: the rate of '{}' must be a number of invocations per second > 0 (got '{}')", d.model, rate));
  }
  return d;
}

Result<Problem> MakeProblem(const std::vector<ModelDemand>& models, const std::vector<std::string>& device_hosts,
                            const device::DeviceCatalog& catalog, std::optional<device::Clock> clock,
                            bool shared_usb_hub) {
  if (models.empty()) return InvalidArgumentError("plan: no model given");
  if (device_hosts.empty()) return InvalidArgumentError("plan: no device given (e.g. --devices usb3,usb3)");
  if (catalog.chips.empty()) return InvalidArgumentError("plan: the device catalog has no chip");
  Problem p;
  p.chip = catalog.DefaultChip();
  p.clock = clock;
  for (const auto& h : device_hosts) {
    ETPU_ASSIGN_OR_RETURN(device::HostProfile host, catalog.Host(h));
    p.devices.push_back(std::move(host));
  }
  if (shared_usb_hub) {  // every USB TPU gets its share of the one hub (device::ShareLink)
    const int usb = static_cast<int>(std::count_if(p.devices.begin(), p.devices.end(),
                                                   [](const device::HostProfile& h) { return device::IsUsb(h.link); }));
    for (auto& h : p.devices) {
      if (device::IsUsb(h.link)) {
        ETPU_ASSIGN_OR_RETURN(h, device::ShareLink(h, usb));
      }
    }
    p.shared_usb_hub = true;
  }
  std::set<std::string> stems;
  for (const auto& d : models) {
    if (!std::isfinite(d.rate_hz) || d.rate_hz <= 0) {
      return InvalidArgumentError(fmt::format("plan: the rate of '{}' must be > 0 (got {})", d.model, d.rate_hz));
    }
    if (d.slo_ms && (!std::isfinite(*d.slo_ms) || *d.slo_ms <= 0)) {
      return InvalidArgumentError(fmt::format("plan: the latency objective of '{}' must be > 0 ms (got {})", d.model, *d.slo_ms));
    }
    PlanModel m;
    m.name = d.model;
    m.rate_hz = d.rate_hz;
    m.slo_ms = d.slo_ms;
    std::error_code ec;
    if (fs::is_regular_file(d.model, ec)) {
      ETPU_ASSIGN_OR_RETURN(m.bytes, base::ReadFile(d.model));
      m.file = d.model;
    } else if (IsZooName(d.model)) {
      ETPU_ASSIGN_OR_RETURN(m.bytes, zoo::GenerateZooModel(d.model));
      m.file = d.model + ".tflite";
      m.from_zoo = true;
    } else {
      return NotFoundError(fmt::format("plan: '{}' is neither a .tflite file nor a zoo model (etpu zoo --list)", d.model));
    }
    if (!stems.insert(Stem(m.file)).second) {
      return InvalidArgumentError(fmt::format(
          "plan: two models named '{}' (the compiler's output names would clash; give each model once)", Stem(m.file)));
    }
    m.parsed = ParseModel(m.bytes, m.file);
    p.models.push_back(std::move(m));
  }
  return p;
}

bool Problem::PartsApart(const std::vector<int>& items) const {
  std::vector<int> seen;
  for (int m : items) {
    if (m < 0 || static_cast<size_t>(m) >= models.size()) continue;
    const int of = models[static_cast<size_t>(m)].split_of;
    if (of < 0) continue;
    if (std::find(seen.begin(), seen.end(), of) != seen.end()) return false;
    seen.push_back(of);
  }
  return true;
}

bool Problem::PartsApart(const std::vector<std::vector<int>>& groups) const {
  std::vector<int> all;
  for (const auto& g : groups) all.insert(all.end(), g.begin(), g.end());
  return PartsApart(all);
}

}  // namespace etpu::planner
