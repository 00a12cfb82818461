// StatusText, runtime gating, whole-model checks (quantization, op versions) and MinRuntimeVersionFor.
#include "support/op_support.h"

#include <gtest/gtest.h>

#include "support/support_test_util.h"

namespace etpu::support {
namespace {

using namespace testing;  // NOLINT

TEST(StatusText, ExactCompilerStrings) {
  EXPECT_STREQ(StatusText(OpStatus::kMapped), "Mapped to Edge TPU");
  EXPECT_STREQ(StatusText(OpStatus::kMoreThanOneSubgraph), "More than one subgraph is not supported");
  EXPECT_STREQ(StatusText(OpStatus::kUnspecifiedLimitation),
               "Operation is otherwise supported, but not mapped due to some unspecified limitation");
  EXPECT_STREQ(StatusText(OpStatus::kUnsupportedDataType), "Operation is working on an unsupported data type");
  EXPECT_STREQ(StatusText(OpStatus::kNotSupported), "Operation not supported");
  EXPECT_STREQ(StatusText(OpStatus::kVersionNotSupported), "Operation version not supported");
  EXPECT_STREQ(StatusText(OpStatus::kUnsupportedRank),
               "Tensor has unsupported rank (up to 3 innermost dimensions mapped)");
  EXPECT_STREQ(StatusText(OpStatus::kStridedSliceStrides), "Only Strided-Slice with unitary strides supported");
  EXPECT_STREQ(StatusText(OpStatus::kParamNotConstant), "Filter, bias, or other param is not constant at compile-time");
  EXPECT_STREQ(CertaintyMark(Certainty::kUnconfirmed), "[U]");
}

ir::Model UnaryModel(B code, std::vector<int32_t> shape, TT type = TT::UINT8) {
  ModelBuilder b;
  int in = Act(b, "in", shape, type);
  int out = Act(b, "out", shape, type);
  b.AddOperator(code, {in}, {out});
  Finish(b, {in}, {out});
  return Load(b);
}

TEST(Transcripts, UnsupportedOperatorsGetTheirLoggedStatus) {
  // LEAKY_RELU and HARD_SWISH: "Operation not supported" (#165, #272).
  for (B code : {B::LEAKY_RELU, B::HARD_SWISH}) {
    SupportDecision d = DecideOp(UnaryModel(code, {1, 8, 8, 4}), 0, {});
    EXPECT_EQ(d.status, OpStatus::kNotSupported);
    EXPECT_EQ(d.rule_id, "generic.not_supported");
  }
  // DEQUANTIZE: float output -> unsupported data type.
  ModelBuilder b;
  int in = Act(b, "in", {1, 8});
  int out = b.AddTensor("out", TT::FLOAT32, {1, 8});
  b.AddOperator(B::DEQUANTIZE, {in}, {out});
  Finish(b, {in}, {out});
  SupportDecision d = DecideOp(Load(b), 0, {});
  EXPECT_EQ(d.status, OpStatus::kUnsupportedDataType);
  EXPECT_EQ(d.rule_id, "generic.data_type");
  EXPECT_NE(d.reason.find("FLOAT32"), std::string::npos) << d.reason;
}

TEST(Transcripts, ArgMaxIsAnUnsupportedDataTypeBecauseOfItsOutput) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 4, 4, 8});
  int axis = ConstI32(b, "axis", {}, {3});
  int out = b.AddTensor("out", TT::INT64, {1, 4, 4});
  b.AddOperator(B::ARG_MAX, {in, axis}, {out});
  Finish(b, {in}, {out});
  SupportDecision d = DecideOp(Load(b), 0, {});
  EXPECT_EQ(d.rule_id, "generic.data_type");
  EXPECT_NE(d.reason.find("output 0 'out' is INT64"), std::string::npos) << d.reason;
}

// ---- min_runtime_version gating (compiler-behaviour.md §1.2, §5.3) ----
struct Gate {
  B code;
  int min_runtime;
};

