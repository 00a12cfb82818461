#include "report/inspect.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "package/custom_op_data.h"
#include "package/package_writer.h"
#include "package/program.h"
#include "testutil/shared.h"
#include "tflite/model_builder.h"

namespace etpu::report {
namespace {

namespace fs = std::filesystem;

nlohmann::json GroundTruth(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f);
}

TEST(Inspect, EveryCompiledFileMatchesGroundTruth) {
  ETPU_SHARED_FILE_OR_SKIP(gt_path, "testdata/groundtruth.json");
  const std::string testdata = fs::path(gt_path).parent_path().string();
  nlohmann::json gt = GroundTruth(gt_path);
  std::vector<InspectReport> reports;
  int64_t cocompiled_on_chip = 0;
  for (const auto& pair : gt.at("pairs")) {
    const std::string rel = pair.at("compiled_model");
    SCOPED_TRACE(rel);
    auto r = InspectCompiledModel(testdata + "/" + rel);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->edgetpu_ops.size(), 1u);
    EXPECT_EQ(FormatToken(r->token), pair.at("caching_token_hex").get<std::string>());
    EXPECT_EQ(r->on_chip_bytes, pair.at("onchip_cached_param_bytes").get<int64_t>());
    EXPECT_EQ(r->off_chip_bytes, pair.at("offchip_streamed_param_bytes").get<int64_t>());
    std::vector<std::string> cpu;
    for (const auto& op : r->cpu_ops) cpu.push_back(op.name);
    EXPECT_EQ(cpu, pair.at("cpu_remaining_ops").get<std::vector<std::string>>());
    const InspectCustomOp& c = r->edgetpu_ops[0];
    EXPECT_EQ(c.chip, "beagle");
    EXPECT_FALSE(c.etpu_virtual);
    EXPECT_TRUE(c.layers.empty());
    EXPECT_TRUE(c.runtime_error.empty()) << c.runtime_error;
    EXPECT_EQ(c.executables.size(), 2u);
    if (rel.rfind("cocompiled/", 0) == 0) cocompiled_on_chip += r->on_chip_bytes;
    // Both renderings carry the token; JSON parses and agrees.
    EXPECT_NE(RenderInspectText(*r).find(FormatToken(r->token)), std::string::npos);
    auto j = nlohmann::json::parse(RenderInspectJson(*r));
    EXPECT_EQ(j.at("token"), pair.at("caching_token_hex"));
    EXPECT_EQ(j.at("on_chip_bytes"), pair.at("onchip_cached_param_bytes"));
    EXPECT_EQ(j.at("edgetpu_ops").at(0).at("off_chip_bytes"), pair.at("offchip_streamed_param_bytes"));
    reports.push_back(std::move(*r));
  }
  auto groups = GroupByToken(reports);
  int sharing = 0;
  for (const TokenGroup& g : groups) {
    if (!g.shares_sram()) continue;
    ++sharing;
    ASSERT_EQ(g.paths.size(), 2u);
    for (const auto& p : g.paths) EXPECT_NE(p.find("/cocompiled/"), std::string::npos) << p;
    EXPECT_EQ(g.on_chip_bytes, cocompiled_on_chip);
  }
  EXPECT_EQ(sharing, 1);
  EXPECT_EQ(groups.size(), reports.size() - 1);
  std::string text = RenderInspectText(reports);
  EXPECT_NE(text.find("share the on-chip SRAM"), std::string::npos);
  auto j = nlohmann::json::parse(RenderInspectJson(reports));
  EXPECT_EQ(j.at("files").size(), reports.size());
  EXPECT_EQ(j.at("token_groups").size(), groups.size());
}

TEST(Inspect, RuntimeVersionCheckUsesTheRealRuntimeWords) {
  // package-format.md: the 2021 compiler's files need runtime 12, split_concat needs 13.
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  InspectOptions old_runtime;
  old_runtime.runtime_version = 10;
  auto r = InspectCompiledModel(path, old_runtime);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->edgetpu_ops.at(0).min_runtime_version, 12);
  EXPECT_EQ(r->edgetpu_ops.at(0).runtime_error,
            "Failed precondition: Package requires runtime version (12), which is newer than this runtime version (10).");
  EXPECT_NE(RenderInspectText(*r).find("which is newer than this runtime version (10)."), std::string::npos);
  ETPU_SHARED_FILE_OR_SKIP(split, "testdata/models/split_concat_edgetpu.tflite");
  auto s = InspectCompiledModel(split);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->edgetpu_ops.at(0).min_runtime_version, 13);
}

TEST(Inspect, CpuOnlyModel) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  auto r = InspectCompiledModel(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->edgetpu_ops.empty());
  EXPECT_EQ(static_cast<int>(r->cpu_ops.size()), r->total_ops);
  EXPECT_EQ(r->token, 0u);
  EXPECT_NE(RenderInspectText(*r).find("Not compiled for the Edge TPU"), std::string::npos);
}

