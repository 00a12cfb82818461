// Resize family: RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR (input 1 = the constant output size).
//
// The docs say only "Depending on input/output size, this operation might not be mapped to the Edge
// TPU to avoid loss in precision" (§5.3). The rule below is derived from evidence and is [U]:
//
//   Evidence (shared testdata): in deeplabv3_mnv2_dm05_pascal_quant the real compiler mapped ops
//   0..63 and left op 64 on the CPU: RESIZE_BILINEAR v1, align_corners=true, half_pixel_centers=false,
//   input [1,1,1,256] -> output [1,33,33,256] (size constant [33,33]). Every generic rule passes for it
//   (uint8, 3 non-1 dims, constant size, version 1) and no size limit can explain it (its input is
//   1x1, its output 33x33 — far smaller than ops the compiler mapped in the same model).
//   What is special is the scale: with align_corners the corner-aligned scale factor is
//   (out-1)/(in-1) = 32/0, undefined; the op is a broadcast, not an interpolation.
//
//   Rule: per spatial axis, the resize must be an integer scaling: out == in, or with align_corners
//   in > 1 and (out-1) an integer multiple of (in-1); without align_corners out an integer multiple of
//   in or in an integer multiple of out. Fractional factors give interpolation weights that 8-bit
//   fixed point cannot hold exactly (the docs' "loss in precision").
//
//   Second rule (resize.activation_size, [U], evidence searched 2026-12-08): a resize whose input
//   and output together do not fit the narrow (activation) memory, tiles x bytes per tile of the
//   one chip description (devices/devices.json: 16 x 192 KiB), stays on the CPU. Evidence:
//   google-coral/edgetpu#597 (compiler 16, 2022): a maintainer says the model's RESIZE_NEAREST_NEIGHBOR
//   ([1,512,512,3] -> [1,1024,1024,3]) and RESIZE_BILINEAR ([1,512,512,6] -> [1,1024,1024,6]) "are
//   supported but not mapped ... due to their size"; only the CONV_2D between them mapped.
//   edgetpu#31 (2019): a x2 bilinear upsample to [1,512,512,32] logged "Operation is otherwise
//   supported, but not mapped due to some unspecified limitation", mapped at [1,128,128,32].
//   Mapped resizes seen are far below the limit (#31 at 128x128, yolov7/yolov8 x2 upsamples). That the
//   limit is input + output against the whole narrow memory (not a per-tile share or the output
//   alone) is our reading: every data point fits it, and the refused ones exceed it by >= 20 %.
#include <fmt/format.h>

#include "device/device_catalog.h"
#include "support/rules.h"

