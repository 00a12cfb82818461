// Issue 12: the Edge TPU region follows the data flow, per path. A branched model where the
// unsupported operator (LEAKY_RELU) sits on one branch and a supported CONV_2D on the other branch
// comes after it in execution order:
//
//   in -> #0 CONV -> a -> #1 LEAKY_RELU (CPU) -> l -> #3 CONV -> d --+
//                     \-> #2 CONV -> c ----------------------------- #4 CONCATENATION -> out
//
// #2 reads only what the region computes, so it maps with #0 (one region of two operators that are
// not consecutive); #3 and #4 are downstream of the CPU operator and stay on the CPU ("More than one
// subgraph is not supported"). The compiled model keeps the custom operator where #0 was and the
// other operators in their order, and computes, byte for byte, what the source model computes; so
// does the -a compilation (a region per run of consecutive supported operators).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "driver/transcript.h"
#include "etpu/compiler.h"
#include "etpu/runtime.h"
#include "run_once.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu {
namespace {

using ir::BuiltinOperator;
using ir::TensorType;
using testing::RunOnce;

constexpr int kH = 6, kW = 6, kInC = 4, kC = 8;

int Conv1x1(tflite::ModelBuilder& b, int in, int cin, const std::string& name, int seed) {
  std::vector<uint8_t> w(static_cast<size_t>(kC * cin));
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>((i * 29 + static_cast<size_t>(seed) * 11) % 256);
  const int wt = b.AddTensor(name + "/w", TensorType::UINT8, {kC, 1, 1, cin}, tflite::Quant(0.01f, 127), w);
  std::vector<int32_t> bias(kC);
  for (int c = 0; c < kC; ++c) bias[static_cast<size_t>(c)] = (c - 3) * 150 + seed;
  const int bt = b.AddConstant<int32_t>(name + "/b", TensorType::INT32, {kC}, bias, tflite::Quant(0.0002f, 0));
  const int out = b.AddTensor(name, TensorType::UINT8, {1, kH, kW, kC}, tflite::Quant(0.05f, 100));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, wt, bt}, {out}, tflite::ConvOptions(1, 1, ir::Padding::SAME));
  return out;
}

std::vector<uint8_t> BranchedModel() {
  tflite::ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::UINT8, {1, kH, kW, kInC}, tflite::Quant(0.02f, 128));
  const int a = Conv1x1(b, in, kInC, "a", 1);
  const int l = b.AddTensor("l", TensorType::UINT8, {1, kH, kW, kC}, tflite::Quant(0.05f, 100));
  ir::LeakyReluOptions lo;
  lo.alpha = 0.2f;
  b.AddOperator(BuiltinOperator::LEAKY_RELU, {a}, {l}, ir::BuiltinOptions(lo));
  const int c = Conv1x1(b, a, kC, "c", 2);
  const int d = Conv1x1(b, l, kC, "d", 3);
  const int out = b.AddTensor("out", TensorType::UINT8, {1, kH, kW, 2 * kC}, tflite::Quant(0.05f, 100));
  b.AddOperator(BuiltinOperator::CONCATENATION, {c, d}, {out}, tflite::ConcatOpts(3));
  b.SetInputs({in});
  b.SetOutputs({out});
  return b.Serialize();
}

Result<CompileResult> CompileBranched(const std::vector<uint8_t>& source, const CompileOptions& options) {
  const ModelInput in = ModelInput::FromBytes(source, "branched.tflite");
  return Compile(std::span<const ModelInput>(&in, 1), options);
}

TEST(CompileRegionTest, ASupportedOpOnAnotherBranchAfterACpuOpMaps) {
  const std::vector<uint8_t> source = BranchedModel();
  CompileOptions options;
  options.show_operations = true;
  auto r = CompileBranched(source, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->ok) << r->failure->message << "\n" << r->failure->details;
  const ModelResult& m = r->models[0];
  ASSERT_EQ(m.operators.size(), 5u);
  ASSERT_EQ(m.regions.size(), 1u);
  EXPECT_EQ(m.regions[0].ops, (std::vector<int>{0, 2}));
  EXPECT_EQ(m.regions[0].outputs, (std::vector<std::string>{"a", "c"}));  // a feeds the LEAKY_RELU.
  EXPECT_EQ(m.operators[1].status, "Operation not supported");
  for (int i : {3, 4}) {
    EXPECT_EQ(m.operators[static_cast<size_t>(i)].status, "More than one subgraph is not supported") << i;
    EXPECT_EQ(m.operators[static_cast<size_t>(i)].rule_id, "partition.single_subgraph") << i;
  }

  // The console and the .log say it in the real compiler's words.
  const std::string console = driver::RenderConsole(*r, options, 0);
  for (const char* line : {"Number of Edge TPU subgraphs: 1\n", "Total number of operations: 5\n",
                           "Number of operations that will run on Edge TPU: 2\n",
                           "Number of operations that will run on CPU: 3\n",
                           "CONV_2D                        2          Mapped to Edge TPU\n",
                           "CONV_2D                        1          More than one subgraph is not supported\n",
                           "LEAKY_RELU                     1          Operation not supported\n",
                           "CONCATENATION                  1          More than one subgraph is not supported\n"}) {
    EXPECT_NE(console.find(line), std::string::npos) << line << "in:\n" << console;
    if (std::string(line).find("    ") != std::string::npos) {
      EXPECT_NE(m.log.find(line), std::string::npos) << line;
    }
  }

  // The custom operator takes #0's place; the CPU operators keep their order after it.
  auto compiled = tflite::ReadModelFromBuffer(m.model, "branched_edgetpu.tflite");
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  ASSERT_EQ(compiled->ops.size(), 4u);
  EXPECT_EQ(compiled->ops[0].custom_code, ir::kEdgeTpuCustomOp);
  EXPECT_EQ(compiled->ops[1].name(), "LEAKY_RELU");
  EXPECT_EQ(compiled->ops[2].name(), "CONV_2D");
  EXPECT_EQ(compiled->ops[3].name(), "CONCATENATION");

  // -a: a region per run of consecutive supported operators ({#0}, {#2, #3, #4}).
  CompileOptions all;
  all.multiple_subgraphs = true;
  auto ra = CompileBranched(source, all);
  ASSERT_TRUE(ra.ok() && ra->ok);
  ASSERT_EQ(ra->models[0].regions.size(), 2u);
  EXPECT_EQ(ra->models[0].regions[1].ops, (std::vector<int>{2, 3, 4}));

  // Both compilations compute what the source computes, on the virtual Edge TPU.
  auto rt = Runtime::Create({});
  ASSERT_TRUE(rt.ok());
  std::vector<uint8_t> input(static_cast<size_t>(kH * kW * kInC));
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>(i * 37 + 11);
  const std::vector<uint8_t> want = RunOnce(**rt, source, input);
  ASSERT_EQ(want.size(), static_cast<size_t>(kH * kW * 2 * kC));
  EXPECT_EQ(RunOnce(**rt, m.model, input), want);
  EXPECT_EQ(RunOnce(**rt, ra->models[0].model, input), want);
}

}  // namespace
}  // namespace etpu
