#include "cache/capacity_model.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "base/units.h"
#include "cache/co_compile.h"
#include "cache/test_models.h"
#include "device/device_catalog.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"
#include "testutil/shared.h"

namespace etpu::cache {
namespace {

using base::kMiB;
using testing::ConvChain;

double MiB(int64_t b) { return static_cast<double>(b) / static_cast<double>(kMiB); }

// The sweep of timing-anchors.md 2.3 (Jorgitou98/EdgeTPU-QuantRL-Evaluation,
// CONV_MACs/results/minF32-maxF750-stepF10.csv): a 1x64x64x3 input, a 3x3 convolution to F, then
// four 3x3 convolutions F -> F (the published MAC counts, e.g. 154533888 at F=32, fit exactly
// this structure). Real on-chip / off-chip MiB from the first spill on.
struct SweepPoint {
  int f;
  double on_mib;
  double off_mib;
};
constexpr SweepPoint kRealSpills[] = {
    {452, 5.99, 1.99},  {462, 6.15, 2.04},  {472, 6.26, 2.08},  {482, 6.41, 2.13},  {492, 6.52, 2.17},
    {502, 6.68, 2.22},  {512, 6.78, 2.25},  {522, 5.21, 5.19},  {532, 5.29, 5.27},  {542, 5.41, 5.39},
    {552, 5.49, 5.47},  {562, 5.61, 5.59},  {572, 5.69, 5.66},  {582, 6.45, 6.43},  {592, 6.54, 6.51},
    {602, 6.67, 6.65},  {612, 6.76, 6.73},  {622, 6.89, 6.87},  {632, 6.98, 6.95},  {642, 3.93, 11.69},
    {652, 3.97, 11.84}, {662, 4.05, 12.05}, {672, 4.10, 12.20}, {682, 4.17, 12.42}, {692, 4.22, 12.56},
    {702, 4.29, 12.78}, {712, 4.73, 14.10}, {722, 4.81, 14.33}, {732, 4.86, 14.49}, {742, 4.94, 14.73},
};

Result<CachePlan> PlanAlone(const ir::Model& model, const CapacityModel& cm) {
  ETPU_ASSIGN_OR_RETURN(PlanModel pm, testing::PlanModelOf(model, model.path, {}, cm));
  const PlanModel set[1] = {pm};
  return PlanCompileSet(set, cm);
}

ir::Model SweepModel(int f) { return ConvChain("sweep_F" + std::to_string(f), 64, 64, 3, {f, f, f, f, f}); }

TEST(CapacityModelSweep, EverythingOnChipUpToF442) {
  const CapacityModel cm = testing::BuiltinCapacity();
  std::printf("  F   on-chip MiB  off-chip MiB  capacity MiB  wide-act MiB  scratch MiB  (ours; real: all on chip)\n");
  for (int f = 32; f <= 442; f += 10) {
    ir::Model m = SweepModel(f);
    auto plan = PlanAlone(m, cm);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    const ModelPlan& mp = plan->models[0];
    if (f % 50 == 2 || f == 442) {
      std::printf("%4d %12.2f %13.2f %13.2f %13.2f %12.2f\n", f, MiB(mp.cached_bytes), MiB(mp.streamed_bytes),
                  MiB(plan->capacity_bytes), MiB(plan->budget.activation_bytes), MiB(mp.streamed_bytes));
    }
    EXPECT_EQ(mp.streamed_bytes, 0) << "F=" << f << ": the real compiler keeps every layer on chip";
  }
}

TEST(CapacityModelSweep, SpillsLikeTheRealCompilerFromF452) {
  const CapacityModel cm = testing::BuiltinCapacity();
  std::printf("  F   ours on/off MiB   real on/off MiB   capacity MiB  scratch MiB\n");
  for (const SweepPoint& p : kRealSpills) {
    ir::Model m = SweepModel(p.f);
    auto fp = cm.Analyze(m);
    ASSERT_TRUE(fp.ok()) << fp.status().ToString();
    auto plan = PlanAlone(m, cm);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    const ModelPlan& mp = plan->models[0];
    std::printf("%4d %8.2f /%6.2f   %8.2f /%6.2f   %12.2f %12.2f\n", p.f, MiB(mp.cached_bytes), MiB(mp.streamed_bytes),
                p.on_mib, p.off_mib, MiB(plan->capacity_bytes), MiB(fp->scratch_bytes));
    EXPECT_NEAR(MiB(mp.cached_bytes), p.on_mib, 0.10 * p.on_mib) << "F=" << p.f;
    EXPECT_NEAR(MiB(mp.streamed_bytes), p.off_mib, 0.10 * p.off_mib) << "F=" << p.f;
  }
}

TEST(CapacityModel, LargeActivationsSpillToHostScratch) {
  const CapacityModel cm = testing::BuiltinCapacity();
  auto small = cm.Analyze(SweepModel(128));
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->wide_sram_bytes, 0);
  EXPECT_EQ(small->scratch_bytes, 0);
  auto large = cm.Analyze(SweepModel(642));
  ASSERT_TRUE(large.ok());
  // 64x64x642 in + out = 5.0 MiB live per layer against 3 MiB of tiles.
  EXPECT_EQ(large->peak_live_bytes, 2 * 64 * 64 * 642);
  EXPECT_EQ(large->wide_sram_bytes, cm.chip().activation_staging_bytes);
  EXPECT_GT(large->scratch_bytes, 0);
}

// A RESHAPE needs its whole input and output on chip: the overflow comes out of the parameter
// capacity, and past the SRAM compilation fails with the real compiler's message.
ir::Model ReshapeModel(int h, int w, int c) {
  tflite::ModelBuilder b;
  int in = b.AddTensor("input", ir::TensorType::UINT8, {1, h, w, c}, tflite::Quant(0.5f, 128));
  int out = b.AddTensor("flat", ir::TensorType::UINT8, {1, h * w * c}, tflite::Quant(0.5f, 128));
  b.AddOperator(ir::BuiltinOperator::RESHAPE, {in}, {out}, tflite::ReshapeOpts({1, h * w * c}));
  b.SetInputs({in});
  b.SetOutputs({out});
  auto m = tflite::BuildModel(b.Build(), "reshape_" + std::to_string(h));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

TEST(CapacityModel, NonLocalLayersShrinkTheCapacityThenFail) {
  const CapacityModel cm = testing::BuiltinCapacity();
  int64_t last = -1;
  for (int h : {64, 256, 384, 512, 640, 768}) {
    auto fp = cm.Analyze(ReshapeModel(h, h, 8));
    ASSERT_TRUE(fp.ok()) << h << ": " << fp.status().ToString();
    const ActivationFootprint set[1] = {*fp};
    const int64_t cap = cm.ParameterCapacity(set);
    if (last >= 0) {
      EXPECT_LE(cap, last) << "capacity must not grow with the activations";
    }
    last = cap;
  }
  EXPECT_LT(last, 2 * static_cast<int64_t>(kMiB));
  auto fail = cm.Analyze(ReshapeModel(1024, 1024, 8));
  ASSERT_FALSE(fail.ok());
  EXPECT_EQ(fail.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(fail.status().message().find(kLargeActivationsMessage), std::string::npos);
  EXPECT_NE(fail.status().message().find("RESHAPE"), std::string::npos) << fail.status().message();
}

TEST(CapacityModel, RowBandThatCannotFitFails) {
  const CapacityModel cm = testing::BuiltinCapacity();
  ir::Model wide = ConvChain("wide_rows", 4, 60000, 32, {32});
  auto fp = cm.Analyze(wide);
  ASSERT_FALSE(fp.ok());
  EXPECT_EQ(fp.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(fp.status().message().find("CONV_2D"), std::string::npos) << fp.status().message();
}

// One chip description: the capacity model's memories are the chip description's numbers, and
// a different description gives a different capacity.
TEST(CapacityModel, ReadsTheOneChipDescription) {
  auto spec = device::BuiltinChip();
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  const ChipMemory chip = ChipMemory::FromSpec(*spec);
  EXPECT_EQ(chip.sram_bytes, spec->sram_bytes);
  EXPECT_EQ(chip.tiles, spec->tiles);
  EXPECT_EQ(chip.narrow_bytes_per_tile, spec->narrow_memory_bytes_per_tile);
  EXPECT_EQ(chip.executable_reserve_bytes, spec->executable_reserve_bytes);
  EXPECT_EQ(chip.activation_staging_bytes, spec->activation_staging_bytes);
  EXPECT_EQ(chip.tile_alignment, spec->tile_alignment_bytes);
  const SramBudget full = CapacityModel(chip).Budget({});
  EXPECT_EQ(full.parameter_capacity_bytes, spec->sram_bytes - spec->executable_reserve_bytes);
  device::DeviceSpec smaller = *spec;
  smaller.sram_bytes -= 1 << 20;
  EXPECT_EQ(CapacityModel(ChipMemory::FromSpec(smaller)).Budget({}).parameter_capacity_bytes,
            full.parameter_capacity_bytes - (1 << 20));
}

TEST(CapacityModel, RejectsAnInvalidChip) {
  ChipMemory chip = testing::BuiltinChipMemory();
  chip.tiles = 0;
  auto fp = CapacityModel(chip).Analyze(SweepModel(32));
  ASSERT_FALSE(fp.ok());
  EXPECT_NE(fp.status().message().find("tiles"), std::string::npos);
  chip = testing::BuiltinChipMemory();
  chip.executable_reserve_bytes = chip.sram_bytes;
  EXPECT_EQ(CapacityModel(chip).Analyze(SweepModel(32)).status().code(), StatusCode::kInvalidArgument);
}

TEST(CapacityModel, RejectsBadOperatorIndices) {
  const CapacityModel cm = testing::BuiltinCapacity();
  ir::Model m = SweepModel(32);
  const int bad[] = {0, 9};
  EXPECT_EQ(cm.Analyze(m, bad).status().code(), StatusCode::kInvalidArgument);
  const int twice[] = {0, 0};
  EXPECT_EQ(cm.Analyze(m, twice).status().code(), StatusCode::kInvalidArgument);
}

// Every shared model compiled alone is fully cached by the real compiler (groundtruth.json), and
// element-wise constants are streamed.
TEST(CapacityModelGroundTruth, SharedModelsCompiledAloneAreFullyCached) {
  ETPU_SHARED_FILE_OR_SKIP(gt_path, "testdata/groundtruth.json");
  std::ifstream in(gt_path);
  const nlohmann::json gt = nlohmann::json::parse(in);
  const CapacityModel cm = testing::BuiltinCapacity();
  int checked = 0;
  for (const auto& pair : gt.at("pairs")) {
    const std::string compiled = pair.at("compiled_model");
    if (compiled.rfind("models/", 0) != 0) continue;  // compiled alone only
    const std::string cpu = pair.at("cpu_model");
    ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/" + cpu);
    auto model = tflite::ReadModel(path);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    std::set<int> on_cpu;
    for (int i : pair.at("cpu_remaining_op_indices")) on_cpu.insert(i);
    std::vector<int> tpu_ops;
    for (const auto& op : model->ops) {
      if (!on_cpu.count(op.index)) tpu_ops.push_back(op.index);
    }
    // Layer sizes: the real measured bytes of the located cached layers, one record for the
    // cached bytes the groundtruth could not attribute to a layer (e.g. LSTM gates), and the
    // real streamed bytes as an always-streamed record.
    auto pm = testing::PlanModelOf(*model, cpu, tpu_ops, cm);
    ASSERT_TRUE(pm.ok()) << cpu << ": " << pm.status().ToString();
    PlanModel real = *pm;
    real.layers.clear();
    int64_t located = 0;
    for (const auto& row : pair.at("per_layer")) {
      if (row.at(6).is_null()) continue;  // layer of a CPU op
      const int op = row.at(0);
      ASSERT_EQ(row.at(6), "cached") << cpu << " op " << op;
      EXPECT_EQ(params::LayerParamBytes(*model, op), row.at(9).get<int64_t>()) << cpu << " op " << op << ": ours";
      real.layers.push_back(PlanLayer{op, row.at(8).get<int64_t>(), false});
      located += row.at(8).get<int64_t>();
    }
    const int64_t onchip = pair.at("onchip_cached_param_bytes").get<int64_t>();
    const int64_t offchip = pair.at("offchip_streamed_param_bytes").get<int64_t>();
    ASSERT_LE(located, onchip) << cpu;
    if (onchip > located) real.layers.push_back(PlanLayer{1 << 20, onchip - located, false});
    if (offchip > 0) real.layers.push_back(PlanLayer{(1 << 20) + 1, offchip, true});
    // Our layer records stream exactly what the real compiler streams, where it can size
    // every operator (it cannot size LSTM gates yet).
    bool has_lstm = false;
    for (int i : tpu_ops) has_lstm |= model->ops[static_cast<size_t>(i)].code == ir::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM;
    int64_t ours_streamed = 0;
    for (const auto& l : pm->layers) ours_streamed += l.always_streamed ? l.bytes : 0;
    if (!has_lstm) {
      EXPECT_EQ(ours_streamed, offchip) << cpu;
    }
    const PlanModel set[1] = {real};
    auto plan = PlanCompileSet(set, cm);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    std::printf("%-40s capacity %.2f MiB, peak live activations %.2f MiB, cached %lld / %lld B\n", cpu.c_str(),
                MiB(plan->capacity_bytes), MiB(pm->act.peak_live_bytes),
                static_cast<long long>(plan->models[0].cached_bytes),
                static_cast<long long>(pair.at("onchip_cached_param_bytes").get<int64_t>()));
    EXPECT_EQ(plan->models[0].cached_bytes, onchip) << cpu << ": must be fully cached";
    EXPECT_EQ(plan->models[0].streamed_bytes, offchip) << cpu;
    EXPECT_GE(plan->capacity_bytes, onchip) << cpu;
    // Small-activation models: the real compiler reports about 7.0-8 MiB of used + remaining.
    EXPECT_GE(MiB(plan->capacity_bytes), 7.0) << cpu;
    EXPECT_LE(MiB(plan->capacity_bytes), 8.0) << cpu;
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

}  // namespace
}  // namespace etpu::cache
