#include "partition/partitioner.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

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
  EXPECT_EQ(p->cpu_reason[3], CpuReason::kDownstreamOfCpuOp);
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

ir::Model Load(ModelBuilder& b, const char* name) {
  auto bytes = b.Serialize();
  auto m = tflite::ReadModelFromBuffer(bytes, name);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

// Issue 12: the region follows the data flow. in -> #0 -> a; a -> #1 (CPU) -> x; a -> #2 -> y;
// x -> #3 -> z; (y, z) -> #4 -> out. #2 comes after the CPU operator #1 in execution order but
// reads only what the region computes, so it maps; #3 and #4 are downstream of #1 and stay on the CPU.
TEST(PartitionerTest, ASupportedOpOnAnotherBranchAfterACpuOpMaps) {
  ModelBuilder b;
  auto t = [&](const char* name) { return b.AddTensor(name, TensorType::UINT8, {1, 4}, Quant(1.0f, 0)); };
  int in = t("in"), a = t("a"), x = t("x"), y = t("y"), z = t("z"), out = t("out");
  b.AddOperator(BuiltinOperator::RELU, {in}, {a});
  b.AddOperator(BuiltinOperator::RELU, {a}, {x});
  b.AddOperator(BuiltinOperator::RELU, {a}, {y});
  b.AddOperator(BuiltinOperator::RELU, {x}, {z});
  b.AddOperator(BuiltinOperator::ADD, {y, z}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  ir::Model m = Load(b, "branches.tflite");
  auto p = PartitionModel(m, {true, false, true, true, true}, {});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->regions.size(), 1u);
  EXPECT_EQ(p->regions[0].ops, (std::vector<int>{0, 2}));
  EXPECT_EQ(p->regions[0].inputs, std::vector<int>{in});
  EXPECT_EQ(p->regions[0].outputs, (std::vector<int>{a, y}));  // a feeds the CPU operator #1.
  EXPECT_EQ(p->cpu_reason[1], CpuReason::kNone);
  EXPECT_EQ(p->cpu_reason[3], CpuReason::kDownstreamOfCpuOp);
  EXPECT_EQ(p->cpu_reason[4], CpuReason::kDownstreamOfCpuOp);
  // -a maps each run of consecutive supported operators, as before.
  PartitionOptions all;
  all.multiple_subgraphs = true;
  auto pa = PartitionModel(m, {true, false, true, true, true}, all);
  ASSERT_TRUE(pa.ok());
  ASSERT_EQ(pa->regions.size(), 2u);
  EXPECT_EQ(pa->regions[1].ops, (std::vector<int>{2, 3, 4}));
}

// Only CPU operators before the first supported one are "leading": an unsupported operator on a
// second input's path that comes after the region started cuts that path (the ADD stays on the CPU),
// while a separate component fed by a graph input maps although a CPU operator precedes it.
TEST(PartitionerTest, OnlyCpuOpsBeforeTheFirstSupportedOneFeedTheRegion) {
  ModelBuilder b;
  auto t = [&](const char* name) { return b.AddTensor(name, TensorType::UINT8, {1, 4}, Quant(1.0f, 0)); };
  int in1 = t("in1"), in2 = t("in2"), in3 = t("in3"), q1 = t("q1"), r = t("r"), q2 = t("q2"), s = t("s"), u = t("u");
  b.AddOperator(BuiltinOperator::QUANTIZE, {in1}, {q1});  // #0 leading CPU
  b.AddOperator(BuiltinOperator::RELU, {q1}, {r});        // #1
  b.AddOperator(BuiltinOperator::QUANTIZE, {in2}, {q2});  // #2 CPU, not leading
  b.AddOperator(BuiltinOperator::ADD, {r, q2}, {s});      // #3 downstream of #2
  b.AddOperator(BuiltinOperator::RELU, {in3}, {u});       // #4 its own component
  b.SetInputs({in1, in2, in3});
  b.SetOutputs({s, u});
  ir::Model m = Load(b, "inputs.tflite");
  auto p = PartitionModel(m, {false, true, false, true, true}, {});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->regions.size(), 1u);
  EXPECT_EQ(p->regions[0].ops, (std::vector<int>{1, 4}));
  EXPECT_EQ(p->regions[0].inputs, (std::vector<int>{q1, in3}));
  EXPECT_EQ(p->cpu_reason[3], CpuReason::kDownstreamOfCpuOp);
}

