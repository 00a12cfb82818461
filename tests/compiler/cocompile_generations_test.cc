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
#include <iterator>
#include <optional>
#include <set>
#include <numeric>

#include "cache/co_compile.h"
#include "etpu/compiler.h"
#include "etpu/inspect.h"
#include "etpu/runtime.h"
#include "package/package_reader.h"
#include "params/param_layout.h"
#include "params/table_layout.h"
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

/// One item the policies place: a layer's record, or a piece of it (op index, offset in the record).
using Item = std::pair<int, int64_t>;

/// Where Google's file holds one item: blob (true = cached) and offset.
struct Found {
  bool cached = false;
  int64_t offset = -1;
};

struct Blobs {
  std::span<const uint8_t> cached, streamed;
};

Blobs BlobsOf(const package::PackageInfo& pkg) {
  return {pkg.caching() ? pkg.caching()->parameters : std::span<const uint8_t>{},
          pkg.main() != pkg.caching() ? pkg.main()->parameters : std::span<const uint8_t>{}};
}

/// 64-byte-aligned offsets of `blob` where `rec` matches with at most `limit` bytes differing.
std::vector<int64_t> Occurrences(std::span<const uint8_t> blob, std::span<const uint8_t> rec, size_t limit) {
  std::vector<int64_t> at_all;
  for (size_t at = 0; at + rec.size() <= blob.size(); at += 64) {
    size_t d = 0;
    for (size_t i = 0; i < rec.size() && d <= limit; ++i) d += blob[at + i] != rec[i];
    if (d <= limit) at_all.push_back(static_cast<int64_t>(at));
  }
  return at_all;
}

/// Google's placement of every item (each record, a softmax table split into its pieces:
/// params::SoftmaxTablePieces), located in its blobs; empty on failure. Weights match where at
/// most 2% of their bytes differ; a softmax table (its rows repeat: shifted by a row it matches
/// nearly everywhere) only exactly. Every item must be found
/// in exactly one blob: a small piece found in several places counts where it follows the
/// record's previous piece in a blob, or else at the end of the cached blob.
std::map<Item, Found> GooglePlacement(const Member& m, const std::string& compiled_path, bool softmax_only = false) {
  std::map<Item, Found> out;
  auto compiled = tflite::ReadModel(compiled_path);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  if (!compiled.ok()) return out;
  auto info = package::ReadCompiledModel(*compiled);
  EXPECT_TRUE(info.ok() && info->edgetpu_ops.size() == 1);
  if (!info.ok() || info->edgetpu_ops.size() != 1) return out;
  const Blobs blobs = BlobsOf(info->edgetpu_ops[0].package);
  for (const auto& r : m.records) {
    if (softmax_only && r.kind != package::LayerKind::kSoftmaxTable) continue;
    std::vector<int64_t> pieces = {static_cast<int64_t>(r.bytes.size())};
    if (r.kind == package::LayerKind::kSoftmaxTable) pieces = params::SoftmaxTablePieces(r.bytes);
    int64_t at = 0, previous_bytes = 0;
    std::optional<Found> previous;
    for (int64_t bytes : pieces) {
      const auto piece = std::span<const uint8_t>(r.bytes).subspan(static_cast<size_t>(at), static_cast<size_t>(bytes));
      const size_t limit = r.kind == package::LayerKind::kSoftmaxTable ? 0 : piece.size() / 50;
      const std::vector<int64_t> c = Occurrences(blobs.cached, piece, limit), s = Occurrences(blobs.streamed, piece, limit);
      std::optional<Found> found;
      if (c.size() + s.size() == 1) {
        found = Found{!c.empty(), c.empty() ? s[0] : c[0]};
      } else if (previous) {  // after the previous piece, or at the end of the cached blob
        const auto& same = previous->cached ? c : s;
        const int64_t next = previous->offset + previous_bytes;
        if (std::find(same.begin(), same.end(), next) != same.end()) found = Found{previous->cached, next};
        const auto end = static_cast<int64_t>(blobs.cached.size()) - bytes;
        if (!found && std::find(c.begin(), c.end(), end) != c.end()) found = Found{true, end};
      }
      EXPECT_TRUE(found.has_value()) << compiled_path << ": layer #" << r.op_index << " bytes [" << at << ", +" << bytes
                                     << ") found " << c.size() << " times cached, " << s.size() << " streamed";
      if (found) out[{r.op_index, at}] = *found;
      previous = found;
      previous_bytes = bytes;
      at += bytes;
    }
  }
  return out;
}

