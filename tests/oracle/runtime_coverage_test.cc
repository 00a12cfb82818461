// Every operator the compiler can map (at any --min_runtime_version) must have a runtime kernel:
// otherwise a model compiles and then fails to load. The set of mappable operators is not
// hand-listed: each builtin operator of the schema is put into a one-operator uint8 model and
// support::DecideOp (with a runtime version high enough for every rule) says whether the
// operator is in the Edge TPU's operator set (any verdict other than the generic "not in the
// supported set" rule means it is).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_table.h"
#include "runtime/interpreter.h"
#include "support/op_support.h"

namespace etpu {
namespace {

constexpr const char* kNotInSetRule = "generic.not_supported";

// A model holding one operator `code` with a uint8 input and a uint8 output.
ir::Model OneOpModel(ir::BuiltinOperator code) {
  ir::Model m;
  m.path = "coverage";
  for (int i = 0; i < 2; ++i) {
    ir::Tensor t;
    t.index = i;
    t.name = i == 0 ? "in" : "out";
    t.type = ir::TensorType::UINT8;
    t.shape = {1, 8};
    t.quant.scale = {0.1f};
    t.quant.zero_point = {0};
    m.tensors.push_back(t);
  }
  ir::Operator op;
  op.index = 0;
  op.code = code;
  op.inputs = {0};
  op.outputs = {1};
  m.ops.push_back(op);
  m.tensors[0].consumers = {0};
  m.tensors[1].producer = 0;
  m.inputs = {0};
  m.outputs = {1};
  return m;
}

// Builtin operators the compiler's rules accept into the Edge TPU operator set.
std::vector<ir::BuiltinOperator> MappableOps() {
  support::SupportOptions options;
  options.min_runtime_version = 1000;  // Above every operator's minimum runtime.
  std::vector<ir::BuiltinOperator> ops;
  for (ir::BuiltinOperator code : ir::AllBuiltinOperators()) {
    if (code == ir::BuiltinOperator::CUSTOM) continue;
    const support::SupportDecision d = support::DecideOp(OneOpModel(code), 0, options);
    if (d.supported || d.rule_id != kNotInSetRule) ops.push_back(code);
  }
  return ops;
}

TEST(RuntimeCoverage, TheNotInSetRuleExists) {
  const auto& rules = support::AllRules();
  EXPECT_TRUE(std::any_of(rules.begin(), rules.end(), [](const auto& r) { return r.id == kNotInSetRule; }));
  // The probe sees operators outside the set: ABS is not an Edge TPU operator.
  const support::SupportDecision d = support::DecideOp(OneOpModel(ir::BuiltinOperator::ABS), 0, {});
  EXPECT_EQ(d.rule_id, kNotInSetRule);
}

TEST(RuntimeCoverage, ProbeFindsKnownMappableOps) {
  const std::vector<ir::BuiltinOperator> ops = MappableOps();
  for (ir::BuiltinOperator known : {ir::BuiltinOperator::CONV_2D, ir::BuiltinOperator::SOFTMAX,
                                    ir::BuiltinOperator::SUM, ir::BuiltinOperator::PRELU}) {
    EXPECT_NE(std::find(ops.begin(), ops.end(), known), ops.end()) << ir::BuiltinName(known);
  }
}

TEST(RuntimeCoverage, EveryMappableOperatorHasARuntimeKernel) {
  std::vector<std::string> missing;
  for (ir::BuiltinOperator code : MappableOps()) {
    if (runtime::FindBuiltinOp(code) == nullptr) missing.push_back(ir::BuiltinName(code));
  }
  std::string list;
  for (const auto& m : missing) list += " " + m;
  EXPECT_TRUE(missing.empty()) << "the compiler maps these operators but the runtime has no kernel:" << list;
}

// The operator table's kernel column is what the runtime registers, no more and no less, and
// every mappable row has a kernel.
TEST(RuntimeCoverage, RegisteredKernelsAreTheTablesKernelColumn) {
  for (ir::BuiltinOperator code : ir::AllBuiltinOperators()) {
    const ir::OpInfo& row = ir::OpInfoOf(code);
    EXPECT_EQ(runtime::FindBuiltinOp(code) != nullptr, row.cpu_kernel) << ir::BuiltinName(code);
    if (row.edgetpu) {
      EXPECT_TRUE(row.cpu_kernel) << ir::BuiltinName(code) << " maps but the table has no kernel";
    }
  }
}

TEST(RuntimeCoverage, SupportedBuiltinOpsListsEveryMappableOperator) {
  const std::vector<std::string> names = runtime::SupportedBuiltinOps();
  for (ir::BuiltinOperator code : MappableOps()) {
    EXPECT_NE(std::find(names.begin(), names.end(), ir::BuiltinName(code)), names.end()) << ir::BuiltinName(code);
  }
}

}  // namespace
}  // namespace etpu
