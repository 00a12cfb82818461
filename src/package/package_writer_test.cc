#include "package/package_writer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "package/custom_op_data.h"
#include "package/package_reader.h"
#include "package/program.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::package {
namespace {

using tflite::ModelBuilder;

std::vector<uint8_t> Pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> b(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& v : b) {
    x = x * 1664525u + 1013904223u;
    v = static_cast<uint8_t>(x >> 24);
  }
  return b;
}

/// A region model: input -> CONV_2D (weights emptied) -> DEPTHWISE (weights emptied) -> output.
std::vector<uint8_t> RegionModel() {
  ModelBuilder b;
  int in = b.AddTensor("input", ir::TensorType::UINT8, {1, 8, 8, 4}, tflite::Quant(0.5f, 128));
  int w = b.AddTensor("conv/weights", ir::TensorType::UINT8, {16, 1, 1, 4}, tflite::Quant(0.02f, 120));
  int bias = b.AddTensor("conv/bias", ir::TensorType::INT32, {16}, tflite::Quant(0.01f, 0));
  int mid = b.AddTensor("mid", ir::TensorType::UINT8, {1, 8, 8, 16}, tflite::Quant(0.1f, 3));
  b.AddOperator(ir::BuiltinOperator::CONV_2D, {in, w, bias}, {mid}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
  int dw = b.AddTensor("dw/weights", ir::TensorType::UINT8, {1, 3, 3, 16}, tflite::Quant(0.02f, 120));
  int dwb = b.AddTensor("dw/bias", ir::TensorType::INT32, {16}, tflite::Quant(0.002f, 0));
  int out = b.AddTensor("output", ir::TensorType::UINT8, {1, 8, 8, 16}, tflite::Quant(0.1f, 5));
  b.AddOperator(ir::BuiltinOperator::DEPTHWISE_CONV_2D, {mid, dw, dwb}, {out},
                tflite::DepthwiseOptions(1, 1, ir::Padding::SAME));
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Serialize();
}

PackageSpec TwoExecutableSpec(size_t cached, size_t streamed) {
  PackageSpec spec;
  spec.min_runtime_version = 13;
  spec.compiler_version = "etpu test";
  Program prog;
  prog.region_model = RegionModel();
  prog.layers = {{0, LayerKind::kConv, Placement::kCached, 0, std::min<uint64_t>(cached, 64 * 16)},
                 {1, LayerKind::kDepthwise, Placement::kStreamed, 0, std::min<uint64_t>(streamed, 640)}};
  if (streamed == 0) prog.layers.pop_back();
  if (cached == 0) prog.layers.erase(prog.layers.begin());

  ExecutableSpec pc;
  pc.type = ExecutableType::kParameterCaching;
  pc.name = "Unknown";
  pc.parameters = Pattern(cached, 1);
  pc.token = 0x0123456789abcdefULL;
  pc.estimated_cycles_64bit = 1234;
  pc.dma_hints = StandardDmaHints(pc);

  ExecutableSpec eo;
  eo.type = ExecutableType::kExecutionOnly;
  eo.name = "model";
  eo.parameters = Pattern(streamed, 2);
  eo.token = pc.token;
  eo.input_layers = {{"input", 256, 8, 8, 4, 128, 0.5f, LayerDataType::kFixedPoint8, 1}};
  eo.output_layers = {{"output", 1024, 8, 8, 16, 5, 0.1f, LayerDataType::kFixedPoint8, 1}};
  eo.program = EncodeProgram(prog);
  eo.used_narrow_memory_bytes_per_tile = 832;
  eo.estimated_cycles_64bit = 99999;
  eo.scratch_size_bytes = 672;
  eo.dma_hints = StandardDmaHints(eo);
  spec.executables = {pc, eo};
  return spec;
}

TEST(PackageWriter, AlignmentRulesHoldForManySizes) {
  for (size_t cached : {size_t{0}, size_t{1}, size_t{16}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{100000}}) {
    for (size_t streamed : {size_t{0}, size_t{576}, size_t{8192}, size_t{12345}}) {
      if (cached == 0 && streamed == 0) continue;
      auto bytes = WritePackage(TwoExecutableSpec(cached, streamed));
      ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
      EXPECT_EQ(bytes->size() % 4096, 0u);
      EXPECT_EQ(std::memcmp(bytes->data() + 4, "DWN1", 4), 0);
      auto p = ReadPackage(*bytes, "test");
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_TRUE(CheckPackageAlignment(*p).ok()) << CheckPackageAlignment(*p).ToString() << " cached=" << cached
                                                  << " streamed=" << streamed;
      EXPECT_EQ(p->multi_executable_offset % 4096, 0);
      for (const auto& e : p->executables) {
        EXPECT_EQ(e.offset_in_package % 4096, 0);
        EXPECT_EQ(e.size_bytes % 4096, 0);
        EXPECT_EQ(e.parameters_offset, 4096);
        // The parameter bytes really sit at package offset (executable start + 4096).
        EXPECT_EQ(e.parameters.data() - p->bytes.data(), e.offset_in_package + 4096);
      }
      EXPECT_EQ(p->on_chip_bytes(), static_cast<int64_t>(cached));
      EXPECT_EQ(p->off_chip_bytes(), static_cast<int64_t>(streamed));
    }
  }
}

TEST(PackageWriter, BufferEqualsTheVectorAndIsFollowedByAZeroByte) {
  for (size_t cached : {size_t{0}, size_t{4095}, size_t{4096}, size_t{70000}}) {
    auto buffer = WritePackageBuffer(TwoExecutableSpec(cached, 1000));
    auto bytes = WritePackage(TwoExecutableSpec(cached, 1000));
    ASSERT_TRUE(buffer.ok() && bytes.ok());
    std::span<const uint8_t> b = buffer->bytes();
    EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.end()), *bytes) << "cached=" << cached;
    EXPECT_EQ(b.data()[b.size()], 0) << "cached=" << cached;  // What FlexBuffer strings read as a terminator.
  }
}

