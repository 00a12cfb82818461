// The parameter cache seen through the whole compiler: the seed's co-compilation scenario and the
// real compiler's capacity sweep (five 3x3 convolutions F->F at 64x64, timing-anchors.md §2.3).
#include <gtest/gtest.h>

#include <cmath>

#include "etpu/compiler.h"
#include "package/package_reader.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"
#include "zoo/zoo.h"

namespace etpu {
namespace {

struct Bytes {
  int64_t on_chip = 0;
  int64_t off_chip = 0;
  uint64_t token = 0;
};

/// A model in memory: its bytes and the name it is compiled under.
struct Named {
  std::string name;
  std::vector<uint8_t> bytes;
};

// Compiles in memory (etpu::Compile) and reads each output's packages back.
std::vector<Bytes> Compile(const std::vector<Named>& models, int emulate = 16) {
  std::vector<ModelInput> inputs;
  for (const auto& m : models) inputs.push_back(ModelInput::FromBytes(m.bytes, m.name));
  CompileOptions options;
  options.emulate = emulate;
  auto r = etpu::Compile(inputs, options);
  EXPECT_TRUE(r.ok() && r->ok) << (r.ok() ? r->failure->message : r.status().ToString());
  std::vector<Bytes> out;
  if (!r.ok()) return out;
  for (const ModelResult& model : r->models) {
    auto m = tflite::ReadModelFromBuffer(model.model, model.output_path);
    EXPECT_TRUE(m.ok());
    auto info = package::ReadCompiledModel(*m);
    EXPECT_TRUE(info.ok());
    Bytes b;
    for (const auto& op : info->edgetpu_ops) {
      b.on_chip += op.package.on_chip_bytes();
      b.off_chip += op.package.off_chip_bytes();
      b.token = op.package.token();
    }
    // The result reports what the packages hold.
    EXPECT_EQ(model.onchip_bytes, b.on_chip);
    EXPECT_EQ(model.offchip_bytes, b.off_chip);
    EXPECT_EQ(model.caching_token, b.token);
    out.push_back(b);
  }
  return out;
}

Named Zoo(const std::string& name) {
  auto bytes = zoo::GenerateZooModel(name);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return {name + ".tflite", bytes.ok() ? *bytes : std::vector<uint8_t>{}};
}

// Compiler 15 fills the SRAM model by model in command-line order (docs/COMPILER.md).
TEST(CacheScenarioTest, SeedScenarioFirstListedModelKeepsItsLayersOnChipWithCompiler15) {
  Named a = Zoo("mobilenet_v1_1.0_224");
  Named b = Zoo("efficientnet_edgetpu_s");
  std::vector<Bytes> alone_a = Compile({a}, 15);
  std::vector<Bytes> alone_b = Compile({b}, 15);
  ASSERT_EQ(alone_a.size(), 1u);
  ASSERT_EQ(alone_b.size(), 1u);
  // Each fits alone; together they exceed the SRAM.
  EXPECT_EQ(alone_a[0].off_chip, 0);
  EXPECT_EQ(alone_b[0].off_chip, 0);
  const int64_t total_a = alone_a[0].on_chip, total_b = alone_b[0].on_chip;
  EXPECT_GT(total_a + total_b, int64_t{8} << 20);
  EXPECT_NE(alone_a[0].token, alone_b[0].token);

  for (bool a_first : {true, false}) {
    SCOPED_TRACE(a_first ? "a first" : "b first");
    std::vector<Bytes> co = Compile(a_first ? std::vector<Named>{a, b} : std::vector<Named>{b, a}, 15);
    ASSERT_EQ(co.size(), 2u);
    const Bytes& first = co[0];
    const Bytes& second = co[1];
    const int64_t first_total = a_first ? total_a : total_b;
    const int64_t second_total = a_first ? total_b : total_a;
    EXPECT_EQ(first.on_chip, first_total) << "the first listed model keeps all its layers on chip";
    EXPECT_EQ(first.off_chip, 0);
    EXPECT_GT(second.off_chip, 0) << "the second streams what does not fit";
    EXPECT_EQ(second.on_chip + second.off_chip, second_total) << "no parameter is lost or duplicated";
    EXPECT_EQ(first.token, second.token) << "one caching token for the co-compiled set";
  }
}

// Compiler 16 ranks the layers of the whole set (docs/COMPILER.md): both models stream part of
// their parameters, nothing is lost, and the split does not depend on the command-line order
// (the order only breaks ties between layers of equal size).
TEST(CacheScenarioTest, SeedScenarioCompiler16SplitsTheSramAcrossBothModelsInAnyOrder) {
  Named a = Zoo("mobilenet_v1_1.0_224");
  Named b = Zoo("efficientnet_edgetpu_s");
  std::vector<Bytes> alone_a = Compile({a});
  std::vector<Bytes> alone_b = Compile({b});
  ASSERT_EQ(alone_a.size(), 1u);
  ASSERT_EQ(alone_b.size(), 1u);
  std::vector<Bytes> ab = Compile({a, b});
  std::vector<Bytes> ba = Compile({b, a});
  ASSERT_EQ(ab.size(), 2u);
  ASSERT_EQ(ba.size(), 2u);
  EXPECT_EQ(ab[0].on_chip + ab[0].off_chip, alone_a[0].on_chip) << "no parameter is lost or duplicated";
  EXPECT_EQ(ab[1].on_chip + ab[1].off_chip, alone_b[0].on_chip);
  EXPECT_GT(ab[0].on_chip, 0);
  EXPECT_GT(ab[1].on_chip, 0);
  EXPECT_GT(ab[0].off_chip + ab[1].off_chip, 0) << "together they exceed the SRAM";
  EXPECT_EQ(ab[0].on_chip, ba[1].on_chip) << "mobilenet's share does not depend on the order";
  EXPECT_EQ(ab[1].on_chip, ba[0].on_chip) << "efficientnet's share does not depend on the order";
  EXPECT_EQ(ab[0].token, ab[1].token);
}

// Five 3x3 SAME convolutions at 64x64: 3 -> F, then F -> F four times (the sweep's generator).
std::vector<uint8_t> SweepModel(int f) {
  tflite::ModelBuilder b;
  int x = b.AddTensor("in", ir::TensorType::UINT8, {1, 64, 64, 3}, tflite::Quant(0.5f, 0));
  int cin = 3;
  for (int i = 0; i < 5; ++i) {
    std::vector<uint8_t> w(static_cast<size_t>(f) * 9 * static_cast<size_t>(cin), 129);
    int wt = b.AddTensor("w" + std::to_string(i), ir::TensorType::UINT8, {f, 3, 3, cin}, tflite::Quant(0.01f, 128), w);
    std::vector<int32_t> bias(static_cast<size_t>(f), 1);
    int bt = b.AddConstant<int32_t>("b" + std::to_string(i), ir::TensorType::INT32, {f}, bias, tflite::Quant(0.005f, 0));
    int y = b.AddTensor("conv" + std::to_string(i), ir::TensorType::UINT8, {1, 64, 64, f}, tflite::Quant(0.5f, 0));
    b.AddOperator(ir::BuiltinOperator::CONV_2D, {x, wt, bt}, {y}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
    x = y;
    cin = f;
  }
  b.SetInputs({0});
  b.SetOutputs({x});
  return b.Serialize();
}

TEST(CacheScenarioTest, CapacitySweepFollowsTheRealCompiler) {
  auto compile_f = [&](int f) {
    auto r = Compile({{"conv5_" + std::to_string(f) + ".tflite", SweepModel(f)}});
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? Bytes{} : r[0];
  };
  // Everything on chip up to F = 442.
  for (int f : {32, 232, 442}) {
    Bytes b = compile_f(f);
    EXPECT_EQ(b.off_chip, 0) << "F=" << f;
  }
  // The first spill comes between 442 and 452; on-chip bytes within 10% of the real compiler's.
  const std::pair<int, double> kReal[] = {{452, 5.99}, {522, 5.21}, {642, 3.93}};
  for (const auto& [f, real_mib] : kReal) {
    Bytes b = compile_f(f);
    double ours = static_cast<double>(b.on_chip) / (1 << 20);
    EXPECT_GT(b.off_chip, 0) << "F=" << f;
    EXPECT_LT(std::abs(ours - real_mib) / real_mib, 0.10) << "F=" << f << ": ours " << ours << " MiB, real " << real_mib;
    std::printf("sweep F=%d: on-chip %.2f MiB (real %.2f), off-chip %.2f MiB\n", f, ours, real_mib,
                static_cast<double>(b.off_chip) / (1 << 20));
  }
}

}  // namespace
}  // namespace etpu
