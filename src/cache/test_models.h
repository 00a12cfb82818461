// Test-only helpers: small synthetic models built with the ModelBuilder.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cache/capacity_model.h"
#include "cache/plan_model.h"
#include "params/param_layout.h"
#include "ir/graph.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::cache::testing {

/// The built-in chip's memories and capacity model (a test fails if it does not parse).
inline ChipMemory BuiltinChipMemory() {
  Result<ChipMemory> chip = ChipMemory::Builtin();
  EXPECT_TRUE(chip.ok()) << chip.status().ToString();
  return chip.ok() ? *chip : ChipMemory{};
}
inline CapacityModel BuiltinCapacity() { return CapacityModel(BuiltinChipMemory()); }

/// The planner's view of `ops` of `model` (empty = all) as the compiler builds it: etpu's real
/// parameter records and the capacity model's footprint.
inline Result<PlanModel> PlanModelOf(const ir::Model& model, std::string name, std::vector<int> ops,
                                     const CapacityModel& capacity) {
  if (ops.empty()) {
    for (const auto& op : model.ops) ops.push_back(op.index);
  }
  ETPU_ASSIGN_OR_RETURN(ActivationFootprint act, capacity.Analyze(model, ops));
  ETPU_ASSIGN_OR_RETURN(std::vector<params::LayerParams> records, params::EncodeRegionParams(model, ops));
  return MakePlanModel(model, std::move(name), act, records);
}

/// A chain of k x k SAME stride-1 uint8 convolutions on a 1 x h x w x cin input; filters[i] is the
/// output depth of convolution i.
inline ir::Model ConvChain(const std::string& name, int h, int w, int cin, const std::vector<int>& filters, int k = 3) {
  tflite::ModelBuilder b;
  int x = b.AddTensor("input", ir::TensorType::UINT8, {1, h, w, cin}, tflite::Quant(0.5f, 128));
  const int input = x;
  int c = cin;
  for (size_t i = 0; i < filters.size(); ++i) {
    const int f = filters[i];
    const std::string id = std::to_string(i);
    std::vector<uint8_t> wdata(static_cast<size_t>(f) * k * k * c, static_cast<uint8_t>(120 + i));
    int wt = b.AddTensor("conv" + id + "/weights", ir::TensorType::UINT8, {f, k, k, c}, tflite::Quant(0.01f, 128),
                         std::move(wdata));
    std::vector<int32_t> bias(static_cast<size_t>(f), static_cast<int32_t>(i));
    int bt = b.AddConstant<int32_t>("conv" + id + "/bias", ir::TensorType::INT32, {f}, bias,
                                    tflite::Quant(0.005f, 0));
    int y = b.AddTensor("conv" + id + "/out", ir::TensorType::UINT8, {1, h, w, f}, tflite::Quant(0.5f, 128));
    b.AddOperator(ir::BuiltinOperator::CONV_2D, {x, wt, bt}, {y},
                  tflite::ConvOptions(1, 1, ir::Padding::SAME));
    x = y;
    c = f;
  }
  b.SetInputs({input});
  b.SetOutputs({x});
  auto model = tflite::BuildModel(b.Build(), name);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::move(model).value();
}

}  // namespace etpu::cache::testing
