// etpu::Compile, the in-memory library API: what it reports must agree with the files it
// produces (read back with the package reader) and with the console rendering; bytes in and
// paths in give the same outputs; a model parsed once compiles like a fresh one; failures are
// structured, without console text.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "base/file_io.h"
#include "driver/transcript.h"
#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "package/package_reader.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu {
namespace {

namespace fs = std::filesystem;

Result<CompileResult> CompileOne(const ModelInput& in, const CompileOptions& options = {}) {
  return Compile(std::span<const ModelInput>(&in, 1), options);
}

TEST(CompileApiTest, BytesAndPathGiveTheSameOutputs) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto bytes = base::ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  auto from_path = CompileOne(ModelInput::FromPath(path));
  auto from_bytes = CompileOne(ModelInput::FromBytes(*bytes, path));
  ASSERT_TRUE(from_path.ok() && from_path->ok);
  ASSERT_TRUE(from_bytes.ok() && from_bytes->ok);
  ASSERT_EQ(from_path->models.size(), 1u);
  ASSERT_EQ(from_bytes->models.size(), 1u);
  EXPECT_EQ(from_path->models[0].model, from_bytes->models[0].model);
  EXPECT_EQ(from_path->models[0].log, from_bytes->models[0].log);
  EXPECT_EQ(from_bytes->models[0].input_size, static_cast<int64_t>(bytes->size()));
  EXPECT_EQ(from_bytes->models[0].output_path, "mobilenet_v1_0.25_128_quant_edgetpu.tflite");
}

// -n: every segment shares one token, derived like any compile set's: deterministic by default,
// random with random_token (was ignored for segments).
TEST(CompileApiTest, SegmentsShareOneTokenThatHonoursRandomToken) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto tokens = [&](bool random) {
    CompileOptions options;
    options.num_segments = 2;
    options.random_token = random;
    options.build_models = false;
    auto r = CompileOne(ModelInput::FromPath(path), options);
    EXPECT_TRUE(r.ok() && r->ok);
    std::vector<uint64_t> out;
    if (r.ok()) {
      for (const auto& m : r->models) out.push_back(m.caching_token);
    }
    return out;
  };
  const std::vector<uint64_t> a = tokens(false), b = tokens(false);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NE(a[0], 0u);
  EXPECT_EQ(a[0], a[1]);
  EXPECT_EQ(a, b);
  const std::vector<uint64_t> r1 = tokens(true), r2 = tokens(true);
  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(r1[0], r1[1]);
  EXPECT_NE(r1[0], a[0]);
  EXPECT_NE(r1[0], r2[0]);  // 2^-64 chance of a false failure
}

// --emulate names its generation everywhere it shows: the .log's version line, the package's
// compiler version and the default minimum runtime (16: 14, 15: 13); 15 writes no softmax table.
TEST(CompileApiTest, EmulatedGenerationShowsInLogPackageAndRuntime) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  int64_t onchip16 = 0;
  for (int emulate : {16, 15}) {
    SCOPED_TRACE(emulate);
    CompileOptions options;
    options.emulate = emulate;
    auto r = CompileOne(ModelInput::FromPath(path), options);
    ASSERT_TRUE(r.ok() && r->ok);
    const ModelResult& m = r->models.at(0);
    EXPECT_EQ(m.log.rfind("Edge TPU Compiler version " + std::to_string(emulate) + ".0.0-etpu.", 0), 0u) << m.log;
    auto model = tflite::ReadModelFromBuffer(m.model, "out.tflite");
    ASSERT_TRUE(model.ok());
    auto info = package::ReadCompiledModel(*model);
    ASSERT_TRUE(info.ok() && info->edgetpu_ops.size() == 1);
    const auto& pkg = info->edgetpu_ops[0].package;
    EXPECT_NE(pkg.compiler_version.find(std::to_string(emulate) + ".0.0-etpu."), std::string::npos) << pkg.compiler_version;
    EXPECT_EQ(pkg.min_runtime_version, emulate == 16 ? 14 : 13);
    if (emulate == 16) onchip16 = m.onchip_bytes;
    if (emulate == 15) {
      EXPECT_EQ(onchip16 - m.onchip_bytes, 48256) << "the 1001-class softmax table (16 only)";
    }
  }
  CompileOptions bad;
  bad.emulate = 14;
  EXPECT_FALSE(CompileOne(ModelInput::FromPath(path), bad).ok());
}