TEST(PackageWriter, ParameterPiecesWriteTheSameBytesAsOneStream) {
  PackageSpec whole = TwoExecutableSpec(9000, 5000);
  PackageSpec pieces = whole;
  for (ExecutableSpec& e : pieces.executables) {
    // Uneven pieces, one of them empty; the spec's own vector stays empty.
    const std::span<const uint8_t> all(whole.executables[&e - pieces.executables.data()].parameters);
    e.parameter_pieces = {all.subspan(0, 1), all.subspan(1, 0), all.subspan(1, 4999), all.subspan(5000)};
    e.parameters.clear();
  }
  EXPECT_EQ(ParameterBytes(pieces.executables[0]), 9000u);
  EXPECT_EQ(StandardDmaHints(pieces.executables[1]).size(), StandardDmaHints(whole.executables[1]).size());
  auto a = WritePackage(whole);
  auto b = WritePackage(pieces);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);

  pieces.executables[0].parameters = {1, 2, 3};  // Both a stream and pieces: which one is meant?
  auto both = WritePackage(pieces);
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("both a parameter stream and parameter pieces"), std::string::npos);
}

TEST(PackageWriter, RoundTripKeepsEveryField) {
  PackageSpec spec = TwoExecutableSpec(5000, 700);
  auto bytes = WritePackage(spec);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto p = ReadPackage(*bytes, "test");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->format, PackageFormat::kDwn1);
  EXPECT_EQ(p->min_runtime_version, 13);
  EXPECT_EQ(p->compiler_version, "etpu test");
  EXPECT_EQ(p->token(), 0x0123456789abcdefULL);
  EXPECT_TRUE(p->is_virtual());
  EXPECT_EQ(p->chip(), kVirtualChipName);
  ASSERT_EQ(p->executables.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const ExecutableSpec& s = spec.executables[i];
    const ExecutableInfo& e = p->executables[i];
    EXPECT_EQ(e.type, s.type);
    EXPECT_EQ(e.name, s.name);
    EXPECT_EQ(e.chip, kVirtualChipName);
    EXPECT_EQ(e.token, s.token);
    EXPECT_EQ(e.batch_size, 1);
    EXPECT_EQ(std::vector<uint8_t>(e.parameters.begin(), e.parameters.end()), s.parameters);
    EXPECT_EQ(e.input_layers, s.input_layers);
    EXPECT_EQ(e.output_layers, s.output_layers);
    EXPECT_EQ(e.dma_hints, s.dma_hints);
    EXPECT_EQ(e.used_narrow_memory_bytes_per_tile, s.used_narrow_memory_bytes_per_tile);
    EXPECT_EQ(e.estimated_cycles_64bit, s.estimated_cycles_64bit);
    EXPECT_EQ(e.scratch_size_bytes, s.scratch_size_bytes);
  }
  const ExecutableInfo& eo = *p->main();
  EXPECT_EQ(eo.parameter_dma_bytes(), 700);
  EXPECT_EQ(p->caching()->parameter_dma_bytes(), 5000);
  ASSERT_TRUE(eo.program.has_value());
  EXPECT_EQ(eo.program->layers.size(), 2u);
  EXPECT_EQ(eo.program->layers[1].kind, LayerKind::kDepthwise);
  EXPECT_EQ(eo.program->layers[1].placement, Placement::kStreamed);
  EXPECT_EQ(eo.program->region_model, RegionModel());
  EXPECT_EQ(eo.program->region_op_count, 2);
  EXPECT_FALSE(p->caching()->program.has_value());
}