// An -i cut is per path too: the operator after the cut leaves the region, a later operator on the
// other branch keeps mapping.
TEST(PartitionerTest, IntermediateTensorCutsOnlyItsOwnPath) {
  ModelBuilder b;
  auto t = [&](const char* name) { return b.AddTensor(name, TensorType::UINT8, {1, 4}, Quant(1.0f, 0)); };
  int in = t("in"), a = t("a"), x = t("x"), x2 = t("x2"), y = t("y"), out = t("out");
  b.AddOperator(BuiltinOperator::RELU, {in}, {a});
  b.AddOperator(BuiltinOperator::RELU, {a}, {x});
  b.AddOperator(BuiltinOperator::RELU, {x}, {x2});
  b.AddOperator(BuiltinOperator::RELU, {a}, {y});
  b.AddOperator(BuiltinOperator::ADD, {x2, y}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  ir::Model m = Load(b, "cut.tflite");
  PartitionOptions opts;
  opts.intermediate_tensors = {"x"};
  auto p = PartitionModel(m, std::vector<bool>(5, true), opts);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->regions[0].ops, (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(p->regions[0].outputs, (std::vector<int>{x, y}));
  EXPECT_EQ(p->cpu_reason[2], CpuReason::kAfterIntermediate);
  EXPECT_EQ(p->cpu_reason[4], CpuReason::kAfterIntermediate);
}

// Properties of the single region on random graphs (RELU / ADD over earlier tensors, random
// support): it is convex (no operator outside it lies on a path between two of its operators), none
// of its operators reads a tensor computed on the CPU after the first supported operator, and it is
// maximal (every supported operator outside it reads such a tensor, directly or not).
TEST(PartitionerTest, RandomGraphsGiveConvexMaximalRegions) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 300; ++trial) {
    ModelBuilder b;
    std::vector<int> tensors;
    const int inputs = 1 + static_cast<int>(rng() % 2);
    for (int i = 0; i < inputs; ++i) tensors.push_back(b.AddTensor("in" + std::to_string(i), TensorType::UINT8, {1, 4}, Quant(1.0f, 0)));
    const int n = 4 + static_cast<int>(rng() % 10);
    std::vector<bool> supported;
    std::set<int> unread(tensors.begin(), tensors.end());
    for (int i = 0; i < n; ++i) {
      int out = b.AddTensor("t" + std::to_string(i), TensorType::UINT8, {1, 4}, Quant(1.0f, 0));
      int x = tensors[rng() % tensors.size()];
      int y = tensors[rng() % tensors.size()];
      if (rng() % 2) {
        b.AddOperator(BuiltinOperator::RELU, {x}, {out});
      } else {
        b.AddOperator(BuiltinOperator::ADD, {x, y}, {out});
        unread.erase(y);
      }
      unread.erase(x);
      tensors.push_back(out);
      unread.insert(out);
      supported.push_back(rng() % 4 != 0);
    }
    b.SetInputs(std::vector<int>(tensors.begin(), tensors.begin() + inputs));
    b.SetOutputs(std::vector<int>(unread.begin(), unread.end()));
    ir::Model m = Load(b, "random.tflite");
    auto p = PartitionModel(m, supported, {});
    ASSERT_TRUE(p.ok());
    ASSERT_LE(p->regions.size(), 1u);
    int first = 0;
    while (first < n && !supported[static_cast<size_t>(first)]) ++first;
    // cpu_after[i]: operator i's result depends on a CPU operator at or after `first`.
    std::vector<bool> cpu_after(static_cast<size_t>(n), false), below(static_cast<size_t>(n), false);
    for (int i = 0; i < n; ++i) {
      const bool in_region = p->region_of[static_cast<size_t>(i)] >= 0;
      bool reads_cpu = false, reads_region = false;
      for (int t : m.ops[static_cast<size_t>(i)].inputs) {
        const int q = m.tensor(t).producer;
        if (q < 0) continue;
        reads_cpu = reads_cpu || cpu_after[static_cast<size_t>(q)] || (q >= first && p->region_of[static_cast<size_t>(q)] < 0);
        reads_region = reads_region || below[static_cast<size_t>(q)] || p->region_of[static_cast<size_t>(q)] >= 0;
      }
      cpu_after[static_cast<size_t>(i)] = reads_cpu;
      below[static_cast<size_t>(i)] = reads_region && !in_region;  // Left the region on a path.
      if (in_region) {
        EXPECT_TRUE(supported[static_cast<size_t>(i)]);
        EXPECT_FALSE(reads_cpu) << "trial " << trial << ": region operator #" << i << " reads a CPU result";
        // Convex: no path from the region through a CPU operator comes back into it.
        for (int t : m.ops[static_cast<size_t>(i)].inputs) {
          const int q = m.tensor(t).producer;
          EXPECT_FALSE(q >= 0 && below[static_cast<size_t>(q)]) << "trial " << trial << ": #" << i << " re-enters the region";
        }
      } else if (supported[static_cast<size_t>(i)]) {
        EXPECT_TRUE(reads_cpu) << "trial " << trial << ": supported #" << i << " was left out";
      }
    }
  }
}

}  // namespace
}  // namespace etpu::partition
