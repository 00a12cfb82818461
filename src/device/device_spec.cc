#include "device/device_spec.h"

#include <fmt/format.h>

namespace etpu::device {

const char* BasisName(Basis basis) {
  switch (basis) {
    case Basis::kPublished: return "published";
    case Basis::kDerived: return "derived";
    case Basis::kFitted: return "fitted";
    case Basis::kAssumed: return "assumed";
  }
  return "unknown";
}

const char* ClockName(Clock clock) { return clock == Clock::kStd ? "std" : "max"; }

Result<Clock> ParseClock(std::string_view text) {
  if (text == "max") return Clock::kMax;
  if (text == "std") return Clock::kStd;
  return InvalidArgumentError(fmt::format("unknown clock '{}' (expected max or std)", text));
}

const char* LinkKindName(LinkKind kind) {
  switch (kind) {
    case LinkKind::kUsb3: return "usb3";
    case LinkKind::kUsb2: return "usb2";
    case LinkKind::kPcie: return "pcie";
  }
  return "unknown";
}

double EffectiveClockHz(const DeviceSpec& spec, const HostProfile& host, Clock clock) {
  if (clock == Clock::kStd && IsUsb(host.link)) return spec.std_clock_hz;
  return spec.max_clock_hz;
}

Result<HostProfile> ShareLink(const HostProfile& host, int devices) {
  if (devices < 1 || devices > 1024) {
    return InvalidArgumentError(
        fmt::format("failed to share host link '{}': device count {} (expected 1..1024)", host.name, devices));
  }
  HostProfile shared = host;
  shared.devices_sharing_link = devices;
  if (IsUsb(host.link)) {
    shared.h2d_bytes_per_s = host.h2d_bytes_per_s / devices;
    shared.d2h_bytes_per_s = host.d2h_bytes_per_s / devices;
  }
  if (devices > 1) shared.name = fmt::format("{}/{}-shared", host.name, devices);
  return shared;
}

const DeviceSpec* DeviceCatalog::FindChip(const std::string& name) const {
  for (const DeviceSpec& c : chips) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const HostProfile* DeviceCatalog::FindHost(const std::string& name) const {
  for (const HostProfile& h : hosts) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

namespace {
template <typename T>
std::string JoinNames(const std::vector<T>& items) {
  std::string out;
  for (const T& item : items) {
    if (!out.empty()) out += ", ";
    out += item.name;
  }
  return out;
}
}  // namespace

Result<DeviceSpec> DeviceCatalog::Chip(const std::string& name) const {
  if (const DeviceSpec* c = FindChip(name)) return *c;
  return NotFoundError(fmt::format("unknown chip '{}' (known: {})", name, JoinNames(chips)));
}

Result<HostProfile> DeviceCatalog::Host(const std::string& name) const {
  if (const HostProfile* h = FindHost(name)) return *h;
  return NotFoundError(fmt::format("unknown host profile '{}' (known: {})", name, JoinNames(hosts)));
}

}  // namespace etpu::device
