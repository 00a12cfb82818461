#include "simulate/simulate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <queue>
#include <random>

namespace etpu::simulate {
namespace {

constexpr double kMaxArrivals = 1e8;

struct Arrival {
  double t_ms;
  int model;  // Index into the device's flattened model list.
  bool operator>(const Arrival& o) const { return t_ms > o.t_ms; }
};

/// Nearest-rank percentile (p in [0, 1]) of `v` (reordered).
double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

Status Check(const SimDevice& d, const SimOptions& options) {
  size_t count = 0;
  for (const auto& g : d.groups) count += g.size();
  if (options.frames_per_s > 0) {
    for (int m : d.sequence) {
      if (m < 0 || static_cast<size_t>(m) >= count) {
        return InvalidArgumentError(fmt::format("simulate: {}: the sequence names model {} of {}", d.name, m, count));
      }
    }
  }
  for (const auto& g : d.groups) {
    for (const SimModel& m : g) {
      if (!(m.rate_hz > 0) || !std::isfinite(m.rate_hz)) {
        return InvalidArgumentError(fmt::format("simulate: {}: model '{}' has rate {} Hz; expected a positive number", d.name, m.name, m.rate_hz));
      }
      if (!(m.later_ms > 0) || !std::isfinite(m.first_ms) || m.first_ms < m.later_ms) {
        return InvalidArgumentError(fmt::format("simulate: {}: model '{}' has first {} ms and later {} ms; expected 0 < later <= first",
                                                d.name, m.name, m.first_ms, m.later_ms));
      }
    }
  }
  return OkStatus();
}

SimDeviceResult Run(const SimDevice& d, const SimOptions& options, uint64_t seed) {
  struct Flat {
    const SimModel* m;
    int group;
  };
  std::vector<Flat> models;
  for (size_t g = 0; g < d.groups.size(); ++g) {
    for (const SimModel& m : d.groups[g]) models.push_back({&m, static_cast<int>(g)});
  }
  const double horizon_ms = options.seconds * 1000;
  std::vector<int64_t> invocations(models.size(), 0), reloads(models.size(), 0);
  std::vector<std::vector<double>> latencies(models.size());
  std::vector<char> loaded(models.size(), 0);
  int token = -1;  // The group whose token the device holds; -1: none yet.
  int64_t switches = 0;
  double free_at = 0, busy = 0;
  // One arrival, served first-come-first-served under the token rule.
  const auto serve = [&](const Arrival& a) {
    const Flat& f = models[static_cast<size_t>(a.model)];
    if (token != f.group) {
      if (token >= 0) ++switches;
      token = f.group;
      std::fill(loaded.begin(), loaded.end(), 0);  // The runtime clears the cache on a new token.
    }
    const bool reload = !loaded[static_cast<size_t>(a.model)];
    loaded[static_cast<size_t>(a.model)] = 1;
    const double service = reload ? f.m->first_ms : f.m->later_ms;
    const double start = std::max(a.t_ms, free_at);
    free_at = start + service;
    busy += service;
    ++invocations[static_cast<size_t>(a.model)];
    if (reload) ++reloads[static_cast<size_t>(a.model)];
    latencies[static_cast<size_t>(a.model)].push_back(free_at - a.t_ms);
  };
  if (options.frames_per_s > 0) {  // the device's part of the sequence, issued at each frame's start
    const double period_ms = 1000.0 / options.frames_per_s;
    for (int64_t frame = 0; static_cast<double>(frame) * period_ms < horizon_ms; ++frame) {
      for (int m : d.sequence) serve({static_cast<double>(frame) * period_ms, m});
    }
  } else {
    std::mt19937_64 rng(seed);
    std::priority_queue<Arrival, std::vector<Arrival>, std::greater<>> arrivals;
    std::vector<std::exponential_distribution<double>> gaps;
    for (size_t i = 0; i < models.size(); ++i) {
      gaps.emplace_back(models[i].m->rate_hz / 1000.0);  // per ms
      arrivals.push({gaps[i](rng), static_cast<int>(i)});
    }
    while (!arrivals.empty() && arrivals.top().t_ms < horizon_ms) {
      const Arrival a = arrivals.top();
      arrivals.pop();
      arrivals.push({a.t_ms + gaps[static_cast<size_t>(a.model)](rng), a.model});
      serve(a);
    }
  }
  SimDeviceResult r;
  r.name = d.name;
  r.utilisation = busy / horizon_ms;
  r.token_switches_per_s = static_cast<double>(switches) / options.seconds;
  r.predicted_utilisation = d.predicted_utilisation;
  r.predicted_switches_per_s = d.predicted_switches_per_s;
  r.saturated = r.utilisation >= 1.0;
  for (size_t i = 0; i < models.size(); ++i) {
    SimModelResult m;
    m.name = models[i].m->name;
    m.invocations = invocations[i];
    m.reloads = reloads[i];
    m.throughput_hz = static_cast<double>(invocations[i]) / options.seconds;
    m.latency_p50_ms = Percentile(latencies[i], 0.5);
    m.latency_p99_ms = Percentile(latencies[i], 0.99);
    r.models.push_back(std::move(m));
  }
  return r;
}

}  // namespace

Result<std::vector<SimDeviceResult>> SimulateDevices(const std::vector<SimDevice>& devices, const SimOptions& options) {
  if (devices.empty()) return InvalidArgumentError("simulate: no device to simulate");
  if (!(options.frames_per_s >= 0) || !std::isfinite(options.frames_per_s)) {
    return InvalidArgumentError(fmt::format("simulate: the sequence's frames per second must be >= 0, got {}", options.frames_per_s));
  }
  if (!(options.seconds > 0) || !std::isfinite(options.seconds)) {
    return InvalidArgumentError(fmt::format("simulate: the simulated time must be positive, got {} s", options.seconds));
  }
  double arrivals = 0;
  for (const SimDevice& d : devices) {
    ETPU_RETURN_IF_ERROR(Check(d, options));
    for (const auto& g : d.groups) {
      for (const SimModel& m : g) arrivals += m.rate_hz * options.seconds;
    }
  }
  if (arrivals > kMaxArrivals) {
    return InvalidArgumentError(fmt::format("simulate: {:.3g} arrivals in {} s is more than the limit of {:.0g}: simulate a shorter time",
                                            arrivals, options.seconds, kMaxArrivals));
  }
  std::vector<SimDeviceResult> out;
  for (size_t i = 0; i < devices.size(); ++i) out.push_back(Run(devices[i], options, options.seed * 1000003u + i));
  return out;
}

}  // namespace etpu::simulate