struct Evidence {
  std::vector<Member> members;                 // kModels order
  std::map<std::string, std::map<Item, Found>> google;  // first three models
};

const Evidence& LoadSet(const std::string& folder, params::CompilerGeneration gen) {
  static std::map<std::string, Evidence> loaded;  // each set read once per test run
  auto done = loaded.find(folder);
  if (done != loaded.end()) return done->second;
  Evidence& e = loaded[folder];
  for (const auto& name : kModels) e.members.push_back(LoadMember(name, gen));
  for (size_t i = 0; i + 1 < kModels.size(); ++i) {
    e.google[kModels[i]] = GooglePlacement(
        e.members[i], testutil::SharedPath("testdata/cocompiled/" + folder + "/" + kModels[i] +
                                           "_quant_cocompiled_with_3quant_edgetpu.tflite"));
  }
  return e;
}

/// Plans the set in `order` (indices into kModels) with `policy`; counts items (layers, and the
/// softmax tables' pieces) of the three known models whose decision differs from Google's. With
/// `reserve`, the set keeps that many bytes back instead of the policy's own set reserve.
int Mismatches(const Evidence& e, const std::vector<size_t>& order, const std::string& policy,
               std::optional<int64_t> reserve = std::nullopt) {
  std::vector<cache::PlanModel> set;
  for (size_t i : order) set.push_back(e.members[i].plan_model);
  auto capacity = cache::CapacityModel::Builtin();
  EXPECT_TRUE(capacity.ok()) << capacity.status().ToString();
  if (!capacity.ok()) return 1 << 20;
  Result<cache::CachePlan> plan = InternalError("unset");
  if (reserve) {
    std::vector<cache::ActivationFootprint> acts;
    for (const auto& m : set) acts.push_back(m.act);
    auto p = cache::CachePolicyRegistry::Create(policy);
    EXPECT_TRUE(p.ok());
    if (!p.ok()) return 1 << 20;
    plan = (*p)->Plan(set, capacity->Budget(acts).parameter_capacity_bytes - *reserve);
  } else {
    cache::CompileSetOptions options;
    options.policy = policy;
    plan = cache::PlanCompileSet(set, *capacity, options);
  }
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  if (!plan.ok()) return 1 << 20;
  int bad = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    auto it = e.google.find(kModels[order[k]]);
    if (it == e.google.end()) continue;
    for (const auto& l : plan->models[k].layers) {
      auto g = it->second.find({l.op_index, l.record_offset});
      if (g == it->second.end()) continue;  // a record without bytes
      bad += g->second.cached != l.cached;
    }
  }
  return bad;
}

/// The orders (as digits, indices into kModels) for which `policy` reproduces every item.
std::set<std::string> ReproducingOrders(const Evidence& e, const std::string& policy) {
  std::set<std::string> out;
  std::vector<size_t> order = {0, 1, 2, 3};
  do {
    if (Mismatches(e, order, policy) == 0) {
      std::string digits;
      for (size_t i : order) digits += static_cast<char>('0' + i);
      out.insert(digits);
    }
  } while (std::next_permutation(order.begin(), order.end()));
  return out;
}

TEST(CoCompileGenerations, Compiler15ModelByModelRankingReproducesEveryLayer) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/cocompiled/v15_set_of_4");
  const Evidence& e = LoadSet("v15_set_of_4", params::CompilerGeneration::k2020_11);
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

