// Models compiled by etpu's compiler, run on the virtual Edge TPU:
//  * outputs equal the CPU interpreter's (itself byte-identical to the TFLite reference);
//  * separately compiled models alternating on one device reload at every switch, co-compiled
//    models do not, models on different devices do not disturb each other;
//  * a partly streamed compile (a test cache policy caching every other layer) gives the same
//    outputs; corrupting the SRAM or the streamed blob changes them.
#include <gtest/gtest.h>

#include <random>

#include "cache/cache_plan.h"
#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "runtime/interpreter.h"
#include "testutil/shared.h"
#include "tflite/model_reader.h"

namespace etpu::oracle_test {
namespace {

/// Compiles `models` together; returns the compiled files' bytes in order.
std::vector<std::vector<uint8_t>> Compile(const std::vector<std::string>& models, const std::string& policy = "") {
  CompileOptions o;
  o.out_dir = testutil::MakeTempDir("compile");
  o.cache_policy = policy;
  CompileTranscript t = CompileModels(models, o);
  EXPECT_TRUE(t.succeeded) << t.console;
  std::vector<std::vector<uint8_t>> out;
  for (const auto& f : t.files) {
    if (f.path.size() > 7 && f.path.substr(f.path.size() - 7) == ".tflite") out.push_back(f.bytes);
  }
  EXPECT_EQ(out.size(), models.size()) << t.console;
  return out;
}

std::vector<std::vector<uint8_t>> Inputs(int64_t bytes) {
  std::vector<std::vector<uint8_t>> v;
  for (int fill : {0, 128, 255}) v.emplace_back(static_cast<size_t>(bytes), static_cast<uint8_t>(fill));
  std::mt19937 rng(7);
  std::vector<uint8_t> r(static_cast<size_t>(bytes));
  for (auto& x : r) x = static_cast<uint8_t>(rng() >> 24);
  v.push_back(r);
  return v;
}

/// Runs the CPU model on the interpreter (the oracle-checked reference) for one input.
std::vector<std::vector<uint8_t>> CpuOutputs(const std::string& path, const std::vector<uint8_t>& input) {
  auto model = tflite::ReadModel(path);
  EXPECT_TRUE(model.ok());
  auto interp = runtime::Interpreter::Create(std::make_shared<ir::Model>(std::move(model).value()));
  EXPECT_TRUE(interp.ok()) << interp.status().ToString();
  if (!interp.ok()) return {};
  EXPECT_TRUE((*interp)->SetInput(0, input).ok());
  EXPECT_TRUE((*interp)->Invoke().ok());
  std::vector<std::vector<uint8_t>> out;
  for (int k = 0; k < (*interp)->num_outputs(); ++k) {
    auto o = (*interp)->output(k);
    out.emplace_back(o.begin(), o.end());
  }
  return out;
}

std::vector<std::vector<uint8_t>> RunModel(LoadedModel& m, const std::vector<uint8_t>& input) {
  EXPECT_TRUE(m.SetInput(0, input).ok());
  Status s = m.Invoke();
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::vector<uint8_t>> out;
  for (int k = 0; k < m.num_outputs(); ++k) {
    auto o = m.GetOutput(k);
    out.emplace_back(o.begin(), o.end());
  }
  return out;
}

/// Caches every other parameterised layer (0, 2, 4, ...) and streams the rest.
class EveryOtherLayerPolicy final : public cache::CachePolicy {
 public:
  std::string name() const override { return "test-every-other-layer"; }
  Result<cache::CachePlan> Plan(std::span<const cache::PlanModel> models, int64_t capacity) const override {
    cache::CachePlan plan;
    plan.capacity_bytes = capacity;
    plan.policy = name();
    int64_t total = 0;
    for (const auto& m : models) {
      cache::ModelPlan mp;
      mp.name = m.name;
      for (size_t i = 0; i < m.layers.size(); ++i) {
        const auto& l = m.layers[i];
        const bool cached = !l.always_streamed && i % 2 == 0;
        int64_t& off = cached ? mp.cached_bytes : mp.streamed_bytes;
        mp.layers.push_back({l.op_index, cached, off, l.bytes});
        off += l.bytes;
      }
      total += mp.cached_bytes;
      plan.models.push_back(mp);
    }
    plan.remaining_bytes = capacity - total;
    return plan;
  }
};

// Compiles the CPU model at `path`, runs it on the virtual Edge TPU and compares with the CPU.
void ExpectCompiledOutputsEqualCpuOutputs(const std::string& path, const std::string& name) {
  auto compiled = Compile({path});
  ASSERT_EQ(compiled.size(), 1u);
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  auto m = (*rt)->LoadModelFromBuffer(compiled[0], name + "_edgetpu.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_FALSE(m->edgetpu_ops().empty());
  bool first = true;
  for (const auto& in : Inputs(m->input(0).bytes)) {
    m->ResetState();
    EXPECT_EQ(RunModel(*m, in), CpuOutputs(path, in)) << name;
    ASSERT_FALSE(m->last_events().empty());
    EXPECT_EQ(m->last_events()[0].parameters_loaded, first && m->edgetpu_ops()[0].cached_bytes > 0);
    first = false;
  }
}

class CompiledModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CompiledModelTest, CompiledOutputsEqualCpuOutputs) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/" + GetParam() + ".tflite");
  ExpectCompiledOutputsEqualCpuOutputs(path, GetParam());
}

INSTANTIATE_TEST_SUITE_P(SharedModels, CompiledModelTest,
                         ::testing::Values("mobilenet_v1_0.25_128_quant", "mobilenet_v2_1.0_224_quant",
                                           "deeplabv3_mnv2_dm05_pascal_quant", "split_concat",
                                           "keras_lstm_mnist_ptq"));

// The small models of issue 12 run from their Google-identical blobs: zero-bias layers without
// bias words (the region keeps the zero bias), one-output convs, depthwise laid out as a conv.
class SmallCompiledModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SmallCompiledModelTest, CompiledOutputsEqualCpuOutputs) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/small/" + GetParam() + ".tflite");
  ExpectCompiledOutputsEqualCpuOutputs(path, GetParam());
}

