// Test helper of the params tests: a ModelBuilder's model read back as the compiler reads it.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::params {

inline ir::Model ReadBuilt(const tflite::ModelBuilder& b) {
  std::vector<uint8_t> bytes = b.Serialize();
  Result<ir::Model> model = tflite::ReadModelFromBuffer(bytes, "built");
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::move(model).value();
}

}  // namespace etpu::params
