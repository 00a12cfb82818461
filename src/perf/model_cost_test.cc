// ComputeModelCost on compiled models: ours (zoo models compiled by etpu) and Google's (the real
// compiled files in ../shared). Expected values come from the package itself (read independently
// with package_reader), from the source model's tensors, or from the parsed figures of
// timing-anchors.md §4.5 — never from a run of this code.
#include "perf/model_cost.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "base/file_io.h"
#include "base/units.h"
#include "device/device_catalog.h"
#include "device/estimates.h"
#include "perf/bench.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"
#include "zoo/zoo.h"

namespace etpu::perf {
namespace {

device::DeviceSpec Chip() {
  auto catalog = device::BuiltinDeviceCatalog();
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog->DefaultChip();
}

// Generates a zoo model into a temp dir and compiles it alone.
ir::Model CompileZoo(const std::string& name) {
  const std::string dir = testutil::MakeTempDir("perf-" + name);
  auto bytes = zoo::GenerateZooModel(name);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  const std::string path = dir + "/" + name + ".tflite";
  EXPECT_TRUE(base::WriteFileAtomic(path, *bytes).ok());
  auto compiled = CompileForBench({path}, false, dir);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return std::move(compiled->front());
}

TEST(LayerCostTest, MacsOfTheSourceModelMatchTheZooCount) {
  // The zoo counts conv/depthwise/FC MACs its own way; LayerCostOf + LayerMacs must agree.
  for (const std::string name : {"mobilenet_v1_0.25_128", "mobilenet_v2_1.0_224", "inception_v1_224"}) {
    zoo::ZooModelInfo info;
    auto bytes = zoo::GenerateZooModel(name, &info);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto m = tflite::ReadModelFromBuffer(*bytes, name);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    int64_t macs = 0;
    for (const auto& op : m->ops) {
      auto c = LayerCostOf(*m, op);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      if (c->kind == device::LayerCost::kConv || c->kind == device::LayerCost::kDepthwise ||
          c->kind == device::LayerCost::kFullyConnected) {
        macs += device::LayerMacs(*c);
      }
    }
    EXPECT_EQ(macs, info.macs) << name;
  }
}

TEST(ModelCostTest, OursTakesBytesFromThePackageAndShapesFromTheRegion) {
  const device::DeviceSpec spec = Chip();
  ir::Model compiled = CompileZoo("mobilenet_v2_1.0_224");
  auto info = package::ReadCompiledModel(compiled);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->edgetpu_ops.size(), 1u);
  auto cost = ComputeModelCost(compiled, spec);
  ASSERT_TRUE(cost.ok()) << cost.status().ToString();
  ASSERT_EQ(cost->edgetpu_ops.size(), 1u);
  const EdgeTpuOpCost& op = cost->edgetpu_ops[0];
  const package::PackageInfo& pkg = info->edgetpu_ops[0].package;
  EXPECT_TRUE(op.structural);
  EXPECT_EQ(op.chip, "etpu-virtual");
  EXPECT_EQ(op.caching_token, pkg.token());
  EXPECT_NE(op.caching_token, 0u);
  EXPECT_EQ(op.query.cached_param_bytes, pkg.on_chip_bytes());
  EXPECT_EQ(op.query.streamed_param_bytes, pkg.off_chip_bytes());
  EXPECT_EQ(cost->on_chip_bytes() + cost->off_chip_bytes(), pkg.on_chip_bytes() + pkg.off_chip_bytes());
  EXPECT_GT(op.query.cached_param_bytes, 3'000'000);  // ~3.5 M weights + biases, all cached.
  // Input: the 224x224x3 uint8 image of the custom op's input tensor (8-byte padded).
  const ir::Operator& custom = compiled.ops.at(static_cast<size_t>(op.op_index));
  EXPECT_EQ(op.query.input_bytes, base::RoundUp(compiled.tensor(custom.inputs.at(0)).size_bytes(), 8));
  EXPECT_EQ(op.query.output_bytes, base::RoundUp(compiled.tensor(custom.outputs.at(0)).size_bytes(), 8));
  // Layers: one per non-shape operator of the region, and every convolution, depthwise and FC
  // operator of the source model is there with its kind.
  const auto& program = *pkg.main()->program;
  EXPECT_LE(op.query.layers.size(), static_cast<size_t>(program.region_op_count));
  auto source_bytes = zoo::GenerateZooModel("mobilenet_v2_1.0_224");
  ASSERT_TRUE(source_bytes.ok());
  auto source = tflite::ReadModelFromBuffer(*source_bytes, "source");
  ASSERT_TRUE(source.ok());
  auto count = [](auto&& pred, const auto& list) { return std::count_if(list.begin(), list.end(), pred); };
  using ir::BuiltinOperator;
  EXPECT_EQ(count([](const device::LayerCost& l) { return l.kind == device::LayerCost::kConv; }, op.query.layers),
            count([](const ir::Operator& o) { return o.code == BuiltinOperator::CONV_2D; }, source->ops));
  EXPECT_EQ(count([](const device::LayerCost& l) { return l.kind == device::LayerCost::kDepthwise; }, op.query.layers),
            count([](const ir::Operator& o) { return o.code == BuiltinOperator::DEPTHWISE_CONV_2D; }, source->ops));
  EXPECT_EQ(count([](const device::LayerCost& l) { return l.kind == device::LayerCost::kDepthwise; }, op.query.layers),
            17);
  // Instructions: the estimate from the layers, not the size of etpu's own program.
  auto instr = device::EstimateInstructionBytes(op.query.layers, spec);
  ASSERT_TRUE(instr.ok());
  EXPECT_EQ(op.query.instruction_bytes, *instr);
  EXPECT_EQ(op.query.estimated_cycles, 0);
  EXPECT_EQ(cost->cpu_op_count, static_cast<int>(info->cpu_ops.size()));
}

TEST(ModelCostTest, LinkTrafficIsWhatTheDmaHintsList) {
  // A model with large activations (etpu's compiler may declare a host scratch buffer for it).
  ir::Model compiled = CompileZoo("posenet_mobilenet_v1_075_481_641");
  auto info = package::ReadCompiledModel(compiled);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  auto cost = ComputeModelCost(compiled, Chip());
  ASSERT_TRUE(cost.ok()) << cost.status().ToString();
  ASSERT_EQ(cost->edgetpu_ops.size(), info->edgetpu_ops.size());
  for (size_t i = 0; i < cost->edgetpu_ops.size(); ++i) {
    const package::ExecutableInfo* main = info->edgetpu_ops[i].package.main();
    ASSERT_NE(main, nullptr);
    ASSERT_FALSE(main->dma_hints.empty());
    int64_t in = 0, out = 0, s_in = 0, s_out = 0;
    for (const auto& h : main->dma_hints) {
      if (h.kind != package::DmaHint::Kind::kDescriptor) continue;
      if (h.address == package::AddressKind::kInputActivation) in += h.size_bytes;
      if (h.address == package::AddressKind::kOutputActivation) out += h.size_bytes;
      if (h.address == package::AddressKind::kScratch) (h.outfeed ? s_out : s_in) += h.size_bytes;
    }
    const auto& q = cost->edgetpu_ops[i].query;
    EXPECT_EQ(q.input_bytes, in);
    EXPECT_EQ(q.output_bytes, out);
    EXPECT_EQ(q.scratch_h2d_bytes, s_in);
    EXPECT_EQ(q.scratch_d2h_bytes, s_out);
    EXPECT_EQ(cost->edgetpu_ops[i].declared_scratch_bytes, main->scratch_size_bytes);
  }
}

TEST(ModelCostTest, GoogleFileUsesItsDmaHintsAndInstructions) {
  // timing-anchors.md §4.5 (parsed from Coral's file): cached 566,912 B, instructions 170,032 B,
  // input 49,152 B, output 1,008 B, nothing streamed, no cycle estimate (older compiler).
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  auto m = tflite::ReadModel(path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto cost = ComputeModelCost(*m, Chip());
  ASSERT_TRUE(cost.ok()) << cost.status().ToString();
  ASSERT_EQ(cost->edgetpu_ops.size(), 1u);
  const auto& op = cost->edgetpu_ops[0];
  EXPECT_EQ(op.chip, "beagle");
  EXPECT_FALSE(op.structural);
  EXPECT_FALSE(op.compute_known);
  EXPECT_EQ(op.query.cached_param_bytes, 566912);
  EXPECT_EQ(op.query.streamed_param_bytes, 0);
  EXPECT_EQ(op.query.instruction_bytes, 170032);
  EXPECT_EQ(op.query.input_bytes, 49152);
  EXPECT_EQ(op.query.output_bytes, 1008);
}

TEST(ModelCostTest, LayerModelCyclesNearTheRealCompilersEstimate) {
  // Coral's compiled MobileNet v2 carries the real compiler's estimated_cycles_64bit; the
  // structural layer model on our compiled zoo MobileNet v2 (same architecture) must be within 25%.
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v2_1.0_224_quant_edgetpu.tflite");
  auto real = tflite::ReadModel(path);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  const device::DeviceSpec spec = Chip();
  auto real_cost = ComputeModelCost(*real, spec);
  ASSERT_TRUE(real_cost.ok()) << real_cost.status().ToString();
  ASSERT_EQ(real_cost->edgetpu_ops.size(), 1u);
  const int64_t real_cycles = real_cost->edgetpu_ops[0].query.estimated_cycles;
  ASSERT_GT(real_cycles, 0);
  auto ours = ComputeModelCost(CompileZoo("mobilenet_v2_1.0_224"), spec);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  auto cycles = device::EstimateComputeCycles(ours->edgetpu_ops.at(0).query.layers, spec);
  ASSERT_TRUE(cycles.ok());
  EXPECT_NEAR(static_cast<double>(*cycles) / static_cast<double>(real_cycles), 1.0, 0.25)
      << *cycles << " vs the compiler's " << real_cycles;
}

TEST(ModelCostTest, UncompiledModelIsAllCpu) {
  auto bytes = zoo::GenerateZooModel("mobilenet_v1_0.25_128");
  ASSERT_TRUE(bytes.ok());
  auto m = tflite::ReadModelFromBuffer(*bytes, "mobilenet_v1_0.25_128");
  ASSERT_TRUE(m.ok());
  auto cost = ComputeModelCost(*m, Chip());
  ASSERT_TRUE(cost.ok()) << cost.status().ToString();
  EXPECT_TRUE(cost->edgetpu_ops.empty());
  EXPECT_EQ(cost->cpu_op_count, static_cast<int>(m->ops.size()));
  zoo::ZooModelInfo info;
  ASSERT_TRUE(zoo::GenerateZooModel("mobilenet_v1_0.25_128", &info).ok());
  EXPECT_EQ(cost->cpu_macs, info.macs);
}

// A measured CPU part is scaled to the host and added to both times; unmeasured, it is left out.
TEST(ModelCostTest, MeasuredCpuPartIsScaledToTheHostAndAdded) {
  ModelCost cost;
  cost.cpu_op_count = 2;
  auto catalog = device::LoadDeviceCatalogOrBuiltin("");
  ASSERT_TRUE(catalog.ok());
  auto host = catalog->Host("pcie");
  ASSERT_TRUE(host.ok());
  auto unmeasured = EstimateModelTime(cost, Chip(), *host, device::Clock::kMax);
  ASSERT_TRUE(unmeasured.ok());
  EXPECT_FALSE(unmeasured->cpu_timed);
  EXPECT_EQ(unmeasured->later_ms, 0);
  cost.cpu_measured_ms = 2.0;
  auto measured = EstimateModelTime(cost, Chip(), *host, device::Clock::kMax);
  ASSERT_TRUE(measured.ok());
  EXPECT_TRUE(measured->cpu_timed);
  EXPECT_DOUBLE_EQ(measured->cpu_ms, 2.0 * host->cpu_time_factor);
  EXPECT_DOUBLE_EQ(measured->later_ms, measured->cpu_ms);
  EXPECT_DOUBLE_EQ(measured->first_ms, measured->cpu_ms);
  EXPECT_GT(host->cpu_time_factor, 1.0);  // a Dev Board's Cortex-A53 is slower than a desktop
}

// TILE (issue 12) writes every output element once, like an element-wise layer over its output;
// it is not a relabelling (it moves data), so a region's cost includes it.
TEST(LayerCostTest, TileCostsLikeAnElementwiseLayerOverItsOutput) {
  tflite::ModelBuilder b;
  int x = b.AddTensor("x", ir::TensorType::UINT8, {1, 1, 1, 16}, tflite::Quant(0.1f, 0));
  const std::vector<int32_t> multiples = {1, 33, 31, 1};
  int m = b.AddConstant<int32_t>("multiples", ir::TensorType::INT32, {4}, multiples);
  int y = b.AddTensor("y", ir::TensorType::UINT8, {1, 33, 31, 16}, tflite::Quant(0.1f, 0));
  b.AddOperator(ir::BuiltinOperator::TILE, {x, m}, {y});
  b.SetInputs({x});
  b.SetOutputs({y});
  const std::vector<uint8_t> bytes = b.Serialize();
  auto model = tflite::ReadModelFromBuffer(bytes, "tile.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto c = LayerCostOf(*model, model->ops.at(0));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kind, device::LayerCost::kElementwise);
  EXPECT_EQ(c->out_h, 33);
  EXPECT_EQ(c->out_w, 31);
  EXPECT_EQ(c->out_c, 16);
  EXPECT_EQ(c->in_c, 16);
  EXPECT_FALSE(IsShapeOnly(ir::BuiltinOperator::TILE));
}

TEST(ModelCostTest, BadOperatorIndicesAreErrorsNotCrashes) {
  auto bytes = zoo::GenerateZooModel("mobilenet_v1_0.25_128");
  ASSERT_TRUE(bytes.ok());
  auto m = tflite::ReadModelFromBuffer(*bytes, "m");
  ASSERT_TRUE(m.ok());
  ir::Operator op = m->ops.at(0);  // CONV_2D
  op.inputs[1] = static_cast<int>(m->tensors.size()) + 5;
  auto c = LayerCostOf(*m, op);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("operator #0"), std::string::npos) << c.status().ToString();
  op = m->ops.at(0);
  op.inputs.resize(1);
  EXPECT_FALSE(LayerCostOf(*m, op).ok());
}

}  // namespace
}  // namespace etpu::perf