INSTANTIATE_TEST_SUITE_P(SmallModels, SmallCompiledModelTest,
                         ::testing::Values("bright_16x16", "color_red_64x64", "gabor_64x64_p4", "looming_64x64_3x3",
                                           "dense_256"));

TEST(CacheTest, SeparatelyCompiledModelsReloadAtEverySwitchCoCompiledDoNot) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  const auto ca = Compile({a}), cb = Compile({b}), co = Compile({a, b});
  ASSERT_EQ(co.size(), 2u);
  for (bool cocompiled : {false, true}) {
    SCOPED_TRACE(cocompiled ? "co-compiled" : "separately compiled");
    auto rt = Runtime::Create({});
    ASSERT_TRUE(rt.ok());
    auto ma = (*rt)->LoadModelFromBuffer(cocompiled ? co[0] : ca[0], "a", 0);
    auto mb = (*rt)->LoadModelFromBuffer(cocompiled ? co[1] : cb[0], "b", 0);
    ASSERT_TRUE(ma.ok() && mb.ok());
    EXPECT_EQ(ma->edgetpu_ops()[0].token == mb->edgetpu_ops()[0].token, cocompiled);
    const std::vector<uint8_t> ia(static_cast<size_t>(ma->input(0).bytes), 100), ib(static_cast<size_t>(mb->input(0).bytes), 50);
    const auto ref_a = CpuOutputs(a, ia), ref_b = CpuOutputs(b, ib);
    for (int round = 0; round < 3; ++round) {
      for (LoadedModel* m : {&*ma, &*mb}) {
        const bool is_a = m == &*ma;
        EXPECT_EQ(RunModel(*m, is_a ? ia : ib), is_a ? ref_a : ref_b);
        const CacheEvent& e = m->last_events().at(0);
        // Separately: every invocation after a switch reloads. Co-compiled: only the first of each.
        const bool expect_load = cocompiled ? round == 0 : true;
        EXPECT_EQ(e.parameters_loaded, expect_load) << "round " << round << (is_a ? " a" : " b");
        EXPECT_EQ(e.parameters_reused, !expect_load);
        EXPECT_EQ(e.sram_bytes_written, expect_load ? m->edgetpu_ops()[0].cached_bytes : 0);
        EXPECT_GT(e.simulated_ms, 0.0);
      }
    }
    const DeviceState st = (*rt)->device_state(0);
    EXPECT_EQ(st.cached_executables, cocompiled ? 2 : 1);
  }
}

