// One invocation of a model (source or compiled) on the runtime, for the compile tests that check a
// compiled model computes what its source computes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "etpu/runtime.h"

namespace etpu::testing {

/// Loads `model`, sets input 0, invokes once and returns output 0 (empty, with a test failure, on error).
inline std::vector<uint8_t> RunOnce(Runtime& rt, const std::vector<uint8_t>& model, const std::vector<uint8_t>& input) {
  auto m = rt.LoadModelFromBuffer(model, "model.tflite");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  if (!m.ok()) return {};
  EXPECT_TRUE(m->SetInput(0, input).ok());
  Status s = m->Invoke();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::vector<uint8_t>(m->GetOutput(0).begin(), m->GetOutput(0).end());
}

}  // namespace etpu::testing