TEST(RuntimeGating, OperatorsAddedInRuntime13And14) {
  // Unary stand-ins: the generic rules only look at the op code for gating.
  for (Gate g : {Gate{B::TRANSPOSE, 14}, Gate{B::SQUARED_DIFFERENCE, 14}, Gate{B::RSQRT, 14},
                 Gate{B::REDUCE_MAX, 14}, Gate{B::QUANTIZE, 12}, Gate{B::EXPAND_DIMS, 13}, Gate{B::PACK, 13},
                 Gate{B::SUM, 13}, Gate{B::TRANSPOSE_CONV, 13}, Gate{B::ADD, 10}, Gate{B::CONV_2D, 10}}) {
    SCOPED_TRACE(ir::BuiltinName(g.code));
    ir::Model m = UnaryModel(g.code, {1, 4, 4, 8});
    for (int rt = 10; rt <= 14; ++rt) {
      SupportDecision d = DecideOp(m, 0, {rt});
      const bool gated = d.rule_id == "generic.min_runtime";
      EXPECT_EQ(gated, rt < g.min_runtime) << "runtime " << rt << ": " << d.reason;
      if (gated) {
        EXPECT_EQ(d.status, OpStatus::kNotSupported);
      }
    }
  }
}

TEST(RuntimeGating, LowRuntimeMapsNothingOfAQuantizeOnlyModel) {
  ir::Model m = UnaryModel(B::QUANTIZE, {1, 8});
  EXPECT_TRUE(DecideOp(m, 0, {12}).supported);
  EXPECT_FALSE(DecideOp(m, 0, {11}).supported);
}

// ---- whole-model checks ----
TEST(CheckModelQuantized, FloatModelIsRejectedWithTheExactMessage) {
  ModelBuilder b;
  int in = b.AddTensor("in", TT::FLOAT32, {1, 8});
  int w = b.AddConstant<float>("w", TT::FLOAT32, {4, 8}, std::vector<float>(32, 0.5f));
  int out = b.AddTensor("out", TT::FLOAT32, {1, 4});
  b.AddOperator(B::FULLY_CONNECTED, {in, w, -1}, {out}, tflite::FullyConnectedOpts());
  Finish(b, {in}, {out});
  ir::Model m = Load(b);
  Status s = CheckModelQuantized(m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Model not quantized");
  ASSERT_EQ(ExplainNotQuantized(m).size(), 1u);
  EXPECT_NE(ExplainNotQuantized(m)[0].find("FULLY_CONNECTED #0"), std::string::npos);
}

// A float op the converter left between DEQUANTIZE and QUANTIZE inside a quantized model stays on
// the CPU and cuts the graph: the quantized part before it maps, the part after it does not (one
// subgraph) unless -a; the model is not refused.
TEST(CheckModelQuantized, FloatInteriorOpBetweenQuantizedOpsStaysOnTheCpu) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 8});
  int r = Act(b, "r", {1, 8});
  int f = b.AddTensor("f", TT::FLOAT32, {1, 8});
  int g = b.AddTensor("g", TT::FLOAT32, {1, 8});
  int q = Act(b, "q", {1, 8});
  int out = Act(b, "out", {1, 8});
  b.AddOperator(B::RELU, {in}, {r});
  b.AddOperator(B::DEQUANTIZE, {r}, {f});
  b.AddOperator(B::EXP, {f}, {g});
  b.AddOperator(B::QUANTIZE, {g}, {q});
  b.AddOperator(B::RELU, {q}, {out});
  Finish(b, {in}, {out});
  ir::Model m = Load(b);
  EXPECT_TRUE(CheckModelQuantized(m).ok());
  EXPECT_TRUE(ExplainNotQuantized(m).empty());
  std::vector<SupportDecision> d = DecideAll(m, {});
  EXPECT_TRUE(d[0].supported);
  EXPECT_FALSE(d[1].supported);
  EXPECT_FALSE(d[2].supported);
  EXPECT_EQ(d[2].rule_id, "generic.data_type") << d[2].reason;
}

