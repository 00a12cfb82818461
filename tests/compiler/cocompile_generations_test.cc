// Co-compilation by compiler generation, against Google's files: ../shared/testdata/cocompiled/
// holds one set of four MobileNet v1 models (0.25_128, 0.5_160, 0.75_192, 1.0_224) compiled by
// compiler 15 (2020-11) and by compiler 16 (2021-07); the outputs of the first three are there.
//
// Google's per-layer decision is read from its files: each layer's record, laid out by our
// params (the real layout), is located in the PARAMETER_CACHING (cached) or EXECUTION_ONLY
// (streamed) blob. The 2020-11 files' weights differ from the shared CPU files by one in a few
// bytes (as the 2020-11 mobilenet_v2 does), so a record matches where at most 2% of its bytes
// differ at a 64-byte-aligned offset.
//
// Our side: the compiler's own planner view of each model (params records, the capacity model
// of the set) planned by the generation's policy; the fourth model is the zoo's
// mobilenet_v1_1.0_224 (same operators, shapes and parameter sizes as Coral's). The command-line
// order of Google's run is not recorded, so the test runs every order and checks which reproduce.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "cache/co_compile.h"
#include "etpu/compiler.h"
#include "package/package_reader.h"
#include "params/param_layout.h"
#include "cache/plan_model.h"
#include "testutil/shared.h"
#include "tflite/model_reader.h"
#include "zoo/zoo.h"

