// Test helper: a zoo model compiled alone, in memory, with the default options. Header-only: the
// tests that include it link the compiler and the zoo already; etpu_testutil does not.
#pragma once

#include <gtest/gtest.h>

#include <span>
#include <string>

#include "etpu/compiler.h"
#include "zoo/zoo.h"

namespace etpu::testutil {

/// The compile result of zoo model `name` (an empty ModelResult, and a test failure, on error).
inline ModelResult CompileZooModel(const std::string& name) {
  auto bytes = zoo::GenerateZooModel(name);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return {};
  const ModelInput in = ModelInput::FromBytes(*bytes, name + ".tflite");
  auto r = Compile(std::span<const ModelInput>(&in, 1), CompileOptions{});
  EXPECT_TRUE(r.ok() && r->ok && r->models.size() == 1);
  if (!r.ok() || !r->ok || r->models.size() != 1) return {};
  return r->models.front();
}

}  // namespace etpu::testutil