TEST(Inspect, MissingFileIsAnError) {
  auto r = InspectCompiledModel("/nonexistent/x_edgetpu.tflite");
  EXPECT_FALSE(r.ok());
}

TEST(Inspect, NoReportsRenderNoEmptyHeader) {
  EXPECT_EQ(RenderInspectText(std::span<const InspectReport>()), "");
}

/// An etpu-compiled model written with our own writer: per-layer placement is reported.
TEST(Inspect, EtpuPackageShowsLayerPlacement) {
  using namespace package;
  tflite::ModelBuilder rb;
  int in = rb.AddTensor("input", ir::TensorType::UINT8, {1, 4, 4, 4}, tflite::Quant(0.5f, 128));
  int w = rb.AddTensor("w", ir::TensorType::UINT8, {16, 1, 1, 4}, tflite::Quant(0.02f, 120));
  int b = rb.AddTensor("b", ir::TensorType::INT32, {16}, tflite::Quant(0.01f, 0));
  int mid = rb.AddTensor("mid", ir::TensorType::UINT8, {1, 4, 4, 16}, tflite::Quant(0.1f, 3));
  rb.AddOperator(ir::BuiltinOperator::CONV_2D, {in, w, b}, {mid}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
  int c = rb.AddTensor("c", ir::TensorType::UINT8, {1, 4, 4, 16}, tflite::Quant(0.1f, 3));
  int out = rb.AddTensor("output", ir::TensorType::UINT8, {1, 4, 4, 16}, tflite::Quant(0.2f, 0));
  rb.AddOperator(ir::BuiltinOperator::MUL, {mid, c}, {out});
  rb.SetInputs({in});
  rb.SetOutputs({out});
  Program prog;
  prog.region_model = rb.Serialize();
  prog.layers = {{0, LayerKind::kConv, Placement::kCached, 0, 128}, {1, LayerKind::kElementwiseConstant, Placement::kStreamed, 0, 320}};

  PackageSpec spec;
  spec.compiler_version = "etpu test";
  ExecutableSpec pc;
  pc.type = ExecutableType::kParameterCaching;
  pc.name = "Unknown";
  pc.parameters.assign(128, 1);
  pc.token = 0xfeedfacecafebeefULL;
  ExecutableSpec eo = pc;
  eo.type = ExecutableType::kExecutionOnly;
  eo.name = "model";
  eo.parameters.assign(320, 2);
  eo.program = EncodeProgram(prog);
  spec.executables = {pc, eo};
  auto pkg = WritePackage(spec);
  ASSERT_TRUE(pkg.ok()) << pkg.status().ToString();

  tflite::ModelBuilder mb;
  int min = mb.AddTensor("input", ir::TensorType::UINT8, {1, 4, 4, 4}, tflite::Quant(0.5f, 128));
  int mout = mb.AddTensor("output", ir::TensorType::UINT8, {1, 4, 4, 16}, tflite::Quant(0.2f, 0));
  mb.AddCustomOperator(ir::kEdgeTpuCustomOp, {min}, {mout}, EncodeEtpuCustomOpData(*pkg));
  mb.SetInputs({min});
  mb.SetOutputs({mout});
  std::string path = testutil::MakeTempDir("inspect") + "/etpu_edgetpu.tflite";
  ASSERT_TRUE(base::WriteFileAtomic(path, mb.Serialize()).ok());

  auto r = InspectCompiledModel(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->edgetpu_ops.size(), 1u);
  const InspectCustomOp& op = r->edgetpu_ops[0];
  EXPECT_TRUE(op.etpu_virtual);
  EXPECT_EQ(op.chip, kVirtualChipName);
  EXPECT_EQ(op.chip_ids, std::vector<int64_t>{kVirtualChipId});
  EXPECT_EQ(op.on_chip_bytes, 128);
  EXPECT_EQ(op.off_chip_bytes, 320);
  EXPECT_EQ(op.region_ops, 2);
  ASSERT_EQ(op.layers.size(), 2u);
  EXPECT_EQ(op.layers[0].op_name, "CONV_2D");
  EXPECT_EQ(op.layers[0].placement, "cached");
  EXPECT_EQ(op.layers[1].op_name, "MUL");
  EXPECT_EQ(op.layers[1].kind, "elementwise_constant");
  EXPECT_EQ(op.layers[1].placement, "streamed");
  EXPECT_EQ(FormatToken(r->token), "0xfeedfacecafebeef");
  std::string text = RenderInspectText(*r);
  EXPECT_NE(text.find("elementwise_constant"), std::string::npos) << text;
  auto j = nlohmann::json::parse(RenderInspectJson(*r));
  EXPECT_EQ(j["edgetpu_ops"][0]["layers"][1]["placement"], "streamed");
}

}  // namespace
}  // namespace etpu::report
