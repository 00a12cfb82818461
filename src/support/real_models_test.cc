// The real compiler's verdicts (shared/testdata/groundtruth.json) against our per-op rules: every op
// the real compiler mapped is decided supported, and the first op it left on the CPU is decided
// unsupported. (Later CPU ops may be supported: "More than one subgraph" is the partitioner's.)
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "support/op_support.h"
#include "testutil/shared.h"
#include "tflite/model_reader.h"

namespace etpu::support {
namespace {

TEST(RealModels, DecisionsMatchTheRealCompiler) {
  ETPU_SHARED_FILE_OR_SKIP(gt_path, "testdata/groundtruth.json");
  auto text = base::ReadFile(gt_path);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const nlohmann::json gt = nlohmann::json::parse(text->begin(), text->end());
  int checked_models = 0, checked_ops = 0;
  for (const auto& pair : gt.at("pairs")) {
    const std::string cpu = pair.at("cpu_model").get<std::string>();
    const std::string compiled = pair.at("compiled_model").get<std::string>();
    const std::string cpu_path = testutil::SharedPath("testdata/models/" + cpu);
    if (!std::filesystem::exists(cpu_path) || !std::filesystem::exists(testutil::SharedPath("testdata/" + compiled))) {
      continue;
    }
    SCOPED_TRACE(cpu + " vs " + compiled);
    auto model = tflite::ReadModel(cpu_path);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_TRUE(CheckModelQuantized(*model).ok());
    EXPECT_TRUE(CheckOpVersions(*model).ok());
    const std::vector<int> cpu_ops = pair.at("cpu_remaining_op_indices").get<std::vector<int>>();
    const std::vector<SupportDecision> decisions = DecideAll(*model, {});
    ASSERT_EQ(static_cast<int>(decisions.size()), pair.at("cpu_ops_total").get<int>());
    std::vector<int> mapped;
    for (int i = 0; i < static_cast<int>(decisions.size()); ++i) {
      if (std::find(cpu_ops.begin(), cpu_ops.end(), i) != cpu_ops.end()) continue;
      mapped.push_back(i);
      EXPECT_TRUE(decisions[static_cast<size_t>(i)].supported)
          << "op " << i << " " << model->ops[static_cast<size_t>(i)].name() << " was mapped by the real compiler; we say "
          << decisions[static_cast<size_t>(i)].rule_id << ": " << decisions[static_cast<size_t>(i)].reason;
      ++checked_ops;
    }
    EXPECT_EQ(static_cast<int>(mapped.size()), pair.at("mapped_ops").get<int>());
    if (!cpu_ops.empty()) {
      const SupportDecision& first = decisions.at(static_cast<size_t>(cpu_ops.front()));
      EXPECT_FALSE(first.supported) << "op " << cpu_ops.front() << " was left on the CPU by the real compiler";
      ++checked_ops;
    }
    EXPECT_LE(MinRuntimeVersionFor(*model, mapped), 14);
    ++checked_models;
  }
  EXPECT_GE(checked_models, 1);
  RecordProperty("checked_models", checked_models);
  RecordProperty("checked_ops", checked_ops);
}

TEST(RealModels, DeeplabImagePoolingResizeIsTheFirstCut) {
  ETPU_SHARED_FILE_OR_SKIP(path, "testdata/models/deeplabv3_mnv2_dm05_pascal_quant.tflite");
  auto model = tflite::ReadModel(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const std::vector<SupportDecision> d = DecideAll(*model, {});
  ASSERT_GT(d.size(), 64u);
  EXPECT_EQ(d[64].rule_id, "resize.scale_factor");
  EXPECT_EQ(d[64].status, OpStatus::kUnspecifiedLimitation);
  EXPECT_NE(d[64].reason.find("[1,1,1,256] -> output 'ResizeBilinear' [1,33,33,256]"), std::string::npos) << d[64].reason;
  EXPECT_EQ(d.back().rule_id, "generic.data_type");  // ARG_MAX: INT64 output.
}

}  // namespace
}  // namespace etpu::support
