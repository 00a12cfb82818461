// Activation and normalisation family: RELU, RELU6, RELU_N1_TO_1, LOGISTIC, TANH, PRELU, RSQRT,
// SOFTMAX, L2_NORMALIZATION, QUANTIZE.
#include <fmt/format.h>

#include "support/rules.h"

namespace etpu::support::internal {
namespace {

constexpr RuleDef kSoftmax1d{"softmax.input_1d", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                             "SOFTMAX input must be 1-D (only one dimension larger than 1)"};
constexpr RuleDef kSoftmaxMax{"softmax.max_elements", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                              "SOFTMAX input has at most 16000 elements"};
constexpr RuleDef kPreluAlpha{"prelu.alpha_1d", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                              "PRELU alpha must be 1-D (only the innermost dimension larger than 1)"};
constexpr RuleDef kQuantizeFloat{"quantize.float_input", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                                 "QUANTIZE of a float tensor (the model's input boundary) stays on the CPU"};

/// Largest SOFTMAX input (§5.3: "max of 16,000 elements").
constexpr int64_t kSoftmaxMaxElements = 16000;
/// SOFTMAX works on vectors: at most this many dimensions larger than 1.
constexpr int kSoftmaxMaxDims = 1;

std::optional<SupportDecision> CheckSoftmax(const OpContext& ctx) {
  const ir::Tensor* in = ctx.input(0);
  if (in == nullptr) return std::nullopt;
  if (NonUnitDims(in->shape) > kSoftmaxMaxDims) {
    return Fail(kSoftmax1d, fmt::format("{}: input '{}' has shape {} with {} dimensions larger than 1 (at most {})",
                                        ctx.what(), in->name, ShapeString(in->shape), NonUnitDims(in->shape),
                                        kSoftmaxMaxDims));
  }
  if (in->num_elements() > kSoftmaxMaxElements) {
    return Fail(kSoftmaxMax, fmt::format("{}: input '{}' has {} elements (at most {})", ctx.what(), in->name,
                                         in->num_elements(), kSoftmaxMaxElements));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckPrelu(const OpContext& ctx) {
  const ir::Tensor* alpha = ctx.input(1);
  if (alpha == nullptr) return std::nullopt;
  // Only the innermost dimension may be larger than 1.
  for (size_t i = 0; i + 1 < alpha->shape.size(); ++i) {
    if (alpha->shape[i] > 1) {
      return Fail(kPreluAlpha, fmt::format("{}: alpha '{}' has shape {}; only its innermost dimension may be larger "
                                           "than 1 (Keras PReLU needs shared_axes=[1,2])",
                                           ctx.what(), alpha->name, ShapeString(alpha->shape)));
    }
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckQuantize(const OpContext& ctx) {
  const ir::Tensor* in = ctx.input(0);
  if (in != nullptr && in->type != ir::TensorType::UINT8 && in->type != ir::TensorType::INT8) {
    return Fail(kQuantizeFloat, fmt::format("{}: input '{}' is {}; quantizing a float input stays on the CPU",
                                            ctx.what(), in->name, ir::TensorTypeName(in->type)));
  }
  return std::nullopt;
}

}  // namespace

void AddActivationChecks(CheckMap& checks) {
  using B = ir::BuiltinOperator;
  checks[B::PRELU] = &CheckPrelu;
  checks[B::SOFTMAX] = &CheckSoftmax;
  checks[B::QUANTIZE] = &CheckQuantize;
}

std::vector<const RuleDef*> ActivationRules() { return {&kSoftmax1d, &kSoftmaxMax, &kPreluAlpha, &kQuantizeFloat}; }

}  // namespace etpu::support::internal
