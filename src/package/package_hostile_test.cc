// Hostile input: truncated and corrupted packages, options and models give errors, never crashes.
// (Run under ASan/UBSan with -DETPU_SANITIZE=ON to catch silent out-of-bounds reads.)
#include <gtest/gtest.h>

#include <optional>

#include "base/file_io.h"
#include "package/custom_op_data.h"
#include "package/package_reader.h"
#include "package/package_writer.h"
#include "package/program.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::package {
namespace {

PackageSpec SmallSpec(const std::string& chip, bool with_program) {
  PackageSpec spec;
  spec.chip = chip;
  spec.compiler_version = "hostile";
  ExecutableSpec pc;
  pc.type = ExecutableType::kParameterCaching;
  pc.name = "Unknown";
  pc.parameters.assign(320, 0x5a);
  pc.token = 77;
  pc.dma_hints = StandardDmaHints(pc);
  ExecutableSpec eo;
  eo.type = ExecutableType::kExecutionOnly;
  eo.name = "model";
  eo.token = 77;
  eo.parameters.assign(64, 0xa5);
  eo.input_layers = {{"in", 16, 1, 4, 4, 0, 1.0f, LayerDataType::kFixedPoint8, 1}};
  eo.output_layers = {{"out", 16, 1, 4, 4, 0, 1.0f, LayerDataType::kFixedPoint8, 1}};
  if (with_program) {
    tflite::ModelBuilder b;
    int in = b.AddTensor("in", ir::TensorType::UINT8, {1, 4, 4}, tflite::Quant(1.0f, 0));
    int w = b.AddTensor("w", ir::TensorType::UINT8, {4, 4}, tflite::Quant(1.0f, 0));
    int out = b.AddTensor("out", ir::TensorType::UINT8, {1, 4, 4}, tflite::Quant(1.0f, 0));
    b.AddOperator(ir::BuiltinOperator::FULLY_CONNECTED, {in, w, -1}, {out}, tflite::FullyConnectedOpts());
    b.SetInputs({in});
    b.SetOutputs({out});
    Program prog;
    prog.region_model = b.Serialize();
    prog.layers = {{0, LayerKind::kConv, Placement::kCached, 0, 320}, {0, LayerKind::kElementwiseConstant, Placement::kStreamed, 0, 64}};
    eo.program = EncodeProgram(prog);
  }
  eo.dma_hints = StandardDmaHints(eo);
  spec.executables = {pc, eo};
  return spec;
}

/// Reads `bytes` as a package; when it succeeds, the result must be self-consistent.
void ReadMustBeSane(std::span<const uint8_t> bytes) {
  auto p = ReadPackage(bytes, "fuzzed");
  if (!p.ok()) {
    EXPECT_FALSE(p.status().message().empty());
    return;
  }
  EXPECT_FALSE(p->executables.empty());
  EXPECT_LE(p->on_chip_bytes() + p->off_chip_bytes(), static_cast<int64_t>(bytes.size()));
  for (const auto& e : p->executables) {
    // Spans lie inside the package's (owned) bytes.
    const std::span<const uint8_t> s = p->bytes;
    EXPECT_TRUE(e.parameters.empty() || (e.parameters.data() >= s.data() && e.parameters.data() + e.parameters.size() <= s.data() + s.size()));
  }
}

TEST(Hostile, EveryByteFlipOfOurPackage) {
  for (bool with_program : {false, true}) {
    auto pkg = WritePackage(SmallSpec(kVirtualChipName, with_program));
    ASSERT_TRUE(pkg.ok());
    ASSERT_TRUE(ReadPackage(*pkg, "ok").ok());
    int errors = 0;
    for (size_t i = 0; i < pkg->size(); ++i) {
      for (uint8_t x : {0x01, 0x80, 0xff}) {
        auto bad = *pkg;
        bad[i] ^= x;
        ReadMustBeSane(bad);
        errors += !ReadPackage(bad, "f").ok();
      }
    }
    EXPECT_GT(errors, 0);
  }
}

TEST(Hostile, TruncatedPackagesAreErrors) {
  auto pkg = WritePackage(SmallSpec(kVirtualChipName, true));
  ASSERT_TRUE(pkg.ok());
  for (size_t n = 0; n < pkg->size(); n += (n < 256 ? 1 : 61)) {
    auto r = ReadPackage(std::span<const uint8_t>(pkg->data(), n), "truncated");
    EXPECT_FALSE(r.ok()) << "a package truncated to " << n << " of " << pkg->size() << " bytes was accepted";
  }
}

TEST(Hostile, CorruptProgramBytes) {
  auto spec = SmallSpec(kVirtualChipName, true);
  const auto program = spec.executables[1].program;
  for (size_t i = 0; i < program.size(); ++i) {
    auto bad = program;
    bad[i] ^= 0xff;
    auto r = DecodeProgram(bad, BlobSizes{320, 64}, "fuzzed");
    if (r.ok()) {
      for (const auto& l : r->layers) {
        EXPECT_LT(l.op_index, r->region_op_count);
        EXPECT_LE(l.offset + l.size, l.placement == Placement::kCached ? 320u : 64u);
      }
    }
  }
  for (size_t n = 0; n < program.size(); ++n) {
    EXPECT_FALSE(DecodeProgram(std::span<const uint8_t>(program.data(), n), BlobSizes{}, "truncated").ok());
  }
}

TEST(Hostile, RealCustomOptionsFlipsAndTruncations) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/split_concat_edgetpu.tflite");
  auto model = tflite::ReadModel(path);
  ASSERT_TRUE(model.ok());
  std::optional<std::vector<uint8_t>> options;
  for (const auto& op : model->ops) {
    if (op.custom_code == ir::kEdgeTpuCustomOp) options.emplace(op.custom_options.begin(), op.custom_options.end());
  }
  ASSERT_TRUE(options.has_value());
  ASSERT_TRUE(DecodeCustomOpData(*options, "ok").ok());
  // Sampled positions over the whole map, every position in the first and last 512 bytes.
  const size_t n = options->size();
  for (size_t i = 0; i < n; i += (i < 512 || i + 512 > n) ? 1 : 97) {
    auto bad = *options;
    bad[i] ^= 0xff;
    auto d = DecodeCustomOpData(bad, "fuzzed");
    if (d.ok()) ReadMustBeSane(d->package);
  }
  for (size_t k = 0; k < n; k += (k < 512 || k + 512 > n) ? 1 : 97) {
    EXPECT_FALSE(DecodeCustomOpData(std::span<const uint8_t>(options->data(), k), "truncated").ok());
  }
}

