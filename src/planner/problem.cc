#include "planner/problem.h"

#include <algorithm>

#include <cctype>
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

namespace {

// "25ms" or "25": a latency objective in ms (> 0). `example` shows where it goes.
Result<double> ParseObjective(const std::string& model, const std::string& given, const std::string& example) {
  std::string slo = given;
  if (slo.size() > 2 && slo.compare(slo.size() - 2, 2, "ms") == 0) slo.resize(slo.size() - 2);
  char* end = nullptr;
  const double ms = std::strtod(slo.c_str(), &end);
  if (slo.empty() || end == slo.c_str() || *end != '\0' || !std::isfinite(ms) || ms <= 0) {
    return InvalidArgumentError(fmt::format(
        "plan: the latency objective of '{}' must be a number of milliseconds > 0, as in {}:25ms (got '{}')", model,
        example, given));
  }
  return ms;
}

}  // namespace

Result<std::vector<SequenceItem>> ParseSequence(const std::vector<std::string>& items, double frames_per_s) {
  if (!std::isfinite(frames_per_s) || frames_per_s <= 0) {
    return InvalidArgumentError(fmt::format("plan: --fps must be a number of frames per second > 0 (got {})", frames_per_s));
  }
  if (items.empty()) return InvalidArgumentError("plan: --sequence names no model (e.g. --sequence det,cls,cls)");
  std::vector<SequenceItem> out;
  for (const auto& item : items) {
    SequenceItem s;
    s.model = item;
    // MODEL:MSms (a file path may hold ':' itself: only a trailing objective is taken).
    if (const size_t colon = item.rfind(':'); colon != std::string::npos && colon > 0 && colon + 1 < item.size() &&
                                              std::isdigit(static_cast<unsigned char>(item[colon + 1]))) {
      s.model = item.substr(0, colon);
      ETPU_ASSIGN_OR_RETURN(s.slo_ms, ParseObjective(s.model, item.substr(colon + 1), s.model));
    }
    if (s.model.empty()) return InvalidArgumentError("plan: --sequence has an empty model name");
    out.push_back(std::move(s));
  }
  return out;
}

Result<Problem> MakeSequenceProblem(const std::vector<SequenceItem>& items, double frames_per_s,
                                    const std::vector<std::string>& device_hosts, const device::DeviceCatalog& catalog,
                                    std::optional<device::Clock> clock, bool shared_usb_hub) {
  if (!std::isfinite(frames_per_s) || frames_per_s <= 0) {
    return InvalidArgumentError(fmt::format("plan: --fps must be > 0 (got {})", frames_per_s));
  }
  std::vector<ModelDemand> demands;  // distinct models, in order of first occurrence
  std::vector<int> sequence;
  for (const auto& item : items) {
    auto it = std::find_if(demands.begin(), demands.end(), [&](const ModelDemand& d) { return d.model == item.model; });
    if (it == demands.end()) {
      demands.push_back({item.model, 0, std::nullopt});
      it = demands.end() - 1;
    }
    it->rate_hz += frames_per_s;
    if (item.slo_ms) {
      if (it->slo_ms && *it->slo_ms != *item.slo_ms) {
        return InvalidArgumentError(fmt::format("plan: '{}' has two latency objectives in --sequence ({} and {} ms)",
                                                item.model, *it->slo_ms, *item.slo_ms));
      }
      it->slo_ms = item.slo_ms;
    }
    sequence.push_back(static_cast<int>(it - demands.begin()));
  }
  ETPU_ASSIGN_OR_RETURN(Problem p, MakeProblem(demands, device_hosts, catalog, clock, shared_usb_hub));
  p.sequence = std::move(sequence);
  p.frames_per_s = frames_per_s;
  return p;
}

Result<ModelDemand> ParseModelDemand(const std::string& text) {
  const size_t at = text.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == text.size()) {
    return InvalidArgumentError(fmt::format("plan: '{}' is not MODEL@HZ (e.g. mobilenet_v1_1.0_224@30)", text));
  }
  ModelDemand d;
  d.model = text.substr(0, at);
  std::string rate = text.substr(at + 1);
  if (const size_t colon = rate.find(':'); colon != std::string::npos) {
    ETPU_ASSIGN_OR_RETURN(d.slo_ms, ParseObjective(d.model, rate.substr(colon + 1), d.model + "@" + rate.substr(0, colon)));
    rate.resize(colon);
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
