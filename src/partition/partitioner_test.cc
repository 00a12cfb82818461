#include "partition/partitioner.h"

#include <gtest/gtest.h>

#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::partition {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;
using tflite::ModelBuilder;
using tflite::Quant;

// A chain of `n` RELU operators: t0 -> relu -> t1 -> ... -> tn.
ir::Model Chain(int n) {
  ModelBuilder b;
  std::vector<int> t;
  for (int i = 0; i <= n; ++i) t.push_back(b.AddTensor("t" + std::to_string(i), TensorType::UINT8, {1, 4}, Quant(1.0f, 0)));
  for (int i = 0; i < n; ++i) b.AddOperator(BuiltinOperator::RELU, {t[i]}, {t[i + 1]});
  b.SetInputs({t[0]});
  b.SetOutputs({t[n]});
  auto bytes = b.Serialize();
  auto m = tflite::ReadModelFromBuffer(bytes, "chain.tflite");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

TEST(PartitionerTest, SingleRegionStopsAtFirstUnsupportedOp) {
  ir::Model m = Chain(6);
  auto p = PartitionModel(m, {true, true, false, true, true, true}, {});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->regions.size(), 1u);
  EXPECT_EQ(p->regions[0].ops, (std::vector<int>{0, 1}));
  EXPECT_EQ(p->regions[0].inputs, std::vector<int>{0});
  EXPECT_EQ(p->regions[0].outputs, std::vector<int>{2});
  EXPECT_EQ(p->cpu_reason[3], CpuReason::kAfterFirstRegion);
  EXPECT_EQ(p->cpu_reason[2], CpuReason::kNone);
  EXPECT_EQ(p->mapped_count(), 2);
}

TEST(PartitionerTest, LeadingUnsupportedOpsStayInFrontOfTheRegion) {
  ir::Model m = Chain(4);
  auto p = PartitionModel(m, {false, true, true, true}, {});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->regions.size(), 1u);
  EXPECT_EQ(p->regions[0].ops, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(p->regions[0].inputs, std::vector<int>{1});
  EXPECT_EQ(p->regions[0].outputs, std::vector<int>{4});
}

TEST(PartitionerTest, MultipleSubgraphsMapEveryRun) {
  ir::Model m = Chain(7);
  PartitionOptions opts;
  opts.multiple_subgraphs = true;
  auto p = PartitionModel(m, {true, true, false, true, true, false, true}, opts);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->regions.size(), 3u);
  EXPECT_EQ(p->regions[1].ops, (std::vector<int>{3, 4}));
  EXPECT_EQ(p->regions[2].ops, std::vector<int>{6});
  EXPECT_EQ(p->mapped_count(), 5);
}

TEST(PartitionerTest, IntermediateTensorsCutTheRegion) {
  ir::Model m = Chain(5);
  PartitionOptions opts;
  opts.intermediate_tensors = {"t2"};
  auto p = PartitionModel(m, std::vector<bool>(5, true), opts);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->regions.size(), 1u);
  EXPECT_EQ(p->regions[0].ops, (std::vector<int>{0, 1}));
  EXPECT_EQ(p->regions[0].outputs, std::vector<int>{2});
  EXPECT_EQ(p->cpu_reason[2], CpuReason::kAfterIntermediate);
  opts.intermediate_tensors = {"nope"};
  auto bad = PartitionModel(m, std::vector<bool>(5, true), opts);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'nope'"), std::string::npos);
}

TEST(PartitionerTest, MaxOpsLimitsTheRegion) {
  ir::Model m = Chain(5);
  PartitionOptions opts;
  opts.max_ops = 3;
  auto p = PartitionModel(m, std::vector<bool>(5, true), opts);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->regions[0].ops, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(p->regions[0].outputs, std::vector<int>{3});
}

TEST(PartitionerTest, BoundaryOrderFollowsProductionAndFirstUse) {
  // a -> relu -> x ; b -> relu -> y ; z = add(y, x) on the CPU; outputs x and z.
  ModelBuilder b;
  int a = b.AddTensor("a", TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  int bb = b.AddTensor("b", TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  int x = b.AddTensor("x", TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  int y = b.AddTensor("y", TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  int z = b.AddTensor("z", TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
  b.AddOperator(BuiltinOperator::RELU, {bb}, {y});
  b.AddOperator(BuiltinOperator::RELU, {a}, {x});
  b.AddOperator(BuiltinOperator::ADD, {y, x}, {z});
  b.SetInputs({a, bb});
  b.SetOutputs({z, x});
  auto bytes = b.Serialize();
  auto m = tflite::ReadModelFromBuffer(bytes, "order.tflite");
  ASSERT_TRUE(m.ok());
  auto p = PartitionModel(*m, {true, true, false}, {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->regions[0].inputs, (std::vector<int>{bb, a}));
  EXPECT_EQ(p->regions[0].outputs, (std::vector<int>{y, x}));
}

TEST(PartitionerTest, OutputsOrderedByDepthThenProduction) {
  // A PoseNet-like head: one feature f feeds a two-operator branch (m1 -> m, produced first) and
  // two one-operator branches (h, s); a CPU operator reads h, s, m. The shallower outputs come
  // first, in production order: h, s, then m.
  ModelBuilder b;
  auto t = [&](const char* name) { return b.AddTensor(name, TensorType::UINT8, {1, 4}, Quant(1.0f, 0)); };
  int in = t("in"), f = t("f"), m1 = t("m1"), m = t("m"), h = t("h"), s = t("s"), out = t("out");
  b.AddOperator(BuiltinOperator::RELU, {in}, {f});
  b.AddOperator(BuiltinOperator::RELU, {f}, {m1});
  b.AddOperator(BuiltinOperator::RELU, {m1}, {m});
  b.AddOperator(BuiltinOperator::RELU, {f}, {h});
  b.AddOperator(BuiltinOperator::RELU, {f}, {s});
  b.AddOperator(BuiltinOperator::CONCATENATION, {h, s, m}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto bytes = b.Serialize();
  auto model = tflite::ReadModelFromBuffer(bytes, "heads.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto p = PartitionModel(*model, {true, true, true, true, true, false}, {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->regions[0].outputs, (std::vector<int>{h, s, m}));
}

}  // namespace
}  // namespace etpu::partition