TEST(CacheTest, ModelsOnDifferentDevicesKeepTheirCaches) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  const auto ca = Compile({a}), cb = Compile({b});
  auto rt = Runtime::Create({.num_devices = 2});
  ASSERT_TRUE(rt.ok());
  auto ma = (*rt)->LoadModelFromBuffer(ca[0], "a", 0);
  auto mb = (*rt)->LoadModelFromBuffer(cb[0], "b", 1);
  ASSERT_TRUE(ma.ok() && mb.ok());
  const std::vector<uint8_t> ia(static_cast<size_t>(ma->input(0).bytes), 9), ib(static_cast<size_t>(mb->input(0).bytes), 9);
  for (int round = 0; round < 3; ++round) {
    RunModel(*ma, ia);
    EXPECT_EQ(ma->last_events().at(0).parameters_loaded, round == 0);
    EXPECT_EQ(ma->last_events().at(0).device, 0);
    RunModel(*mb, ib);
    EXPECT_EQ(mb->last_events().at(0).parameters_loaded, round == 0);
    EXPECT_EQ(mb->last_events().at(0).device, 1);
  }
}

TEST(CacheTest, PartlyStreamedGivesSameOutputsAndCorruptionChangesThem) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  cache::CachePolicyRegistry::Register("test-every-other-layer", [] { return std::make_unique<EveryOtherLayerPolicy>(); });
  const auto c = Compile({a}, "test-every-other-layer");
  ASSERT_EQ(c.size(), 1u);
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  auto m = (*rt)->LoadModelFromBuffer(c[0], "a_streamed", 0);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const EdgeTpuInfo info = m->edgetpu_ops().at(0);
  ASSERT_GT(info.cached_bytes, 0);
  ASSERT_GT(info.streamed_bytes, 0);
  const std::vector<uint8_t> in(static_cast<size_t>(m->input(0).bytes), 77);
  const auto ref = CpuOutputs(a, in);
  EXPECT_EQ(RunModel(*m, in), ref);
  EXPECT_EQ(m->last_events().at(0).streamed_bytes, info.streamed_bytes);

  // Corrupt cached parameters in the SRAM: wrong numbers (or a decode error for padding bytes).
  int changed = 0;
  for (int64_t off : {int64_t{100}, info.cached_bytes / 2, info.cached_bytes - 200}) {
    ASSERT_TRUE((*rt)->CorruptSram(0, off, 0x5A).ok());
    Status s = m->SetInput(0, in);
    s = m->Invoke();
    if (!s.ok()) {
      ++changed;
    } else {
      auto out = m->GetOutput(0);
      if (std::vector<uint8_t>(out.begin(), out.end()) != ref[0]) ++changed;
    }
    ASSERT_TRUE((*rt)->CorruptSram(0, off, 0x5A).ok());  // Undo.
    EXPECT_EQ(RunModel(*m, in), ref);
  }
  EXPECT_GE(changed, 2);
  // Corrupt the streamed blob the same way.
  changed = 0;
  for (int64_t off : {int64_t{100}, info.streamed_bytes / 2, info.streamed_bytes - 200}) {
    ASSERT_TRUE(m->CorruptStreamedParameters(0, off, 0x5A).ok());
    Status s = m->SetInput(0, in);
    s = m->Invoke();
    if (!s.ok()) {
      ++changed;
    } else {
      auto out = m->GetOutput(0);
      if (std::vector<uint8_t>(out.begin(), out.end()) != ref[0]) ++changed;
    }
    ASSERT_TRUE(m->CorruptStreamedParameters(0, off, 0x5A).ok());
    EXPECT_EQ(RunModel(*m, in), ref);
  }
  EXPECT_GE(changed, 2);
  // A cache clear (another token) followed by a reload repairs a corrupted SRAM.
  ASSERT_TRUE((*rt)->CorruptSram(0, 100, 0x5A).ok());
  ASSERT_TRUE((*rt)->ResetDevice(0).ok());
  EXPECT_EQ(RunModel(*m, in), ref);
  EXPECT_TRUE(m->last_events().at(0).parameters_loaded);
}

}  // namespace
}  // namespace etpu::oracle_test