namespace etpu {
namespace {

const std::vector<std::string> kModels = {"mobilenet_v1_0.25_128", "mobilenet_v1_0.5_160", "mobilenet_v1_0.75_192",
                                          "mobilenet_v1_1.0_224"};

struct Member {
  ir::Model cpu;
  std::vector<params::LayerParams> records;  // parameterised layers only
  cache::PlanModel plan_model;
};

Member LoadMember(const std::string& name, params::CompilerGeneration gen) {
  Member m;
  Result<ir::Model> cpu = InternalError("unset");
  if (name == "mobilenet_v1_1.0_224") {
    auto bytes = zoo::GenerateZooModel(name);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    cpu = tflite::ReadModelFromBuffer(*bytes, name);
  } else {
    cpu = tflite::ReadModel(testutil::SharedPath("testdata/models/" + name + "_quant.tflite"));
  }
  EXPECT_TRUE(cpu.ok()) << cpu.status().ToString();
  m.cpu = std::move(cpu).value();
  std::vector<int> ops(m.cpu.ops.size());
  std::iota(ops.begin(), ops.end(), 0);
  auto records = params::EncodeRegionParams(m.cpu, ops, gen);
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  auto capacity = cache::CapacityModel::Builtin();
  EXPECT_TRUE(capacity.ok()) << capacity.status().ToString();
  auto act = capacity->Analyze(m.cpu);
  EXPECT_TRUE(act.ok()) << act.status().ToString();
  m.plan_model = cache::MakePlanModel(m.cpu, name, *act, *records);
  for (auto& r : *records) {
    if (!r.bytes.empty()) m.records.push_back(std::move(r));
  }
  return m;
}

/// Google's decision per layer (op index -> cached), located in its blobs; empty on failure.
std::map<int, bool> GooglePlacement(const Member& m, const std::string& compiled_path) {
  std::map<int, bool> out;
  auto compiled = tflite::ReadModel(compiled_path);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  if (!compiled.ok()) return out;
  auto info = package::ReadCompiledModel(*compiled);
  EXPECT_TRUE(info.ok() && info->edgetpu_ops.size() == 1);
  if (!info.ok() || info->edgetpu_ops.size() != 1) return out;
  const package::PackageInfo& pkg = info->edgetpu_ops[0].package;
  std::span<const uint8_t> cached = pkg.caching() ? pkg.caching()->parameters : std::span<const uint8_t>{};
  std::span<const uint8_t> streamed =
      pkg.main() != pkg.caching() ? pkg.main()->parameters : std::span<const uint8_t>{};
  auto differing = [](std::span<const uint8_t> blob, size_t at, const std::vector<uint8_t>& rec, size_t limit) {
    size_t d = 0;
    for (size_t i = 0; i < rec.size() && d <= limit; ++i) d += blob[at + i] != rec[i];
    return d;
  };
  auto found_in = [&](std::span<const uint8_t> blob, const std::vector<uint8_t>& rec) {
    const size_t limit = rec.size() / 50;
    for (size_t at = 0; at + rec.size() <= blob.size(); at += 64) {
      if (differing(blob, at, rec, limit) <= limit) return true;
    }
    return false;
  };
  for (const auto& r : m.records) {
    if (r.kind == package::LayerKind::kSoftmaxTable) continue;  // placed apart from the layers (issue 11)
    const bool c = found_in(cached, r.bytes), s = found_in(streamed, r.bytes);
    EXPECT_TRUE(c != s) << compiled_path << ": layer #" << r.op_index << " found in " << (c ? "both blobs" : "neither blob");
    out[r.op_index] = c;
  }
  return out;
}

struct Evidence {
  std::vector<Member> members;                 // kModels order
  std::map<std::string, std::map<int, bool>> google;  // first three models
};

Evidence LoadSet(const std::string& folder, params::CompilerGeneration gen) {
  Evidence e;
  for (const auto& name : kModels) e.members.push_back(LoadMember(name, gen));
  for (size_t i = 0; i + 1 < kModels.size(); ++i) {
    e.google[kModels[i]] = GooglePlacement(
        e.members[i], testutil::SharedPath("testdata/cocompiled/" + folder + "/" + kModels[i] +
                                           "_quant_cocompiled_with_3quant_edgetpu.tflite"));
  }
  return e;
}

/// Plans the set in `order` (indices into kModels) with `policy`; counts layers of the three
/// known models whose decision differs from Google's.
int Mismatches(const Evidence& e, const std::vector<size_t>& order, const std::string& policy) {
  std::vector<cache::PlanModel> set;
  for (size_t i : order) set.push_back(e.members[i].plan_model);
  cache::CompileSetOptions options;
  options.policy = policy;
  auto capacity = cache::CapacityModel::Builtin();
  EXPECT_TRUE(capacity.ok()) << capacity.status().ToString();
  if (!capacity.ok()) return 1 << 20;
  auto plan = cache::PlanCompileSet(set, *capacity, options);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  if (!plan.ok()) return 1 << 20;
  int bad = 0;
  if (std::getenv("ETPU_DEBUG_COCOMPILE")) std::printf("capacity %lld remaining %lld\n", (long long)plan->capacity_bytes, (long long)plan->remaining_bytes);
  for (size_t k = 0; k < order.size(); ++k) {
    auto it = e.google.find(kModels[order[k]]);
    if (it == e.google.end()) continue;
    for (const auto& l : plan->models[k].layers) {
      auto g = it->second.find(l.op_index);
      if (g == it->second.end()) continue;  // a softmax table: not compared (counts asserted by the tests)
      if (g->second != l.cached) {
        ++bad;
        if (std::getenv("ETPU_DEBUG_COCOMPILE")) std::printf("  %s op %d bytes %lld ours %d\n", kModels[order[k]].c_str(), l.op_index, (long long)l.bytes, l.cached);
      }
    }
  }
  return bad;
}

TEST(CoCompileGenerations, Compiler15ModelByModelRankingReproducesEveryLayer) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/cocompiled/v15_set_of_4");
  const Evidence e = LoadSet("v15_set_of_4", params::CompilerGeneration::k2020_11);
  size_t layers = 0;
  for (const auto& [name, placement] : e.google) layers += placement.size();
  EXPECT_EQ(layers, 84u);  // 28 parameterised layers per model (no softmax table in 2020-11)
  // Every order that lists 0.75_192 last reproduces all 86 decisions; any other order cannot (the
  // rule fills models whole in order, and 0.75_192 is the one Google's run streamed).
  std::vector<size_t> order = {0, 1, 2, 3};
  int reproducing = 0;
  do {
    const int bad = Mismatches(e, order, cache::RankedInModelOrderPolicy::kName);
    const bool last_is_075 = order.back() == 2;
    EXPECT_EQ(bad == 0, last_is_075) << "order " << order[0] << order[1] << order[2] << order[3] << ": " << bad
                                     << " layers differ";
    reproducing += bad == 0;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(reproducing, 6);
  // Command-line greedy in execution order (the old default) does not reproduce it in any order.
  order = {0, 1, 2, 3};
  do {
    EXPECT_GT(Mismatches(e, order, cache::GreedyInOrderPolicy::kName), 0);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(CoCompileGenerations, Compiler16RankingAcrossModelsReproducesEveryLayerInAnyOrder) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/cocompiled/v16_set_of_4");
  const Evidence e = LoadSet("v16_set_of_4", params::CompilerGeneration::k2021_07);
  size_t layers = 0;
  for (const auto& [name, placement] : e.google) layers += placement.size();
  EXPECT_EQ(layers, 84u);  // 28 per model; the softmax tables are placed apart (not compared)
  std::vector<size_t> order = {0, 1, 2, 3};
  do {
    EXPECT_EQ(Mismatches(e, order, cache::RankedAcrossModelsPolicy::kName), 0)
        << "order " << order[0] << order[1] << order[2] << order[3];
    EXPECT_GT(Mismatches(e, order, cache::RankedInModelOrderPolicy::kName), 0);
  } while (std::next_permutation(order.begin(), order.end()));
}

// Through the whole compiler (etpu::Compile with --emulate), in an order that lists 0.75_192 last:
// each model's on-chip / streamed bytes against Google's file. Compiler 15: exact. Compiler 16:
// the same total per model, on-chip within one 64-byte row: Google's compiler places a softmax
// table's 64-byte row apart from the table (cached while the table streams), which is not
// modelled (docs/COMPILER.md).
TEST(CoCompileGenerations, WholeCompilerReproducesGooglesBytesPerModel) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/cocompiled/v16_set_of_4");
  auto zoo_bytes = zoo::GenerateZooModel("mobilenet_v1_1.0_224");
  ASSERT_TRUE(zoo_bytes.ok());
  const std::vector<size_t> order = {0, 1, 3, 2};
  for (int emulate : {15, 16}) {
    SCOPED_TRACE("emulate " + std::to_string(emulate));
    std::vector<ModelInput> inputs;
    for (size_t i : order) {
      inputs.push_back(kModels[i] == "mobilenet_v1_1.0_224"
                           ? ModelInput::FromBytes(*zoo_bytes, kModels[i] + ".tflite")
                           : ModelInput::FromPath(testutil::SharedPath("testdata/models/" + kModels[i] + "_quant.tflite")));
    }
    CompileOptions options;
    options.emulate = emulate;
    options.build_models = false;
    auto r = etpu::Compile(inputs, options);
    ASSERT_TRUE(r.ok() && r->ok) << (r.ok() ? r->failure->message : r.status().ToString());
    for (size_t k = 0; k < order.size(); ++k) {
      if (kModels[order[k]] == "mobilenet_v1_1.0_224") continue;
      auto real = tflite::ReadModel(testutil::SharedPath("testdata/cocompiled/v" + std::to_string(emulate) +
                                                         "_set_of_4/" + kModels[order[k]] +
                                                         "_quant_cocompiled_with_3quant_edgetpu.tflite"));
      ASSERT_TRUE(real.ok());
      auto info = package::ReadCompiledModel(*real);
      ASSERT_TRUE(info.ok());
      const auto& pkg = info->edgetpu_ops[0].package;
      const ModelResult& ours = r->models[k];
      SCOPED_TRACE(kModels[order[k]]);
      EXPECT_EQ(ours.onchip_bytes + ours.offchip_bytes, pkg.on_chip_bytes() + pkg.off_chip_bytes());
      if (emulate == 15) {
        EXPECT_EQ(ours.onchip_bytes, pkg.on_chip_bytes());
      } else {
        EXPECT_LE(std::abs(ours.onchip_bytes - pkg.on_chip_bytes()), 64);
      }
    }
  }
}

}  // namespace
}  // namespace etpu