// A model whose only 8-bit operators are QUANTIZE / DEQUANTIZE has no quantized compute.
TEST(CheckModelQuantized, OnlyBoundaryOpsQuantizedIsNotQuantized) {
  ModelBuilder b;
  int in = b.AddTensor("in", TT::FLOAT32, {1, 8});
  int f = b.AddTensor("f", TT::FLOAT32, {1, 8});
  int out = Act(b, "out", {1, 8});
  b.AddOperator(B::TANH, {in}, {f});
  b.AddOperator(B::QUANTIZE, {f}, {out});
  Finish(b, {in}, {out});
  ir::Model m = Load(b);
  EXPECT_EQ(CheckModelQuantized(m).message(), "Model not quantized");
  ASSERT_EQ(ExplainNotQuantized(m).size(), 1u);
  EXPECT_NE(ExplainNotQuantized(m)[0].find("TANH #0"), std::string::npos);
}

TEST(CheckModelQuantized, FloatBoundariesAndTrailingFloatOpsAreAccepted) {
  // float in -> QUANTIZE -> RELU -> DEQUANTIZE -> float RESHAPE -> out.
  ModelBuilder b;
  int in = b.AddTensor("in", TT::FLOAT32, {1, 8});
  int q = Act(b, "q", {1, 8});
  int r = Act(b, "r", {1, 8});
  int f = b.AddTensor("f", TT::FLOAT32, {1, 8});
  int out = b.AddTensor("out", TT::FLOAT32, {8});
  b.AddOperator(B::QUANTIZE, {in}, {q});
  b.AddOperator(B::RELU, {q}, {r});
  b.AddOperator(B::DEQUANTIZE, {r}, {f});
  b.AddOperator(B::RESHAPE, {f}, {out}, tflite::ReshapeOpts({8}));
  Finish(b, {in}, {out});
  ir::Model m = Load(b);
  EXPECT_TRUE(CheckModelQuantized(m).ok()) << ExplainNotQuantized(m)[0];
  std::vector<SupportDecision> d = DecideAll(m, {});
  EXPECT_EQ(d[0].rule_id, "quantize.float_input");
  EXPECT_TRUE(d[1].supported);
  EXPECT_EQ(d[2].rule_id, "generic.data_type");
  EXPECT_EQ(d[3].rule_id, "generic.data_type");  // float RESHAPE: "unsupported data type".
}

ir::Model DynamicModel(std::vector<int32_t> signature) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 8});
  int out = Act(b, "out", {1, 8});
  b.AddOperator(B::RELU, {in}, {out});
  Finish(b, {in}, {out});
  b.SetShapeSignature(in, std::move(signature));
  auto m = tflite::BuildModel(b.Build(), "dynamic.tflite");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

// Google's compiler 16 compiles a dynamic batch as batch 1 (dense_256, dense_1024 in ../shared).
TEST(CheckModelQuantized, DynamicBatchIsAccepted) {
  ir::Model m = DynamicModel({-1, 8});
  EXPECT_TRUE(CheckModelQuantized(m).ok());
  EXPECT_TRUE(ExplainNotQuantized(m).empty());
  EXPECT_TRUE(ExplainDynamicShapes(m).empty());
}

TEST(ExplainDynamicShapes, ADynamicInnerDimensionIsFound) {
  ir::Model m = DynamicModel({1, -1});
  EXPECT_TRUE(CheckModelQuantized(m).ok()) << "a dynamic size is not a quantization problem";
  std::vector<std::string> why = ExplainDynamicShapes(m);
  ASSERT_EQ(why.size(), 1u);
  EXPECT_NE(why[0].find("'in'"), std::string::npos) << why[0];
  EXPECT_NE(why[0].find("dimension 1"), std::string::npos) << why[0];
}

