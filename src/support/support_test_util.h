// Test helpers: tiny synthetic models for the support rules (tests only).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::support::testing {

using tflite::ModelBuilder;
using TT = ir::TensorType;
using B = ir::BuiltinOperator;

/// Serialises and reads back a model (the reader checks it as for a real file).
inline ir::Model Load(const ModelBuilder& b) {
  std::vector<uint8_t> bytes = b.Serialize();
  auto r = tflite::ReadModelFromBuffer(bytes, "synthetic.tflite");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return ir::Model{};
  return std::move(r).value();
}

/// A quantized activation tensor.
inline int Act(ModelBuilder& b, const std::string& name, std::vector<int32_t> shape, TT type = TT::UINT8) {
  return b.AddTensor(name, type, std::move(shape), tflite::Quant(0.5f, type == TT::UINT8 ? 128 : 0));
}

/// A constant quantized tensor filled with `value`.
inline int ConstQ(ModelBuilder& b, const std::string& name, std::vector<int32_t> shape, uint8_t value = 1,
                  TT type = TT::UINT8, int64_t zero_point = 128) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return b.AddTensor(name, type, std::move(shape), tflite::Quant(0.25f, zero_point),
                     std::vector<uint8_t>(static_cast<size_t>(n), value));
}

/// A constant INT32 tensor.
inline int ConstI32(ModelBuilder& b, const std::string& name, std::vector<int32_t> shape, std::vector<int32_t> values) {
  return b.AddConstant<int32_t>(name, TT::INT32, std::move(shape), std::span<const int32_t>(values));
}

/// Builds a single-operator model: inputs that are not constant become graph inputs.
inline void Finish(ModelBuilder& b, const std::vector<int32_t>& graph_inputs, const std::vector<int32_t>& outputs) {
  b.SetInputs(graph_inputs);
  b.SetOutputs(outputs);
}

/// The builtin options holding `value` (an IR options struct).
template <typename T>
ir::BuiltinOptions Opts(T value) {
  return ir::BuiltinOptions(std::move(value));
}

}  // namespace etpu::support::testing