TEST(PackageWriter, Deterministic) {
  auto a = WritePackage(TwoExecutableSpec(3000, 100));
  auto b = WritePackage(TwoExecutableSpec(3000, 100));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(PackageWriter, RejectsWhatTheRuntimeRefuses) {
  PackageSpec spec = TwoExecutableSpec(100, 0);
  spec.executables[1].type = ExecutableType::kParameterCaching;
  EXPECT_FALSE(WritePackage(spec).ok());
  spec = TwoExecutableSpec(100, 0);
  spec.executables[0].token = 0;
  spec.executables[1].token = 0;
  EXPECT_FALSE(WritePackage(spec).ok());
  spec = TwoExecutableSpec(100, 0);
  spec.executables[1].token = 7;
  EXPECT_FALSE(WritePackage(spec).ok());
  spec.executables.clear();
  EXPECT_FALSE(WritePackage(spec).ok());
}

TEST(PackageWriter, StandAloneSingleExecutable) {
  PackageSpec spec = TwoExecutableSpec(0, 4000);
  spec.executables.erase(spec.executables.begin());
  spec.executables[0].type = ExecutableType::kStandAlone;
  auto bytes = WritePackage(spec);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto p = ReadPackage(*bytes, "test");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(CheckPackageAlignment(*p).ok());
  EXPECT_EQ(p->on_chip_bytes(), 0);
  EXPECT_EQ(p->off_chip_bytes(), 4000);
}

TEST(PackageWriter, ProgramLayerOutsideItsBlobIsRejectedOnRead) {
  PackageSpec spec = TwoExecutableSpec(1000, 0);
  Program prog;
  prog.region_model = RegionModel();
  prog.layers = {{0, LayerKind::kConv, Placement::kCached, 900, 200}};  // 900 + 200 > 1000
  spec.executables[1].program = EncodeProgram(prog);
  auto bytes = WritePackage(spec);
  ASSERT_TRUE(bytes.ok());
  auto p = ReadPackage(*bytes, "test");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("occupies bytes"), std::string::npos) << p.status().message();
  prog.layers = {{5, LayerKind::kConv, Placement::kCached, 0, 10}};  // no operator #5
  spec.executables[1].program = EncodeProgram(prog);
  EXPECT_FALSE(ReadPackage(*WritePackage(spec), "test").ok());
  prog.layers = {{0, static_cast<LayerKind>(42), Placement::kCached, 0, 10}};
  spec.executables[1].program = EncodeProgram(prog);
  EXPECT_FALSE(ReadPackage(*WritePackage(spec), "test").ok());
}

TEST(PackageWriter, FullModelRoundTripThroughTheCustomOp) {
  auto pkg = WritePackage(TwoExecutableSpec(2048, 640));
  ASSERT_TRUE(pkg.ok());
  ModelBuilder b;
  int in = b.AddTensor("input", ir::TensorType::UINT8, {1, 8, 8, 4}, tflite::Quant(0.5f, 128));
  int out = b.AddTensor("output", ir::TensorType::UINT8, {1, 8, 8, 16}, tflite::Quant(0.1f, 5));
  int soft = b.AddTensor("prob", ir::TensorType::UINT8, {1, 8, 8, 16}, tflite::Quant(1.0f / 256, 0));
  b.AddCustomOperator(ir::kEdgeTpuCustomOp, {in}, {out}, EncodeEtpuCustomOpData(*pkg));
  b.AddOperator(ir::BuiltinOperator::SOFTMAX, {out}, {soft}, tflite::SoftmaxOpts());
  b.SetInputs({in});
  b.SetOutputs({soft});
  auto model = tflite::ReadModelFromBuffer(b.Serialize(), "compiled.tflite");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto info = ReadCompiledModel(*model);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->edgetpu_ops.size(), 1u);
  EXPECT_EQ(info->edgetpu_ops[0].op_index, 0);
  EXPECT_EQ(info->edgetpu_ops[0].options.chip_ids, std::vector<int64_t>{kVirtualChipId});
  EXPECT_EQ(info->cpu_ops, std::vector<int>{1});
  const PackageInfo& p = info->edgetpu_ops[0].package;
  EXPECT_EQ(p.on_chip_bytes(), 2048);
  EXPECT_EQ(p.off_chip_bytes(), 640);
  EXPECT_TRUE(p.main()->program.has_value());
}

}  // namespace
}  // namespace etpu::package