namespace etpu::support::internal {
namespace {

constexpr RuleDef kResizeFactor{"resize.scale_factor", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                                "RESIZE_*: each spatial axis must scale by an integer factor (align_corners: "
                                "(out-1)/(in-1) with in > 1)"};

constexpr RuleDef kResizeSize{"resize.activation_size", OpStatus::kUnspecifiedLimitation, Certainty::kUnconfirmed,
                              "RESIZE_*: input + output bytes must fit the narrow activation memory (tiles x "
                              "bytes per tile)"};

/// Smallest input extent for which align_corners defines a scale factor ((out-1)/(in-1)).
constexpr int kAlignCornersMinInput = 2;

struct ResizeFlags {
  bool align_corners = false;
  bool half_pixel_centers = false;
};

ResizeFlags Flags(const OpContext& ctx) {
  ResizeFlags f;
  if (const auto* o = ctx.op.options<ir::ResizeBilinearOptions>()) {
    f = {o->align_corners, o->half_pixel_centers};
  } else if (const auto* n = ctx.op.options<ir::ResizeNearestNeighborOptions>()) {
    f = {n->align_corners, n->half_pixel_centers};
  }
  return f;
}

/// Empty when the axis scales by an integer factor; otherwise why not.
std::string AxisProblem(int64_t in, int64_t out, bool align_corners) {
  if (in == out || in <= 0 || out <= 0) return {};
  if (align_corners) {
    if (in < kAlignCornersMinInput) {
      return fmt::format("align_corners with input extent {} -> {}: the corner-aligned factor (out-1)/(in-1) = "
                         "{}/{} is undefined (input extent must be >= {})",
                         in, out, out - 1, in - 1, kAlignCornersMinInput);
    }
    const int64_t a = out - 1, b = in - 1;
    if (a % b == 0 || b % a == 0) return {};
    return fmt::format("align_corners factor (out-1)/(in-1) = {}/{} is not an integer or its reciprocal", a, b);
  }
  if (out % in == 0 || in % out == 0) return {};
  return fmt::format("factor out/in = {}/{} is not an integer or its reciprocal", out, in);
}

/// Bytes of an 8-bit activation tensor (the generic data-type rule has passed), saturating at
/// `cap` so that hostile shapes cannot overflow.
int64_t ActivationBytes(const std::vector<int32_t>& shape, int64_t cap) {
  int64_t n = 1;
  for (int32_t d : shape) {
    if (d <= 0) return 0;
    if (n > cap / d) return cap;
    n *= d;
  }
  return n;
}

/// The narrow memory of the built-in chip (tiles x bytes per tile); 0 when the chip
/// description cannot be read (the rule then does not fire; the capacity model reports the error).
int64_t NarrowMemoryBytes() {
  static const int64_t bytes = [] {
    auto spec = device::BuiltinChip();
    if (!spec.ok() || spec->tiles <= 0 || spec->narrow_memory_bytes_per_tile <= 0) return int64_t{0};
    return spec->tiles * spec->narrow_memory_bytes_per_tile;
  }();
  return bytes;
}

std::optional<SupportDecision> CheckResize(const OpContext& ctx) {
  const ir::Tensor* in = ctx.input(0);
  const ir::Tensor* out = ctx.output(0);
  if (in == nullptr || out == nullptr || in->shape.size() != 4 || out->shape.size() != 4) return std::nullopt;
  const ResizeFlags f = Flags(ctx);
  const char* axis_names[] = {"height", "width"};
  for (size_t axis = 1; axis <= 2; ++axis) {
    std::string problem = AxisProblem(in->shape[axis], out->shape[axis], f.align_corners);
    if (!problem.empty()) {
      return Fail(kResizeFactor, fmt::format("{}: {} of input '{}' {} -> output '{}' {}: {}", ctx.what(),
                                             axis_names[axis - 1], in->name, ShapeString(in->shape), out->name,
                                             ShapeString(out->shape), problem));
    }
  }
  const int64_t narrow = NarrowMemoryBytes();
  if (narrow > 0) {
    const int64_t cap = narrow + 1;
    const int64_t in_bytes = ActivationBytes(in->shape, cap), out_bytes = ActivationBytes(out->shape, cap);
    if (in_bytes + out_bytes > narrow) {
      return Fail(kResizeSize, fmt::format("{}: input '{}' {} ({}{} B) + output '{}' {} ({}{} B) exceed the narrow "
                                           "activation memory of {} B",
                                           ctx.what(), in->name, ShapeString(in->shape), in_bytes >= cap ? ">= " : "",
                                           in_bytes, out->name, ShapeString(out->shape), out_bytes >= cap ? ">= " : "",
                                           out_bytes, narrow));
    }
  }
  return std::nullopt;
}

}  // namespace

void AddResizeChecks(CheckMap& checks) {
  using B = ir::BuiltinOperator;
  checks[B::RESIZE_BILINEAR] = &CheckResize;
  checks[B::RESIZE_NEAREST_NEIGHBOR] = &CheckResize;
}

std::vector<const RuleDef*> ResizeRules() { return {&kResizeFactor, &kResizeSize}; }

}  // namespace etpu::support::internal
