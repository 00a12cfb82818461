// Shape and data-movement family: CONCATENATION, RESHAPE, SQUEEZE, EXPAND_DIMS, PACK, PAD, SLICE,
// STRIDED_SLICE, SPLIT, SPACE_TO_DEPTH, TILE, TRANSPOSE.
#include <fmt/format.h>

#include <algorithm>

#include "support/rules.h"

namespace etpu::support::internal {
namespace {

constexpr RuleDef kConcatActivation{"concatenation.fused_activation", OpStatus::kUnspecifiedLimitation,
                                    Certainty::kConfirmed, "CONCATENATION: no fused activation function"};
constexpr RuleDef kConcatConst{"concatenation.constant_input", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                               "CONCATENATION with a constant input: exactly 2 inputs and the constant all zeros"};
constexpr RuleDef kPackBatch{"pack.batch_axis", OpStatus::kUnspecifiedLimitation, Certainty::kSupported,
                             "PACK: no packing in the batch dimension"};
constexpr RuleDef kPadBatch{"pad.batch_axis", OpStatus::kUnspecifiedLimitation, Certainty::kConfirmed,
                            "PAD: no padding in the batch dimension"};
constexpr RuleDef kSplitBatch{"split.batch_axis", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                              "SPLIT: no splitting in the batch dimension"};
constexpr RuleDef kSqueezeRelayout{"squeeze.relayout", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                                   "SQUEEZE: only leading dimensions of size 1 (before the first dimension > 1) "
                                   "may be removed"};
constexpr RuleDef kStridedSliceStrides{"strided_slice.strides", OpStatus::kStridedSliceStrides, Certainty::kConfirmed,
                                       "STRIDED_SLICE: all strides must be 1"};
constexpr RuleDef kStridedSliceMasks{"strided_slice.masks", OpStatus::kUnspecifiedLimitation, Certainty::kSupported,
                                     "STRIDED_SLICE: ellipsis_mask and new_axis_mask must be 0"};
constexpr RuleDef kTileBatch{"tile.batch_multiple", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                             "TILE: the multiple of the batch dimension of a 4-D tensor must be 1"};
constexpr RuleDef kTransposeBatch{"transpose.batch_axis", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                                  "TRANSPOSE: the batch dimension of a 4-D tensor must stay in place"};

/// The only fused activation CONCATENATION may carry.
constexpr auto kConcatAllowedActivation = ir::ActivationFunctionType::NONE;
/// Number of inputs of a CONCATENATION that has a constant (zero-padding) input.
constexpr size_t kConcatConstInputs = 2;
/// The only batch multiple TILE may use (the Edge TPU computes over the 3 innermost dimensions).
constexpr int64_t kTileBatchMultiple = 1;
/// The only stride STRIDED_SLICE may use.
constexpr int64_t kUnitStride = 1;

/// True when every element of a constant quantized tensor is the real value 0 (its zero point).
bool AllRealZeros(const ir::Tensor& t) {
  const int64_t zp = t.quant.zero_point.empty() ? 0 : t.quant.zero_point[0];
  if (t.type == ir::TensorType::UINT8) {
    return std::all_of(t.data.begin(), t.data.end(), [&](uint8_t v) { return v == zp; });
  }
  if (t.type == ir::TensorType::INT8) {
    return std::all_of(t.data.begin(), t.data.end(), [&](uint8_t v) { return static_cast<int8_t>(v) == zp; });
  }
  return std::all_of(t.data.begin(), t.data.end(), [](uint8_t v) { return v == 0; });
}

std::optional<SupportDecision> CheckConcat(const OpContext& ctx) {
  const auto* o = ctx.op.options<ir::ConcatenationOptions>();
  if (o != nullptr && o->fused_activation_function != kConcatAllowedActivation) {
    return Fail(kConcatActivation, fmt::format("{}: fused activation {} (only {} is mapped)", ctx.what(),
                                               ActivationName(o->fused_activation_function),
                                               ActivationName(kConcatAllowedActivation)));
  }
  for (size_t i = 0; i < ctx.op.inputs.size(); ++i) {
    const ir::Tensor* t = ctx.input(i);
    if (t == nullptr || !t->is_constant()) continue;
    if (ctx.op.inputs.size() != kConcatConstInputs) {
      return Fail(kConcatConst, fmt::format("{}: input {} '{}' is constant and the operator has {} inputs (a constant "
                                            "input needs exactly {})",
                                            ctx.what(), i, t->name, ctx.op.inputs.size(), kConcatConstInputs));
    }
    if (!AllRealZeros(*t)) {
      return Fail(kConcatConst, fmt::format("{}: constant input {} '{}' is not all zeros (only zero-padding "
                                            "concatenations are mapped)",
                                            ctx.what(), i, t->name));
    }
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckPack(const OpContext& ctx) {
  const auto* o = ctx.op.options<ir::PackOptions>();
  const ir::Tensor* out = ctx.output(0);
  if (o == nullptr || out == nullptr) return std::nullopt;
  auto axis = NormalizeAxis(o->axis, out->shape.size());
  if (axis && IsBatchAxis(*axis, out->shape.size())) {
    return Fail(kPackBatch, fmt::format("{}: packs along axis {} of output '{}' {}, the batch dimension", ctx.what(),
                                        *axis, out->name, ShapeString(out->shape)));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckPad(const OpContext& ctx) {
  const ir::Tensor* in = ctx.input(0);
  const ir::Tensor* pads = ctx.input(1);
  if (in == nullptr || pads == nullptr) return std::nullopt;
  auto values = ConstInts(*pads);
  if (!values || values->size() != in->shape.size() * 2) return std::nullopt;
  for (size_t d = 0; d < in->shape.size(); ++d) {
    const int64_t before = (*values)[2 * d], after = (*values)[2 * d + 1];
    if ((before != 0 || after != 0) && IsBatchAxis(static_cast<int>(d), in->shape.size())) {
      return Fail(kPadBatch, fmt::format("{}: pads dimension {} (batch) of input '{}' {} by [{},{}]", ctx.what(), d,
                                         in->name, ShapeString(in->shape), before, after));
    }
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckSplit(const OpContext& ctx) {
  const ir::Tensor* axis_t = ctx.input(0);
  const ir::Tensor* in = ctx.input(1);
  if (axis_t == nullptr || in == nullptr) return std::nullopt;
  auto values = ConstInts(*axis_t);
  if (!values || values->size() != 1) return std::nullopt;
  auto axis = NormalizeAxis((*values)[0], in->shape.size());
  if (axis && IsBatchAxis(*axis, in->shape.size())) {
    return Fail(kSplitBatch, fmt::format("{}: splits axis {} of input '{}' {}, the batch dimension", ctx.what(), *axis,
                                         in->name, ShapeString(in->shape)));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckSqueeze(const OpContext& ctx) {
  const ir::Tensor* in = ctx.input(0);
  if (in == nullptr) return std::nullopt;
  std::vector<int> squeezed;
  const auto* o = ctx.op.options<ir::SqueezeOptions>();
  if (o != nullptr && !o->squeeze_dims.empty()) {
    for (int v : o->squeeze_dims) {
      if (auto a = NormalizeAxis(v, in->shape.size())) squeezed.push_back(*a);
    }
  } else {
    for (size_t d = 0; d < in->shape.size(); ++d) {
      if (in->shape[d] == 1) squeezed.push_back(static_cast<int>(d));
    }
  }
  const auto first_big = std::find_if(in->shape.begin(), in->shape.end(), [](int32_t d) { return d > 1; });
  const int first_big_index = static_cast<int>(first_big - in->shape.begin());
  for (int a : squeezed) {
    if (a > first_big_index) {
      return Fail(kSqueezeRelayout, fmt::format("{}: removes dimension {} of input '{}' {}, after dimension {} (size "
                                                "{}); only leading 1s can be removed without a relayout",
                                                ctx.what(), a, in->name, ShapeString(in->shape), first_big_index,
                                                in->shape[static_cast<size_t>(first_big_index)]));
    }
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckStridedSlice(const OpContext& ctx) {
  if (const ir::Tensor* strides = ctx.input(3)) {
    if (auto values = ConstInts(*strides)) {
      for (size_t i = 0; i < values->size(); ++i) {
        if ((*values)[i] != kUnitStride) {
          return Fail(kStridedSliceStrides, fmt::format("{}: stride {} on axis {} (only {} is mapped)", ctx.what(),
                                                        (*values)[i], i, kUnitStride));
        }
      }
    }
  }
  const auto* o = ctx.op.options<ir::StridedSliceOptions>();
  if (o != nullptr && (o->ellipsis_mask != 0 || o->new_axis_mask != 0)) {
    return Fail(kStridedSliceMasks, fmt::format("{}: ellipsis_mask {} and new_axis_mask {} (both must be 0)",
                                                ctx.what(), o->ellipsis_mask, o->new_axis_mask));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckTile(const OpContext& ctx) {
  const ir::Tensor* in = ctx.input(0);
  const ir::Tensor* multiples = ctx.input(1);
  if (in == nullptr || multiples == nullptr) return std::nullopt;
  auto values = ConstInts(*multiples);
  if (!values || values->size() != in->shape.size() || values->empty()) return std::nullopt;
  if (IsBatchAxis(0, in->shape.size()) && (*values)[0] != kTileBatchMultiple) {
    return Fail(kTileBatch, fmt::format("{}: multiple {} on dimension 0 (batch) of input '{}' {} (only {} is mapped)",
                                        ctx.what(), (*values)[0], in->name, ShapeString(in->shape),
                                        kTileBatchMultiple));
  }
  return std::nullopt;
}

std::optional<SupportDecision> CheckTranspose(const OpContext& ctx) {
  const ir::Tensor* in = ctx.input(0);
  const ir::Tensor* perm_t = ctx.input(1);
  if (in == nullptr || perm_t == nullptr) return std::nullopt;
  auto perm = ConstInts(*perm_t);
  if (!perm || perm->empty()) return std::nullopt;
  auto moved = NormalizeAxis((*perm)[0], in->shape.size());
  if (!moved || !IsBatchAxis(0, in->shape.size()) || *moved == 0) return std::nullopt;
  if (in->shape[static_cast<size_t>(*moved)] > 1) {
    return Fail(kTransposeBatch, fmt::format("{}: permutation moves dimension {} (size {}) into the batch position of "
                                             "input '{}' {}",
                                             ctx.what(), *moved, in->shape[static_cast<size_t>(*moved)], in->name,
                                             ShapeString(in->shape)));
  }
  return std::nullopt;
}

}  // namespace

void AddShapeChecks(CheckMap& checks) {
  using B = ir::BuiltinOperator;
  checks[B::CONCATENATION] = &CheckConcat;
  checks[B::SQUEEZE] = &CheckSqueeze;
  checks[B::PACK] = &CheckPack;
  checks[B::PAD] = &CheckPad;
  checks[B::STRIDED_SLICE] = &CheckStridedSlice;
  checks[B::SPLIT] = &CheckSplit;
  checks[B::TILE] = &CheckTile;
  checks[B::TRANSPOSE] = &CheckTranspose;
}

std::vector<const RuleDef*> ShapeRules() {
  return {&kConcatActivation, &kConcatConst, &kPackBatch,           &kPadBatch,         &kSplitBatch,
          &kSqueezeRelayout,  &kStridedSliceStrides, &kStridedSliceMasks, &kTileBatch, &kTransposeBatch};
}

}  // namespace etpu::support::internal