// Compiler 16: one ranking across the set, a softmax table's unit row an item of its own (ranked
// last: the smallest). Exactly one 64-byte row fits what is left, and Google's file has 0.5_160's
// cached: under the tie rule (command-line order) 0.5_160 was listed before 0.25_128 and 1.0_224.
// With compiler 15's file (0.75_192 listed last) that leaves two orders: 0.5_160 first, 0.75_192
// last. (Without the unit-row rule the bytes of 0.5_160 differ by the row: the test below.)
TEST(CoCompileGenerations, Compiler16RankingAcrossModelsReproducesEveryItem) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/cocompiled/v16_set_of_4");
  const Evidence& e = LoadSet("v16_set_of_4", params::CompilerGeneration::k2021_07);
  size_t items = 0;
  for (const auto& [name, placement] : e.google) items += placement.size();
  EXPECT_EQ(items, 90u);  // 28 layers per model, and each softmax table in two pieces
  const std::set<std::string> v16 = ReproducingOrders(e, cache::RankedAcrossModelsPolicy::kName);
  EXPECT_EQ(v16, (std::set<std::string>{"1023", "1032", "1203", "1230", "1302", "1320"}));  // 0.5_160 before 0.25_128, 1.0_224
  std::vector<size_t> order = {0, 1, 2, 3};
  do {
    EXPECT_GT(Mismatches(e, order, cache::RankedInModelOrderPolicy::kName), 0);
  } while (std::next_permutation(order.begin(), order.end()));
  // The orders consistent with both generations' files: v15's are those listing 0.75_192 last
  // (Compiler15ModelByModelRankingReproducesEveryLayer).
  std::set<std::string> both;
  std::copy_if(v16.begin(), v16.end(), std::inserter(both, both.end()), [](const std::string& o) { return o.back() == '2'; });
  EXPECT_EQ(both, (std::set<std::string>{"1032", "1302"}));
  // The set reserve the 90 items allow (order 1032), each byte tried: the policy's constant is inside.
  int64_t lo = -1, hi = -1;
  for (int64_t reserve = 43500; reserve <= 44100; ++reserve) {
    if (Mismatches(e, {1, 0, 3, 2}, cache::RankedAcrossModelsPolicy::kName, reserve) != 0) continue;
    if (lo < 0) lo = reserve;
    EXPECT_TRUE(hi < 0 || hi == reserve - 1) << "the window has a gap at " << reserve;
    hi = reserve;
  }
  EXPECT_EQ(lo, 43777);  // before the unit row was an item of its own: [43,744, 43,872]
  EXPECT_EQ(hi, 43840);
  EXPECT_GE(cache::RankedAcrossModelsPolicy::kSetReserveBytes, lo);
  EXPECT_LE(cache::RankedAcrossModelsPolicy::kSetReserveBytes, hi);
}

// The decoding behind the unit-row rule (docs/COMPILER.md): in each v16 file, the softmax table
// (3·R rows) and its 64-byte unit row are located apart. The table streams in all three; the row
// is cached at the very end of 0.5_160's cached blob, and streamed right after the table in the
// other two. A model compiled alone, or in the pair of two that fits, keeps the row right after
// the table in the cached blob (one record, as written today).
TEST(CoCompileGenerations, GooglesSoftmaxUnitRowIsPlacedApartFromItsTable) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/cocompiled/v16_set_of_4");
  struct Case {
    std::string model, file;
    bool table_cached, row_cached, row_after_table;
  };
  const std::string set = "testdata/cocompiled/v16_set_of_4/", alone = "testdata/models/", pair = "testdata/cocompiled/";
  const std::vector<Case> cases = {
      {kModels[0], set + kModels[0] + "_quant_cocompiled_with_3quant_edgetpu.tflite", false, false, true},
      {kModels[1], set + kModels[1] + "_quant_cocompiled_with_3quant_edgetpu.tflite", false, true, false},
      {kModels[2], set + kModels[2] + "_quant_cocompiled_with_3quant_edgetpu.tflite", false, false, true},
      {kModels[0], pair + kModels[0] + "_quant_cocompiled_with_" + kModels[1] + "_quant_edgetpu.tflite", true, true, true},
      {kModels[1], pair + kModels[1] + "_quant_cocompiled_with_" + kModels[0] + "_quant_edgetpu.tflite", true, true, true},
      {kModels[0], alone + kModels[0] + "_quant_edgetpu.tflite", true, true, true},
      {kModels[1], alone + kModels[1] + "_quant_edgetpu.tflite", true, true, true},
      {kModels[2], alone + kModels[2] + "_quant_edgetpu.tflite", true, true, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    static std::map<std::string, Member> members;  // each model's records made once
    if (!members.count(c.model)) members[c.model] = LoadMember(c.model, params::CompilerGeneration::k2021_07);
    const Member& m = members.at(c.model);
    const auto softmax = std::find_if(m.records.begin(), m.records.end(),
                                      [](const params::LayerParams& r) { return r.kind == package::LayerKind::kSoftmaxTable; });
    ASSERT_NE(softmax, m.records.end());
    const std::vector<int64_t> pieces = params::SoftmaxTablePieces(softmax->bytes);
    ASSERT_EQ(pieces, (std::vector<int64_t>{48192, 64}));  // 1001 classes: R = 251, 3·R·64 + 64
    const std::map<Item, Found> google = GooglePlacement(m, testutil::SharedPath(c.file), true);
    ASSERT_TRUE(google.count({softmax->op_index, 0}) && google.count({softmax->op_index, pieces[0]}));
    const Found table = google.at({softmax->op_index, 0}), row = google.at({softmax->op_index, pieces[0]});
    EXPECT_EQ(table.cached, c.table_cached);
    EXPECT_EQ(row.cached, c.row_cached);
    EXPECT_EQ(row.cached == table.cached && row.offset == table.offset + pieces[0], c.row_after_table);
    if (!c.row_after_table) {  // cached apart: the last bytes of the cached blob
      auto compiled = tflite::ReadModel(testutil::SharedPath(c.file));
      ASSERT_TRUE(compiled.ok());
      auto info = package::ReadCompiledModel(*compiled);
      ASSERT_TRUE(info.ok());
      EXPECT_EQ(row.offset + 64, static_cast<int64_t>(BlobsOf(info->edgetpu_ops[0].package).cached.size()));
    }
  }
}

