// Convolution family: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV.
#include <fmt/format.h>

#include "support/rules.h"

namespace etpu::support::internal {
namespace {

constexpr RuleDef kConvDilation{"conv2d.dilation_xy", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                                "CONV_2D must use the same dilation in x and y"};
constexpr RuleDef kDepthwiseDilation{"depthwise_conv2d.dilation_xy", OpStatus::kUnspecifiedLimitation,
                                     Certainty::kConfirmed, "DEPTHWISE_CONV_2D must use the same dilation in x and y"};
constexpr RuleDef kDepthwiseDilationRuntime{
    "depthwise_conv2d.dilation_runtime", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
    "dilated DEPTHWISE_CONV_2D needs runtime >= 12"};
constexpr RuleDef kFcWeightsFormat{"fully_connected.weights_format", OpStatus::kUnspecifiedLimitation,
                                   Certainty::kConfirmed, "FULLY_CONNECTED weights must use the DEFAULT format"};
constexpr RuleDef kFcOutput1d{"fully_connected.output_1d", OpStatus::kUnspecifiedLimitation, Certainty::kSupported,
                              "FULLY_CONNECTED output must be one-dimensional (one dimension larger than 1)"};

/// Runtime from which dilated depthwise kernels are mapped. §5.3 guesses a "≤12 vs 13+ split" [U];
/// the real deeplabv3_mnv2_dm05 compile maps its dilated depthwise layers into a runtime-12
/// package (../shared/testdata), so the split is at 12 at the latest.
constexpr int kDepthwiseDilationMinRuntime = 12;
/// Largest number of dimensions > 1 of a FULLY_CONNECTED output.
constexpr int kFcMaxOutputDims = 1;

std::optional<SupportDecision> CheckConv(const OpContext& ctx) {
  const auto* o = ctx.op.options<ir::Conv2DOptions>();
  if (o != nullptr && o->dilation_h_factor != o->dilation_w_factor) {
    return Fail(kConvDilation, fmt::format("{}: dilation {} (y) != {} (x); the Edge TPU needs the same dilation in x "
                                           "and y",
                                           ctx.what(), o->dilation_h_factor, o->dilation_w_factor));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckDepthwise(const OpContext& ctx) {
  const auto* o = ctx.op.options<ir::DepthwiseConv2DOptions>();
  if (o == nullptr) return std::nullopt;
  if (o->dilation_h_factor != o->dilation_w_factor) {
    return Fail(kDepthwiseDilation, fmt::format("{}: dilation {} (y) != {} (x); the Edge TPU needs the same dilation "
                                                "in x and y",
                                                ctx.what(), o->dilation_h_factor, o->dilation_w_factor));
  }
  if ((o->dilation_h_factor != 1 || o->dilation_w_factor != 1) &&
      ctx.options.min_runtime_version < kDepthwiseDilationMinRuntime) {
    return Fail(kDepthwiseDilationRuntime,
                fmt::format("{}: dilation {} needs runtime {} but --min_runtime_version is {}", ctx.what(),
                            o->dilation_h_factor, kDepthwiseDilationMinRuntime, ctx.options.min_runtime_version));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckFullyConnected(const OpContext& ctx) {
  const auto* o = ctx.op.options<ir::FullyConnectedOptions>();
  if (o != nullptr && o->weights_format != ir::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    return Fail(kFcWeightsFormat, fmt::format("{}: weights format {} (only DEFAULT is mapped)", ctx.what(),
                                              ir::EnumName(o->weights_format)));
  }
  if (const ir::Tensor* out = ctx.output(0); out != nullptr && NonUnitDims(out->shape) > kFcMaxOutputDims) {
    return Fail(kFcOutput1d, fmt::format("{}: output '{}' has shape {} with {} dimensions larger than 1 (at most {})",
                                         ctx.what(), out->name, ShapeString(out->shape), NonUnitDims(out->shape),
                                         kFcMaxOutputDims));
  }
  return std::nullopt;
}

}  // namespace

void AddConvChecks(CheckMap& checks) {
  using B = ir::BuiltinOperator;
  checks[B::CONV_2D] = &CheckConv;
  checks[B::DEPTHWISE_CONV_2D] = &CheckDepthwise;
  checks[B::FULLY_CONNECTED] = &CheckFullyConnected;
}

std::vector<const RuleDef*> ConvRules() {
  return {&kConvDilation, &kDepthwiseDilation, &kDepthwiseDilationRuntime, &kFcWeightsFormat, &kFcOutput1d};
}

}  // namespace etpu::support::internal