TEST(CompileApiTest, ParsedOnceCompilesLikeAFreshModel) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  std::vector<ModelInput> fresh = {ModelInput::FromPath(a), ModelInput::FromPath(b)};
  std::vector<ModelInput> parsed = {ModelInput::FromParsed(ParseModel(a)), ModelInput::FromParsed(ParseModel(b))};
  auto first = Compile(fresh, {});
  ASSERT_TRUE(first.ok() && first->ok);
  for (int round = 0; round < 3; ++round) {
    auto again = Compile(parsed, {});
    ASSERT_TRUE(again.ok() && again->ok);
    ASSERT_EQ(again->models.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(again->models[i].model, first->models[i].model) << "round " << round << " model " << i;
      EXPECT_EQ(again->models[i].log, first->models[i].log);
    }
  }
  // Reversed order reuses the same parsed models; the first listed keeps the cache first.
  std::vector<ModelInput> reversed = {parsed[1], parsed[0]};
  auto rev = Compile(reversed, {});
  ASSERT_TRUE(rev.ok() && rev->ok);
  EXPECT_EQ(rev->models[0].input_name, b);
}

TEST(CompileApiTest, PlanOnlyReportsWhatABuildWould) {
  ETPU_SHARED_FILE_OR_SKIP(a, "testdata/models/mobilenet_v2_1.0_224_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(b, "testdata/models/mobilenet_v1_0.75_192_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(c, "testdata/models/mobilenet_v1_0.5_160_quant.tflite");
  ETPU_SHARED_FILE_OR_SKIP(d, "testdata/models/deeplabv3_mnv2_dm05_pascal_quant.tflite");
  std::vector<ModelInput> inputs = {ModelInput::FromPath(a), ModelInput::FromPath(b), ModelInput::FromPath(c),
                                    ModelInput::FromPath(d)};
  CompileOptions plan_only;
  plan_only.build_models = false;
  auto full = Compile(inputs, {});
  auto plan = Compile(inputs, plan_only);
  ASSERT_TRUE(full.ok() && full->ok);
  ASSERT_TRUE(plan.ok() && plan->ok);
  ASSERT_EQ(plan->models.size(), inputs.size());
  EXPECT_EQ(plan->caching_token, full->caching_token);
  int64_t spilled = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ModelResult& f = full->models[i];
    spilled += f.offchip_bytes;
    const ModelResult& p = plan->models[i];
    EXPECT_TRUE(p.model.empty());
    EXPECT_FALSE(f.model.empty());
    EXPECT_EQ(p.onchip_bytes, f.onchip_bytes);
    EXPECT_EQ(p.offchip_bytes, f.offchip_bytes);
    EXPECT_EQ(p.onchip_remaining_bytes, f.onchip_remaining_bytes);
    EXPECT_EQ(p.min_runtime_version, f.min_runtime_version);
    EXPECT_EQ(p.log, f.log);
    ASSERT_EQ(p.layers.size(), f.layers.size());
    for (size_t k = 0; k < p.layers.size(); ++k) {
      EXPECT_EQ(p.layers[k].op_index, f.layers[k].op_index);
      EXPECT_EQ(p.layers[k].cached, f.layers[k].cached);
      EXPECT_EQ(p.layers[k].offset, f.layers[k].offset);
      EXPECT_EQ(p.layers[k].bytes, f.layers[k].bytes);
    }
  }
  EXPECT_GT(spilled, 0) << "the set should spill (cached and streamed layers both compared)";
}

