// Test helper (planner tests only): problems built from zoo models generated once per process.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "device/device_catalog.h"
#include "planner/group_cost.h"
#include "planner/problem.h"
#include "zoo/zoo.h"

namespace etpu::planner::testing {

inline const std::vector<uint8_t>& ZooBytes(const std::string& name) {
  static std::map<std::string, std::vector<uint8_t>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    auto bytes = zoo::GenerateZooModel(name);
    EXPECT_TRUE(bytes.ok()) << bytes.status().message();
    it = cache.emplace(name, bytes.ok() ? std::move(bytes).value() : std::vector<uint8_t>{}).first;
  }
  return it->second;
}

inline const device::DeviceCatalog& Catalog() {
  static const device::DeviceCatalog catalog = [] {
    auto c = device::BuiltinDeviceCatalog();
    EXPECT_TRUE(c.ok());
    return c.ok() ? std::move(c).value() : device::DeviceCatalog{};
  }();
  return catalog;
}

/// A problem over zoo models (rates all 10 Hz unless given) on devices of the named hosts.
inline Problem ZooProblem(const std::vector<std::string>& models, const std::vector<std::string>& hosts,
                          std::vector<double> rates = {}) {
  Problem p;
  p.chip = Catalog().DefaultChip();
  for (const auto& h : hosts) {
    auto host = Catalog().Host(h);
    EXPECT_TRUE(host.ok()) << h;
    if (host.ok()) p.devices.push_back(*host);
  }
  for (size_t i = 0; i < models.size(); ++i) {
    PlanModel m;
    m.name = models[i];
    m.file = models[i] + ".tflite";
    m.from_zoo = true;
    m.rate_hz = i < rates.size() ? rates[i] : 10.0;
    m.bytes = ZooBytes(models[i]);
    m.parsed = ParseModel(m.bytes, m.file);
    p.models.push_back(std::move(m));
  }
  return p;
}

/// Random instances: for each host list of `device_sets` and each size k from `min_models` to the
/// pool's size, a shuffled k-subset of `pool`, costed once, then `rates_per_set` times with rates
/// log-uniform in 1-300 Hz (costs do not depend on rates): f(coster, compiled, k) for each, where
/// `compiled` costs the same problem but compiles every ordered group (nothing derived).
inline void ForRandomInstances(const std::vector<std::string>& pool,
                               const std::vector<std::vector<std::string>>& device_sets, size_t min_models,
                               int rates_per_set, std::mt19937& rng,
                               const std::function<void(GroupCoster&, GroupCoster&, size_t)>& f) {
  std::uniform_real_distribution<double> log_rate(0.0, std::log(300.0));
  for (const auto& hosts : device_sets) {
    for (size_t k = min_models; k <= pool.size(); ++k) {
      std::vector<std::string> models = pool;
      std::shuffle(models.begin(), models.end(), rng);
      models.resize(k);
      Problem p = ZooProblem(models, hosts);
      auto coster = GroupCoster::Create(p);
      ASSERT_TRUE(coster.ok()) << coster.status().message();
      auto compiled = GroupCoster::Create(p, coster->get());
      ASSERT_TRUE(compiled.ok()) << compiled.status().message();
      (*compiled)->set_derive_placements(false);
      for (int r = 0; r < rates_per_set; ++r) {
        for (auto& m : p.models) m.rate_hz = std::exp(log_rate(rng));
        f(**coster, **compiled, k);
      }
    }
  }
}

}  // namespace etpu::planner::testing