TEST(Hostile, RealModelFileFlips) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/split_concat_edgetpu.tflite");
  auto bytes = base::ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  for (size_t i = 0; i < bytes->size(); i += 13) {
    auto bad = *bytes;
    bad[i] ^= 0xff;
    auto model = tflite::ReadModelFromBuffer(bad, "fuzzed.tflite");
    if (!model.ok()) continue;
    auto info = ReadCompiledModel(*model);
    if (info.ok()) {
      for (const auto& op : info->edgetpu_ops) EXPECT_FALSE(op.package.executables.empty());
    }
  }
}

TEST(Legacy, BareExecutableFormatIsRead) {
  // A legacy custom op: key "4" a bare STAND_ALONE executable, keys "2" (chip) and "3".
  PackageSpec spec = SmallSpec(kBeagleChipName, false);
  spec.executables.erase(spec.executables.begin());
  spec.executables[0].type = ExecutableType::kStandAlone;
  spec.executables[0].token = 0;
  auto pkg = WritePackage(spec);
  ASSERT_TRUE(pkg.ok());
  auto parsed = ReadPackage(*pkg, "pkg");
  ASSERT_TRUE(parsed.ok());
  const ExecutableInfo& e = parsed->executables[0];
  std::vector<uint8_t> bare(pkg->begin() + e.offset_in_package, pkg->begin() + e.offset_in_package + e.size_bytes);

  CustomOpData data;
  data.package = bare;
  data.legacy_chip_name = "beagle";
  data.legacy_parameter_caching_executable = bare;
  data.has_execution_preference = false;
  tflite::ModelBuilder b;
  int in = b.AddTensor("in", ir::TensorType::UINT8, {1, 4, 4}, tflite::Quant(1.0f, 0));
  int out = b.AddTensor("out", ir::TensorType::UINT8, {1, 4, 4}, tflite::Quant(1.0f, 0));
  b.AddCustomOperator(ir::kEdgeTpuCustomOp, {in}, {out}, EncodeCustomOpData(data));
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = tflite::ReadModelFromBuffer(b.Serialize(), "legacy.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto info = ReadCompiledModel(*model);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const PackageInfo& p = info->edgetpu_ops[0].package;
  EXPECT_EQ(p.format, PackageFormat::kLegacyExecutable);
  EXPECT_EQ(p.chip(), kBeagleChipName);
  EXPECT_EQ(p.token(), 0u);
  EXPECT_EQ(p.on_chip_bytes(), 0);
  EXPECT_EQ(p.off_chip_bytes(), 64);
  ASSERT_TRUE(p.legacy_caching_executable.has_value());
  EXPECT_EQ(p.legacy_caching_executable->parameters.size(), 64u);
  EXPECT_EQ(info->edgetpu_ops[0].options.legacy_chip_name, std::optional<std::string>("beagle"));
  EXPECT_FALSE(CheckPackageAlignment(p).ok());  // Not a DWN1 package.
}

}  // namespace
}  // namespace etpu::package