// The result's partition, placements, token, runtime and sizes are what the written file holds.
TEST(CompileApiTest, ResultDescribesTheOutputFile) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/deeplabv3_mnv2_dm05_pascal_quant.tflite");
  CompileOptions options;
  options.min_runtime_version = 12;
  auto r = CompileOne(ModelInput::FromPath(path), options);
  ASSERT_TRUE(r.ok() && r->ok);
  ASSERT_EQ(r->models.size(), 1u);
  const ModelResult& m = r->models[0];
  auto model = tflite::ReadModelFromBuffer(m.model, m.output_path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto info = package::ReadCompiledModel(*model);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->edgetpu_ops.size(), m.regions.size());
  ASSERT_FALSE(m.regions.empty());
  EXPECT_EQ(m.caching_token, r->caching_token);
  int64_t on = 0, off = 0;
  for (const auto& op : info->edgetpu_ops) {
    EXPECT_EQ(op.package.token(), m.caching_token);
    EXPECT_EQ(op.package.min_runtime_version, m.min_runtime_version);
    on += op.package.on_chip_bytes();
    off += op.package.off_chip_bytes();
  }
  EXPECT_EQ(on, m.onchip_bytes);
  EXPECT_EQ(off, m.offchip_bytes);
  EXPECT_LE(m.min_runtime_version, 12);
  // Placements: per region and blob, the layers tile the blob without gaps or overlaps.
  std::map<std::pair<int, bool>, int64_t> end;
  int64_t placed_on = 0, placed_off = 0;
  for (const LayerPlacement& l : m.layers) {
    int64_t& e = end[{l.region, l.cached}];
    EXPECT_EQ(l.offset, e) << "op " << l.op_index;
    e = l.offset + l.bytes;
    (l.cached ? placed_on : placed_off) += l.bytes;
    ASSERT_GE(l.region, 0);
    ASSERT_LT(static_cast<size_t>(l.region), m.regions.size());
    const auto& ops = m.regions[static_cast<size_t>(l.region)].ops;
    EXPECT_NE(std::find(ops.begin(), ops.end(), l.op_index), ops.end());
  }
  EXPECT_EQ(placed_on, m.onchip_bytes);
  EXPECT_EQ(placed_off, m.offchip_bytes);
  // Verdicts: mapped operators are in a region, the others carry a rule and a reason; the CPU
  // operators of the result are the ones the file keeps outside its custom ops.
  ASSERT_EQ(m.operators.size(), m.regions[0].ops.size() + m.cpu_ops.size());
  int mapped = 0;
  for (const OperatorVerdict& v : m.operators) {
    if (v.region >= 0) {
      ++mapped;
      EXPECT_EQ(v.status, "Mapped to Edge TPU");
      EXPECT_TRUE(v.rule_id.empty());
    } else {
      EXPECT_NE(v.status, "Mapped to Edge TPU");
      EXPECT_FALSE(v.rule_id.empty()) << v.op << " #" << v.op_index;
      EXPECT_FALSE(v.reason.empty()) << v.op << " #" << v.op_index;
    }
  }
  EXPECT_GT(mapped, 0);
  EXPECT_EQ(static_cast<size_t>(mapped) + m.cpu_ops.size(), m.operators.size());
  EXPECT_EQ(info->cpu_ops.size(), m.cpu_ops.size());
  // The .log text lists every verdict's status.
  for (const OperatorVerdict& v : m.operators) EXPECT_NE(m.log.find(v.status), std::string::npos);
}

std::vector<uint8_t> FloatConvModel() {
  tflite::ModelBuilder b;
  int x = b.AddTensor("in", ir::TensorType::FLOAT32, {1, 8, 8, 3});
  std::vector<float> w(4 * 9 * 3, 0.5f);
  int wt = b.AddConstant<float>("w", ir::TensorType::FLOAT32, {4, 3, 3, 3}, w);
  int y = b.AddTensor("out", ir::TensorType::FLOAT32, {1, 8, 8, 4});
  b.AddOperator(ir::BuiltinOperator::CONV_2D, {x, wt, -1}, {y}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Serialize();
}

TEST(CompileApiTest, RefusedModelIsAStructuredFailure) {
  std::vector<uint8_t> bytes = FloatConvModel();
  auto r = CompileOne(ModelInput::FromBytes(bytes, "float_conv.tflite"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ok);
  ASSERT_TRUE(r->failure.has_value());
  EXPECT_EQ(r->failure->kind, FailureKind::kInvalidModel);
  EXPECT_EQ(r->failure->model, 0);
  EXPECT_EQ(r->failure->model_name, "float_conv.tflite");
  EXPECT_EQ(r->failure->message, "Model not quantized");
  EXPECT_NE(r->failure->details.find("CONV_2D"), std::string::npos) << r->failure->details;
  EXPECT_EQ(r->failure->message.find("Invalid model"), std::string::npos);
  EXPECT_TRUE(r->models.empty());
  // The console renders it in the real compiler's words.
  EXPECT_EQ(driver::RenderConsole(*r, {}),
            driver::VersionLine() + "\nInvalid model: float_conv.tflite\nModel not quantized\n");
}

TEST(CompileApiTest, UnreadableBytesNameTheModel) {
  const std::vector<uint8_t> junk = {1, 2, 3, 4, 5, 6, 7, 8};
  auto r = CompileOne(ModelInput::FromBytes(junk, "junk.tflite"));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->failure.has_value());
  EXPECT_EQ(r->failure->kind, FailureKind::kInvalidModel);
  EXPECT_EQ(r->failure->message, "Model could not be parsed");
  EXPECT_FALSE(r->failure->details.empty());
  EXPECT_NE(driver::RenderConsole(*r, {}).find("Invalid model: junk.tflite\nModel could not be parsed\n"),
            std::string::npos);
}

TEST(CompileApiTest, EmptyInputAndBadOptions) {
  auto none = Compile({}, {});
  ASSERT_TRUE(none.ok());
  ASSERT_TRUE(none->failure.has_value());
  EXPECT_EQ(none->failure->kind, FailureKind::kNoInput);
  CompileOptions bad;
  bad.num_segments = 0;
  std::vector<uint8_t> bytes = FloatConvModel();
  EXPECT_FALSE(CompileOne(ModelInput::FromBytes(bytes, "x.tflite"), bad).ok());
}

}  // namespace
}  // namespace etpu