// Through the whole compiler (etpu::Compile with --emulate), in an order consistent with both
// generations' files (0.5_160 first, 0.75_192 last): each model's on-chip / streamed bytes against
// Google's file, exactly. (Compiler 16 without the unit row as an item of its own: 0.5_160 gets
// 1,024,896 / 448,384 where Google's file has 1,024,960 / 448,320.)
TEST(CoCompileGenerations, WholeCompilerReproducesGooglesBytesPerModel) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/cocompiled/v16_set_of_4");
  auto zoo_bytes = zoo::GenerateZooModel("mobilenet_v1_1.0_224");
  ASSERT_TRUE(zoo_bytes.ok());
  const std::vector<size_t> order = {1, 0, 3, 2};
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
      if (kModels[order[k]] == "mobilenet_v1_1.0_224") {
        // No file to compare with. The rule's prediction (compiler 16): its softmax row, listed
        // after 0.5_160's, gets no room and streams right after its streamed table: one entry.
        if (emulate == 16) {
          const auto& layers = r->models[k].layers;
          ASSERT_GE(layers.size(), 2u);
          const LayerPlacement &table = layers[layers.size() - 2], &row = layers.back();
          EXPECT_FALSE(table.cached);
          EXPECT_FALSE(row.cached);
          EXPECT_EQ(row.offset, table.offset + 48192);
          EXPECT_EQ(row.record_offset, 48192);
        }
        continue;
      }
      auto real = tflite::ReadModel(testutil::SharedPath("testdata/cocompiled/v" + std::to_string(emulate) +
                                                         "_set_of_4/" + kModels[order[k]] +
                                                         "_quant_cocompiled_with_3quant_edgetpu.tflite"));
      ASSERT_TRUE(real.ok());
      auto info = package::ReadCompiledModel(*real);
      ASSERT_TRUE(info.ok());
      const auto& pkg = info->edgetpu_ops[0].package;
      const ModelResult& ours = r->models[k];
      SCOPED_TRACE(kModels[order[k]]);
      EXPECT_EQ(ours.onchip_bytes, pkg.on_chip_bytes());
      EXPECT_EQ(ours.offchip_bytes, pkg.off_chip_bytes());
    }
  }
}

