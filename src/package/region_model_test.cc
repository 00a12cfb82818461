#include "package/region_model.h"

#include <gtest/gtest.h>

#include "tflite/model_builder.h"

namespace etpu::package {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;

// x -> FULLY_CONNECTED(w, b) -> y -> RESHAPE(shape) -> z, with w and b emptied (as the compiler
// leaves a parameterised layer) and the RESHAPE's shape operand emptied too.
Program MakeProgram(std::vector<int32_t> weight_shape) {
  tflite::ModelBuilder b;
  int x = b.AddTensor("x", TensorType::UINT8, {1, 8}, tflite::Quant(0.5f, 128));
  int w = b.AddTensor("w", TensorType::UINT8, std::move(weight_shape), tflite::Quant(0.1f, 120));
  int bias = b.AddTensor("b", TensorType::INT32, {4}, tflite::Quant(0.05f, 0));
  int y = b.AddTensor("y", TensorType::UINT8, {1, 4}, tflite::Quant(1.0f, 0));
  int shape = b.AddTensor("shape", TensorType::INT32, {2});
  int z = b.AddTensor("z", TensorType::UINT8, {2, 2}, tflite::Quant(1.0f, 0));
  b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {x, w, bias}, {y});
  b.AddOperator(BuiltinOperator::RESHAPE, {y, shape}, {z});
  b.SetInputs({x});
  b.SetOutputs({z});
  Program p;
  p.region_model = b.Serialize();
  return p;
}

TEST(RegionModel, EmptiedInputsGetZeroBytesOfTheirShapeAndAreListed) {
  auto region = UnpackRegionModel(MakeProgram({4, 8}), "test");
  ASSERT_TRUE(region.ok()) << region.status().ToString();
  ASSERT_EQ(region->emptied.size(), 3u);
  EXPECT_EQ(region->emptied[0].op_index, 0);
  EXPECT_EQ(region->emptied[0].slot, 1);
  EXPECT_EQ(region->model->tensor(region->emptied[0].tensor).name, "w");
  EXPECT_EQ(region->model->tensor(region->emptied[0].tensor).data.size(), 32u);
  EXPECT_EQ(region->emptied[1].slot, 2);
  EXPECT_EQ(region->model->tensor(region->emptied[1].tensor).data.size(), 16u);  // 4 int32
  EXPECT_EQ(region->emptied[2].op_index, 1);
  EXPECT_EQ(region->emptied[2].slot, 1);
}

TEST(RegionModel, HostileRegionsAreErrors) {
  Program garbage;
  garbage.region_model = {1, 2, 3, 4, 5, 6, 7, 8};
  auto r = UnpackRegionModel(garbage, "exe 'x'");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exe 'x'"), std::string::npos);
  auto negative = UnpackRegionModel(MakeProgram({4, -8}), "exe 'y'");
  EXPECT_FALSE(negative.ok());
  auto huge = UnpackRegionModel(MakeProgram({1 << 20, 1 << 20}), "exe 'z'");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("bad shape"), std::string::npos) << huge.status().ToString();
}

}  // namespace
}  // namespace etpu::package
