// Test helper (planner tests only): problems built from zoo models generated once per process.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "device/device_catalog.h"
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

}  // namespace etpu::planner::testing