// The split layer through the runtime: in the v16 set (0.5_160 first), 0.5_160's softmax record
// is placed in two pieces (table streamed, unit row cached); the runtime joins them before
// decoding, and the model's output is byte for byte the output of 0.5_160 compiled alone (both
// pieces cached, side by side: one program entry).
TEST(CoCompileGenerations, ASoftmaxPlacedInTwoPiecesRunsAsTheWholeRecord) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  auto zoo_bytes = zoo::GenerateZooModel("mobilenet_v1_1.0_224");
  ASSERT_TRUE(zoo_bytes.ok());
  std::vector<ModelInput> inputs;
  for (size_t i : {1, 0, 3, 2}) {
    inputs.push_back(kModels[i] == "mobilenet_v1_1.0_224"
                         ? ModelInput::FromBytes(*zoo_bytes, kModels[i] + ".tflite")
                         : ModelInput::FromPath(testutil::SharedPath("testdata/models/" + kModels[i] + "_quant.tflite")));
  }
  auto set = etpu::Compile(inputs, CompileOptions{});
  ASSERT_TRUE(set.ok() && set->ok) << (set.ok() ? set->failure->message : set.status().ToString());
  auto alone = etpu::Compile(std::span<const ModelInput>(inputs.data(), 1), CompileOptions{});
  ASSERT_TRUE(alone.ok() && alone->ok);
  // The placements: the softmax (last operator) in two entries in the set, one alone.
  const auto softmax_entries = [](const ModelResult& m) {
    std::vector<LayerPlacement> out;
    for (const LayerPlacement& l : m.layers) {
      if (l.op_index == m.layers.back().op_index) out.push_back(l);
    }
    return out;
  };
  const std::vector<LayerPlacement> split = softmax_entries(set->models[0]);
  ASSERT_EQ(split.size(), 2u);
  EXPECT_FALSE(split[0].cached);
  EXPECT_EQ(split[0].bytes, 48192);
  EXPECT_TRUE(split[1].cached);
  EXPECT_EQ(split[1].bytes, 64);
  EXPECT_EQ(split[1].record_offset, 48192);
  EXPECT_EQ(split[1].offset + 64, set->models[0].onchip_bytes);  // the end of the cached blob
  const std::vector<LayerPlacement> whole = softmax_entries(alone->models[0]);  // placed as two items, side by side
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_TRUE(whole[0].cached && whole[1].cached);
  EXPECT_EQ(whole[1].offset, whole[0].offset + 48192);
  // The package lists the two pieces as two program entries, which its readers accept.
  auto inspected = InspectModel(set->models[0].model, "mobilenet_v1_0.5_160");
  ASSERT_TRUE(inspected.ok()) << inspected.status().ToString();
  ASSERT_EQ(inspected->edgetpu_ops.size(), 1u);
  EXPECT_EQ(inspected->edgetpu_ops[0].runtime_error, "");
  const auto& entries = inspected->edgetpu_ops[0].layers;
  ASSERT_GE(entries.size(), 2u);
  const InspectedLayer& table = entries[entries.size() - 2];
  const InspectedLayer& row = entries.back();
  EXPECT_EQ(table.op_index, row.op_index);
  EXPECT_EQ(row.kind, "softmax_table");
  EXPECT_FALSE(table.cached);
  EXPECT_EQ(table.bytes, 48192u);
  EXPECT_TRUE(row.cached);
  EXPECT_EQ(row.bytes, 64u);
  // Alone, the package lists the record whole: one 48,256-byte cached entry, as before the split.
  auto inspected_alone = InspectModel(alone->models[0].model, "mobilenet_v1_0.5_160");
  ASSERT_TRUE(inspected_alone.ok());
  const InspectedLayer& last_alone = inspected_alone->edgetpu_ops[0].layers.back();
  EXPECT_EQ(last_alone.kind, "softmax_table");
  EXPECT_TRUE(last_alone.cached);
  EXPECT_EQ(last_alone.bytes, 48256u);
  EXPECT_EQ(inspected_alone->edgetpu_ops[0].layers.size() + 1, entries.size());
  // Both run, to the same bytes.
  std::vector<std::vector<uint8_t>> outputs;
  for (const std::vector<uint8_t>* model : {&set->models[0].model, &alone->models[0].model}) {
    auto rt = Runtime::Create();
    ASSERT_TRUE(rt.ok());
    auto loaded = (*rt)->LoadModelFromBuffer(*model, "mobilenet_v1_0.5_160");
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    std::vector<uint8_t> input(static_cast<size_t>(loaded->input(0).bytes));
    for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>((i * 37 + i / 480) & 0xff);
    ASSERT_TRUE(loaded->SetInput(0, input).ok());
    const Status run = loaded->Invoke();
    ASSERT_TRUE(run.ok()) << run.ToString();
    const auto out = loaded->GetOutput(0);
    outputs.emplace_back(out.begin(), out.end());
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_TRUE(std::any_of(outputs[0].begin(), outputs[0].end(), [](uint8_t v) { return v != 0; }));
}

}  // namespace
}  // namespace etpu