namespace etpu {
namespace {

std::vector<std::string> SharedSourceModels() {
  std::vector<std::string> out;
  for (const char* dir : {"testdata/models", "testdata/small"}) {
    const std::string d = testutil::SharedPath(dir);
    if (!fs::is_directory(d)) continue;
    for (const auto& e : fs::directory_iterator(d)) {
      const std::string name = e.path().filename().string();
      if (name.ends_with(".tflite") && !name.ends_with("_edgetpu.tflite")) out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Issue 13: the package's minimum runtime is never above -m, for every shared model and every -m.
TEST(CompileApiTest, PackagesNeverNeedARuntimeAboveMinRuntimeVersion) {
  std::vector<std::string> models = SharedSourceModels();
  if (models.empty()) GTEST_SKIP() << "../shared is absent";
  int compiled = 0;
  for (const auto& path : models) {
    const ModelInput input = ModelInput::FromParsed(ParseModel(path));
    for (int m = 10; m <= 14; ++m) {
      SCOPED_TRACE(path + " -m " + std::to_string(m));
      CompileOptions options;
      options.min_runtime_version = m;
      auto r = CompileOne(input, options);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (!r->ok) continue;  // Refused models are checked elsewhere.
      ++compiled;
      for (const ModelResult& out : r->models) {
        EXPECT_LE(out.min_runtime_version, m);
        auto model = tflite::ReadModelFromBuffer(out.model, out.output_path);
        ASSERT_TRUE(model.ok()) << model.status().ToString();
        auto info = package::ReadCompiledModel(*model);
        ASSERT_TRUE(info.ok()) << info.status().ToString();
        for (const auto& op : info->edgetpu_ops) EXPECT_LE(op.package.min_runtime_version, m);
        // Every operator kept off the Edge TPU says why.
        for (const OperatorVerdict& v : out.operators) {
          if (v.region < 0) {
            EXPECT_FALSE(v.reason.empty()) << v.op << " #" << v.op_index;
          }
        }
      }
    }
  }
  EXPECT_GT(compiled, 0);
}

// An INT8 model whose QUANTIZE boundary ops need runtime 13: at -m 10 the INT8 data its
// convolution would exchange with the host needs runtime 12, so it stays on the CPU and says so.
TEST(CompileApiTest, Int8HostDataBelowRuntime12StaysOnTheCpu) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/small/gabor_64x64_p4.tflite");
  CompileOptions options;
  options.min_runtime_version = 10;
  auto r = CompileOne(ModelInput::FromPath(path), options);
  ASSERT_TRUE(r.ok() && r->ok);
  const ModelResult& m = r->models[0];
  EXPECT_LE(m.min_runtime_version, 10);
  bool int8_gated = false;
  for (const OperatorVerdict& v : m.operators) {
    if (v.rule_id == "generic.int8_host_runtime") {
      int8_gated = true;
      EXPECT_EQ(v.status, "Operation is working on an unsupported data type");
      EXPECT_NE(v.reason.find("--min_runtime_version is 10"), std::string::npos) << v.reason;
    }
  }
  EXPECT_TRUE(int8_gated);
  options.min_runtime_version = 12;
  auto r12 = CompileOne(ModelInput::FromPath(path), options);
  ASSERT_TRUE(r12.ok() && r12->ok);
  EXPECT_FALSE(r12->models[0].regions.empty()) << "runtime 12 takes int8 host data";
}

}  // namespace
}  // namespace etpu

namespace etpu {
namespace {

// Issue 13: a dynamic batch dimension (shape_signature -1, as Keras writes it) is compiled as
// batch 1, as Google's compiler 16 compiled dense_256 and dense_1024 (../shared/testdata/small).
TEST(CompileApiTest, DynamicBatchCompilesAsBatchOne) {
  for (const char* name : {"testdata/small/dense_256.tflite", "testdata/small/dense_1024.tflite"}) {
    ETPU_SHARED_FILE_OR_SKIP(path, name);
    auto r = CompileOne(ModelInput::FromPath(path));
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->ok) << path << ": " << r->failure->message << "\n" << r->failure->details;
    const ModelResult& m = r->models[0];
    EXPECT_FALSE(m.regions.empty());
    auto model = tflite::ReadModelFromBuffer(m.model, m.output_path);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
  }
}

}  // namespace
}  // namespace etpu

namespace etpu {
namespace {

// Issue 12: a float operator the converter left between DEQUANTIZE and QUANTIZE inside a quantized
// model does not make the model "not quantized": it stays on the CPU and cuts the graph. The
// quantized part before it maps; the part after it maps only with -a (a second subgraph); the
// compiled model computes what the source model computes.
std::vector<uint8_t> FloatIslandModel() {
  tflite::ModelBuilder b;
  const auto q = [&](const char* name) { return b.AddTensor(name, ir::TensorType::UINT8, {1, 4, 4, 8}, tflite::Quant(0.05f, 128)); };
  const int in = q("in"), r1 = q("r1"), back = q("back"), out = q("out");
  const int f = b.AddTensor("f", ir::TensorType::FLOAT32, {1, 4, 4, 8});
  const int g = b.AddTensor("g", ir::TensorType::FLOAT32, {1, 4, 4, 8});
  b.AddOperator(ir::BuiltinOperator::RELU, {in}, {r1});
  b.AddOperator(ir::BuiltinOperator::DEQUANTIZE, {r1}, {f});
  b.AddOperator(ir::BuiltinOperator::LOGISTIC, {f}, {g});
  b.AddOperator(ir::BuiltinOperator::QUANTIZE, {g}, {back});
  b.AddOperator(ir::BuiltinOperator::RELU, {back}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Serialize();
}

TEST(CompileApiTest, FloatIslandInAQuantizedModelStaysOnTheCpuAndCutsTheGraph) {
  const std::vector<uint8_t> source = FloatIslandModel();
  auto r = CompileOne(ModelInput::FromBytes(source, "float_island.tflite"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->ok) << r->failure->message << "\n" << r->failure->details;
  const ModelResult& m = r->models[0];
  ASSERT_EQ(m.operators.size(), 5u);
  EXPECT_GE(m.operators[0].region, 0);
  for (size_t i = 1; i < 5; ++i) EXPECT_LT(m.operators[i].region, 0) << i << ": " << m.operators[i].status;
  EXPECT_EQ(m.operators[4].rule_id, "partition.single_subgraph");
  CompileOptions all;
  all.multiple_subgraphs = true;
  auto ra = CompileOne(ModelInput::FromBytes(source, "float_island.tflite"), all);
  ASSERT_TRUE(ra.ok() && ra->ok);
  EXPECT_EQ(ra->models[0].regions.size(), 2u);
  EXPECT_GE(ra->models[0].operators[4].region, 0);

  // Both compilations compute what the source computes.
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  auto cpu = (*rt)->LoadModelFromBuffer(source, "source.tflite");
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  std::vector<uint8_t> input(static_cast<size_t>(cpu->input(0).bytes));
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>(i * 37 + 11);
  ASSERT_TRUE(cpu->SetInput(0, input).ok());
  ASSERT_TRUE(cpu->Invoke().ok());
  const std::vector<uint8_t> want(cpu->GetOutput(0).begin(), cpu->GetOutput(0).end());
  for (const CompileResult* c : {&*r, &*ra}) {
    auto tpu = (*rt)->LoadModelFromBuffer(c->models[0].model, "compiled.tflite");
    ASSERT_TRUE(tpu.ok()) << tpu.status().ToString();
    ASSERT_TRUE(tpu->SetInput(0, input).ok());
    { Status st = tpu->Invoke(); ASSERT_TRUE(st.ok()) << st.ToString(); }
    EXPECT_EQ(std::vector<uint8_t>(tpu->GetOutput(0).begin(), tpu->GetOutput(0).end()), want);
  }
}

}  // namespace
}  // namespace etpu
