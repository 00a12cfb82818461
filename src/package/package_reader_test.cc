// Golden tests on the real compiler's outputs in ../shared/testdata (groundtruth.json).
#include "package/package_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "testutil/shared.h"
#include "tflite/model_reader.h"

namespace etpu::package {
namespace {

namespace fs = std::filesystem;

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

/// Every compiled file: models/*_edgetpu.tflite and cocompiled/*.
std::vector<std::string> CompiledFiles(const std::string& testdata) {
  std::vector<std::string> out;
  for (const char* sub : {"models", "cocompiled"}) {
    for (const auto& entry : fs::directory_iterator(testdata + "/" + sub)) {
      std::string name = entry.path().filename().string();
      if (std::string(sub) == "cocompiled" || name.find("_edgetpu.tflite") != std::string::npos) {
        out.push_back(std::string(sub) + "/" + name);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<CompiledModelInfo> ReadCompiled(const std::string& path, ir::Model& model_out) {
  ETPU_ASSIGN_OR_RETURN(model_out, tflite::ReadModel(path));
  return ReadCompiledModel(model_out);
}

TEST(RealPackages, TokenAndParameterSplitMatchGroundTruth) {
  ETPU_SHARED_FILE_OR_SKIP(gt_path, "testdata/groundtruth.json");
  std::ifstream f(gt_path);
  nlohmann::json gt = nlohmann::json::parse(f);
  const std::string testdata = fs::path(gt_path).parent_path().string();
  std::set<std::string> covered;
  int checked = 0;
  for (const auto& pair : gt.at("pairs")) {
    const std::string rel = pair.at("compiled_model");
    SCOPED_TRACE(rel);
    ir::Model model;
    auto info = ReadCompiled(testdata + "/" + rel, model);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    ASSERT_EQ(info->edgetpu_ops.size(), 1u);
    const PackageInfo& p = info->edgetpu_ops[0].package;
    EXPECT_EQ(p.format, PackageFormat::kDwn1);
    EXPECT_EQ(Hex(p.token()), pair.at("caching_token_hex").get<std::string>());
    EXPECT_EQ(p.on_chip_bytes(), pair.at("onchip_cached_param_bytes").get<int64_t>());
    EXPECT_EQ(p.off_chip_bytes(), pair.at("offchip_streamed_param_bytes").get<int64_t>());
    // Google's files are recognised as Google's.
    EXPECT_EQ(p.chip(), kBeagleChipName);
    EXPECT_FALSE(p.is_virtual());
    ASSERT_EQ(p.executables.size(), 2u);
    ASSERT_NE(p.caching(), nullptr);
    EXPECT_EQ(p.caching()->token, p.main()->token);
    EXPECT_NE(p.token(), 0u);
    for (const auto& e : p.executables) EXPECT_FALSE(e.program.has_value());
    // The layout rules of package-format.md §1.5 hold on every real package.
    EXPECT_TRUE(CheckPackageAlignment(p).ok()) << CheckPackageAlignment(p).ToString();
    // A streamed blob comes with a PARAMETER DMA hint of exactly its size; the cached one too.
    if (p.off_chip_bytes() > 0) EXPECT_EQ(p.main()->parameter_dma_bytes(), p.off_chip_bytes());
    EXPECT_EQ(p.caching()->parameter_dma_bytes(), p.on_chip_bytes());
    EXPECT_GE(p.min_runtime_version, 10);
    EXPECT_LE(p.min_runtime_version, kRuntimeVersion);
    // The CPU operators left outside the custom op are the ones the ground truth lists.
    std::vector<std::string> cpu_names;
    for (int i : info->cpu_ops) cpu_names.push_back(model.ops[static_cast<size_t>(i)].name());
    EXPECT_EQ(cpu_names, pair.at("cpu_remaining_ops").get<std::vector<std::string>>());
    EXPECT_GT(p.main()->input_layers.size(), 0u);
    EXPECT_GT(p.main()->output_layers.size(), 0u);
    EXPECT_GT(p.main()->instruction_bytes(), 0);
    covered.insert(rel);
    ++checked;
  }
  // Every compiled file in the folder has a ground-truth record (none is silently skipped).
  for (const std::string& rel : CompiledFiles(testdata)) EXPECT_TRUE(covered.count(rel)) << rel << " not in groundtruth.json";
  EXPECT_GE(checked, 9);
}

TEST(RealPackages, OnlyCoCompiledFilesShareAToken) {
  ETPU_SHARED_FILE_OR_SKIP(gt_path, "testdata/groundtruth.json");
  const std::string testdata = fs::path(gt_path).parent_path().string();
  std::map<uint64_t, std::vector<std::string>> by_token;
  for (const std::string& rel : CompiledFiles(testdata)) {
    ir::Model model;
    auto info = ReadCompiled(testdata + "/" + rel, model);
    ASSERT_TRUE(info.ok()) << rel << ": " << info.status().ToString();
    ASSERT_EQ(info->edgetpu_ops.size(), 1u);
    by_token[info->edgetpu_ops[0].package.token()].push_back(rel);
  }
  int shared = 0;
  for (const auto& [token, files] : by_token) {
    if (files.size() == 1) {
      EXPECT_EQ(files[0].rfind("cocompiled/", 0), std::string::npos) << files[0] << " should share its token";
      continue;
    }
    ++shared;
    EXPECT_EQ(files.size(), 2u);
    for (const auto& f : files) EXPECT_EQ(f.rfind("cocompiled/", 0), 0u) << f << " shares token " << Hex(token);
  }
  EXPECT_EQ(shared, 1);
}

TEST(RealPackages, CpuModelsHaveNoEdgeTpuOp) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/mobilenet_v1_0.25_128_quant.tflite");
  ir::Model model;
  auto info = ReadCompiled(path, model);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_TRUE(info->edgetpu_ops.empty());
  EXPECT_EQ(info->cpu_ops.size(), model.ops.size());
}

TEST(RuntimeVersion, RealRuntimeWording) {
  Status s = CheckRuntimeVersion(12, 10);
  EXPECT_EQ(s.ToString(), "Failed precondition: Package requires runtime version (12), which is newer than this runtime version (10).");
  EXPECT_TRUE(CheckRuntimeVersion(12, 12).ok());
  EXPECT_TRUE(CheckRuntimeVersion(12, kRuntimeVersion).ok());
}

}  // namespace
}  // namespace etpu::package