ir::Model VersionModel(B code, int version) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 8});
  int out = Act(b, "out", {1, 8});
  b.AddOperator(code, {in}, {out}, {}, version);
  Finish(b, {in}, {out});
  return Load(b);
}

TEST(CheckOpVersions, NewerVersionsGiveTheTfliteRegistrationError) {
  Status s = CheckOpVersions(VersionModel(B::CONV_2D, 6));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "ERROR: Didn't find op for builtin opcode 'CONV_2D' version '6'. An older version of this builtin might be "
            "supported. Are you using an old TFLite binary with a newer model?\n\nERROR: Registration failed.");
  // The transcripts of compiler-behaviour.md §7.1.
  EXPECT_FALSE(CheckOpVersions(VersionModel(B::TRANSPOSE_CONV, 4)).ok());
  EXPECT_FALSE(CheckOpVersions(VersionModel(B::QUANTIZE, 3)).ok());
  EXPECT_FALSE(CheckOpVersions(VersionModel(B::EXP, 2)).ok());
  EXPECT_TRUE(CheckOpVersions(VersionModel(B::CONV_2D, 5)).ok());
  EXPECT_TRUE(CheckOpVersions(VersionModel(B::TRANSPOSE_CONV, 3)).ok());
  EXPECT_TRUE(CheckOpVersions(VersionModel(B::QUANTIZE, 2)).ok());
}

TEST(CheckOpVersions, BuiltinsNewerThanTf25AreOutOfRange) {
  Status s = CheckOpVersions(VersionModel(B::GELU, 1));
  EXPECT_EQ(s.message(),
            "ERROR: Op builtin_code out of range: 150. Are you using old TFLite binary with newer model?\n"
            "ERROR: Registration failed.");
  EXPECT_EQ(MaxTfl25Version(151), 0);
  EXPECT_EQ(MaxTfl25Version(static_cast<int>(B::FULLY_CONNECTED)), 9);
}

TEST(CheckOpVersions, DecideOpReportsTheSameVersionPerOperator) {
  SupportDecision d = DecideOp(VersionModel(B::RELU, 4), 0, {});
  EXPECT_EQ(d.rule_id, "generic.op_version");
  EXPECT_EQ(d.status, OpStatus::kVersionNotSupported);
}

// ---- MinRuntimeVersionFor ----
TEST(MinRuntimeVersionFor, LargestRuntimeOfTheMappedOps) {
  ModelBuilder b;
  int in = Act(b, "in", {1, 4, 4, 8});
  int a = Act(b, "a", {1, 4, 4, 8});
  int perm = ConstI32(b, "perm", {4}, {0, 2, 1, 3});
  int t = Act(b, "t", {1, 4, 4, 8});
  int q = Act(b, "q", {1, 4, 4, 8}, TT::INT8);
  b.AddOperator(B::RELU, {in}, {a});
  b.AddOperator(B::TRANSPOSE, {a, perm}, {t});
  b.AddOperator(B::QUANTIZE, {t}, {q});
  Finish(b, {in}, {q});
  ir::Model m = Load(b);
  EXPECT_EQ(MinRuntimeVersionFor(m, {0}), 10);
  EXPECT_EQ(MinRuntimeVersionFor(m, {0, 1}), 14);
  EXPECT_EQ(MinRuntimeVersionFor(m, {2}), 12);  // QUANTIZE (12) with an INT8 output leaving the set (12).
  EXPECT_EQ(MinRuntimeVersionFor(m, {0, 99, -1}), 10);
}

TEST(DecideOp, BadIndexIsAnErrorDecisionNotACrash) {
  ir::Model m = UnaryModel(B::RELU, {1, 8});
  EXPECT_EQ(DecideOp(m, -1, {}).rule_id, "generic.bad_index");
  EXPECT_EQ(DecideAll(m, {}).size(), 1u);
}

}  // namespace
}  // namespace etpu::support
